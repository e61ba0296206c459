// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * devfreq on the running host: freq writes pick the OPP the OPP layer
 * would, voltage moves before the frequency going up and after it going
 * down; GET_FREQ/GET_VOLT follow; the thermal cap (85 C -> 800 MHz, 5 C
 * hysteresis) from a temperature file; the load-driven governor; the
 * software NPU's timing model follows the clock. Model clock: load
 * windows close when the test says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "monitor_util.h"

#define MHZ 1000000ull

static struct mon g_mon;

static int group_setup(void **state)
{
	if (thermal_env() || mon_open(&g_mon))
		return -1;
	*state = &g_mon;
	/* Keep the NPU on: the events then show only clock and voltage. */
	return store(&g_mon, "power", "on\n") == 3 ? 0 : -1;
}

static uint32_t action_value(struct mon *m, uint32_t code)
{
	uint32_t v = 0;

	assert_int_equal(rnpu_action(m->dev, code, &v), 0);
	return v;
}

static void freq_writes(void **state)
{
	struct mon *m = *state;

	events(m);
	assert_string_equal(show(m, "freq"), "1000000000\n");
	/* Down: frequency first, then the rail (L2 bin). */
	assert_int_equal(store(m, "freq", "600000000\n"), 10);
	assert_string_equal(events(m), "clk 600000000\nvolt 675000\n");
	assert_string_equal(show(m, "freq"), "600000000\n");
	assert_string_equal(show(m, "volt"), "675000\n");
	assert_string_equal(show_devfreq(m, "cur_freq"), "600000000\n");
	assert_int_equal(action_value(m, RKNPU_GET_FREQ), 600000000u);
	assert_int_equal(action_value(m, RKNPU_GET_VOLT), 675000u);
	/* Between points: the nearest one; up means the rail first. */
	assert_int_equal(store(m, "freq", "720000000\n"), 10);
	assert_string_equal(events(m), "volt 700000\nclk 700000000\n");
	assert_string_equal(show(m, "freq"), "700000000\n");
	assert_string_equal(show(m, "volt"), "700000\n");
	/* Above the table: the top. */
	assert_int_equal(store(m, "freq", "1500000000\n"), 11);
	assert_string_equal(events(m), "volt 825000\nclk 1000000000\n");
	/* The same rate again changes nothing. */
	assert_int_equal(store(m, "freq", "1000000000\n"), 11);
	assert_string_equal(events(m), "");
	/* Bad input: EFAULT for a parse failure, EINVAL past 15 bytes. */
	assert_int_equal(store(m, "freq", "fast\n"), -EFAULT);
	assert_int_equal(store(m, "freq", "1000000000000000\n"), -EINVAL);
	assert_string_equal(events(m), "");
	/* The ioctl setters stay refused, as on the vendor driver. */
	{
		uint32_t v = 300000000u;

		assert_int_equal(rnpu_action(m->dev, RKNPU_SET_FREQ, &v), -EINVAL);
		v = 700000;
		assert_int_equal(rnpu_action(m->dev, RKNPU_SET_VOLT, &v), -EINVAL);
	}
	assert_string_equal(show_devfreq(m, "available_frequencies"),
			    "300000000 400000000 500000000 600000000 700000000 800000000 "
			    "900000000 1000000000\n");
}

static void thermal_cap(void **state)
{
	struct mon *m = *state;

	assert_string_equal(show(m, "freq"), "1000000000\n");
	assert_int_equal(set_temp(90000), 0);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "freq"), "800000000\n");
	assert_string_equal(show(m, "volt"), "737500\n");
	assert_string_equal(show_devfreq(m, "max_freq"), "800000000\n");
	/* A request above the cap gets the cap. */
	assert_int_equal(store(m, "freq", "1000000000\n"), 11);
	assert_string_equal(show(m, "freq"), "800000000\n");
	/* Below the limit but within the hysteresis: still capped. */
	assert_int_equal(set_temp(82000), 0);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "freq"), "800000000\n");
	/* Cool: back to what was asked. */
	assert_int_equal(set_temp(79000), 0);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "freq"), "1000000000\n");
	assert_string_equal(show_devfreq(m, "max_freq"), "1000000000\n");
	/* Exactly 85 C is not above 85 C. */
	assert_int_equal(set_temp(85000), 0);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "freq"), "1000000000\n");
	assert_int_equal(set_temp(45000), 0);
	rnpu_host_load_tick(m->host);
}

