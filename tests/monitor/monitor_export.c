// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The host's file export: the debugfs, devfreq and thermal files appear
 * with the core's text; writing a file reaches the core with the vendor's
 * rules; each session has a DRM fdinfo file whose counters match what it
 * did (time on the model clock, its buffer bytes); files go with the
 * session or the device.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "monitor_util.h"

static struct mon g_mon;
static char g_dir[64];

static int group_setup(void **state)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/rnpu-export-XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	setenv("RNPU_EXPORT_DIR", g_dir, 1);
	setenv("RNPU_EXPORT_PERIOD_MS", "50", 1);
	setenv("RNPU_MODEL_CLOCK", "1", 1);
	if (mon_open(&g_mon))
		return -1;
	*state = &g_mon;
	return 0;
}

static void remove_tree(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		print_message("# could not remove %s\n", dir);
}

static int group_teardown(void **state)
{
	char path[256];
	struct stat st;
	int gone;

	mon_close(*state);
	/* The device went away with its host: so did its files. */
	snprintf(path, sizeof(path), "%s/debug/rknpu/version", g_dir);
	gone = stat(path, &st) != 0;
	remove_tree(g_dir);
	return gone ? 0 : -1;
}

/* The content of @rel under the export directory ("" if unreadable). */
static const char *read_rel(const char *rel)
{
	static char buf[1024];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", g_dir, rel);
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return "(missing)";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void write_rel(const char *rel, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", g_dir, rel);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Polls (up to 10 s) until file @rel reads @want. */
static bool wait_rel(const char *rel, const char *want)
{
	for (unsigned int ms = 0; ms < 10000; ms += 10) {
		if (!strcmp(read_rel(rel), want))
			return true;
		usleep(10000);
	}
	return false;
}

static mode_t mode_of(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", g_dir, rel);
	if (stat(path, &st))
		return 0;
	return st.st_mode & 0777;
}

static void files_show_the_core_text(void **state)
{
	struct mon *m = *state;

	assert_int_equal(rnpu_host_export_sync(m->host), 0);
	assert_string_equal(read_rel("debug/rknpu/version"), "RKNPU driver: v0.9.8\n");
	assert_string_equal(read_rel("debug/rknpu/load"),
			    "NPU load:  Core0:  0%, Core1:  0%, Core2:  0%,\n");
	assert_string_equal(read_rel("debug/rknpu/volt"), "825000\n");
	assert_string_equal(read_rel("debug/rknpu/freq"), "1000000000\n");
	assert_string_equal(read_rel("debug/rknpu/delayms"), "3000\n");
	assert_string_equal(read_rel("debug/rknpu/reset"), "on\n");
	assert_string_equal(read_rel("debug/rknpu/mm"), "");
	assert_true(!strcmp(read_rel("debug/rknpu/power"), "on\n") ||
		    !strcmp(read_rel("debug/rknpu/power"), "off\n"));
	assert_string_equal(read_rel("devfreq/fdab0000.npu/cur_freq"), "1000000000\n");
	assert_string_equal(read_rel("devfreq/fdab0000.npu/governor"), "rknpu_ondemand\n");
	assert_string_equal(read_rel("thermal/thermal_zone0/type"), "npu_thermal\n");
	assert_true(atoi(read_rel("thermal/thermal_zone0/temp")) >= 20000);
	/* The vendor's modes: write handlers for power, freq, delayms, reset. */
	assert_int_equal(mode_of("debug/rknpu/version"), 0444);
	assert_int_equal(mode_of("debug/rknpu/load"), 0444);
	assert_int_equal(mode_of("debug/rknpu/volt"), 0444);
	assert_int_equal(mode_of("debug/rknpu/mm"), 0444);
	assert_int_equal(mode_of("debug/rknpu/power"), 0644);
	assert_int_equal(mode_of("debug/rknpu/freq"), 0644);
	assert_int_equal(mode_of("debug/rknpu/delayms"), 0644);
	assert_int_equal(mode_of("debug/rknpu/reset"), 0644);
	assert_int_equal(mode_of("devfreq/fdab0000.npu/governor"), 0644);
}

/* Polls (up to 10 s) until the core's file @name reads @want. */
static bool wait_core(struct mon *m, bool devfreq, const char *name, const char *want)
{
	for (unsigned int ms = 0; ms < 10000; ms += 10) {
		if (!strcmp(devfreq ? show_devfreq(m, name) : show(m, name), want))
			return true;
		usleep(10000);
	}
	return false;
}

static void writes_reach_the_core(void **state)
{
	struct mon *m = *state;

	write_rel("debug/rknpu/delayms", "700\n");
	assert_true(wait_core(m, false, "delayms", "700\n"));
	assert_true(wait_rel("debug/rknpu/delayms", "700\n"));
	/* A bad value is refused and the file shows the state again. */
	write_rel("debug/rknpu/delayms", "soon\n");
	assert_true(wait_rel("debug/rknpu/delayms", "700\n"));
	assert_string_equal(show(m, "delayms"), "700\n");
	write_rel("devfreq/fdab0000.npu/governor", "simple_ondemand\n");
	assert_true(wait_core(m, true, "governor", "simple_ondemand\n"));
	write_rel("devfreq/fdab0000.npu/governor", "rknpu_ondemand\n");
	assert_true(wait_core(m, true, "governor", "rknpu_ondemand\n"));
	write_rel("debug/rknpu/delayms", "3000\n");
	assert_true(wait_core(m, false, "delayms", "3000\n"));
}

/* Renders the files without pause, as a short export period would. */
static atomic_bool g_hammer_stop;

static void *sync_without_pause(void *arg)
{
	struct mon *m = arg;

	while (!atomic_load(&g_hammer_stop))
		rnpu_host_export_sync(m->host);
	return NULL;
}

/* Writes in quick succession while the exporter renders and rewrites the
 * same files: every write reaches the core (none is lost to a rewrite or
 * taken for the exporter's own), in order. Each write follows the previous
 * one as soon as the core shows it, which is exactly when the exporter
 * rewrites the file to show the new state. */
static void writes_survive_rendering(void **state)
{
	struct mon *m = *state;
	pthread_t syncer;
	char text[32];
	unsigned int i, lost = 0;

	atomic_store(&g_hammer_stop, false);
	assert_int_equal(pthread_create(&syncer, NULL, sync_without_pause, m), 0);
	for (i = 0; i < 400 && !lost; i++) {
		snprintf(text, sizeof(text), "%u\n", 1000 + i);
		write_rel("debug/rknpu/delayms", text);
		if (!wait_core(m, false, "delayms", text))
			lost = 1000 + i;
		write_rel("devfreq/fdab0000.npu/governor",
			  i % 2 ? "rknpu_ondemand\n" : "simple_ondemand\n");
		if (!lost && !wait_core(m, true, "governor",
					i % 2 ? "rknpu_ondemand\n" : "simple_ondemand\n"))
			lost = i % 2 ? 2 : 1;
	}
	atomic_store(&g_hammer_stop, true);
	pthread_join(syncer, NULL);
	if (lost)
		fail_msg("write %u (delayms value, or 1/2 = governor) lost after %u writes", lost,
			 2 * i);
	/* Back to the defaults for the tests that follow. */
	write_rel("debug/rknpu/delayms", "3000\n");
	assert_true(wait_core(m, false, "delayms", "3000\n"));
	write_rel("devfreq/fdab0000.npu/governor", "rknpu_ondemand\n");
	assert_true(wait_core(m, true, "governor", "rknpu_ondemand\n"));
	assert_true(wait_rel("debug/rknpu/delayms", "3000\n"));
}

/* How many descriptors of this process hold a replaced @rel. */
static unsigned int replaced_held(const char *rel)
{
	char link[300], want[300], target[300];
	struct dirent *e;
	unsigned int n = 0;
	DIR *d = opendir("/proc/self/fd");
	ssize_t len;

	if (!d)
		return 0;
	snprintf(want, sizeof(want), "%s/%s (deleted)", g_dir, rel);
	while ((e = readdir(d))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += !strcmp(target, want);
	}
	closedir(d);
	return n;
}

/* A writer that opened the file before the exporter replaced it (to show
 * a new state) writes into the replaced file: the write still reaches the
 * core, and the exporter lets go of that file once it is closed. */
static void write_through_a_replaced_file(void **state)
{
	struct mon *m = *state;
	char path[256];
	unsigned int ms;
	int fd;

	snprintf(path, sizeof(path), "%s/debug/rknpu/delayms", g_dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	/* The state changes under the writer: the file is replaced. */
	assert_true(store(m, "delayms", "1234\n") > 0);
	assert_true(wait_rel("debug/rknpu/delayms", "1234\n"));
	/* The premise: this descriptor now holds a replaced file. */
	assert_true(replaced_held("debug/rknpu/delayms") >= 1);
	assert_int_equal(write(fd, "777\n", 4), 4);
	close(fd);
	assert_true(wait_core(m, false, "delayms", "777\n"));
	assert_true(wait_rel("debug/rknpu/delayms", "777\n"));
	for (ms = 0; ms < 10000 && replaced_held("debug/rknpu/delayms"); ms += 10)
		usleep(10000);
	assert_int_equal(replaced_held("debug/rknpu/delayms"), 0);
	write_rel("debug/rknpu/delayms", "3000\n");
	assert_true(wait_core(m, false, "delayms", "3000\n"));
}

struct newest {
	unsigned int id;
};

static void take_newest(void *ctx, unsigned int id, const char *text)
{
	struct newest *n = ctx;

	(void)text;
	if (id > n->id)
		n->id = id;
}

static void fdinfo_per_session(void **state)
{
	struct mon *m = *state;
	struct newest newest = { 0 };
	struct rnpu_dev *dev;
	struct rnpu_bo *bo;
	struct rnpu_matmul_job *job;
	char rel[128], expect[512];
	uint64_t t0, busy;
	uint32_t job_tasks;

	assert_int_equal(rnpu_open("sim", &dev), 0);
	assert_int_equal(rnpu_bo_create(dev, 64 * 1024, 0, &bo), 0);
	rknpu_fdinfo_foreach(m->rdev, take_newest, &newest);
	assert_int_not_equal(newest.id, 0);
	snprintf(rel, sizeof(rel), "debug/rknpu/clients/%d-%u/fdinfo", (int)getpid(), newest.id);
	snprintf(expect, sizeof(expect),
		 "drm-driver:\trknpu\ndrm-client-id:\t%u\ndrm-engine-npu0:\t0 ns\n"
		 "drm-engine-npu1:\t0 ns\ndrm-engine-npu2:\t0 ns\n"
		 "drm-total-memory:\t64 KiB\ndrm-resident-memory:\t64 KiB\n"
		 "rknpu-regcmd-validated:\t0\nrknpu-regcmd-reused:\t0\n",
		 newest.id);
	assert_true(wait_rel(rel, expect));

	/* A job on core 1: its model time, and its buffers, are counted. */
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, 8, 32, 16, 0, &job), 0);
	t0 = rnpu_host_clock_ns(m->host);
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE1_MASK, NULL), 0);
	busy = rnpu_host_clock_ns(m->host) - t0;
	assert_true(busy > 0);
	assert_int_equal(rnpu_host_export_sync(m->host), 0);
	snprintf(expect, sizeof(expect), "drm-engine-npu1:\t%llu ns\n", (unsigned long long)busy);
	assert_non_null(strstr(read_rel(rel), expect));
	assert_non_null(strstr(read_rel(rel), "drm-engine-npu0:\t0 ns\n"));
	job_tasks = job->num_tasks; /* each checked once by the validator */
	rnpu_matmul_job_destroy(job);
	rnpu_bo_free(bo);
	snprintf(expect, sizeof(expect),
		 "drm-driver:\trknpu\ndrm-client-id:\t%u\ndrm-engine-npu0:\t0 ns\n"
		 "drm-engine-npu1:\t%llu ns\ndrm-engine-npu2:\t0 ns\n"
		 "drm-total-memory:\t0\ndrm-resident-memory:\t0\n"
		 "rknpu-regcmd-validated:\t%u\nrknpu-regcmd-reused:\t0\n",
		 newest.id, (unsigned long long)busy, job_tasks);
	assert_true(wait_rel(rel, expect));

	/* Closed: the directory goes. */
	rnpu_close(dev);
	assert_true(wait_rel(rel, "(missing)"));
}

