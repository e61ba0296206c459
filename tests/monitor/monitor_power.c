// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Power: domains on in the order NPUTOP, NPU1, NPU2 and off in reverse;
 * off after probe; a reference around every ioctl and job; the delayed
 * release (delayms) that later ioctls do not extend; the power, delayms
 * files; system suspend/resume; and never a register access to a core
 * that is off (the software NPU counts every one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "monitor_util.h"
#include "osal.h"
#include "rk3588_regs.h"

static struct mon g_mon;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int group_setup(void **state)
{
	unsetenv("RNPU_MODEL_CLOCK");
	unsetenv("RNPU_EXPORT");
	unsetenv("RNPU_EXPORT_DIR");
	if (mon_open(&g_mon))
		return -1;
	*state = &g_mon;
	return 0;
}

static int group_teardown(void **state)
{
	mon_close(*state);
	return 0;
}

/* Collects events (up to @ms) until they read @want: the delayed power-off
 * drops the last reference, which "power" shows as off, before it turns
 * the domains off one by one. */
static const char *wait_events(struct mon *m, const char *want, unsigned int ms)
{
	static char all[4096];

	all[0] = '\0';
	for (unsigned int t = 0;; t += 5) {
		size_t n = strlen(all);

		snprintf(all + n, sizeof(all) - n, "%s", events(m));
		if (!strcmp(all, want) || t >= ms)
			return all;
		usleep(5000);
	}
}

/* Polls (up to @ms) until the power file reads @want. */
static bool wait_power(struct mon *m, const char *want, unsigned int ms)
{
	for (unsigned int t = 0; t < ms; t += 5) {
		if (!strcmp(show(m, "power"), want))
			return true;
		usleep(5000);
	}
	return !strcmp(show(m, "power"), want);
}

static int ioctl_once(struct mon *m)
{
	uint32_t v = 0;

	return rnpu_action(m->dev, RKNPU_GET_HW_VERSION, &v);
}

static void probe_order_and_off(void **state)
{
	struct rnpu_host_config cfg;
	struct rnpu_host *host;
	struct mon own;
	char buf[512];

	(void)state;
	rnpu_host_default_config(&cfg);
	assert_int_equal(rnpu_host_create(&cfg, &host), 0);
	own.host = host;
	own.rdev = rnpu_host_device(host);
	own.sim = rnpu_host_sim(host);
	rnpu_host_take_events(host, buf, sizeof(buf));
	/* Up for the identity read in domain order, down in reverse, then
	 * the init OPP (1 GHz, 825 mV on an L2 part) from the 200 MHz boot
	 * rate: voltage first. */
	assert_string_equal(buf, "pd0 on\npd1 on\npd2 on\npd2 off\npd1 off\npd0 off\n"
				 "volt 825000\nclk 1000000000\n");
	assert_string_equal(show(&own, "power"), "off\n");
	assert_int_equal(unpowered_accesses(&own), 0);
	rnpu_host_destroy(host);
}

static void ioctl_powers_on_then_off_after_delay(void **state)
{
	struct mon *m = *state;
	uint64_t t0, t1;

	assert_int_equal(store(m, "delayms", "1000\n"), 5);
	assert_true(wait_power(m, "off\n", 10000));
	events(m);
	t0 = now_ms();
	assert_int_equal(ioctl_once(m), 0);
	assert_string_equal(events(m), "pd0 on\npd1 on\npd2 on\n");
	assert_string_equal(show(m, "power"), "on\n");
	assert_true(wait_power(m, "off\n", 10000));
	t1 = now_ms();
	print_message("# power off %llu ms after the ioctl (delay 1000)\n",
		      (unsigned long long)(t1 - t0));
	assert_true(t1 - t0 >= 1000);
	assert_string_equal(wait_events(m, "pd2 off\npd1 off\npd0 off\n", 10000),
			    "pd2 off\npd1 off\npd0 off\n");
	assert_int_equal(unpowered_accesses(m), 0);
	assert_int_equal(store(m, "delayms", "3000\n"), 5);
}

/* The release is queued once: a later ioctl inside the delay does not
 * move it (off ~1500 ms after the first, not 2500 after the second). */
static void delay_not_extended(void **state)
{
	struct mon *m = *state;
	uint64_t t0, t1;

	assert_int_equal(store(m, "delayms", "1500\n"), 5);
	assert_true(wait_power(m, "off\n", 10000));
	t0 = now_ms();
	assert_int_equal(ioctl_once(m), 0);
	usleep(1000 * 1000);
	assert_int_equal(ioctl_once(m), 0);
	assert_true(wait_power(m, "off\n", 10000));
	t1 = now_ms();
	print_message("# off %llu ms after the first ioctl, %llu after the second\n",
		      (unsigned long long)(t1 - t0), (unsigned long long)(t1 - t0 - 1000));
	assert_true(t1 - t0 >= 1500);
	assert_true(t1 - t0 < 2400);
	assert_int_equal(store(m, "delayms", "3000\n"), 5);
}

static void delayms_writes(void **state)
{
	struct mon *m = *state;

	assert_int_equal(store(m, "delayms", "500\n"), 4);
	assert_string_equal(show(m, "delayms"), "500\n");
	/* Not a number: EFAULT, as the vendor answers; nothing changes. */
	assert_int_equal(store(m, "delayms", "abc\n"), -EFAULT);
	assert_int_equal(store(m, "delayms", "-5\n"), -EFAULT);
	assert_int_equal(store(m, "delayms", "\n"), -EFAULT);
	assert_string_equal(show(m, "delayms"), "500\n");
	/* 16 bytes: longer than the vendor's buffer. */
	assert_int_equal(store(m, "delayms", "123456789012345\n"), -EINVAL);
	/* Without the newline the last digit is lost, as on the vendor. */
	assert_int_equal(store(m, "delayms", "500"), 3);
	assert_string_equal(show(m, "delayms"), "50\n");
	/* 0: the release is immediate. */
	assert_int_equal(store(m, "delayms", "0\n"), 2);
	assert_true(wait_power(m, "off\n", 10000));
	assert_int_equal(ioctl_once(m), 0);
	assert_string_equal(show(m, "power"), "off\n");
	assert_int_equal(store(m, "delayms", "3000\n"), 5);
}

static void power_file(void **state)
{
	struct mon *m = *state;

	assert_int_equal(store(m, "delayms", "0\n"), 2);
	assert_true(wait_power(m, "off\n", 10000));
	events(m);
	assert_int_equal(store(m, "power", "on\n"), 3);
	assert_string_equal(show(m, "power"), "on\n");
	assert_string_equal(events(m), "pd0 on\npd1 on\npd2 on\n");
	/* Two "on" and an ioctl: the ioctl's release does not switch off. */
	assert_int_equal(store(m, "power", "on\n"), 3);
	assert_int_equal(ioctl_once(m), 0);
	assert_string_equal(show(m, "power"), "on\n");
	assert_string_equal(events(m), "");
	assert_int_equal(store(m, "power", "maybe\n"), 6);
	assert_string_equal(show(m, "power"), "on\n");
	assert_int_equal(store(m, "power", "toolong\n"), -EINVAL);
	/* One "off" drops every "on". */
	assert_int_equal(store(m, "power", "off\n"), 4);
	assert_string_equal(show(m, "power"), "off\n");
	assert_string_equal(events(m), "pd2 off\npd1 off\npd0 off\n");
	assert_int_equal(store(m, "power", "off\n"), 4);
	assert_string_equal(show(m, "power"), "off\n");
	assert_int_equal(store(m, "delayms", "3000\n"), 5);
	assert_int_equal(unpowered_accesses(m), 0);
}

/* An asynchronous job holds the power until it is cleaned up. */
static void job_holds_power(void **state)
{
	struct mon *m = *state;
	struct rnpu_matmul_job *job = small_job(m);
	unsigned int resets = resets_so_far();
	int fd;

	assert_non_null(job);
	assert_int_equal(store(m, "delayms", "0\n"), 2);
	assert_true(wait_power(m, "off\n", 10000));
	fd = start_hung(m, job, RKNPU_CORE1_MASK, 500);
	assert_true(fd >= 0);
	/* The submit ioctl returned and released its own reference. */
	assert_string_equal(show(m, "power"), "on\n");
	assert_int_equal(end_hung(fd, resets + 1), -ETIMEDOUT);
	assert_true(wait_power(m, "off\n", 10000));
	/* And a normal blocking job: on during, off after. */
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE2_MASK, NULL), 0);
	assert_string_equal(show(m, "power"), "off\n");
	rnpu_matmul_job_destroy(job);
	assert_int_equal(store(m, "delayms", "3000\n"), 5);
	assert_int_equal(unpowered_accesses(m), 0);
}