/* One load window (from the last tick) with core 1 busy for @busy_ms of
 * it; the governor decides at its end. */
static void window(struct mon *m, unsigned int busy_ms)
{
	struct rnpu_matmul_job *job = small_job(m);
	unsigned int resets = resets_so_far();
	int fd;

	assert_non_null(job);
	if (busy_ms) {
		rnpu_host_advance_clock(m->host, (1000 - busy_ms) * MHZ);
		fd = start_hung(m, job, RKNPU_CORE1_MASK, 1000);
		assert_true(fd >= 0);
		rnpu_host_advance_clock(m->host, busy_ms * MHZ);
		rnpu_host_load_tick(m->host);
		assert_int_equal(end_hung(fd, resets + 1), -ETIMEDOUT);
	} else {
		rnpu_host_advance_clock(m->host, 1000 * MHZ);
		rnpu_host_load_tick(m->host);
	}
	rnpu_matmul_job_destroy(job);
}

static void load_governor(void **state)
{
	struct mon *m = *state;

	assert_string_equal(show_devfreq(m, "available_governors"),
			    "rknpu_ondemand simple_ondemand\n");
	assert_string_equal(show_devfreq(m, "governor"), "rknpu_ondemand\n");
	/* The vendor's governor ignores the load. */
	window(m, 0);
	assert_string_equal(show(m, "freq"), "1000000000\n");

	assert_int_equal(rknpu_devfreq_store(m->rdev, "governor", "simple_ondemand\n", 16), 16);
	assert_string_equal(show_devfreq(m, "governor"), "simple_ondemand\n");
	/* Idle window: the lowest point. */
	window(m, 0);
	assert_string_equal(show(m, "freq"), "300000000\n");
	assert_string_equal(show(m, "volt"), "675000\n");
	/* 95 % busy: the top. */
	window(m, 950);
	assert_string_equal(show(m, "freq"), "1000000000\n");
	/* 44 % at 1 GHz: 500 MHz. */
	window(m, 440);
	assert_string_equal(show(m, "freq"), "500000000\n");
	/* 87 % at 500 MHz: within the band, stays. */
	window(m, 870);
	assert_string_equal(show(m, "freq"), "500000000\n");

	assert_int_equal(rknpu_devfreq_store(m->rdev, "governor", "turbo\n", 6), -EINVAL);
	assert_int_equal(rknpu_devfreq_store(m->rdev, "cur_freq", "1\n", 2), -EACCES);
	assert_int_equal(rknpu_devfreq_store(m->rdev, "governor", "rknpu_ondemand\n", 15), 15);
	assert_string_equal(show(m, "freq"), "1000000000\n");
}

/* The same job takes twice the model time at half the clock. */
static void timing_follows_clock(void **state)
{
	struct mon *m = *state;
	struct rnpu_matmul_job *job;
	uint64_t t0, at_1000, at_500;

	assert_int_equal(rnpu_matmul_job_create(m->dev, RNPU_MM_INT8_INT32, 64, 256, 256, 16, &job),
			 0);
	t0 = rnpu_host_clock_ns(m->host);
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, NULL), 0);
	at_1000 = rnpu_host_clock_ns(m->host) - t0;
	assert_int_equal(store(m, "freq", "500000000\n"), 10);
	t0 = rnpu_host_clock_ns(m->host);
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, NULL), 0);
	at_500 = rnpu_host_clock_ns(m->host) - t0;
	print_message("# job: %llu ns at 1 GHz, %llu ns at 500 MHz\n", (unsigned long long)at_1000,
		      (unsigned long long)at_500);
	assert_true(at_1000 > 0);
	assert_true(at_500 >= 2 * at_1000 - 8 && at_500 <= 2 * at_1000 + 8);
	assert_int_equal(store(m, "freq", "1000000000\n"), 11);
	rnpu_matmul_job_destroy(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(freq_writes),
		cmocka_unit_test(thermal_cap),
		cmocka_unit_test(load_governor),
		cmocka_unit_test(timing_follows_clock),
	};

	return cmocka_run_group_tests_name("monitor-devfreq", tests, group_setup, thermal_teardown);
}
