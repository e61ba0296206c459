// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpud towards its clients, run under tests/dropin/with_rnpud.py
 * (RNPUD_SOCKET, RNPUD_PID): several processes at once, a client killed
 * with jobs in flight, and hostile clients that speak the protocol badly.
 * Results are checked against the CPU reference; the daemon's memory
 * against its own accounting before and after.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm/rnpu_drm_core.h"
#include "rnpu/matmul_job.h"
#include "rnpu/rnpu.h"
#include "rnpu_ref.h"
#include "rnpud_proto.h"

static char device[160];

static const char *sock_path(void)
{
	return device + 5;
}

/* ---------------------------------------------------- raw protocol */

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_true(snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path()) <
		    (int)sizeof(sa.sun_path));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void raw_send(int s, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	char ctl[CMSG_SPACE(253 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		struct cmsghdr *cm;

		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(s, &mh, MSG_NOSIGNAL), (ssize_t)len);
}

/* The reply's ret; -1000 if the daemon closed the connection. */
static int raw_reply(int s, void *arg, size_t arg_len)
{
	uint8_t buf[RNPUD_MAX_MSG];
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct rnpud_reply r;
	ssize_t n;

	assert_int_equal(poll(&p, 1, 10000), 1);
	n = recv(s, buf, sizeof(buf), 0);
	if (n == 0)
		return -1000;
	assert_true(n >= (ssize_t)(sizeof(struct rnpud_hdr) + sizeof(r)));
	memcpy(&r, buf + sizeof(struct rnpud_hdr), sizeof(r));
	if (arg)
		memcpy(arg, buf + sizeof(struct rnpud_hdr) + sizeof(r),
		       arg_len < r.arg_size ? arg_len : r.arg_size);
	return r.ret;
}

static size_t raw_msg(uint8_t *buf, uint16_t type, const void *payload, size_t len)
{
	struct rnpud_hdr h = { .magic = RNPUD_MAGIC, .version = RNPUD_VERSION, .type = type,
			       .len = (uint32_t)(sizeof(h) + len), .seq = 7 };

	memcpy(buf, &h, sizeof(h));
	if (len) /* memmove: a payload may already sit in place */
		memmove(buf + sizeof(h), payload, len);
	return sizeof(h) + len;
}

static int raw_hello(int s)
{
	uint8_t buf[64];
	uint32_t v = RNPUD_VERSION;

	raw_send(s, buf, raw_msg(buf, RNPUD_HELLO, &v, sizeof(v)), NULL, 0);
	return raw_reply(s, NULL, 0);
}

static void daemon_stats(struct rnpud_stats *st)
{
	uint8_t buf[64];
	int s = raw_connect();

	assert_int_equal(raw_hello(s), 0);
	raw_send(s, buf, raw_msg(buf, RNPUD_STATS, NULL, 0), NULL, 0);
	assert_int_equal(raw_reply(s, st, sizeof(*st)), 0);
	close(s);
	/* This connection is counted while it is open. */
	st->sessions--;
}

static unsigned int daemon_fd_count(void)
{
	const char *pid = getenv("RNPUD_PID");
	char path[64];
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid ? pid : "0");
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Polls until the daemon is back to @base (bounded). */
static void wait_for_baseline(const struct rnpud_stats *base)
{
	struct rnpud_stats st;
	int i;

	for (i = 0; i < 200; i++) {
		daemon_stats(&st);
		if (st.buffers == base->buffers && st.pages == base->pages &&
		    st.sessions == base->sessions)
			return;
		usleep(50 * 1000);
	}
	fail_msg("daemon at %llu buffers / %llu pages / %llu sessions, baseline %llu / %llu / %llu",
		 (unsigned long long)st.buffers, (unsigned long long)st.pages,
		 (unsigned long long)st.sessions, (unsigned long long)base->buffers,
		 (unsigned long long)base->pages, (unsigned long long)base->sessions);
}

/* The daemon's state with no session open: waits (bounded) until every
 * session of an earlier case has fully closed, since the daemon ends a
 * session asynchronously after its client goes. This process is the
 * daemon's only client, so idle means no session but the one asking; the
 * daemon counts a session until its memory is released, so the buffers
 * and pages read then hold no session's. */
static void daemon_idle_baseline(struct rnpud_stats *base)
{
	int i;

	for (i = 0; i < 200; i++) {
		daemon_stats(base);
		if (base->sessions == 0)
			return;
		usleep(50 * 1000);
	}
	fail_msg("daemon still has %llu sessions open with no client left",
		 (unsigned long long)base->sessions);
}

/* ---------------------------------------------------- work */

/* An int8 matmul through librnpu's unix transport, checked exactly.
 * 0 on success (usable from a child process). */
static int verified_matmul(uint64_t seed, uint32_t m, uint32_t k, uint32_t n)
{
	struct rnpu_matmul_job *job = NULL;
	struct rnpu_dev *dev;
	struct ref_rng r;
	int8_t *a = malloc((size_t)m * k), *b = malloc((size_t)k * n);
	int32_t *c = malloc((size_t)m * n * 4), *want = malloc((size_t)m * n * 4);
	int ret;

	ret = rnpu_open(device, &dev);
	if (ret)
		goto out;
	ref_rng_seed(&r, seed);
	ref_fill_i8(&r, a, (size_t)m * k, -128, 127);
	ref_fill_i8(&r, b, (size_t)k * n, -128, 127);
	ref_matmul_i8_i32(m, k, n, a, b, want);
	ret = rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, m, k, n, 0, &job);
	if (!ret)
		ret = rnpu_matmul_job_set_inputs(job, a, b);
	if (!ret)
		ret = rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, NULL);
	if (!ret)
		ret = rnpu_matmul_job_get_output(job, c);
	if (!ret && memcmp(c, want, (size_t)m * n * 4))
		ret = -EIO;
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
out:
	free(a);
	free(b);
	free(c);
	free(want);
	return ret;
}