static void suspend_resume(void **state)
{
	struct mon *m = *state;

	assert_int_equal(store(m, "power", "on\n"), 3);
	events(m);
	assert_int_equal(rknpu_suspend(m->rdev), 0);
	assert_string_equal(events(m), "pd2 off\npd1 off\npd0 off\n");
	/* Anything still calling while the system sleeps is refused. */
	assert_int_equal(ioctl_once(m), -EBUSY);
	assert_int_equal(rknpu_resume(m->rdev), 0);
	assert_string_equal(events(m), "pd0 on\npd1 on\npd2 on\n");
	assert_int_equal(ioctl_once(m), 0);
	assert_int_equal(store(m, "power", "off\n"), 4);
	assert_int_equal(unpowered_accesses(m), 0);
}

/* The software NPU's side: it sees and counts what a driver must not do. */
static void sim_counts_unpowered_access(void **state)
{
	struct mon *m = *state;
	struct rk3588_sim_core_stats st;
	uint64_t before;

	assert_int_equal(store(m, "delayms", "0\n"), 2);
	assert_true(wait_power(m, "off\n", 10000));
	rk3588_sim_get_stats(m->sim, 1, &st);
	assert_false(st.powered);
	before = unpowered_accesses(m);
	assert_int_equal(rk3588_sim_mmio_read(m->sim, 1, REG_PC_VERSION), 0);
	rk3588_sim_mmio_write(m->sim, 1, REG_PC_OPERATION_ENABLE, 1);
	assert_int_equal(unpowered_accesses(m), before + 2);
	/* The start was dropped: no task list began on the off core. */
	{
		uint64_t starts = st.starts;

		rk3588_sim_get_stats(m->sim, 1, &st);
		assert_int_equal(st.starts, starts);
	}
	/* NPU1 cannot come up without NPUTOP. */
	rk3588_sim_set_power(m->sim, 1, true);
	rk3588_sim_get_stats(m->sim, 1, &st);
	assert_false(st.powered);
	assert_int_equal(unpowered_accesses(m), before + 3);
	assert_int_equal(store(m, "delayms", "3000\n"), 5);
}

