// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu-run in process against rnpu-run through rnpud, side by side: the
 * same worker (raw open/ioctl/mmap on /dev/dri/card1, as an unmodified
 * program would) runs alternately under "rnpu-run" and "rnpu-run
 * --daemon" against one rnpud started here. Each worker run times
 *   - the round trip of the smallest job (one task, int8 matmul 1x32x16,
 *     blocking SUBMIT), result checked before timing;
 *   - a 4 KiB buffer's life: MEM_CREATE, MEM_MAP, mmap, a write, munmap,
 *     MEM_DESTROY;
 * and reports the median of its samples; the table gives the median over
 * the rounds of each side and their ratio. A third column runs the worker
 * through a second rnpud with polling off on both ends (rnpud
 * --spin-us=0, RNPU_UNIX_SPIN_US=0): every wait blocks at once, as before
 * the bounded poll existed.
 *
 *   bench_dropin [--rounds=N] [--iters=N] [RNPU_RUN RNPUD]
 *   bench_dropin --worker [--iters=N] [--submit-only]
 *
 * --submit-only makes the worker time only the SUBMIT loop (it prints 0
 * for the buffer's life): per-request counts of thread switches in rnpud
 * (bench/rnpud_switches.sh) then see nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "drm/rknpu_ioctl.h"
#include "rnpu/matmul_task.h"

#define M 1
#define K 32
#define N 16

struct bo {
	uint32_t handle;
	uint64_t obj_addr, dma_addr, size;
	void *map;
};

static void bo_create(int fd, uint64_t size, uint32_t flags, struct bo *bo)
{
	struct rknpu_mem_create mc = { .flags = flags, .size = size };
	struct rknpu_mem_map mm = { 0 };

	BENCH_CHECK(ioctl(fd, DRM_IOCTL_RKNPU_MEM_CREATE, &mc));
	mm.handle = mc.handle;
	BENCH_CHECK(ioctl(fd, DRM_IOCTL_RKNPU_MEM_MAP, &mm));
	bo->handle = mc.handle;
	bo->obj_addr = mc.obj_addr;
	bo->dma_addr = mc.dma_addr;
	bo->size = mc.size;
	bo->map = mmap(NULL, mc.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mm.offset);
	if (bo->map == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
}

static void bo_destroy(int fd, struct bo *bo)
{
	struct rknpu_mem_destroy md = { .handle = bo->handle };

	munmap(bo->map, bo->size);
	BENCH_CHECK(ioctl(fd, DRM_IOCTL_RKNPU_MEM_DESTROY, &md));
}

static int worker(long iters, bool submit_only)
{
	struct rnpu_matmul_desc d = { .type = RNPU_MM_INT8_INT32, .m = M, .k = K, .n = N };
	struct rnpu_regcmd_prog prog;
	struct bo ba, bb, bc, breg, btask, tmp;
	struct rknpu_submit s;
	struct rknpu_task *t;
	int8_t a[M * K], b[K * N];
	int32_t c[M * N];
	double *rt = calloc((size_t)iters, sizeof(double));
	double *bo_us = calloc((size_t)iters, sizeof(double));
	char err[RNPU_REGCMD_MSG_LEN];
	long i;
	int fd = open("/dev/dri/card1", O_RDWR | O_CLOEXEC);

	if (fd < 0 || !rt || !bo_us) {
		perror("worker: open /dev/dri/card1 (run under rnpu-run)");
		return 1;
	}
	for (i = 0; i < M * K; i++)
		a[i] = (int8_t)(i * 7 % 23 - 11);
	for (i = 0; i < K * N; i++)
		b[i] = (int8_t)(i * 5 % 19 - 9);
	rnpu_regcmd_init(&prog);
	BENCH_CHECK(rnpu_matmul_build(&d, 0, &prog, err, sizeof(err)));
	bo_create(fd, prog.nwords * 8, 0, &breg);
	rnpu_regcmd_fini(&prog);
	bo_create(fd, rnpu_matmul_a_size(d.type, M, K, N), 0, &ba);
	bo_create(fd, rnpu_matmul_b_size(d.type, M, K, N), 0, &bb);
	bo_create(fd, rnpu_matmul_c_size(d.type, M, K, N), 0, &bc);
	d.a_dma = ba.dma_addr;
	d.b_dma = bb.dma_addr;
	d.c_dma = bc.dma_addr;
	rnpu_regcmd_init(&prog);
	BENCH_CHECK(rnpu_matmul_build(&d, breg.dma_addr, &prog, err, sizeof(err)));
	if (prog.ntasks != 1) {
		fprintf(stderr, "worker: expected one task, got %zu\n", prog.ntasks);
		return 1;
	}
	memcpy(breg.map, prog.words, prog.nwords * 8);
	bo_create(fd, sizeof(*t), RKNPU_MEM_KERNEL_MAPPING, &btask);
	t = btask.map;
	memset(t, 0, sizeof(*t));
	t->enable_mask = prog.tasks[0].enable_mask;
	t->int_mask = prog.tasks[0].int_mask;
	t->int_clear = RKNPU_INT_CLEAR;
	t->regcfg_amount = prog.tasks[0].body_words;
	t->regcmd_addr = breg.dma_addr;
	rnpu_regcmd_fini(&prog);
	BENCH_CHECK(rnpu_matmul_pack_a(d.type, M, K, a, ba.map));
	BENCH_CHECK(rnpu_matmul_pack_b(d.type, K, N, b, bb.map));

	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 6000;
	s.task_number = 1;
	s.task_obj_addr = btask.obj_addr;
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	s.subcore_task[0].task_number = 1;
	/* A fast wrong answer is not a result: check before timing. */
	BENCH_CHECK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	BENCH_CHECK(rnpu_matmul_unpack_c(d.type, M, N, bc.map, c));
	for (i = 0; i < N; i++) {
		int32_t want = 0;
		int k;

		for (k = 0; k < K; k++)
			want += (int32_t)a[k] * b[k * N + i];
		if (c[i] != want) {
			fprintf(stderr, "worker: wrong result at %ld: %d, want %d\n", i, c[i], want);
			return 1;
		}
	}
	for (i = 0; i < iters / 10 + 1; i++)
		BENCH_CHECK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
	for (i = 0; i < iters; i++) {
		uint64_t t0 = bench_now_ns();

		BENCH_CHECK(ioctl(fd, DRM_IOCTL_RKNPU_SUBMIT, &s));
		rt[i] = (double)(bench_now_ns() - t0) / 1000.0;
	}
	for (i = 0; i < iters && !submit_only; i++) {
		uint64_t t0 = bench_now_ns();

		bo_create(fd, 4096, 0, &tmp);
		((volatile uint8_t *)tmp.map)[0] = 1;
		bo_destroy(fd, &tmp);
		bo_us[i] = (double)(bench_now_ns() - t0) / 1000.0;
	}
	printf("%.2f %.2f\n", bench_median(rt, (size_t)iters),
	       submit_only ? 0.0 : bench_median(bo_us, (size_t)iters));
	bo_destroy(fd, &btask);
	bo_destroy(fd, &breg);
	bo_destroy(fd, &bc);
	bo_destroy(fd, &bb);
	bo_destroy(fd, &ba);
	close(fd);
	free(rt);
	free(bo_us);
	return 0;
}

/* Starts rnpud on @sock with one extra option (or none); returns its pid
 * once the socket exists, -1 if it does not come up. */
static pid_t start_daemon(const char *daemon, const char *sock, const char *opt)
{
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		execl(daemon, daemon, "--socket", sock, opt, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && access(sock, F_OK); i++)
		usleep(10000);
	if (pid < 0 || access(sock, F_OK)) {
		fprintf(stderr, "bench_dropin: %s did not start\n", daemon);
		return -1;
	}
	return pid;
}

/* Runs argv with stdout captured; parses the worker's two numbers. */
static void run_worker(char **argv, double *rt, double *bo)
{
	char out[128] = "";
	int p[2], status;
	ssize_t n;
	pid_t pid;

	BENCH_CHECK(pipe(p));
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    sscanf(out, "%lf %lf", rt, bo) != 2) {
		fprintf(stderr, "bench_dropin: worker under %s failed\n", argv[1]);
		exit(1);
	}
}

/* The floor under any daemon round trip on this machine: one 128-byte
 * SOCK_SEQPACKET request and reply between two processes, nothing else.
 * Returns the median in microseconds. */
static double pingpong_us(long iters)
{
	double *v = calloc((size_t)iters, sizeof(*v)), med;
	char buf[128] = "";
	int sv[2], status;
	pid_t pid;

	if (!v || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		exit(1);
	pid = fork();
	if (pid == 0) {
		ssize_t n;

		close(sv[0]);
		while ((n = recv(sv[1], buf, sizeof(buf), 0)) > 0)
			if (send(sv[1], buf, (size_t)n, 0) != n)
				break;
		_exit(0);
	}
	close(sv[1]);
	for (long i = 0; i < iters; i++) {
		uint64_t t0 = bench_now_ns();

		if (send(sv[0], buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
		    recv(sv[0], buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			exit(1);
		v[i] = (double)(bench_now_ns() - t0) / 1e3;
	}
	close(sv[0]);
	waitpid(pid, &status, 0);
	med = bench_median(v, (size_t)iters);
	free(v);
	return med;
}

int main(int argc, char **argv)
{
	long rounds = bench_arg(argc, argv, "--rounds", 7);
	long iters = bench_arg(argc, argv, "--iters", 2000);
	char self[PATH_MAX], dir[PATH_MAX], run[PATH_MAX], daemon[PATH_MAX], sock[PATH_MAX];
	char sock_nopoll[PATH_MAX], nopoll_arg[PATH_MAX + 16];
	char iters_arg[32], daemon_arg[PATH_MAX + 16];
	double *rt[3], *bo[3], *floor_us;
	const char *pos[2] = { NULL, NULL };
	int i, npos = 0, status, nopoll_status;
	bool submit_only = false;
	pid_t dpid, nopoll_pid;
	long r;

	for (i = 1; i < argc; i++)
		submit_only |= !strcmp(argv[i], "--submit-only");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--worker"))
			return worker(iters, submit_only);
		if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
	}
	if (realpath("/proc/self/exe", self) == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(run, sizeof(run), "%s", pos[0] ? pos[0] : "");
	snprintf(daemon, sizeof(daemon), "%s", pos[1] ? pos[1] : "");
	if (!pos[0])
		snprintf(run, sizeof(run), "%s/../dropin/rnpu-run", dirname(dir));
	snprintf(dir, sizeof(dir), "%s", self);
	if (!pos[1])
		snprintf(daemon, sizeof(daemon), "%s/../dropin/rnpud", dirname(dir));
	snprintf(sock, sizeof(sock), "/tmp/rnpud-bench-%d.sock", (int)getpid());
	snprintf(iters_arg, sizeof(iters_arg), "--iters=%ld", iters);
	snprintf(daemon_arg, sizeof(daemon_arg), "--daemon=%s", sock);
	snprintf(sock_nopoll, sizeof(sock_nopoll), "/tmp/rnpud-bench-%d-nopoll.sock", (int)getpid());
	snprintf(nopoll_arg, sizeof(nopoll_arg), "--daemon=%s", sock_nopoll);

	dpid = start_daemon(daemon, sock, NULL);
	nopoll_pid = start_daemon(daemon, sock_nopoll, "--spin-us=0");
	if (dpid < 0 || nopoll_pid < 0) {
		if (dpid > 0)
			kill(dpid, SIGTERM);
		if (nopoll_pid > 0)
			kill(nopoll_pid, SIGTERM);
		return 1;
	}
	for (i = 0; i < 3; i++) {
		rt[i] = calloc((size_t)rounds, sizeof(double));
		bo[i] = calloc((size_t)rounds, sizeof(double));
	}
	floor_us = calloc((size_t)rounds, sizeof(double));
	for (r = 0; r < rounds; r++) {
		char *in_proc[] = { run, "--sim", self, "--worker", iters_arg, NULL };
		char *via_daemon[] = { run, daemon_arg, self, "--worker", iters_arg, NULL };
		char *via_nopoll[] = { run, nopoll_arg, self, "--worker", iters_arg, NULL };

		run_worker(in_proc, &rt[0][r], &bo[0][r]);
		run_worker(via_daemon, &rt[1][r], &bo[1][r]);
		setenv("RNPU_UNIX_SPIN_US", "0", 1);
		run_worker(via_nopoll, &rt[2][r], &bo[2][r]);
		unsetenv("RNPU_UNIX_SPIN_US");
		floor_us[r] = pingpong_us(iters);
	}
	kill(nopoll_pid, SIGTERM);
	waitpid(nopoll_pid, &nopoll_status, 0);
	kill(dpid, SIGTERM);
	waitpid(dpid, &status, 0);

	{
		double rt0 = bench_median(rt[0], (size_t)rounds), rt1 = bench_median(rt[1], (size_t)rounds);
		double bo0 = bench_median(bo[0], (size_t)rounds), bo1 = bench_median(bo[1], (size_t)rounds);
		double rt2 = bench_median(rt[2], (size_t)rounds), bo2 = bench_median(bo[2], (size_t)rounds);

		printf("| operation (through rnpu-run) | rounds x ops | in process, median us | rnpud, median us | rnpud / in process | rnpud without polling, median us |\n");
		printf("| --- | --- | --- | --- | --- | --- |\n");
		printf("| smallest job, blocking SUBMIT round trip | %ld x %ld | %.1f | %.1f | %.2f | %.1f |\n",
		       rounds, iters, rt0, rt1, rt1 / rt0, rt2);
		printf("| 4 KiB BO: MEM_CREATE + MEM_MAP + mmap + munmap + MEM_DESTROY | %ld x %ld | %.1f | %.1f | %.2f | %.1f |\n",
		       rounds, iters, bo0, bo1, bo1 / bo0, bo2);
		printf("| floor: bare 128-byte SOCK_SEQPACKET request + reply between two processes | %ld x %ld | - | %.1f | - | - |\n",
		       rounds, iters, bench_median(floor_us, (size_t)rounds));
	}
	free(floor_us);
	for (i = 0; i < 3; i++) {
		free(rt[i]);
		free(bo[i]);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && WIFEXITED(nopoll_status) &&
	       WEXITSTATUS(nopoll_status) == 0 ? 0 : 1;
}
