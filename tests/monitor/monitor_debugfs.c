// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The vendor debugfs files byte for byte (strings written from the
 * vendor's formats, not from rnpu's output) in the powered-off, idle,
 * busy and one-core states; the load parsers people use in the field
 * pick the right numbers out of them; the load follows a known duty
 * cycle. Runs on the model clock: a job's time on a core is the timing
 * model's, the load window closes when the test says.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "monitor_util.h"

static struct mon g_mon;

static int group_setup(void **state)
{
	setenv("RNPU_MODEL_CLOCK", "1", 1);
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

/* The first state after probe: off, and a closed window shows nothing. */
static void golden_powered_off(void **state)
{
	struct mon *m = *state;

	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "power"), "off\n");
	assert_string_equal(show(m, "version"), "RKNPU driver: v0.9.8\n");
	assert_string_equal(show(m, "load"), "NPU load:  Core0:  0%, Core1:  0%, Core2:  0%,\n");
	assert_string_equal(show(m, "volt"), "825000\n");
	assert_string_equal(show(m, "delayms"), "3000\n");
	assert_string_equal(show(m, "reset"), "on\n");
	assert_string_equal(show(m, "mm"), "");
	/* Reading freq powers up for the read and off at once. */
	assert_string_equal(show(m, "freq"), "1000000000\n");
	assert_string_equal(show(m, "power"), "off\n");
	assert_int_equal(unpowered_accesses(m), 0);
}

/* After an ioctl, within the delay: powered, idle. */
static void golden_idle(void **state)
{
	struct mon *m = *state;
	uint32_t v = 0;

	assert_int_equal(rnpu_action(m->dev, RKNPU_GET_DRV_VERSION, &v), 0);
	assert_int_equal(v, 908);
	rnpu_host_advance_clock(m->host, 1000000000ull);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "power"), "on\n");
	assert_string_equal(show(m, "load"), "NPU load:  Core0:  0%, Core1:  0%, Core2:  0%,\n");
	assert_string_equal(show(m, "freq"), "1000000000\n");
	assert_string_equal(show(m, "volt"), "825000\n");
	assert_string_equal(show(m, "delayms"), "3000\n");
	assert_string_equal(show(m, "reset"), "on\n");
	assert_string_equal(show(m, "version"), "RKNPU driver: v0.9.8\n");
	assert_string_equal(show(m, "mm"), "");
}

/* A job busy on core 0 for 380 ms of the window: the example the vendor
 * output was observed with. */
static void golden_busy(void **state)
{
	struct mon *m = *state;
	struct rnpu_matmul_job *job = small_job(m);
	unsigned int resets;
	int fd;

	assert_non_null(job);
	rnpu_host_load_tick(m->host);
	resets = resets_so_far();
	fd = start_hung(m, job, RKNPU_CORE0_MASK, 2000);
	assert_true(fd >= 0);
	rnpu_host_advance_clock(m->host, 380000000ull);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "load"), "NPU load:  Core0: 38%, Core1:  0%, Core2:  0%,\n");
	assert_string_equal(show(m, "power"), "on\n");
	/* The next whole second it is still running: 100, the cap. */
	rnpu_host_advance_clock(m->host, 1500000000ull);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "load"), "NPU load:  Core0: 100%, Core1:  0%, Core2:  0%,\n");
	assert_int_equal(end_hung(fd, resets + 1), -ETIMEDOUT);
	rnpu_matmul_job_destroy(job);
	rnpu_host_load_tick(m->host);
	assert_string_equal(show(m, "load"), "NPU load:  Core0:  0%, Core1:  0%, Core2:  0%,\n");
	assert_int_equal(unpowered_accesses(m), 0);
}