/* Neither ThreadSanitizer nor qemu-user (cross builds define
 * MONITOR_NO_FORK) supports starting threads after forking a threaded
 * process: the fork case runs in the other builds only. */
#if defined(__SANITIZE_THREAD__) || defined(MONITOR_NO_FORK)
#define MONITOR_SKIP_FORK 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MONITOR_SKIP_FORK 1
#endif
#endif

#ifndef MONITOR_SKIP_FORK
static unsigned int g_work_runs;

static void count_run(void *data)
{
	(void)data;
	__atomic_add_fetch(&g_work_runs, 1, __ATOMIC_ACQ_REL);
}

/* The power-off and load timers keep the deferred-work thread busy; a
 * forked child (which has no such thread) still gets its own work run. */
static void fork_child_runs_work(void **state)
{
	struct rnpu_osal_work *w;
	pid_t pid;
	int status = -1;

	(void)state;
	assert_int_equal(rnpu_osal_work_create(&w, count_run, NULL), 0);
	for (int i = 0; i < 50; i++) {
		rnpu_osal_work_queue(w, 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct rnpu_osal_work *cw;
			unsigned int before = g_work_runs;

			if (rnpu_osal_work_create(&cw, count_run, NULL))
				_exit(2);
			rnpu_osal_work_queue(cw, 0);
			for (int ms = 0; ms < 5000; ms++) {
				if (__atomic_load_n(&g_work_runs, __ATOMIC_ACQUIRE) > before)
					_exit(0);
				usleep(1000);
			}
			_exit(1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	rnpu_osal_work_cancel_sync(w);
	rnpu_osal_work_destroy(w);
}

#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_order_and_off),
		cmocka_unit_test(ioctl_powers_on_then_off_after_delay),
		cmocka_unit_test(delay_not_extended),
		cmocka_unit_test(delayms_writes),
		cmocka_unit_test(power_file),
		cmocka_unit_test(job_holds_power),
		cmocka_unit_test(suspend_resume),
		cmocka_unit_test(sim_counts_unpowered_access),
#ifndef MONITOR_SKIP_FORK
		cmocka_unit_test(fork_child_runs_work),
#endif
	};

	return cmocka_run_group_tests_name("monitor-power", tests, group_setup, group_teardown);
}
