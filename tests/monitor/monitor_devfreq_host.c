// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * devfreq run by the host's OS loop (host_devfreq, what the Linux module
 * sets): the core's load tick leaves the operating point alone, the load
 * window reaches the host's governor, a debugfs freq write only records
 * the rate for the host, the thermal cap limits the host's proposals, and
 * the host's choice is applied rail-before-clock going up. Expected values
 * from the fact sheet (5.3, L2 bin) and the governors' rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "monitor_util.h"
#include "rknpu_internal.h"

#define MHZ 1000000ull

static struct mon g_mon;

static int group_setup(void **state)
{
	if (thermal_env() || mon_open(&g_mon))
		return -1;
	/* What a host with its own frequency loop sets before probe; the
	 * model clock means no load timer runs meanwhile. */
	g_mon.rdev->plat.host_devfreq = true;
	*state = &g_mon;
	return store(&g_mon, "power", "on\n") == 3 ? 0 : -1;
}

/* One load window with core 1 busy for @busy_ms of it. */
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

static void tick_leaves_rate(void **state)
{
	struct mon *m = *state;
	uint64_t busy, win, hz;

	assert_int_equal(rknpu_devfreq_store(m->rdev, "governor", "simple_ondemand\n", 16), 16);
	events(m);
	/* Idle: the core's own loop would drop to 300 MHz; the host's does. */
	window(m, 0);
	assert_string_equal(events(m), "");
	assert_string_equal(show(m, "freq"), "1000000000\n");
	assert_int_equal(rknpu_devfreq_status(m->rdev, &busy, &win, &hz), 0);
	assert_int_equal(busy, 0);
	assert_int_equal(win, 1000 * MHZ);
	assert_int_equal(hz, 1000 * MHZ);
	/* The busy share of the window reaches the host's governor. */
	window(m, 440);
	assert_string_equal(events(m), "");
	assert_int_equal(rknpu_devfreq_status(m->rdev, &busy, &win, &hz), 0);
	assert_true(busy >= 430 * MHZ && busy <= 450 * MHZ);
	assert_int_equal(win, 1000 * MHZ);
	assert_int_equal(rknpu_devfreq_store(m->rdev, "governor", "rknpu_ondemand\n", 15), 15);
}

static void opp_rows(void **state)
{
	struct mon *m = *state;
	uint64_t hz;
	int uv;

	assert_int_equal(rknpu_devfreq_opp(m->rdev, 0, &hz, &uv), 0);
	assert_int_equal(hz, 300 * MHZ);
	assert_int_equal(uv, 675000);
	assert_int_equal(rknpu_devfreq_opp(m->rdev, 5, &hz, &uv), 0);
	assert_int_equal(hz, 800 * MHZ);
	assert_int_equal(uv, 737500);
	assert_int_equal(rknpu_devfreq_opp(m->rdev, 7, &hz, &uv), 0);
	assert_int_equal(hz, 1000 * MHZ);
	assert_int_equal(uv, 825000);
	assert_int_equal(rknpu_devfreq_opp(m->rdev, 8, &hz, &uv), -ENOENT);
}

static void freq_write_pins(void **state)
{
	struct mon *m = *state;
	enum rknpu_opp_pick pick = RKNPU_OPP_AT_LEAST;

	assert_int_equal(rknpu_devfreq_pinned_hz(m->rdev), 0);
	/* Below the cap the host governor's proposal stands. */
	assert_int_equal(rknpu_devfreq_policy(m->rdev, 500 * MHZ, &pick), 500 * MHZ);
	assert_int_equal(pick, RKNPU_OPP_AT_LEAST);
	events(m);
	assert_int_equal(store(m, "freq", "720000000\n"), 10);
	/* The core does not move the rate itself: the host honours the pin. */
	assert_string_equal(events(m), "");
	assert_int_equal(rknpu_devfreq_pinned_hz(m->rdev), 720 * MHZ);
	assert_int_equal(rknpu_devfreq_policy(m->rdev, 300 * MHZ, &pick), 300 * MHZ);
	assert_int_equal(pick, RKNPU_OPP_AT_LEAST);
	/* 0 releases the pin. */
	assert_int_equal(store(m, "freq", "0\n"), 2);
	assert_int_equal(rknpu_devfreq_pinned_hz(m->rdev), 0);
	assert_string_equal(events(m), "");
}

static void thermal_limits_policy(void **state)
{
	struct mon *m = *state;
	enum rknpu_opp_pick pick = RKNPU_OPP_AT_LEAST;

	assert_int_equal(set_temp(90000), 0);
	assert_int_equal(rknpu_devfreq_policy(m->rdev, 1000 * MHZ, &pick), 800 * MHZ);
	assert_int_equal(pick, RKNPU_OPP_AT_MOST);
	pick = RKNPU_OPP_AT_LEAST;
	assert_int_equal(rknpu_devfreq_policy(m->rdev, 600 * MHZ, &pick), 600 * MHZ);
	assert_int_equal(pick, RKNPU_OPP_AT_LEAST);
	assert_int_equal(set_temp(45000), 0);
	assert_int_equal(rknpu_devfreq_policy(m->rdev, 1000 * MHZ, &pick), 1000 * MHZ);
}

static void set_orders_rail_and_clock(void **state)
{
	struct mon *m = *state;

	events(m);
	/* Down: clock first, then the rail. */
	assert_int_equal(rknpu_devfreq_set(m->rdev, 600 * MHZ, 675000), 0);
	assert_string_equal(events(m), "clk 600000000\nvolt 675000\n");
	assert_string_equal(show(m, "freq"), "600000000\n");
	assert_string_equal(show(m, "volt"), "675000\n");
	/* Up: the rail first. */
	assert_int_equal(rknpu_devfreq_set(m->rdev, 700 * MHZ, 700000), 0);
	assert_string_equal(events(m), "volt 700000\nclk 700000000\n");
	/* No voltage in the host's table: the rail stays. */
	assert_int_equal(rknpu_devfreq_set(m->rdev, 800 * MHZ, 0), 0);
	assert_string_equal(events(m), "clk 800000000\n");
	assert_string_equal(show(m, "volt"), "700000\n");
	/* The same point again changes nothing. */
	assert_int_equal(rknpu_devfreq_set(m->rdev, 800 * MHZ, 0), 0);
	assert_string_equal(events(m), "");
	assert_int_equal(rknpu_devfreq_set(m->rdev, 1000 * MHZ, 825000), 0);
	assert_string_equal(events(m), "volt 825000\nclk 1000000000\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tick_leaves_rate),
		cmocka_unit_test(opp_rows),
		cmocka_unit_test(freq_write_pins),
		cmocka_unit_test(thermal_limits_policy),
		cmocka_unit_test(set_orders_rail_and_clock),
	};

	return cmocka_run_group_tests(tests, group_setup, thermal_teardown);
}