/* ---------------------------------------------------- cases */

#define NPROCS 4

static void multi_process(void **state)
{
	struct rnpud_stats base;
	pid_t pid[NPROCS];
	int i, status;

	(void)state;
	daemon_idle_baseline(&base);
	for (i = 0; i < NPROCS; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0)
			_exit(verified_matmul(100 + (uint64_t)i, 64 + 16 * (uint32_t)i, 128, 32) ? 1 : 0);
	}
	for (i = 0; i < NPROCS; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	wait_for_baseline(&base);
}

/* A fence from the daemon is an fd of ours; it signals the job's end. */
static void fence_through_daemon(void **state)
{
	struct rnpu_matmul_job *job;
	struct rnpu_dev *dev;
	int8_t a[32 * 32] = { 1 }, b[32 * 16] = { 2 };
	int32_t c[32 * 16];
	int fence;

	(void)state;
	assert_int_equal(rnpu_open(device, &dev), 0);
	assert_string_equal(rnpu_transport_name(dev), "unix");
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, 32, 32, 16, 0, &job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_matmul_job_run_async(job, RKNPU_CORE_AUTO_MASK, &fence), 0);
	assert_int_equal(rnpu_fence_wait(fence, 10000), 0);
	close(fence);
	assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
	assert_int_equal(c[0], 2);
	assert_int_equal(c[1], 0);
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
}

/* PRIME between two sessions of the daemon: the dma-buf fd travels both
 * ways and names the same memory. */
static void prime_between_sessions(void **state)
{
	struct rnpu_dev *d1, *d2;
	struct rnpu_bo *bo, *imported;
	uint8_t *p1, *p2;
	int fd;

	(void)state;
	assert_int_equal(rnpu_open(device, &d1), 0);
	assert_int_equal(rnpu_open(device, &d2), 0);
	assert_int_equal(rnpu_bo_create(d1, 4096, 0, &bo), 0);
	assert_int_equal(rnpu_bo_map(bo, (void **)&p1), 0);
	p1[100] = 0x5a;
	assert_int_equal(rnpu_bo_export(bo, &fd), 0);
	assert_int_equal(rnpu_bo_import(d2, fd, &imported), 0);
	close(fd);
	assert_int_equal(rnpu_bo_dma_addr(imported), rnpu_bo_dma_addr(bo));
	assert_int_equal(rnpu_bo_map(imported, (void **)&p2), 0);
	assert_int_equal(p2[100], 0x5a);
	rnpu_bo_free(imported);
	rnpu_bo_free(bo);
	rnpu_close(d2);
	rnpu_close(d1);
}

