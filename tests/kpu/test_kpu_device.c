// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * /dev/gnne_device and /dev/ai_2d_device through the userspace K230 host:
 * the vendor's ioctl numbers and returns, close releasing the lock, poll
 * readiness and timeout, hang recovery, spurious interrupts, the exact
 * interrupt acknowledge, and the AI2D device.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "kpu_device.h"
#include "kpu_test_util.h"

static struct k230_host *new_host(unsigned int wait_ms)
{
	struct k230_host_config cfg = { .wait_timeout_ms = wait_ms, .lock_timeout_ms = 200 };
	struct k230_host *host = NULL;

	assert_int_equal(k230_host_create(&cfg, &host), 0);
	return host;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Bounded wait until the unit reads idle (the run ended). */
static bool wait_idle(struct k230_host *host, unsigned int ms)
{
	uint64_t end = now_ms() + ms;
	struct timespec one = { 0, 1000000 };

	while (T_WORK_STATUS(t_kpu_status(host)) != 0) {
		if (now_ms() >= end)
			return false;
		nanosleep(&one, NULL);
	}
	return true;
}

static void test_open_paths(void **state)
{
	struct k230_host *host = new_host(0);
	int g, a;

	(void)state;
	g = k230_host_open(host, "/dev/gnne_device");
	a = k230_host_open(host, "/dev/ai_2d_device");
	/* The runtime treats a descriptor <= 0 as a failed open. */
	assert_true(g > 0);
	assert_true(a > 0 && a != g);
	errno = 0;
	assert_int_equal(k230_host_open(host, "/dev/k230-gnne"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(k230_host_close(host, g), 0);
	assert_int_equal(k230_host_close(host, g), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(k230_host_ioctl(host, g, K230_GNNE_IOC_LOCK, NULL), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(k230_host_close(host, a), 0);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_lock_trylock_unlock(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	int b = k230_host_open(host, K230_GNNE_DEVICE);
	struct k230_sim_stats st;

	(void)state;
	/* UNLOCK without the lock and LOCK twice: 0, as the vendor's. */
	assert_int_equal(k230_host_ioctl(host, a, 2, NULL), 0);
	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	assert_int_equal(k230_host_ioctl(host, a, 1, NULL), 0);
	/* Another handle: TRYLOCK fails with -1 while held. */
	errno = 0;
	assert_int_equal(k230_host_ioctl(host, b, 1, NULL), -1);
	assert_int_equal(errno, EBUSY);
	/* A bounded LOCK gives up. */
	{
		uint32_t ms = 30;

		assert_int_equal(k230_host_ioctl(host, b, K230_GNNE_IOC_LOCK_TIMEOUT, &ms), -1);
		assert_int_equal(errno, ETIMEDOUT);
	}
	assert_int_equal(k230_host_ioctl(host, a, 2, NULL), 0);
	assert_int_equal(k230_host_ioctl(host, b, 1, NULL), 0);
	/* Unknown commands: -1. */
	assert_int_equal(k230_host_ioctl(host, b, 3, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(k230_host_ioctl(host, b, 2, NULL), 0);
	/* The lock is the mailbox word: taken once by each successful try. */
	k230_sim_get_stats(k230_host_hw(host), &st);
	assert_int_equal(st.hardlock_taken, 2);
	assert_true(st.hardlock_busy >= 2);
	k230_host_close(host, a);
	k230_host_close(host, b);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_lock_is_mailbox_word(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	uint32_t v;

	(void)state;
	/* Another CPU takes hardlock-1 (0x911040A4) by reading it. */
	assert_true(k230_host_mem_read32(host, 0x911040a4ull, &v));
	assert_int_equal(v, 0);
	assert_int_equal(k230_host_ioctl(host, a, 1, NULL), -1);
	assert_int_equal(errno, EBUSY);
	/* It writes 0 to release. */
	assert_true(k230_host_mem_write32(host, 0x911040a4ull, 0));
	assert_int_equal(k230_host_ioctl(host, a, 1, NULL), 0);
	/* Now the word reads non-zero for everyone else. */
	assert_true(k230_host_mem_read32(host, 0x911040a4ull, &v));
	assert_int_not_equal(v, 0);
	k230_host_close(host, a);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_close_releases_lock(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	int b = k230_host_open(host, K230_GNNE_DEVICE);

	(void)state;
	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	assert_int_equal(k230_host_ioctl(host, b, 1, NULL), -1);
	assert_int_equal(k230_host_close(host, a), 0);
	assert_int_equal(k230_host_ioctl(host, b, 1, NULL), 0);
	k230_host_close(host, b);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_close_mid_run(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	int b = k230_host_open(host, K230_GNNE_DEVICE);
	struct kpu_stats ks;
	short rev;

	(void)state;
	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	k230_sim_inject(k230_host_hw(host), K230_SIM_FAULT_HANG);
	t_kpu_start(host, 0x1000, 0x2000);
	assert_int_equal(T_WORK_STATUS(t_kpu_status(host)), 1);
	/* Closing mid-run stops the unit before the lock goes. */
	assert_int_equal(k230_host_close(host, a), 0);
	kpu_get_stats(k230_host_device(host), &ks);
	assert_int_equal(ks.recoveries, 1);
	assert_int_equal(T_WORK_STATUS(t_kpu_status(host)), 0);
	/* The next owner runs normally. */
	assert_int_equal(k230_host_ioctl(host, b, 1, NULL), 0);
	k230_sim_set_run_ns(k230_host_hw(host), 1000000);
	t_kpu_start(host, 0x1000, 0x2000);
	assert_int_equal(t_poll1(host, b, 5000, &rev), 1);
	assert_int_equal(rev, POLLIN);
	k230_host_close(host, b);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_no_hardlock(void **state)
{
	struct k230_host_config cfg = { .no_hardlock = true };
	struct k230_host *host = NULL;
	int a;

	(void)state;
	assert_int_equal(k230_host_create(&cfg, &host), 0);
	a = k230_host_open(host, K230_GNNE_DEVICE);
	assert_true(a > 0);
	for (unsigned int cmd = 0; cmd < 3; cmd++) {
		errno = 0;
		assert_int_equal(k230_host_ioctl(host, a, cmd, NULL), -1);
		assert_int_equal(errno, ENODEV);
	}
	k230_host_close(host, a);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_poll_ready_once(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	struct k230_sim_stats st;
	uint32_t num;
	short rev;

	(void)state;
	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	/* Nothing has completed: not ready, and poll does not block. */
	assert_int_equal(t_poll1(host, a, 0, &rev), 0);
	assert_int_equal(rev, 0);
	k230_sim_set_run_ns(k230_host_hw(host), 2000000);
	t_kpu_start(host, 0x1000, 0x1400);
	assert_int_equal(t_poll1(host, a, 5000, &rev), 1);
	assert_int_equal(rev, POLLIN);
	/* One completion satisfies one poll. */
	assert_int_equal(t_poll1(host, a, 0, &rev), 0);
	/* The handler acknowledged exactly as the vendor: one 64-bit store
	 * of 0x400000004 to 0x80400128; intr_status is clear again. */
	k230_sim_get_stats(k230_host_hw(host), &st);
	assert_int_equal(st.last_ctrl_store, T_CPU_INTR_CLEAR);
	assert_int_equal(st.gnne_acks, 1);
	assert_int_equal(T_INTR_STATUS(t_kpu_status(host)), 0);
	assert_int_equal(T_WORK_STATUS(t_kpu_status(host)), 0);
	k230_host_mem_read32(host, T_KPU_INTR_NUM, &num);
	assert_int_equal(num, 1);
	/* A completion nobody polls for is latched. */
	t_kpu_start(host, 0x1000, 0x1400);
	assert_int_equal(k230_host_ioctl(host, a, K230_GNNE_IOC_WAIT, NULL), 0);
	t_kpu_start(host, 0x1000, 0x1400);
	assert_true(wait_idle(host, 5000));
	assert_int_equal(t_poll1(host, a, 1000, &rev), 1);
	assert_int_equal(rev, POLLIN);
	k230_host_close(host, a);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_poll_timeout(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	struct pollfd p[2] = { { .fd = a, .events = POLLIN }, { .fd = 99, .events = POLLIN } };
	uint64_t t0;
	short rev;

	(void)state;
	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	k230_sim_inject(k230_host_hw(host), K230_SIM_FAULT_HANG);
	t_kpu_start(host, 0x1000, 0x2000);
	t0 = now_ms();
	assert_int_equal(t_poll1(host, a, 50, &rev), 0);
	assert_true(now_ms() - t0 >= 49);
	/* A bad descriptor is reported, not waited for. */
	assert_int_equal(k230_host_poll(host, p, 2, 1000), 1);
	assert_int_equal(p[0].revents, 0);
	assert_int_equal(p[1].revents, POLLNVAL);
	k230_host_close(host, a); /* recovers the hung unit */
	assert_int_equal(k230_host_destroy(host), 0);
}

static void hang_recovery(unsigned int fault)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	uint32_t ms = 40;
	struct kpu_stats ks;
	uint32_t status;

	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	k230_sim_set_run_ns(k230_host_hw(host), 1000000);
	k230_sim_inject(k230_host_hw(host), fault);
	t_kpu_start(host, 0x1000, 0x2000);
	errno = 0;
	assert_int_equal(k230_host_ioctl(host, a, K230_GNNE_IOC_WAIT, &ms), -1);
	assert_int_equal(errno, ETIMEDOUT);
	kpu_get_stats(k230_host_device(host), &ks);
	assert_int_equal(ks.recoveries, 1);
	status = t_kpu_status(host);
	assert_int_equal(T_WORK_STATUS(status), 0);
	assert_int_equal(T_RESET_STATUS(status), 0);
	assert_int_equal(T_INTR_STATUS(status), 0);
	/* The unit is usable again. */
	t_kpu_start(host, 0x1000, 0x2000);
	ms = 5000;
	assert_int_equal(k230_host_ioctl(host, a, K230_GNNE_IOC_WAIT, &ms), 0);
	k230_host_close(host, a);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_hang_recovery(void **state)
{
	(void)state;
	hang_recovery(K230_SIM_FAULT_HANG);
}

static void test_lost_irq_recovery(void **state)
{
	(void)state;
	hang_recovery(K230_SIM_FAULT_NO_IRQ);
}

static void test_wait_needs_lock(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);

	(void)state;
	assert_int_equal(k230_host_ioctl(host, a, K230_GNNE_IOC_WAIT, NULL), -1);
	assert_int_equal(errno, EPERM);
	k230_host_close(host, a);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_spurious_irq(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	struct kpu_stats ks;
	short rev;

	(void)state;
	k230_sim_spurious_irq(k230_host_sim(host), K230_SIM_LINE_GNNE);
	assert_int_equal(t_poll1(host, a, 20, &rev), 0);
	kpu_get_stats(k230_host_device(host), &ks);
	assert_int_equal(ks.spurious_irqs, 1);
	assert_int_equal(ks.irqs[KPU_UNIT_GNNE], 0);
	k230_host_close(host, a);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_illegal_program(void **state)
{
	struct k230_host *host = new_host(0);
	int a = k230_host_open(host, K230_GNNE_DEVICE);
	short rev;

	(void)state;
	assert_int_equal(k230_host_ioctl(host, a, 0, NULL), 0);
	t_kpu_start(host, 0x2000, 0x2000);
	assert_int_equal(t_poll1(host, a, 1000, &rev), 1);
	assert_int_equal(T_EXCEPTION(t_kpu_status(host)), 1);
	assert_int_equal(T_WORK_STATUS(t_kpu_status(host)), 3);
	k230_host_close(host, a);
	assert_int_equal(k230_host_destroy(host), 0);
}

static void test_ai2d(void **state)
{
	struct k230_host *host = new_host(0);
	int d = k230_host_open(host, K230_AI2D_DEVICE);
	struct k230_sim_stats st;
	uint32_t w[4];
	short rev;

	(void)state;
	/* Every AI2D ioctl returns 0. */
	assert_int_equal(k230_host_ioctl(host, d, 0, NULL), 0);
	assert_int_equal(k230_host_ioctl(host, d, 0x12345, NULL), 0);
	assert_int_equal(t_poll1(host, d, 0, &rev), 0);
	assert_int_equal(k230_sim_ai2d_start(k230_host_sim(host), 1000000), 0);
	assert_int_equal(t_poll1(host, d, 5000, &rev), 1);
	assert_int_equal(rev, POLLIN);
	assert_int_equal(t_poll1(host, d, 0, &rev), 0);
	/* The acknowledge: 1, 0, 0, 0 at AI2D + 0xA0..0xAC. */
	for (unsigned int i = 0; i < 4; i++)
		k230_host_mem_read32(host, T_AI2D_ACK + 4 * i, &w[i]);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1] | w[2] | w[3], 0);
	k230_sim_get_stats(k230_host_hw(host), &st);
	assert_int_equal(st.ai2d_acks, 1);
	k230_host_close(host, d);
	assert_int_equal(k230_host_destroy(host), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_paths),
		cmocka_unit_test(test_lock_trylock_unlock),
		cmocka_unit_test(test_lock_is_mailbox_word),
		cmocka_unit_test(test_close_releases_lock),
		cmocka_unit_test(test_close_mid_run),
		cmocka_unit_test(test_no_hardlock),
		cmocka_unit_test(test_poll_ready_once),
		cmocka_unit_test(test_poll_timeout),
		cmocka_unit_test(test_hang_recovery),
		cmocka_unit_test(test_lost_irq_recovery),
		cmocka_unit_test(test_wait_needs_lock),
		cmocka_unit_test(test_spurious_irq),
		cmocka_unit_test(test_illegal_program),
		cmocka_unit_test(test_ai2d),
	};

	t_quiet_logs();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
