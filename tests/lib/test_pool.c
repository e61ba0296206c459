// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The buffer pool (size classes, reuse, the cache bound, trimming, shared
 * objects, statistics, threads) and the device queries of librnpu.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rnpu/pool.h"
#include "rnpu/rnpu.h"

static struct rnpu_dev *g_dev;

static void test_class_sizes(void **state)
{
	(void)state;
	assert_int_equal(rnpu_pool_class_size(0), 0);
	assert_int_equal(rnpu_pool_class_size(1), 4096);
	assert_int_equal(rnpu_pool_class_size(4096), 4096);
	assert_int_equal(rnpu_pool_class_size(4097), 8192);    /* whole pages */
	assert_int_equal(rnpu_pool_class_size(8193), 12288);
	assert_int_equal(rnpu_pool_class_size(16385), 20480);  /* 16 Ki + 4 Ki steps */
	assert_int_equal(rnpu_pool_class_size(1000000), 1048576);
	assert_int_equal(rnpu_pool_class_size(786433), 917504); /* 512 Ki + 128 Ki steps */
	assert_int_equal(rnpu_pool_class_size(786432), 786432);
	/* Never more than a quarter (or one page) wasted. */
	for (uint64_t s = 4097; s < (1u << 24); s = s * 3 / 2 + 7) {
		uint64_t c = rnpu_pool_class_size(s);

		assert_true(c >= s && c % 4096 == 0);
		assert_true(c - s <= s / 4 || c - s < 4096);
	}
}

static void test_reuse_and_stats(void **state)
{
	struct rnpu_pool_stats st;
	struct rnpu_pool *pool;
	struct rnpu_bo *a, *b, *c;
	void *map;

	(void)state;
	assert_int_equal(rnpu_pool_create(g_dev, 1 << 20, &pool), 0);
	assert_int_equal(rnpu_pool_alloc(pool, 0, 0, &a), -EINVAL);
	assert_int_equal(rnpu_pool_alloc(pool, (uint64_t)5 << 30, 0, &a), -EINVAL);
	assert_int_equal(rnpu_pool_alloc(pool, 5000, RKNPU_MEM_CACHEABLE, &a), 0);
	assert_int_equal(rnpu_bo_size(a), 8192);
	assert_int_equal(rnpu_bo_map(a, &map), 0);
	memset(map, 0x5a, 5000);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.in_use_bos, 1);
	assert_int_equal(st.in_use_bytes, 8192);
	rnpu_pool_put(pool, a);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.cached_bos, 1);
	assert_int_equal(st.cached_bytes, 8192);
	assert_int_equal(st.in_use_bos, 0);
	/* Same class and flags: the same object, contents kept. */
	assert_int_equal(rnpu_pool_alloc(pool, 4500, RKNPU_MEM_CACHEABLE, &b), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(((unsigned char *)map)[4999], 0x5a);
	/* Other flags never share an object. */
	assert_int_equal(rnpu_pool_alloc(pool, 4500, 0, &c), 0);
	assert_ptr_not_equal(b, c);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.allocs, 3);
	rnpu_pool_put(pool, b);
	rnpu_pool_put(pool, c);
	rnpu_pool_put(pool, NULL);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.puts, 3);
	assert_int_equal(st.cached_bos, 2);
	rnpu_pool_trim(pool, 0);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.cached_bos, 0);
	assert_int_equal(st.cached_bytes, 0);
	assert_int_equal(st.released, 2);
	rnpu_pool_destroy(pool);
}

static void test_cache_bound_and_trim(void **state)
{
	struct rnpu_pool_stats st;
	struct rnpu_pool *pool;
	struct rnpu_bo *bo[6], *again;

	(void)state;
	/* Room for two 16 KiB objects. */
	assert_int_equal(rnpu_pool_create(g_dev, 32768, &pool), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(rnpu_pool_alloc(pool, 16384, RKNPU_MEM_CACHEABLE, &bo[i]), 0);
	for (int i = 0; i < 6; i++)
		rnpu_pool_put(pool, bo[i]);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.cached_bos, 2);
	assert_int_equal(st.cached_bytes, 32768);
	assert_int_equal(st.released, 4);
	/* The least recently freed went first: the newest is served. */
	assert_int_equal(rnpu_pool_alloc(pool, 16384, RKNPU_MEM_CACHEABLE, &again), 0);
	assert_ptr_equal(again, bo[5]);
	rnpu_pool_put(pool, again);
	rnpu_pool_trim(pool, 16384);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.cached_bos, 1);
	/* Larger than the whole cache: freed at once. */
	assert_int_equal(rnpu_pool_alloc(pool, 65536, 0, &again), 0);
	rnpu_pool_put(pool, again);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.cached_bos, 1);
	rnpu_pool_destroy(pool);
}