/* Handles and mappings are per session. */
static void wrong_session_handles(void **state)
{
	struct rnpu_dev *d1, *d2;
	struct rknpu_mem_create mc = { .size = 4096 };
	struct rknpu_mem_map mm = { 0 };
	struct rknpu_mem_destroy md = { 0 };
	int fd;

	(void)state;
	assert_int_equal(rnpu_open(device, &d1), 0);
	assert_int_equal(rnpu_open(device, &d2), 0);
	assert_int_equal(rnpu_ioctl(d1, DRM_IOCTL_RKNPU_MEM_CREATE, &mc), 0);
	mm.handle = mc.handle;
	assert_int_equal(rnpu_ioctl(d1, DRM_IOCTL_RKNPU_MEM_MAP, &mm), 0);
	assert_int_equal(rnpu_ioctl(d2, DRM_IOCTL_RKNPU_MEM_MAP, &mm), -ENOENT);
	assert_int_equal(rnpu_mmap_fd(d2, mm.offset, 4096, &fd), -EACCES);
	md.handle = mc.handle;
	assert_int_equal(rnpu_ioctl(d2, DRM_IOCTL_RKNPU_MEM_DESTROY, &md), -EINVAL);
	assert_int_equal(rnpu_ioctl(d1, DRM_IOCTL_RKNPU_MEM_DESTROY, &md), 0);
	rnpu_close(d2);
	rnpu_close(d1);
}

/* kill -9 of a client with jobs queued: its session goes, the memory
 * returns to the baseline, a concurrent client is unharmed. */
static void client_killed_mid_job(void **state)
{
	struct rnpud_stats base;
	int pipefd[2], status;
	pid_t victim, bystander;
	char c;

	(void)state;
	daemon_idle_baseline(&base);
	assert_int_equal(pipe(pipefd), 0);
	victim = fork();
	assert_true(victim >= 0);
	if (victim == 0) {
		struct rnpu_matmul_job *job;
		struct rnpu_dev *dev;
		int i, fence;

		close(pipefd[0]);
		if (rnpu_open(device, &dev) ||
		    rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, 256, 1024, 256, 0, &job))
			_exit(1);
		/* All on core 0: the jobs share one output buffer, so they
		 * must not run at once on different cores. */
		for (i = 0; i < 8; i++)
			if (rnpu_matmul_job_run_async(job, RKNPU_CORE0_MASK, &fence))
				_exit(1);
		(void)!write(pipefd[1], "q", 1);
		/* A blocking job in flight as well when the kill comes. */
		rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, NULL);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	bystander = fork();
	assert_true(bystander >= 0);
	if (bystander == 0)
		_exit(verified_matmul(77, 96, 256, 48) ? 1 : 0);
	kill(victim, SIGKILL);
	assert_int_equal(waitpid(victim, &status, 0), victim);
	assert_int_equal(waitpid(bystander, &status, 0), bystander);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	wait_for_baseline(&base);
	assert_int_equal(verified_matmul(78, 32, 64, 16), 0);
}

/* Malformed, truncated, oversized and flooded messages: each rejected with
 * its errno, the daemon's fd count unchanged, the daemon serving after. */
