// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Imported dma-bufs are mapped without a copy: bytes written through the
 * import's mapping are read through the exporter's (another buffer
 * object's mapping or the application's own memfd mapping) and the
 * reverse; freeing the importer or the exporter first leaves the other
 * side working; no fd and no mapping outlives its owner (the fd count is
 * compared before and after, LeakSanitizer watches the heap). Runs on the
 * in-process software NPU, or through rnpud when RNPUD_SOCKET is set.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "rnpu/ops.h"
#include "rnpu/rnpu.h"

#define PAGE 4096u
#define BYTES (3u * PAGE) /* dma-bufs are whole pages */

static char device[160] = "sim";

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A memfd of @bytes mapped here, as an application's own buffer. */
static int make_memfd(size_t bytes, uint8_t **map)
{
	int fd = memfd_create("bo-import-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	*map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(*map != MAP_FAILED);
	return fd;
}

/* Every byte written on one side is seen on the other, both ways. */
static void check_shared(uint8_t *a, uint8_t *b, size_t n, uint8_t seed)
{
	assert_true(a != b); /* two mappings of one memory, not one pointer */
	for (size_t i = 0; i < n; i++)
		a[i] = (uint8_t)(seed + i * 7);
	for (size_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)(seed + i * 7))
			fail_msg("byte %zu: %u through the other mapping, wrote %u", i, b[i],
				 (uint8_t)(seed + i * 7));
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed ^ (i * 13));
	for (size_t i = 0; i < n; i++)
		if (a[i] != (uint8_t)(seed ^ (i * 13)))
			fail_msg("byte %zu back: %u, wrote %u", i, a[i],
				 (uint8_t)(seed ^ (i * 13)));
}

/* Exporter and importer in one session; the importer freed first, then
 * the exporter's mapping still holds what the importer wrote. */
static void test_same_session_importer_first(void **state)
{
	int fds = count_fds();
	struct rnpu_dev *dev;
	struct rnpu_bo *bo, *imp;
	uint8_t *pe, *pi;
	int fd;

	(void)state;
	assert_int_equal(rnpu_open(device, &dev), 0);
	assert_int_equal(rnpu_bo_create(dev, BYTES, RKNPU_MEM_CACHEABLE, &bo), 0);
	assert_int_equal(rnpu_bo_map(bo, (void **)&pe), 0);
	assert_int_equal(rnpu_bo_export(bo, &fd), 0);
	assert_int_equal(rnpu_bo_import(dev, fd, &imp), 0);
	assert_int_equal(close(fd), 0); /* the import keeps its own reference */
	assert_true(rnpu_bo_size(imp) >= BYTES);
	assert_int_equal(rnpu_bo_dma_addr(imp), rnpu_bo_dma_addr(bo));
	assert_int_equal(rnpu_bo_map(imp, (void **)&pi), 0);
	check_shared(pi, pe, BYTES, 0x31);
	/* A second map returns the kept mapping. */
	{
		void *again;

		assert_int_equal(rnpu_bo_map(imp, &again), 0);
		assert_ptr_equal(again, pi);
	}
	pi[BYTES - 1] = 0xa5;
	rnpu_bo_free(imp);
	assert_int_equal(pe[BYTES - 1], 0xa5);
	rnpu_bo_free(bo);
	rnpu_close(dev);
	assert_int_equal(count_fds(), fds);
}

/* Exporter in one session, importer in another; the exporter (and its
 * whole session) goes first, the import's memory and mapping live on. */
