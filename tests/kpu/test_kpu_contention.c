// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The nncase-style sequence (LOCK, program the KPU, poll, UNLOCK) from
 * contending users: two threads of one OS, two OSes (hosts) in one
 * process, and two processes sharing one software KPU through a shared
 * mapping (the K230's two CPUs). Checks mutual exclusion against an
 * independent witness (a counter only lock holders touch, and the
 * hardware's count of runs started while another was running), that every
 * run's poll reports POLLIN, and the total of completion interrupts.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "k230/mpi_sys_api.h"
#include "kpu_device.h"
#include "kpu_test_util.h"

#define RUNS 25
#define RUN_NS 200000ull

struct witness {
	int inside;       /* users between LOCK and UNLOCK */
	int violations;   /* times inside exceeded 1 */
	int bad_polls;    /* polls without POLLIN */
	int runs;
};

struct user {
	struct k230_host *host;
	struct witness *w;
	int result;
};

/* One user's RUNS sequences; 0, or the first failing step. */
static int run_sequences(struct k230_host *host, struct witness *w)
{
	int fd = k230_host_open(host, K230_GNNE_DEVICE);

	if (fd < 0)
		return 1;
	for (int i = 0; i < RUNS; i++) {
		short rev = 0;

		if (k230_host_ioctl(host, fd, K230_GNNE_IOC_LOCK, NULL))
			return 2;
		if (__atomic_add_fetch(&w->inside, 1, __ATOMIC_SEQ_CST) != 1)
			__atomic_add_fetch(&w->violations, 1, __ATOMIC_SEQ_CST);
		t_kpu_start(host, 0x1000u + (uint32_t)i * 16u, 0x1800u + (uint32_t)i * 16u);
		if (t_poll1(host, fd, 10000, &rev) != 1 || rev != POLLIN)
			__atomic_add_fetch(&w->bad_polls, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&w->runs, 1, __ATOMIC_SEQ_CST);
		__atomic_sub_fetch(&w->inside, 1, __ATOMIC_SEQ_CST);
		if (k230_host_ioctl(host, fd, K230_GNNE_IOC_UNLOCK, NULL))
			return 3;
	}
	return k230_host_close(host, fd) ? 4 : 0;
}

static void *user_main(void *arg)
{
	struct user *u = arg;

	u->result = run_sequences(u->host, u->w);
	return NULL;
}

static void check_hw(struct k230_sim_hw *hw, const struct witness *w, uint64_t expect_runs)
{
	struct k230_sim_stats st;

	k230_sim_get_stats(hw, &st);
	assert_int_equal(w->violations, 0);
	assert_int_equal(w->bad_polls, 0);
	assert_int_equal(w->runs, (int)expect_runs);
	assert_int_equal(st.enable_while_running, 0);
	assert_int_equal(st.runs_started, expect_runs);
	assert_int_equal(st.runs_completed, expect_runs);
	assert_int_equal(st.gnne_irqs, expect_runs);
	assert_int_equal(st.gnne_acks, expect_runs);
	assert_int_equal(st.hardlock_taken, expect_runs);
}

static void test_two_threads(void **state)
{
	struct k230_host_config cfg = { 0 };
	struct witness w = { 0 };
	struct user u[2];
	pthread_t t[2];
	struct k230_host *host;

	(void)state;
	assert_int_equal(k230_host_create(&cfg, &host), 0);
	k230_sim_set_run_ns(k230_host_hw(host), RUN_NS);
	for (int i = 0; i < 2; i++) {
		u[i] = (struct user){ .host = host, .w = &w };
		assert_int_equal(pthread_create(&t[i], NULL, user_main, &u[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(u[i].result, 0);
	}
	check_hw(k230_host_hw(host), &w, 2 * RUNS);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_two_hosts(void **state)
{
	struct witness w = { 0 };
	struct k230_sim_hw *hw;
	struct k230_host *host[2];
	struct user u[2];
	pthread_t t[2];

	(void)state;
	assert_int_equal(k230_sim_hw_create(false, &hw), 0);
	k230_sim_set_run_ns(hw, RUN_NS);
	for (int i = 0; i < 2; i++) {
		struct k230_host_config cfg = { .hw = hw, .cpu = (unsigned int)i };

		assert_int_equal(k230_host_create(&cfg, &host[i]), 0);
		u[i] = (struct user){ .host = host[i], .w = &w };
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, user_main, &u[i]), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(u[i].result, 0);
	}
	check_hw(hw, &w, 2 * RUNS);
	for (int i = 0; i < 2; i++)
		assert_int_equal(k230_host_destroy(host[i]), 0);
	k230_sim_hw_destroy(hw);
}

struct poller {
	struct k230_host *host;
	int fd;
	int ready;
};

static void *poller_main(void *arg)
{
	struct poller *p = arg;
	short rev = 0;

	p->ready = t_poll1(p->host, p->fd, 1500, &rev);
	if (p->ready == 1 && rev != POLLIN)
		p->ready = -1;
	return NULL;
}

/* Two pollers, one completion: exactly one of them sees it. */
static void test_one_completion_two_pollers(void **state)
{
	struct k230_host_config cfg = { 0 };
	struct poller p[2];
	pthread_t t[2];
	struct k230_host *host;
	int lock_fd;

	(void)state;
	assert_int_equal(k230_host_create(&cfg, &host), 0);
	lock_fd = k230_host_open(host, K230_GNNE_DEVICE);
	assert_int_equal(k230_host_ioctl(host, lock_fd, K230_GNNE_IOC_LOCK, NULL), 0);
	k230_sim_set_run_ns(k230_host_hw(host), 20000000ull);
	for (int i = 0; i < 2; i++) {
		p[i] = (struct poller){ .host = host, .fd = k230_host_open(host, K230_GNNE_DEVICE) };
		assert_true(p[i].fd > 0);
	}
	t_kpu_start(host, 0x1000, 0x2000);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, poller_main, &p[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(p[0].ready + p[1].ready, 1);
	assert_true(p[0].ready >= 0 && p[1].ready >= 0);
	for (int i = 0; i < 2; i++)
		k230_host_close(host, p[i].fd);
	k230_host_close(host, lock_fd);
	assert_int_equal(k230_host_destroy(host), 0);
}

/* A descriptor closed while another thread polls it: the poll ends at
 * its timeout, the file goes when the poll lets go of it, nothing is
 * touched after it is freed (ASan/TSan watch). */
static void test_close_during_poll(void **state)
{
	struct k230_host_config cfg = { 0 };
	struct k230_host *host;
	struct poller p;
	pthread_t t;
	struct timespec ms20 = { 0, 20000000 };

	(void)state;
	assert_int_equal(k230_host_create(&cfg, &host), 0);
	p = (struct poller){ .host = host, .fd = k230_host_open(host, K230_GNNE_DEVICE) };
	assert_int_equal(k230_host_ioctl(host, p.fd, K230_GNNE_IOC_LOCK, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, poller_main, &p), 0);
	nanosleep(&ms20, NULL);
	assert_int_equal(k230_host_close(host, p.fd), 0);
	/* Closed: new calls see a bad descriptor at once. */
	assert_int_equal(k230_host_ioctl(host, p.fd, K230_GNNE_IOC_UNLOCK, NULL), -1);
	assert_int_equal(errno, EBADF);
	pthread_join(t, NULL);
	assert_int_equal(p.ready, 0);
	/* The close released the KPU lock once the poll let go. */
	{
		int fd = k230_host_open(host, K230_GNNE_DEVICE);

		assert_int_equal(k230_host_ioctl(host, fd, K230_GNNE_IOC_TRYLOCK, NULL), 0);
		k230_host_close(host, fd);
	}
	assert_int_equal(k230_host_destroy(host), 0);
}

struct mmz_user {
	unsigned int seed;
	int errors;
};

/* Allocations, lookups and frees racing on one allocator. */
static void *mmz_main(void *arg)
{
	struct mmz_user *u = arg;

	for (unsigned int i = 0; i < 200; i++) {
		k_u32 len = 1 + ((u->seed * 2654435761u + i * 40503u) % 20000u);
		k_sys_virmem_info info;
		k_u64 phys;
		void *virt;

		if (kd_mpi_sys_mmz_alloc_cached(&phys, &virt, "race", NULL, len)) {
			u->errors++;
			continue;
		}
		((uint8_t *)virt)[len - 1] = (uint8_t)i;
		if (kd_mpi_sys_get_virmem_info((uint8_t *)virt + len - 1, &info) ||
		    info.phy_addr != phys + len - 1 ||
		    kd_mpi_sys_mmz_flush_cache(phys, virt, len) ||
		    ((uint8_t *)kd_mpi_sys_mmap(phys + len - 1, 1))[0] != (uint8_t)i)
			u->errors++;
		if (kd_mpi_sys_mmz_free(phys, virt))
			u->errors++;
	}
	return NULL;
}

static void test_mmz_threads(void **state)
{
	struct k230_host_config cfg = { .bind_mmz = true };
	struct mmz_user u[4];
	struct kpu_mmz_stats ms;
	struct k230_host *host;
	pthread_t t[4];

	(void)state;
	assert_int_equal(k230_host_create(&cfg, &host), 0);
	for (unsigned int i = 0; i < 4; i++) {
		u[i] = (struct mmz_user){ .seed = i + 1 };
		assert_int_equal(pthread_create(&t[i], NULL, mmz_main, &u[i]), 0);
	}
	for (unsigned int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(u[i].errors, 0);
	}
	kpu_mmz_get_stats(k230_host_mmz(host), &ms);
	assert_int_equal(ms.allocs, 800);
	assert_int_equal(ms.frees, 800);
	assert_int_equal(ms.blocks, 0);
	assert_int_equal(k230_host_destroy(host), 0);
}

/* The child: CPU 1 of the shared KPU, as the other OS. */
static int child_main(struct k230_sim_hw *hw, struct witness *w)
{
	struct k230_host_config cfg = { .hw = hw, .cpu = 1 };
	struct k230_host *host;
	int ret;

	if (k230_host_create(&cfg, &host))
		return 10;
	ret = run_sequences(host, w);
	if (k230_host_destroy(host))
		ret = 11;
	return ret;
}

static void test_two_processes(void **state)
{
	struct k230_host_config cfg = { .cpu = 0 };
	struct k230_host *host;
	struct k230_sim_hw *hw;
	struct witness *w;
	int status = 0, ret;
	pid_t pid, done = 0;

	(void)state;
	/* Created before fork, so both processes map the same hardware. */
	assert_int_equal(k230_sim_hw_create(true, &hw), 0);
	k230_sim_set_run_ns(hw, RUN_NS);
	w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(w != MAP_FAILED);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_main(hw, w));
	cfg.hw = hw;
	assert_int_equal(k230_host_create(&cfg, &host), 0);
	ret = run_sequences(host, w);
	/* Bounded wait for the child. */
	for (int i = 0; i < 6000 && done == 0; i++) {
		struct timespec ten = { 0, 10000000 };

		done = waitpid(pid, &status, WNOHANG);
		if (done == 0)
			nanosleep(&ten, NULL);
	}
	if (done == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("child did not finish");
	}
	assert_int_equal(ret, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	check_hw(hw, w, 2 * RUNS);
	assert_int_equal(k230_host_destroy(host), 0);
	munmap(w, sizeof(*w));
	k230_sim_hw_destroy(hw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: fork before this process has started any thread. */
		cmocka_unit_test(test_two_processes),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_two_hosts),
		cmocka_unit_test(test_one_completion_two_pollers),
		cmocka_unit_test(test_close_during_poll),
		cmocka_unit_test(test_mmz_threads),
	};

	t_quiet_logs();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
