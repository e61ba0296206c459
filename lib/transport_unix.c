// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The daemon transport ("unix:PATH"): the driver core and the software NPU
 * run in rnpud; every ioctl is one request and one reply on a Unix
 * SOCK_SEQPACKET socket (lib/rnpud_proto.h). Buffer memory never crosses
 * the socket: mmap receives the buffer's memfd and maps it here. fds in
 * the UAPI structs (PRIME, fences) travel as SCM_RIGHTS and are patched
 * into the caller's struct, so callers see ordinary fds of their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "drm/rnpu_drm_core.h"
#include "rnpu_internal.h"
#include "rnpud_proto.h"

/* Waits for a reply are bounded: a blocking submit may take up to three
 * times its timeout plus the reset that follows a hang; anything else
 * answers within seconds. */
#define UNIX_REPLY_TIMEOUT_MS 10000
#define UNIX_SUBMIT_SLACK_MS 2000

struct unix_ctx {
	pthread_mutex_t lock;   /* one request in flight: protects sock, seq, buf, broken */
	int sock;
	uint32_t seq;
	bool broken;            /* a reply was lost: the stream is out of step */
	int rcv_timeout_ms;     /* the socket's SO_RCVTIMEO now (0: none set) */
	unsigned int spin_us;   /* polling before a blocking receive (RNPUD_SPIN_US) */
	uint8_t buf[RNPUD_MAX_MSG] __attribute__((aligned(8)));
};

