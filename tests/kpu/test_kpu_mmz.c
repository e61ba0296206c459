// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The open MMZ allocator through the K230 SDK's function names: cached and
 * non-cached allocation, free, physical <-> virtual lookup, cache flush by
 * range, the SDK's error codes, and leak accounting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "k230/mpi_sys_api.h"
#include "kpu_device.h"
#include "kpu_test_util.h"

/* Error codes exactly as the fact sheet and the SDK's error table list. */
#define T_SYS_NULL_PTR ((k_s32)0xA0058006u)
#define T_MMZ_NOTREADY ((k_s32)0xA0038010u)
#define T_MMZ_ILLEGAL_PARAM ((k_s32)0xA0038003u)
#define T_MMZ_BADADDR ((k_s32)0xA0038011u)

static int setup(void **state)
{
	struct k230_host_config cfg = { .bind_mmz = true };
	struct k230_host *host = NULL;

	if (k230_host_create(&cfg, &host))
		return -1;
	*state = host;
	return 0;
}

static int teardown(void **state)
{
	/* Every test frees what it allocates: no leak may be reported. */
	return k230_host_destroy(*state) == 0 ? 0 : -1;
}

static void test_alloc_free(void **state)
{
	struct k230_host *host = *state;
	struct kpu_mmz_stats ms;
	k_u64 p1, p2;
	void *v1, *v2;

	assert_int_equal(kd_mpi_sys_mmz_alloc(&p1, &v1, "model", NULL, 10000), 0);
	assert_int_equal(kd_mpi_sys_mmz_alloc_cached(&p2, &v2, NULL, "anonymous", 4096), 0);
	assert_non_null(v1);
	assert_non_null(v2);
	/* Physical addresses in DDR, page-aligned, not overlapping. */
	assert_true(p1 < 0x80000000ull && p2 < 0x80000000ull);
	assert_int_equal(p1 % 4096, 0);
	assert_true(p1 + 12288 <= p2 || p2 + 4096 <= p1);
	/* The memory is zeroed and writable to its rounded end. */
	for (unsigned int i = 0; i < 12288; i++)
		assert_int_equal(((uint8_t *)v1)[i], 0);
	memset(v1, 0x5a, 12288);
	kpu_mmz_get_stats(k230_host_mmz(host), &ms);
	assert_int_equal(ms.blocks, 2);
	assert_int_equal(ms.bytes, 12288 + 4096);
	assert_int_equal(kd_mpi_sys_mmz_free(p1, v1), 0);
	assert_int_equal(kd_mpi_sys_mmz_free(p2, NULL), 0);
	kpu_mmz_get_stats(k230_host_mmz(host), &ms);
	assert_int_equal(ms.blocks, 0);
	assert_int_equal(ms.bytes, 0);
	assert_int_equal(ms.peak_bytes, 12288 + 4096);
	assert_int_equal(ms.allocs, 2);
	assert_int_equal(ms.frees, 2);
}

static void test_bad_arguments(void **state)
{
	k_u64 p;
	void *v;

	(void)state;
	assert_int_equal(kd_mpi_sys_mmz_alloc(NULL, &v, NULL, NULL, 4096), T_SYS_NULL_PTR);
	assert_int_equal(kd_mpi_sys_mmz_alloc_cached(&p, NULL, NULL, NULL, 4096), T_SYS_NULL_PTR);
	assert_int_equal(kd_mpi_sys_mmz_alloc(&p, &v, NULL, NULL, 0), T_MMZ_ILLEGAL_PARAM);
	assert_int_equal(kd_mpi_sys_mmz_flush_cache(0x10000000ull, NULL, 64), T_SYS_NULL_PTR);
	assert_int_equal(kd_mpi_sys_get_virmem_info(NULL, NULL), T_SYS_NULL_PTR);
	assert_int_not_equal(kd_mpi_sys_mmz_free(0x12345000ull, NULL), 0);
	assert_null(kd_mpi_sys_mmap(0x12345000ull, 4096));
}

static void test_lookup(void **state)
{
	k_sys_virmem_info info;
	k_u64 pc, pn;
	void *vc, *vn;
	uint8_t *m;

	(void)state;
	assert_int_equal(kd_mpi_sys_mmz_alloc_cached(&pc, &vc, "c", NULL, 8192), 0);
	assert_int_equal(kd_mpi_sys_mmz_alloc(&pn, &vn, "n", NULL, 8192), 0);
	/* virtual -> physical, inside the block, with the cache attribute. */
	assert_int_equal(kd_mpi_sys_get_virmem_info((uint8_t *)vc + 100, &info), 0);
	assert_int_equal(info.phy_addr, pc + 100);
	assert_int_equal(info.cached, K_TRUE);
	assert_int_equal(kd_mpi_sys_get_virmem_info((uint8_t *)vn + 8191, &info), 0);
	assert_int_equal(info.phy_addr, pn + 8191);
	assert_int_equal(info.cached, K_FALSE);
	assert_int_equal(kd_mpi_sys_get_virmem_info((uint8_t *)vn + 8192, &info), T_MMZ_BADADDR);
	/* physical -> virtual: the same bytes. */
	((uint8_t *)vc)[4000] = 0xa5;
	m = kd_mpi_sys_mmap(pc + 4000, 16);
	assert_ptr_equal(m, (uint8_t *)vc + 4000);
	assert_int_equal(m[0], 0xa5);
	assert_ptr_equal(kd_mpi_sys_mmap_cached(pn, 8192), vn);
	/* A range crossing the block's end is refused. */
	assert_null(kd_mpi_sys_mmap(pc + 4096, 8192));
	assert_int_equal(kd_mpi_sys_munmap(m, 16), 0);
	assert_int_equal(kd_mpi_sys_munmap((uint8_t *)vc + 8000, 1000), T_MMZ_BADADDR);
	/* free checks the virtual address against the block's. */
	assert_int_not_equal(kd_mpi_sys_mmz_free(pc, vn), 0);
	assert_int_equal(kd_mpi_sys_mmz_free(pc, vc), 0);
	assert_int_equal(kd_mpi_sys_mmz_free(pn, vn), 0);
	/* A freed block is gone for lookups. */
	assert_int_equal(kd_mpi_sys_get_virmem_info(vc, &info), T_MMZ_BADADDR);
}