/* Duty cycles set on the model clock, every core at once. */
static void load_duty_cycles(void **state)
{
	static const unsigned int duty[] = { 7, 25, 50, 93 };
	struct mon *m = *state;
	struct rnpu_matmul_job *job = small_job(m);
	char expect[128];

	assert_non_null(job);
	for (unsigned int i = 0; i < sizeof(duty) / sizeof(duty[0]); i++) {
		unsigned int resets = resets_so_far();
		int fd;

		rnpu_host_load_tick(m->host);
		rnpu_host_advance_clock(m->host, (100 - duty[i]) * 10000000ull);
		fd = start_hung(m, job, RKNPU_CORE1_MASK, 1000);
		assert_true(fd >= 0);
		rnpu_host_advance_clock(m->host, duty[i] * 10000000ull);
		rnpu_host_load_tick(m->host);
		snprintf(expect, sizeof(expect),
			 "NPU load:  Core0:  0%%, Core1: %2u%%, Core2:  0%%,\n", duty[i]);
		assert_string_equal(show(m, "load"), expect);
		assert_int_equal(end_hung(fd, resets + 1), -ETIMEDOUT);
	}
	rnpu_matmul_job_destroy(job);
}

/* Real jobs whose time is the timing model's, half the time busy: the
 * load is their summed modelled time over the window, within 2 points.
 * The software NPU's clock is slowed so a few jobs fill the window. */
static void load_follows_timing_model(void **state)
{
	struct mon *m = *state;
	struct rnpu_matmul_job *job;
	struct rk3588_sim_core_stats before, prev, after;
	uint64_t t0, busy_ns = 0, expect_pct;
	unsigned int load, n;

	assert_int_equal(rnpu_matmul_job_create(m->dev, RNPU_MM_INT8_INT32, 64, 256, 256, 16, &job), 0);
	rk3588_sim_set_clock_hz(m->sim, 10000000ull);
	rnpu_host_load_tick(m->host);
	t0 = rnpu_host_clock_ns(m->host);
	rk3588_sim_get_stats(m->sim, 2, &before);
	for (n = 0; n < 200 && busy_ns < 300000000ull; n++) {
		rk3588_sim_get_stats(m->sim, 2, &prev);
		assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE2_MASK, NULL), 0);
		rk3588_sim_get_stats(m->sim, 2, &after);
		/* Idle between jobs, as long as the job itself. */
		rnpu_host_advance_clock(m->host, rk3588_sim_cycles_to_ns(
				m->sim, after.total_cycles - prev.total_cycles));
		busy_ns = rk3588_sim_cycles_to_ns(m->sim, after.total_cycles - before.total_cycles);
	}
	rk3588_sim_set_clock_hz(m->sim, 1000000000ull);
	assert_true(rnpu_host_clock_ns(m->host) - t0 < 1000000000ull);
	rnpu_host_advance_clock(m->host, 1000000000ull - (rnpu_host_clock_ns(m->host) - t0));
	rnpu_host_load_tick(m->host);
	expect_pct = busy_ns / 10000000ull;
	assert_int_equal(sscanf(show(m, "load"), "NPU load:  Core0: %*d%%, Core1: %*d%%, Core2: %u%%,",
				&load), 1);
	print_message("# %u jobs, %llu ns modelled: expect %llu%%, load shows %u%%\n", n,
		      (unsigned long long)busy_ns, (unsigned long long)expect_pct, load);
	assert_true(expect_pct >= 30);
	assert_true(load + 2 >= expect_pct && load <= expect_pct + 2);
	rnpu_matmul_job_destroy(job);
}

/* ------------------------------------------------- parsers of the field */

/* rknputop: per core "Core(\d+):\s*(\d+)%", else "NPU load:\s+(\d+)%". */
static unsigned int parse_rknputop(const char *text, int *out, unsigned int max)
{
	regex_t core_re, single_re;
	regmatch_t mt[3];
	unsigned int n = 0;
	const char *p = text;

	assert_int_equal(regcomp(&core_re, "Core([0-9]+):[[:space:]]*([0-9]+)%", REG_EXTENDED), 0);
	assert_int_equal(regcomp(&single_re, "NPU load:[[:space:]]+([0-9]+)%", REG_EXTENDED), 0);
	while (n < max && regexec(&core_re, p, 3, mt, 0) == 0) {
		out[n++] = atoi(p + mt[2].rm_so);
		p += mt[0].rm_eo;
	}
	if (n == 0 && regexec(&single_re, text, 2, mt, 0) == 0)
		out[n++] = atoi(text + mt[1].rm_so);
	regfree(&core_re);
	regfree(&single_re);
	return n;
}