/* The text's memory units follow DRM: bytes, KiB while whole, MiB. */
static void fdinfo_units(void **state)
{
	struct mon *m = *state;
	struct newest newest = { 0 };
	struct rnpu_dev *dev;
	struct rnpu_bo *bo;
	char rel[128];

	assert_int_equal(rnpu_open("sim", &dev), 0);
	rknpu_fdinfo_foreach(m->rdev, take_newest, &newest);
	snprintf(rel, sizeof(rel), "debug/rknpu/clients/%d-%u/fdinfo", (int)getpid(), newest.id);
	assert_int_equal(rnpu_host_export_sync(m->host), 0);
	assert_non_null(strstr(read_rel(rel), "drm-total-memory:\t0\n"));
	assert_int_equal(rnpu_bo_create(dev, 3 * 1024 * 1024, 0, &bo), 0);
	assert_int_equal(rnpu_host_export_sync(m->host), 0);
	assert_non_null(strstr(read_rel(rel), "drm-total-memory:\t3 MiB\n"));
	assert_non_null(strstr(read_rel(rel), "drm-resident-memory:\t3 MiB\n"));
	rnpu_bo_free(bo);
	rnpu_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(files_show_the_core_text),
		cmocka_unit_test(writes_reach_the_core),
		cmocka_unit_test(writes_survive_rendering),
		cmocka_unit_test(write_through_a_replaced_file),
		cmocka_unit_test(fdinfo_per_session),
		cmocka_unit_test(fdinfo_units),
	};

	return cmocka_run_group_tests_name("monitor-export", tests, group_setup, group_teardown);
}