static void test_flush(void **state)
{
	struct k230_host *host = *state;
	struct k230_host_dma_stats ds0, ds;
	k_u64 pc, pn;
	void *vc, *vn;

	assert_int_equal(kd_mpi_sys_mmz_alloc_cached(&pc, &vc, NULL, NULL, 16384), 0);
	assert_int_equal(kd_mpi_sys_mmz_alloc(&pn, &vn, NULL, NULL, 4096), 0);
	k230_host_dma_stats(host, &ds0);
	/* A range of a cached block reaches the OS layer: clean + invalidate. */
	assert_int_equal(kd_mpi_sys_mmz_flush_cache(pc + 4096, (uint8_t *)vc + 4096, 100), 0);
	k230_host_dma_stats(host, &ds);
	assert_int_equal(ds.syncs, ds0.syncs + 1);
	assert_int_equal(ds.last_sync_phys, pc + 4096);
	assert_int_equal(ds.last_sync_size, 100);
	assert_int_equal(ds.last_sync_dir, RNPU_OSAL_SYNC_TO_DEVICE | RNPU_OSAL_SYNC_FROM_DEVICE);
	/* Invalidate only, through the allocator. */
	assert_int_equal(kpu_mmz_sync(k230_host_mmz(host), pc, vc, 64, RNPU_OSAL_SYNC_FROM_DEVICE), 0);
	k230_host_dma_stats(host, &ds);
	assert_int_equal(ds.last_sync_dir, RNPU_OSAL_SYNC_FROM_DEVICE);
	/* A non-cached block needs no maintenance. */
	assert_int_equal(kd_mpi_sys_mmz_flush_cache(pn, vn, 4096), 0);
	k230_host_dma_stats(host, &ds0);
	assert_int_equal(ds0.syncs, ds.syncs);
	/* Mismatched address or a range past the block: refused. */
	assert_int_equal(kd_mpi_sys_mmz_flush_cache(pc, vn, 64), T_MMZ_BADADDR);
	assert_int_equal(kd_mpi_sys_mmz_flush_cache(pc + 16000, (uint8_t *)vc + 16000, 1000),
			 T_MMZ_BADADDR);
	/* phys 0: the whole cache, i.e. every cached block once. */
	assert_int_equal(kd_mpi_sys_mmz_flush_cache(0, vc, 0), 0);
	k230_host_dma_stats(host, &ds);
	assert_int_equal(ds.syncs, ds0.syncs + 1);
	assert_int_equal(ds.last_sync_size, 16384);
	assert_int_equal(kd_mpi_sys_mmz_free(pc, vc), 0);
	assert_int_equal(kd_mpi_sys_mmz_free(pn, vn), 0);
}

static void test_leak_accounting(void **state)
{
	struct k230_host_config cfg = { 0 };
	struct k230_host *other = NULL;
	struct k230_host_dma_stats ds;
	uint64_t phys;
	void *virt;

	(void)state;
	assert_int_equal(k230_host_create(&cfg, &other), 0);
	assert_int_equal(kpu_mmz_alloc(k230_host_mmz(other), 5000, false, "leak1", NULL, &phys, &virt), 0);
	assert_int_equal(kpu_mmz_alloc(k230_host_mmz(other), 100, true, "leak2", NULL, &phys, &virt), 0);
	k230_host_dma_stats(other, &ds);
	assert_int_equal(ds.buffers, 2);
	assert_int_equal(ds.pages, 3);
	/* Destroying reports both blocks and frees them (LSan would catch
	 * memory that stayed). */
	assert_int_equal(k230_host_destroy(other), 2);
}

static void test_unbound(void **state)
{
	struct kpu_mmz *prev = kpu_mmz_bind_default(NULL);
	k_u64 p;
	void *v;

	(void)state;
	assert_int_equal(kd_mpi_sys_mmz_alloc(&p, &v, NULL, NULL, 4096), T_MMZ_NOTREADY);
	kpu_mmz_bind_default(prev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leak_accounting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbound, setup, teardown),
	};

	t_quiet_logs();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