/* nvtop: sscanf "Core%*d: %d%%" at each "Core". */
static unsigned int parse_nvtop(const char *text, int *out, unsigned int max)
{
	unsigned int n = 0;
	const char *p = text;

	while (n < max && (p = strstr(p, "Core")) != NULL) {
		if (sscanf(p, "Core%*d: %d%%", &out[n]) == 1)
			n++;
		p += 4;
	}
	return n;
}

/* Exporter style: every "([0-9]*)%". */
static unsigned int parse_prometheus(const char *text, int *out, unsigned int max)
{
	regex_t re;
	regmatch_t mt[2];
	unsigned int n = 0;
	const char *p = text;

	assert_int_equal(regcomp(&re, "([0-9]*)%", REG_EXTENDED), 0);
	while (n < max && regexec(&re, p, 2, mt, 0) == 0) {
		out[n++] = atoi(p + mt[1].rm_so);
		p += mt[0].rm_eo;
	}
	regfree(&re);
	return n;
}

static void parsers_read_rnpu_load(void **state)
{
	struct mon *m = *state;
	struct rnpu_matmul_job *job = small_job(m);
	int v[4], fd0, fd2;
	const char *text;

	unsigned int resets = resets_so_far();

	assert_non_null(job);
	rnpu_host_load_tick(m->host);
	fd2 = start_hung(m, job, RKNPU_CORE2_MASK, 1500);
	assert_true(fd2 >= 0);
	rnpu_host_advance_clock(m->host, 620000000ull);
	fd0 = start_hung(m, job, RKNPU_CORE0_MASK, 1500);
	assert_true(fd0 >= 0);
	rnpu_host_advance_clock(m->host, 380000000ull);
	rnpu_host_load_tick(m->host);
	text = show(m, "load");
	assert_string_equal(text, "NPU load:  Core0: 38%, Core1:  0%, Core2: 100%,\n");

	assert_int_equal(parse_rknputop(text, v, 4), 3);
	assert_int_equal(v[0], 38);
	assert_int_equal(v[1], 0);
	assert_int_equal(v[2], 100);
	assert_int_equal(parse_nvtop(text, v, 4), 3);
	assert_int_equal(v[0], 38);
	assert_int_equal(v[1], 0);
	assert_int_equal(v[2], 100);
	assert_int_equal(parse_prometheus(text, v, 4), 3);
	assert_int_equal(v[0], 38);
	assert_int_equal(v[1], 0);
	assert_int_equal(v[2], 100);

	/* The kernel prints 0 as " 0"; glibc's "%2.d" would print "  " and
	 * every parser above would lose the core. */
	assert_int_equal(parse_rknputop("NPU load:  Core0:   %, Core1:  0%,", v, 4), 1);

	assert_int_equal(end_hung(fd2, resets + 1), -ETIMEDOUT);
	assert_int_equal(end_hung(fd0, resets + 2), -ETIMEDOUT);
	rnpu_matmul_job_destroy(job);
}

/* No vdd supply (a device without one, as in a VM): the vendor prints the
 * voltage unsigned and a NULL-guarded read gives 0; GET_VOLT answers 0
 * for the same state, so the file reads "0", never an errno. */