static void test_other_session_exporter_first(void **state)
{
	int fds = count_fds();
	struct rnpu_dev *d1, *d2;
	struct rnpu_bo *bo, *imp;
	uint8_t *pe, *pi;
	int fd;

	(void)state;
	assert_int_equal(rnpu_open(device, &d1), 0);
	assert_int_equal(rnpu_open(device, &d2), 0);
	assert_int_equal(rnpu_bo_create(d1, BYTES, 0, &bo), 0);
	assert_int_equal(rnpu_bo_map(bo, (void **)&pe), 0);
	assert_int_equal(rnpu_bo_export(bo, &fd), 0);
	assert_int_equal(rnpu_bo_import(d2, fd, &imp), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(rnpu_bo_map(imp, (void **)&pi), 0);
	check_shared(pe, pi, BYTES, 0x5c);
	pe[17] = 0x42;
	rnpu_bo_free(bo);
	rnpu_close(d1);
	assert_int_equal(pi[17], 0x42);
	pi[18] = 0x43; /* still writable */
	assert_int_equal(pi[18], 0x43);
	rnpu_bo_free(imp);
	rnpu_close(d2);
	assert_int_equal(count_fds(), fds);
}

/* An application's memfd imported as a dma-buf, in both release orders:
 * the application unmaps and closes first, or librnpu frees first. */
static void test_app_memfd(void **state)
{
	int fds = count_fds();
	struct rnpu_dev *dev;

	(void)state;
	assert_int_equal(rnpu_open(device, &dev), 0);
	for (int order = 0; order < 2; order++) {
		struct rnpu_bo *imp;
		uint8_t *app, *pi;
		int fd = make_memfd(BYTES, &app);

		assert_int_equal(rnpu_bo_import(dev, fd, &imp), 0);
		assert_int_equal(rnpu_bo_map(imp, (void **)&pi), 0);
		check_shared(app, pi, BYTES, (uint8_t)(0x70 + order));
		/* Cache maintenance of an import is the dma-buf's; a memfd
		 * needs none. Out of range is refused. */
		assert_int_equal(rnpu_bo_sync(imp, 0, BYTES, RKNPU_MEM_SYNC_TO_DEVICE), 0);
		assert_int_equal(rnpu_bo_sync(imp, 0, BYTES, RKNPU_MEM_SYNC_FROM_DEVICE), 0);
		assert_int_equal(rnpu_bo_sync(imp, rnpu_bo_size(imp), 1,
					      RKNPU_MEM_SYNC_FROM_DEVICE),
				 -EINVAL);
		assert_non_null(strstr(rnpu_last_error(dev), "outside"));
		if (order == 0) {
			assert_int_equal(munmap(app, BYTES), 0);
			assert_int_equal(close(fd), 0);
			pi[5] = 9;
			assert_int_equal(pi[5], 9);
			rnpu_bo_free(imp);
		} else {
			rnpu_bo_free(imp);
			app[5] = 11;
			assert_int_equal(app[5], 11);
			assert_int_equal(munmap(app, BYTES), 0);
			assert_int_equal(close(fd), 0);
		}
	}
	rnpu_close(dev);
	assert_int_equal(count_fds(), fds);
}

/* An import still open at rnpu_close: the session releases it (no fd
 * left behind). */
static void test_close_releases_imports(void **state)
{
	int fds = count_fds();
	struct rnpu_dev *dev;
	struct rnpu_bo *imp;
	uint8_t *app, *pi;
	int fd = make_memfd(BYTES, &app);

	(void)state;
	assert_int_equal(rnpu_open(device, &dev), 0);
	assert_int_equal(rnpu_bo_import(dev, fd, &imp), 0);
	assert_int_equal(rnpu_bo_map(imp, (void **)&pi), 0);
	pi[0] = 1;
	rnpu_close(dev);
	assert_int_equal(app[0], 1);
	munmap(app, BYTES);
	close(fd);
	assert_int_equal(count_fds(), fds);
}

/* The NPU between two applications' memfds: set_input writes through the
 * import's mapping, the NPU adds in place, the application reads the sum
 * in its own mapping of the output memfd. Reference: saturating int8 add
 * on the CPU. */
static void test_npu_zero_copy(void **state)
{
	enum { COUNT = 5000, APP_BYTES = 2 * PAGE };
	int fds = count_fds();
	struct rnpu_eltwise_params p = { .dtype = RNPU_DT_INT8, .kind = RNPU_ELTWISE_ADD,
					 .count = COUNT };
	struct rnpu_dev *dev;
	struct rnpu_op *op;
	struct rnpu_bo *imp[3];
	uint8_t *app[3];
	int8_t a[COUNT], b[COUNT];
	int fd[3];

	(void)state;
	for (int i = 0; i < COUNT; i++) {
		a[i] = (int8_t)(i * 37);
		b[i] = (int8_t)(i * 11 + 3);
	}
	assert_int_equal(rnpu_open(device, &dev), 0);
	assert_int_equal(rnpu_eltwise_create(dev, &p, &op), 0);
	for (int i = 0; i < 3; i++) {
		fd[i] = make_memfd(APP_BYTES, &app[i]);
		assert_int_equal(rnpu_bo_import(dev, fd[i], &imp[i]), 0);
	}
	assert_int_equal(rnpu_op_bind_input(op, 0, imp[0]), 0);
	assert_int_equal(rnpu_op_bind_input(op, 1, imp[1]), 0);
	assert_int_equal(rnpu_op_bind_output(op, imp[2]), 0);
	/* Bound imports are mapped now: set_input and get_output work. */
	assert_int_equal(rnpu_op_set_input(op, 0, a), 0);
	memcpy(app[1], b, COUNT); /* the other input straight from its owner */
	assert_int_equal(rnpu_op_run(op, RKNPU_CORE_AUTO_MASK, NULL), 0);
	for (int i = 0; i < COUNT; i++) {
		int s = a[i] + b[i];
		int8_t want = (int8_t)(s > 127 ? 127 : s < -128 ? -128 : s);

		if ((int8_t)app[0][i] != a[i] || (int8_t)app[2][i] != want)
			fail_msg("element %d: input %d (wrote %d), sum %d, want %d", i,
				 (int8_t)app[0][i], a[i], (int8_t)app[2][i], want);
	}
	{
		int8_t got[COUNT];

		assert_int_equal(rnpu_op_get_output(op, got), 0);
		assert_memory_equal(got, app[2], COUNT);
	}
	rnpu_op_destroy(op);
	for (int i = 0; i < 3; i++) {
		rnpu_bo_free(imp[i]);
		munmap(app[i], APP_BYTES);
		close(fd[i]);
	}
	rnpu_close(dev);
	assert_int_equal(count_fds(), fds);
}

int main(void)
{
	const char *sock = getenv("RNPUD_SOCKET");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_session_importer_first),
		cmocka_unit_test(test_other_session_exporter_first),
		cmocka_unit_test(test_app_memfd),
		cmocka_unit_test(test_close_releases_imports),
		cmocka_unit_test(test_npu_zero_copy),
	};

	if (sock)
		snprintf(device, sizeof(device), "unix:%s", sock);
	return cmocka_run_group_tests_name(sock ? "lib-bo-import-rnpud" : "lib-bo-import", tests,
					   NULL, NULL);
}
