// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * One session holding a very large number of small buffer objects: 70,000
 * in CI (more than the default vm.max_map_count of 65530 and than common
 * open-file limits, so a memfd and a mapping per object would fail), or
 * 1,000,000 with RNPU_LONG_TESTS=1. Every object gets a distinct, aligned
 * device address; the process does not spend a file descriptor or a
 * mapping per object; a job still runs; freed objects are reused; closing
 * the session returns every page. Run in both memory modes (RNPU_IOMMU).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "rnpu/matmul_job.h"
#include "rnpu_host.h"
#include "uapi_util.h"

#ifndef RNPU_LONG_TESTS_DEFAULT
#define RNPU_LONG_TESTS_DEFAULT 0
#endif

static unsigned int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static unsigned int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned int n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_matmul(struct rnpu_dev *dev)
{
	enum { M = 8, K = 32, N = 16 };
	struct rnpu_matmul_job *job;
	int8_t a[M * K], b[K * N];
	int32_t c[M * N];

	for (int i = 0; i < M * K; i++)
		a[i] = (int8_t)(i % 13 - 6);
	for (int i = 0; i < K * N; i++)
		b[i] = (int8_t)(i % 7 - 3);
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, M, K, N, 0, &job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE_AUTO_MASK, NULL), 0);
	assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
	for (int r = 0; r < M; r++)
		for (int col = 0; col < N; col++) {
			int32_t ref = 0;

			for (int l = 0; l < K; l++)
				ref += a[r * K + l] * b[l * N + col];
			assert_int_equal(c[r * N + col], ref);
		}
	rnpu_matmul_job_destroy(job);
}

static void many_bos_one_session(void **state)
{
	const char *env = getenv("RNPU_LONG_TESTS");
	const uint32_t n = RNPU_LONG_TESTS_DEFAULT || (env && env[0] == '1') ? 1000000u : 70000u;
	uint32_t *handles = calloc(n, sizeof(*handles));
	uint64_t *addrs = calloc(n, sizeof(*addrs)), *sorted = calloc(n, sizeof(*sorted));
	uint64_t bufs0, pages0, bufs, pages, off;
	unsigned int fds0, maps0;
	struct rnpu_host *host;
	struct rnpu_dev *dev;
	uint32_t *p;

	(void)state;
	assert_non_null(handles);
	assert_non_null(addrs);
	assert_non_null(sorted);
	assert_int_equal(rnpu_host_get_default(&host), 0);
	assert_int_equal(rnpu_open("sim", &dev), 0);
	rnpu_host_memory_stats(host, &bufs0, &pages0);
	fds0 = count_fds();
	maps0 = count_maps();

	for (uint32_t i = 0; i < n; i++) {
		struct rknpu_mem_create c;

		if (mem_create(dev, 4096, 0, &c) != 0)
			fail_msg("object %u of %u: mem_create failed", i, n);
		handles[i] = c.handle;
		addrs[i] = c.dma_addr;
		if (c.dma_addr == 0 || (c.dma_addr & 4095) || c.dma_addr + 4096 > (1ull << 32))
			fail_msg("object %u: device address 0x%llx", i, (unsigned long long)c.dma_addr);
	}
	print_message("# %u objects: %u more fds, %u more mappings\n", n, count_fds() - fds0,
		      count_maps() - maps0);
	/* Neither a descriptor nor a mapping per object. */
	assert_true(count_fds() - fds0 < n / 100);
	assert_true(count_maps() - maps0 < n / 100);
	rnpu_host_memory_stats(host, &bufs, &pages);
	/* IOMMU mode: plus the session's page tables, one buffer. */
	env = getenv("RNPU_IOMMU");
	assert_int_equal(bufs - bufs0, n + (env && env[0] == '1' ? 1 : 0));
	/* Every address distinct (4 KiB objects: no two in one page). */
	memcpy(sorted, addrs, n * sizeof(*addrs));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	for (uint32_t i = 1; i < n; i++)
		if (sorted[i] < sorted[i - 1] + 4096)
			fail_msg("addresses 0x%llx and 0x%llx overlap", (unsigned long long)sorted[i - 1],
				 (unsigned long long)sorted[i]);

	/* The last object is an ordinary one: mapped, written, read back. */
	assert_int_equal(mem_map(dev, handles[n - 1], &off), 0);
	assert_int_equal(rnpu_mmap(dev, off, 4096, (void **)&p), 0);
	for (uint32_t i = 0; i < 1024; i++)
		assert_int_equal(p[i], 0);
	p[0] = 0xfeedbeef;
	munmap(p, 4096);
	assert_int_equal(rnpu_mmap(dev, off, 4096, (void **)&p), 0);
	assert_int_equal(p[0], 0xfeedbeef);
	munmap(p, 4096);
	check_matmul(dev);

	/* Half of them go and come back. */
	for (uint32_t i = 0; i < n; i += 2)
		assert_int_equal(mem_destroy(dev, handles[i]), 0);
	for (uint32_t i = 0; i < n; i += 2) {
		struct rknpu_mem_create c;

		if (mem_create(dev, 4096, 0, &c) != 0)
			fail_msg("re-creating object %u failed", i);
	}
	rnpu_close(dev); /* everything the session held */
	rnpu_host_memory_stats(host, &bufs, &pages);
	assert_int_equal(bufs, bufs0);
	assert_int_equal(pages, pages0);
	rnpu_host_put_default(host);
	free(sorted);
	free(addrs);
	free(handles);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(many_bos_one_session),
	};

	return cmocka_run_group_tests_name("many-bos", tests, NULL, NULL);
}
