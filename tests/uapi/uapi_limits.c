// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Per-session limits (RNPU_SESSION_MAX_BOS / RNPU_SESSION_MAX_BYTES of the
 * userspace host; rnpu.ko's session_max_bos=8 session_max_bytes=65536 when
 * RNPU_UAPI_DEVICE names its node): refused with a clear errno and log
 * line, counted per session, released when handles go.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "uapi_util.h"

#define PAGE 4096u
#define MAX_BOS 8
#define MAX_BYTES (16 * PAGE)

static void bo_count_limit(void **state)
{
	struct rknpu_mem_create mc[MAX_BOS], extra;
	struct rnpu_dev *dev, *other;

	(void)state;
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	for (int i = 0; i < MAX_BOS; i++)
		assert_int_equal(mem_create(dev, PAGE, 0, &mc[i]), 0);
	assert_int_equal(mem_create(dev, PAGE, 0, &extra), -ENOSPC);
	assert_true(log_has("buffer limit of 8 objects reached", NULL));
	/* Per session: another session is not affected. */
	assert_int_equal(mem_create(other, PAGE, 0, &extra), 0);
	/* Freeing one makes room again. */
	assert_int_equal(mem_destroy(dev, mc[0].handle), 0);
	assert_int_equal(mem_create(dev, PAGE, 0, &mc[0]), 0);
	rnpu_close(other);
	rnpu_close(dev);
}

static void byte_limit(void **state)
{
	struct rknpu_mem_create a, b, c;
	struct rnpu_dev *dev;

	(void)state;
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	assert_int_equal(mem_create(dev, 10 * PAGE, 0, &a), 0);
	assert_int_equal(mem_create(dev, 6 * PAGE, 0, &b), 0);
	assert_int_equal(mem_create(dev, 1, 0, &c), -ENOMEM); /* rounds to a page */
	assert_true(log_has("memory limit of 65536 bytes reached", "(65536 in use, 4096 asked)"));
	assert_int_equal(mem_destroy(dev, b.handle), 0);
	assert_int_equal(mem_create(dev, 6 * PAGE, 0, &b), 0);
	rnpu_close(dev);
}

static void imported_handles_count(void **state)
{
	struct rknpu_mem_create big, small;
	struct rnpu_drm_prime_handle p;
	struct rnpu_dev *dev, *other;

	(void)state;
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	assert_int_equal(mem_create(dev, 12 * PAGE, 0, &big), 0);
	assert_int_equal(mem_create(other, 8 * PAGE, 0, &small), 0);
	/* Importing 12 pages into a session holding 8 would pass 16. */
	p = (struct rnpu_drm_prime_handle){ .handle = big.handle, .flags = RNPU_DRM_CLOEXEC };
	assert_int_equal(rnpu_ioctl(dev, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &p), 0);
	p.handle = 0;
	assert_int_equal(rnpu_ioctl(other, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &p), -ENOMEM);
	close(p.fd);
	rnpu_close(other);
	rnpu_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bo_count_limit),
		cmocka_unit_test(byte_limit),
		cmocka_unit_test(imported_handles_count),
	};

	/* The in-process host reads its limits when it is created. */
	setenv("RNPU_SESSION_MAX_BOS", "8", 1);
	setenv("RNPU_SESSION_MAX_BYTES", "65536", 1);
	log_capture_start();
	return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