static int unix_send(struct unix_ctx *c, const void *msg, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do {
		n = sendmsg(c->sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE || errno == ECONNRESET ? -ENODEV : -errno;
	return 0;
}

static uint64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Receives the reply to request @seq: its payload in c->buf (after the
 * header) and at most one fd. */
static int unix_recv(struct unix_ctx *c, uint32_t seq, int timeout_ms, size_t *len, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = c->buf, .iov_len = sizeof(c->buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct rnpud_hdr h;
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	/* A small request's reply comes within microseconds: poll for it a
	 * bounded time before blocking, so that this thread's vCPU does not
	 * halt in between (on a VM waking it costs more than the request).
	 * Only while the thread has its CPU to itself: sharing it, with
	 * rnpud or anyone else, it blocks as before (rnpud_poll_yield). */
	if (c->spin_us) {
		uint64_t until = unix_now_ns() + c->spin_us * 1000ull;
		bool alone = true;

		for (;;) {
			n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
			if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
				goto received;
			if (!alone || unix_now_ns() >= until)
				break;
			alone = rnpud_poll_yield();
		}
	}
	/* A blocking receive bounded by SO_RCVTIMEO rather than poll and
	 * receive: one system call less per round trip. The option is set
	 * only when the bound changes (a submit's depends on its timeout). */
	if (timeout_ms != c->rcv_timeout_ms) {
		struct timeval tv = { .tv_sec = timeout_ms / 1000,
				      .tv_usec = timeout_ms % 1000 * 1000 };

		if (setsockopt(c->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
			return -errno;
		c->rcv_timeout_ms = timeout_ms;
	}
	do {
		n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
received:
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	if (n == 0)
		return -ENODEV; /* the daemon went away */
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			size_t i, nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (i = 0; i < nfd; i++) {
				int f;

				memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (*fd < 0)
					*fd = f;
				else
					close(f);
			}
		}
	}
	memcpy(&h, c->buf, sizeof(h) <= (size_t)n ? sizeof(h) : 0);
	if ((size_t)n < sizeof(h) + sizeof(struct rnpud_reply) || (mh.msg_flags & MSG_TRUNC) ||
	    h.magic != RNPUD_MAGIC || h.type != RNPUD_REPLY || h.len != (uint32_t)n ||
	    h.seq != seq) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	*len = (size_t)n;
	return 0;
}

/* One round trip. @req holds header space that is filled here. On
 * success *reply points at the reply struct in c->buf. Called with the lock. */
static int unix_call(struct unix_ctx *c, uint16_t type, void *req, size_t len, int fd_in,
		     int timeout_ms, const struct rnpud_reply **reply, int *fd_out)
{
	struct rnpud_hdr h = { .magic = RNPUD_MAGIC, .version = RNPUD_VERSION, .type = type,
			       .len = (uint32_t)len, .seq = ++c->seq };
	const struct rnpud_reply *r;
	size_t rlen = 0;
	int ret;

	if (c->broken)
		return -EIO;
	memcpy(req, &h, sizeof(h));
	ret = unix_send(c, req, len, fd_in);
	if (ret)
		return ret;
	ret = unix_recv(c, h.seq, timeout_ms, &rlen, fd_out);
	if (ret) {
		c->broken = true;
		return ret == -ETIMEDOUT ? -ETIMEDOUT : ret;
	}
	r = (const struct rnpud_reply *)(c->buf + sizeof(h));
	if (r->arg_size != rlen - sizeof(h) - sizeof(*r)) {
		if (*fd_out >= 0)
			close(*fd_out);
		c->broken = true;
		return -EPROTO;
	}
	*reply = r;
	return 0;
}

static int32_t arg_i32(const void *arg, size_t off)
{
	int32_t v;

	memcpy(&v, (const uint8_t *)arg + off, sizeof(v));
	return v;
}

static void arg_put_i32(void *arg, size_t off, int32_t v)
{
	memcpy((uint8_t *)arg + off, &v, sizeof(v));
}

static uint64_t arg_u64(const void *arg, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)arg + off, sizeof(v));
	return v;
}

/* The strings VERSION / GET_UNIQUE carried back, into the caller's buffers
 * by DRM's rules (VERSION: what fits; GET_UNIQUE: all or nothing). */
static void unix_copy_strings(enum rnpud_kind kind, void *arg, uint32_t size,
			      const uint64_t *user_len, const uint64_t *user_ptr,
			      const uint8_t *strings)
{
	static const size_t version_len_off[3] = { 16, 32, 48 };
	unsigned int i;

	if (kind == RNPUD_KIND_VERSION) {
		for (i = 0; i < 3; i++) {
			uint64_t full, n;

			if (version_len_off[i] + 16 > size || user_ptr[i] < 4096)
				continue;
			full = arg_u64(arg, version_len_off[i]);
			n = full < user_len[i] ? full : user_len[i];
			if (n > RNPUD_STR_MAX)
				n = RNPUD_STR_MAX;
			memcpy((void *)(uintptr_t)user_ptr[i], strings + i * RNPUD_STR_MAX, n);
		}
	} else if (size >= RNPUD_UNIQUE_SIZE && user_ptr[0] >= 4096) {
		uint64_t full = arg_u64(arg, 0);

		if (full && user_len[0] >= full && full <= RNPUD_STR_MAX)
			memcpy((void *)(uintptr_t)user_ptr[0], strings, full);
	}
}

static int unix_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	struct unix_ctx *c = ctx;
	uint32_t c32 = (uint32_t)cmd, size = rnpud_ioctl_arg_size(c32);
	enum rnpud_kind kind = rnpud_ioctl_kind(c32);
	size_t hdr = sizeof(struct rnpud_hdr) + sizeof(struct rnpud_ioctl);
	uint64_t user_len[3] = { 0 }, user_ptr[3] = { 0 };
	const struct rnpud_reply *r;
	struct rnpud_ioctl io = { .cmd = c32, .arg_size = size };
	uint8_t *req;
	int fd_in = -1, fd_out = -1, ret, timeout = UNIX_REPLY_TIMEOUT_MS;
	uint32_t extra = 0, flags = 0;
	unsigned int i;

	if (cmd > UINT32_MAX)
		return -EINVAL;
	if (size && (uintptr_t)arg < 4096)
		return -EFAULT;
	if (kind == RNPUD_KIND_VERSION) {
		extra = 3 * RNPUD_STR_MAX;
		for (i = 0; i < 3; i++)
			if (16 + 16 * i + 16 <= size) {
				user_len[i] = arg_u64(arg, 16 + 16 * i);
				user_ptr[i] = arg_u64(arg, 24 + 16 * i);
			}
	} else if (kind == RNPUD_KIND_UNIQUE) {
		extra = RNPUD_STR_MAX;
		if (size >= RNPUD_UNIQUE_SIZE) {
			user_len[0] = arg_u64(arg, 0);
			user_ptr[0] = arg_u64(arg, 8);
		}
	} else if (kind == RNPUD_KIND_FD_IN && size >= RNPUD_PRIME_SIZE) {
		fd_in = arg_i32(arg, RNPUD_PRIME_FD_OFF);
	} else if (kind == RNPUD_KIND_SUBMIT && size >= RNPUD_SUBMIT_FENCE_OFF + 4) {
		struct rknpu_submit s;
		uint32_t t;

		/* The caller's struct may sit anywhere (a Python bytearray). */
		memcpy(&s, arg, size < sizeof(s) ? size : sizeof(s));
		t = s.timeout ? s.timeout : 6000;
		flags = s.flags;
		if (flags & RKNPU_JOB_FENCE_IN)
			fd_in = s.fence_fd;
		/* FENCE_IN wait, then up to three waits for the job. */
		if (t > 600000)
			t = 600000;
		timeout = (int)t * 4 + UNIX_SUBMIT_SLACK_MS;
	}
	/* An fd the caller does not hold cannot travel: the daemon then sees
	 * -1 and answers as the driver does for a closed fd. */
	if (fd_in >= 0 && fcntl(fd_in, F_GETFD) < 0)
		fd_in = -1;

	req = malloc(hdr + size);
	if (!req)
		return -ENOMEM;
	memcpy(req + sizeof(struct rnpud_hdr), &io, sizeof(io));
	if (size)
		memcpy(req + hdr, arg, size);
	pthread_mutex_lock(&c->lock);
	ret = unix_call(c, RNPUD_IOCTL, req, hdr + size, fd_in, timeout, &r, &fd_out);
	if (!ret && r->arg_size != size + extra) {
		c->broken = true;
		ret = -EPROTO;
	}
	if (!ret) {
		const uint8_t *payload = (const uint8_t *)(r + 1);

		/* As DRM: the struct comes back even when the call failed. */
		if (size)
			memcpy(arg, payload, size);
		if (extra)
			unix_copy_strings(kind, arg, size, user_len, user_ptr, payload + size);
		ret = r->ret;
		if (fd_out >= 0) {
			if (ret == 0 && kind == RNPUD_KIND_FD_OUT) {
				/* The driver honours O_CLOEXEC only if asked. */
				if (!(arg_i32(arg, 4) & (int32_t)RNPU_DRM_CLOEXEC))
					fcntl(fd_out, F_SETFD, 0);
				arg_put_i32(arg, RNPUD_PRIME_FD_OFF, fd_out);
				fd_out = -1;
			} else if (ret == 0 && kind == RNPUD_KIND_SUBMIT &&
				   (flags & RKNPU_JOB_FENCE_OUT)) {
				arg_put_i32(arg, RNPUD_SUBMIT_FENCE_OFF, fd_out);
				fd_out = -1;
			}
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (fd_out >= 0)
		close(fd_out);
	free(req);
	return ret;
}

static int unix_mmap_fd(void *ctx, uint64_t offset, size_t length, int *fd)
{
	struct unix_ctx *c = ctx;
	uint8_t req[sizeof(struct rnpud_hdr) + sizeof(struct rnpud_mmap)];
	struct rnpud_mmap m = { .offset = offset, .length = length };
	const struct rnpud_reply *r;
	int ret, f = -1;

	memcpy(req + sizeof(struct rnpud_hdr), &m, sizeof(m));
	pthread_mutex_lock(&c->lock);
	ret = unix_call(c, RNPUD_MMAP, req, sizeof(req), -1, UNIX_REPLY_TIMEOUT_MS, &r, &f);
	if (!ret) {
		ret = r->ret;
		if (!ret && f < 0)
			ret = -EPROTO;
	}
	pthread_mutex_unlock(&c->lock);
	if (ret) {
		if (f >= 0)
			close(f);
		return ret;
	}
	*fd = f;
	return 0;
}

static int unix_mmap(void *ctx, uint64_t offset, size_t length, void **addr)
{
	void *a;
	int fd, ret = unix_mmap_fd(ctx, offset, length, &fd);

	if (ret)
		return ret;
	a = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = a == MAP_FAILED ? -errno : 0;
	close(fd);
	if (!ret)
		*addr = a;
	return ret;
}

static void unix_close(void *ctx)
{
	struct unix_ctx *c = ctx;

	/* The daemon ends the session when the socket closes: jobs in
	 * flight finish, every handle is released. */
	close(c->sock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int unix_debugfs_read(void *ctx, const char *name, char *buf, size_t len)
{
	struct unix_ctx *c = ctx;
	uint8_t req[sizeof(struct rnpud_hdr) + sizeof(struct rnpud_debugfs)];
	struct rnpud_debugfs d;
	const struct rnpud_reply *r;
	size_t n;
	int ret, f = -1;

	if (strlen(name) >= sizeof(d.name))
		return -ENOENT; /* longer than any file the driver has */
	memset(&d, 0, sizeof(d));
	memcpy(d.name, name, strlen(name));
	memcpy(req + sizeof(struct rnpud_hdr), &d, sizeof(d));
	pthread_mutex_lock(&c->lock);
	ret = unix_call(c, RNPUD_DEBUGFS, req, sizeof(req), -1, UNIX_REPLY_TIMEOUT_MS, &r, &f);
	if (!ret) {
		ret = r->ret;
		if (!ret) {
			n = r->arg_size < len - 1 ? r->arg_size : len - 1;
			memcpy(buf, (const uint8_t *)(r + 1), n);
			buf[n] = '\0';
			ret = (int)n;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (f >= 0)
		close(f);
	return ret;
}

static const struct rnpu_transport_ops unix_ops = {
	.name = "unix",
	.ioctl = unix_ioctl,
	.mmap = unix_mmap,
	.mmap_fd = unix_mmap_fd,
	.close = unix_close,
	.debugfs_read = unix_debugfs_read,
};

int rnpu_transport_unix_open(const char *path, const struct rnpu_transport_ops **ops, void **ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t req[sizeof(struct rnpud_hdr) + sizeof(uint32_t)];
	uint32_t version = RNPUD_VERSION;
	const struct rnpud_reply *r;
	struct unix_ctx *c;
	char def[sizeof(sa.sun_path)];
	const char *env;
	int ret, fd = -1;

	if (!path || !path[0])
		path = rnpud_default_socket(def, sizeof(def));
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->spin_us = RNPUD_SPIN_US;
	env = getenv("RNPU_UNIX_SPIN_US");
	if (env && env[0]) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);

		if (*end || env[0] == '-' || v > 10000)
			fprintf(stderr, "librnpu: RNPU_UNIX_SPIN_US=%s is not 0..10000 (us): using %u\n",
				env, RNPUD_SPIN_US);
		else
			c->spin_us = (unsigned int)v;
	}
	c->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->sock < 0) {
		ret = -errno;
		goto err;
	}
	if (connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto err_sock;
	}
	memcpy(req + sizeof(struct rnpud_hdr), &version, sizeof(version));
	ret = unix_call(c, RNPUD_HELLO, req, sizeof(req), -1, UNIX_REPLY_TIMEOUT_MS, &r, &fd);
	if (fd >= 0)
		close(fd);
	if (!ret)
		ret = r->ret;
	if (ret)
		goto err_sock;
	*ops = &unix_ops;
	*ctx = c;
	return 0;

err_sock:
	close(c->sock);
err:
	pthread_mutex_destroy(&c->lock);
	free(c);
	return ret;
}