static void hostile_messages(void **state)
{
	static uint8_t buf[RNPUD_MAX_MSG + 512];
	struct rnpud_ioctl io;
	unsigned int fds_before = daemon_fd_count();
	int flood[200], s, i, devnull;
	size_t len;

	(void)state;
	s = raw_connect();
	assert_int_equal(raw_hello(s), 0);
	/* Shorter than a header. */
	raw_send(s, "abc", 3, NULL, 0);
	assert_int_equal(raw_reply(s, NULL, 0), -EBADMSG);
	/* A header claiming more than was sent (truncated). */
	len = raw_msg(buf, RNPUD_STATS, NULL, 0);
	buf[8] = 200;
	raw_send(s, buf, len, NULL, 0);
	assert_int_equal(raw_reply(s, NULL, 0), -EBADMSG);
	/* Unknown type. */
	raw_send(s, buf, raw_msg(buf, 0x55, NULL, 0), NULL, 0);
	assert_int_equal(raw_reply(s, NULL, 0), -EBADMSG);
	/* An ioctl whose argument size is not the command's. */
	io = (struct rnpud_ioctl){ .cmd = DRM_IOCTL_RKNPU_MEM_CREATE, .arg_size = 8 };
	memset(buf + sizeof(struct rnpud_hdr), 0, 64);
	memcpy(buf + sizeof(struct rnpud_hdr), &io, sizeof(io));
	raw_send(s, buf, raw_msg(buf, RNPUD_IOCTL, buf + sizeof(struct rnpud_hdr),
				 sizeof(io) + 8), NULL, 0);
	assert_int_equal(raw_reply(s, NULL, 0), -EBADMSG);
	/* Oversized. */
	memset(buf, 0, sizeof(buf));
	len = raw_msg(buf, RNPUD_STATS, NULL, 0);
	raw_send(s, buf, sizeof(buf), NULL, 0);
	assert_int_equal(raw_reply(s, NULL, 0), -EMSGSIZE);
	/* A flood of fds on a message that takes none. */
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(devnull >= 0);
	for (i = 0; i < 200; i++)
		flood[i] = devnull;
	for (i = 0; i < 20; i++) {
		raw_send(s, buf, raw_msg(buf, RNPUD_STATS, NULL, 0), flood, 200);
		assert_int_equal(raw_reply(s, NULL, 0), -EBADMSG);
	}
	close(devnull);
	/* The connection still works after every rejection. */
	raw_send(s, buf, raw_msg(buf, RNPUD_STATS, NULL, 0), NULL, 0);
	assert_int_equal(raw_reply(s, NULL, 0), 0);
	/* Bad magic ends the connection. */
	memset(buf, 0xee, 32);
	raw_send(s, buf, 32, NULL, 0);
	assert_int_equal(raw_reply(s, NULL, 0), -EPROTO);
	assert_int_equal(raw_reply(s, NULL, 0), -1000);
	close(s);
	/* So does a client speaking another protocol version. */
	s = raw_connect();
	{
		uint32_t v = 99;

		raw_send(s, buf, raw_msg(buf, RNPUD_HELLO, &v, sizeof(v)), NULL, 0);
		assert_int_equal(raw_reply(s, NULL, 0), -EPROTONOSUPPORT);
		assert_int_equal(raw_reply(s, NULL, 0), -1000);
	}
	close(s);
	if (fds_before) {
		/* Sessions end asynchronously: allow the daemon a moment. The
		 * count before may still include an earlier case's sockets, so
		 * no more than before (a leak here would be thousands). */
		for (i = 0; i < 150 && daemon_fd_count() > fds_before; i++)
			usleep(20 * 1000);
		assert_in_range(daemon_fd_count(), 1, fds_before);
	}
	assert_int_equal(verified_matmul(5, 32, 64, 16), 0);
}

/* A client that connects and vanishes without a word, many times over. */
static void connect_and_vanish(void **state)
{
	struct rnpud_stats base;
	int i;

	(void)state;
	daemon_idle_baseline(&base);
	for (i = 0; i < 50; i++)
		close(raw_connect());
	wait_for_baseline(&base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(multi_process),
		cmocka_unit_test(fence_through_daemon),
		cmocka_unit_test(prime_between_sessions),
		cmocka_unit_test(wrong_session_handles),
		cmocka_unit_test(client_killed_mid_job),
		cmocka_unit_test(hostile_messages),
		cmocka_unit_test(connect_and_vanish),
	};
	const char *sock = getenv("RNPUD_SOCKET");

	if (!sock) {
		printf("1..0 # SKIP RNPUD_SOCKET not set (run under with_rnpud.py)\n");
		return 0;
	}
	snprintf(device, sizeof(device), "unix:%s", sock);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