static void test_shared_not_recycled(void **state)
{
	struct rnpu_pool_stats st;
	struct rnpu_pool *pool, *other;
	struct rnpu_bo *a, *b, *foreign;
	int fd;

	(void)state;
	assert_int_equal(rnpu_pool_create(g_dev, 0, &pool), 0);
	assert_int_equal(rnpu_pool_create(g_dev, 0, &other), 0);
	assert_int_equal(rnpu_pool_alloc(pool, 4096, 0, &a), 0);
	assert_int_equal(rnpu_bo_export(a, &fd), 0);
	rnpu_pool_put(pool, a);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.cached_bos, 0);
	assert_int_equal(st.released, 1);
	assert_int_equal(rnpu_pool_alloc(pool, 4096, 0, &b), 0);
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.hits, 0);
	rnpu_pool_put(pool, b);
	close(fd);
	/* An object from another pool (or none) is freed, with a message. */
	assert_int_equal(rnpu_pool_alloc(other, 4096, 0, &foreign), 0);
	rnpu_pool_put(pool, foreign);
	assert_non_null(strstr(rnpu_last_error(g_dev), "not made by this pool"));
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.cached_bos, 1);
	rnpu_pool_destroy(other);
	rnpu_pool_destroy(pool);
	/* The device pool is one object for the device's life. */
	assert_non_null(rnpu_dev_pool(g_dev));
	assert_ptr_equal(rnpu_dev_pool(g_dev), rnpu_dev_pool(g_dev));
}

static void test_query(void **state)
{
	uint64_t v = 0;
	struct rnpu_bo *bo;

	(void)state;
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_CORE_COUNT, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_HW_VERSION, &v), 0);
	assert_int_equal(v, 0x46495245);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_DRV_VERSION, &v), 0);
	assert_int_equal(v, 908);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_FREQ_HZ, &v), 0);
	assert_int_equal(v, 1000000000);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_VOLT_UV, &v), 0);
	assert_int_equal(v, 825000);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_SRAM_TOTAL, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_SRAM_FREE, &v), 0);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_IOMMU_ENABLED, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_MACS_PER_CYCLE, &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(rnpu_query(g_dev, (enum rnpu_query_item)99, &v), -EINVAL);
	assert_non_null(strstr(rnpu_last_error(g_dev), "unknown item 99"));
	assert_int_equal(rnpu_query(g_dev, RNPU_QUERY_CORE_COUNT, NULL), -EINVAL);
	/* Buffer flags are checked and reported. */
	assert_int_equal(rnpu_bo_create(g_dev, 4096, 1u << 20, &bo), -EINVAL);
	assert_non_null(strstr(rnpu_last_error(g_dev), "unknown bits 0x100000"));
	assert_int_equal(rnpu_bo_create(g_dev, 4096, RKNPU_MEM_CACHEABLE | RKNPU_MEM_ZEROING, &bo),
			 0);
	assert_int_equal(rnpu_bo_flags(bo), RKNPU_MEM_CACHEABLE | RKNPU_MEM_ZEROING);
	rnpu_bo_free(bo);
}

/* Several threads allocating and giving back: the counters add up and no
 * object is handed to two threads at once. */
struct worker {
	struct rnpu_pool *pool;
	int id;
	int errors;
};

static void *pool_worker(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 200; i++) {
		struct rnpu_bo *bo;
		volatile unsigned char *p;
		void *map;

		if (rnpu_pool_alloc(w->pool, 4096u * (1 + (unsigned int)(i % 3)), 0, &bo)) {
			w->errors++;
			continue;
		}
		rnpu_bo_map(bo, &map);
		p = map;
		p[0] = (unsigned char)w->id;
		for (int spin = 0; spin < 50; spin++)
			if (p[0] != (unsigned char)w->id)
				w->errors++;
		rnpu_pool_put(w->pool, bo);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[4];
	pthread_t t[4];
	struct rnpu_pool_stats st;
	struct rnpu_pool *pool;

	(void)state;
	assert_int_equal(rnpu_pool_create(g_dev, 0, &pool), 0);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .pool = pool, .id = i + 1 };
		assert_int_equal(pthread_create(&t[i], NULL, pool_worker, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].errors, 0);
	}
	rnpu_pool_get_stats(pool, &st);
	assert_int_equal(st.allocs, 800);
	assert_int_equal(st.puts, 800);
	assert_int_equal(st.hits + st.misses, 800);
	assert_int_equal(st.in_use_bos, 0);
	assert_true(st.misses <= 12); /* at most 4 threads x 3 classes ever created */
	rnpu_pool_destroy(pool);
}

static int setup(void **state)
{
	(void)state;
	return rnpu_open("sim", &g_dev);
}

static int teardown(void **state)
{
	(void)state;
	rnpu_close(g_dev);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_sizes),
		cmocka_unit_test(test_reuse_and_stats),
		cmocka_unit_test(test_cache_bound_and_trim),
		cmocka_unit_test(test_shared_not_recycled),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests_name("lib-pool", tests, setup, teardown);
}