static void volt_without_supply(void **state)
{
	struct rnpu_host_config cfg;
	struct rknpu_action act = { .flags = RKNPU_GET_VOLT, .value = 12345 };
	struct rknpu_file *file;
	struct rnpu_host *host;
	struct rknpu_device *rdev;
	char buf[64];

	(void)state;
	rnpu_host_default_config(&cfg);
	cfg.model_clock = false;
	cfg.no_supply = true;
	assert_int_equal(rnpu_host_create(&cfg, &host), 0);
	rdev = rnpu_host_device(host);
	assert_true(rknpu_debugfs_show(rdev, "volt", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "0\n");
	assert_int_equal(rknpu_file_open(rdev, &file), 0);
	assert_int_equal(rknpu_ioctl(file, DRM_IOCTL_RKNPU_ACTION, &act), 0);
	assert_int_equal(act.value, 0);
	rknpu_file_close(file);
	rnpu_host_destroy(host);
}

/* ------------------------------------------------ one core (RK356x-like) */

static void golden_single_core(void **state)
{
	struct rnpu_host_config cfg;
	struct rnpu_host *host;
	struct rknpu_device *rdev;
	char buf[256];
	int v[2];

	(void)state;
	rnpu_host_default_config(&cfg);
	cfg.compatible = "rockchip,rk3568-rknpu";
	cfg.num_cores = 1;
	cfg.model_clock = false;
	assert_int_equal(rnpu_host_create(&cfg, &host), 0);
	rdev = rnpu_host_device(host);
	assert_true(rknpu_debugfs_show(rdev, "load", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "NPU load:  0%\n");
	assert_int_equal(parse_rknputop(buf, v, 2), 1);
	assert_int_equal(v[0], 0);
	assert_int_equal(parse_prometheus(buf, v, 2), 1);
	assert_int_equal(v[0], 0);
	rknpu_debugfs_show(rdev, "power", buf, sizeof(buf));
	assert_string_equal(buf, "off\n");
	rknpu_debugfs_show(rdev, "version", buf, sizeof(buf));
	assert_string_equal(buf, "RKNPU driver: v0.9.8\n");
	rknpu_debugfs_show(rdev, "delayms", buf, sizeof(buf));
	assert_string_equal(buf, "3000\n");
	rknpu_debugfs_show(rdev, "mm", buf, sizeof(buf));
	assert_string_equal(buf, "");
	rknpu_debugfs_show(rdev, "reset", buf, sizeof(buf));
	assert_string_equal(buf, "on\n");
	/* One domain: up and down around the probe's identity read. */
	rnpu_host_take_events(host, buf, sizeof(buf));
	assert_string_equal(buf, "pd0 on\npd0 off\n");
	/* No OPP table for this part: no devfreq, so freq writes fail as
	 * the vendor's do without devfreq. */
	assert_int_equal(rknpu_debugfs_store(rdev, "freq", "800000000\n", 10), -EFAULT);
	assert_int_equal(rknpu_devfreq_show(rdev, "cur_freq", buf, sizeof(buf)), -ENODEV);
	rnpu_host_destroy(host);
}

/* Files without a write handler accept and ignore writes; unknown ones
 * do not exist. */
static void writes_without_handler(void **state)
{
	struct mon *m = *state;

	assert_int_equal(store(m, "version", "x\n"), 2);
	assert_int_equal(store(m, "load", "100\n"), 4);
	assert_int_equal(store(m, "volt", "900000\n"), 7);
	assert_int_equal(store(m, "mm", "y\n"), 2);
	assert_string_equal(show(m, "volt"), "825000\n");
	assert_int_equal(store(m, "nosuch", "1\n"), -ENOENT);
	assert_int_equal(rknpu_debugfs_show(m->rdev, "nosuch", NULL, 0), -ENOENT);
}

static void reset_file(void **state)
{
	struct mon *m = *state;

	assert_int_equal(store(m, "reset", "off\n"), 4);
	assert_string_equal(show(m, "reset"), "off\n");
	assert_int_equal(store(m, "reset", "on\n"), 3);
	assert_string_equal(show(m, "reset"), "on\n");
	assert_int_equal(store(m, "reset", "toolong\n"), -EINVAL);
	/* "1" resets only a powered NPU, and never touches an off one. */
	assert_int_equal(store(m, "reset", "1\n"), 2);
	assert_int_equal(unpowered_accesses(m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_powered_off),
		cmocka_unit_test(golden_idle),
		cmocka_unit_test(golden_busy),
		cmocka_unit_test(load_duty_cycles),
		cmocka_unit_test(load_follows_timing_model),
		cmocka_unit_test(parsers_read_rnpu_load),
		cmocka_unit_test(writes_without_handler),
		cmocka_unit_test(reset_file),
		cmocka_unit_test(golden_single_core),
		cmocka_unit_test(volt_without_supply),
	};

	return cmocka_run_group_tests_name("monitor-debugfs", tests, group_setup, group_teardown);
}
