// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The bounded poll before a blocking receive (RNPUD_SPIN_US): a client
 * issuing back-to-back requests to an rnpud that polls for them does not
 * sleep once per request, and does with the poll turned off; bad settings
 * are refused with a message naming them.
 *
 * Run under tests/dropin/with_rnpud.py with rnpud --spin-us=10000 (a
 * generous bound so that load on the machine does not turn polls into
 * sleeps); argv[1] is the rnpud binary, for the option check.
 *
 * Sleeps are counted, not timed: a thread's voluntary context switches
 * (getrusage RUSAGE_THREAD ru_nvcsw) are the times it blocked; a yield
 * that let another thread run is an involuntary switch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm/rknpu_ioctl.h"
#include "rnpu/rnpu.h"

#define REQUESTS 400

static char device[160];
static const char *rnpud_bin;

static long thread_sleeps(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_THREAD, &ru), 0);
	return ru.ru_nvcsw;
}

/* Blocks of this thread per request over REQUESTS round trips (ACTION
 * GET_HW_VERSION, answered by the driver core without a job). */
static double sleeps_per_request(const char *client_spin_us)
{
	struct rnpu_dev *dev;
	uint32_t version = 0;
	long before;
	int i;

	assert_int_equal(setenv("RNPU_UNIX_SPIN_US", client_spin_us, 1), 0);
	assert_int_equal(rnpu_open(device, &dev), 0);
	assert_int_equal(rnpu_action(dev, RKNPU_GET_HW_VERSION, &version), 0);
	before = thread_sleeps();
	for (i = 0; i < REQUESTS; i++)
		assert_int_equal(rnpu_action(dev, RKNPU_GET_HW_VERSION, &version), 0);
	before = thread_sleeps() - before;
	rnpu_close(dev);
	unsetenv("RNPU_UNIX_SPIN_US");
	print_message("# RNPU_UNIX_SPIN_US=%s: %ld sleeps in %d requests\n", client_spin_us,
		      before, REQUESTS);
	return (double)before / REQUESTS;
}

/* With both ends polling, a reply that comes within the bound is picked
 * up without blocking: the client sleeps on a small fraction of requests
 * at most (the rest are preemptions by other work). */
static void test_polling_client_does_not_sleep(void **state)
{
	(void)state;
	assert_true(sleeps_per_request("10000") < 0.25);
}

/* The reference that the count above can fail: without its poll the
 * client blocks for nearly every reply (it waits for the daemon to run
 * the request, however fast). */
static void test_blocking_client_sleeps_per_request(void **state)
{
	(void)state;
	assert_true(sleeps_per_request("0") > 0.5);
}

/* A malformed RNPU_UNIX_SPIN_US is reported and the default used: the
 * device still works. */
static void test_bad_client_setting_keeps_default(void **state)
{
	struct rnpu_dev *dev;
	uint32_t version = 0;

	(void)state;
	assert_int_equal(setenv("RNPU_UNIX_SPIN_US", "fast", 1), 0);
	assert_int_equal(rnpu_open(device, &dev), 0);
	assert_int_equal(rnpu_action(dev, RKNPU_GET_HW_VERSION, &version), 0);
	rnpu_close(dev);
	unsetenv("RNPU_UNIX_SPIN_US");
}

/* rnpud refuses a --spin-us out of 0..10000 with exit status 2 and a line
 * naming the option and the value. */
static void check_bad_daemon_option(const char *arg, const char *value)
{
	char out[512] = "";
	size_t got = 0;
	ssize_t n;
	int p[2], status;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execl(rnpud_bin, rnpud_bin, arg, "--socket", "/nonexistent/rnpud.sock",
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got < sizeof(out) - 1 && (n = read(p[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_non_null(strstr(out, "--spin-us"));
	assert_non_null(strstr(out, value));
}

static void test_bad_daemon_option_refused(void **state)
{
	(void)state;
	check_bad_daemon_option("--spin-us=10001", "10001");
	check_bad_daemon_option("--spin-us=-1", "-1");
	check_bad_daemon_option("--spin-us=soon", "soon");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_polling_client_does_not_sleep),
		cmocka_unit_test(test_blocking_client_sleeps_per_request),
		cmocka_unit_test(test_bad_client_setting_keeps_default),
		cmocka_unit_test(test_bad_daemon_option_refused),
	};
	const char *sock = getenv("RNPUD_SOCKET");

	if (argc < 2 || !sock) {
		fprintf(stderr, "usage: with_rnpud.py RNPUD --spin-us=10000 -- %s RNPUD\n", argv[0]);
		return 2;
	}
	rnpud_bin = argv[1];
	snprintf(device, sizeof(device), "unix:%s", sock);
	return cmocka_run_group_tests_name("rnpud-spin", tests, NULL, NULL);
}
