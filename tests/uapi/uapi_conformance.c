// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * UAPI conformance, one case per behaviour: every ioctl's happy path and
 * every errno the vendor driver fact sheet lists for it, over the
 * in-process host. Expected values are the fact sheet's numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "rk3588_sim.h"
#include "rnpu/matmul_job.h"
#include "rnpu_host.h"
#include "uapi_util.h"

#define PAGE 4096u

static int setup(void **state)
{
	struct rnpu_dev *dev;

	if (rnpu_open(uapi_device(), &dev))
		return -1;
	*state = dev;
	log_capture_start();
	return 0;
}

static int teardown(void **state)
{
	log_capture_stop();
	rnpu_close(*state);
	return 0;
}

/* ------------------------------------------------------------ DRM core */

static void version_strings(void **state)
{
	struct rnpu_drm_version v;
	char name[32] = { 0 }, date[32] = { 0 }, desc[32] = { 0 };

	memset(&v, 0, sizeof(v));
	v.name = (uintptr_t)name;
	v.name_len = sizeof(name);
	v.date = (uintptr_t)date;
	v.date_len = sizeof(date);
	v.desc = (uintptr_t)desc;
	v.desc_len = sizeof(desc);
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_VERSION, &v), 0);
	assert_string_equal(name, "rknpu");
	assert_string_equal(date, "20240828");
	assert_string_equal(desc, "RKNPU driver");
	assert_int_equal(v.version_major, 0);
	assert_int_equal(v.version_minor, 9);
	assert_int_equal(v.version_patchlevel, 8);
	assert_int_equal(v.name_len, 5);
	assert_int_equal(v.date_len, 8);
	assert_int_equal(v.desc_len, 12);
}

static void version_length_query(void **state)
{
	struct rnpu_drm_version v;

	/* librknnrt's first call: zero lengths, learn the sizes. */
	memset(&v, 0, sizeof(v));
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_VERSION, &v), 0);
	assert_int_equal(v.name_len, 5);
	assert_int_equal(v.date_len, 8);
	assert_int_equal(v.desc_len, 12);
}

static void version_short_buffer(void **state)
{
	struct rnpu_drm_version v;
	char name[8];

	memset(name, 'x', sizeof(name));
	memset(&v, 0, sizeof(v));
	v.name = (uintptr_t)name;
	v.name_len = 3;
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_VERSION, &v), 0);
	assert_memory_equal(name, "rknxxxxx", 8); /* 3 bytes copied, no NUL */
	assert_int_equal(v.name_len, 5);
}

static void version_bad_pointer(void **state)
{
	struct rnpu_drm_version v;

	memset(&v, 0, sizeof(v));
	v.name = 16; /* an address no process maps */
	v.name_len = 5;
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_VERSION, &v), -EFAULT);
}

static void get_unique(void **state)
{
	UAPI_SIM_ONLY("the board's device name (the stand-in NPU in a VM has its own)");

	struct rnpu_drm_unique u;
	char buf[32] = { 0 };

	memset(&u, 0, sizeof(u));
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GET_UNIQUE, &u), 0);
	assert_int_equal(u.unique_len, strlen("fdab0000.npu"));
	u.unique = (uintptr_t)buf;
	u.unique_len = sizeof(buf);
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GET_UNIQUE, &u), 0);
	assert_string_equal(buf, "fdab0000.npu");
}

static void kms_ioctl_eopnotsupp(void **state)
{
	uint8_t buf[64] = { 0 };
	/* DRM_IOCTL_MODE_GETRESOURCES: a render-only device has no KMS. */
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, 'd', 0xa0, 64);

	assert_int_equal(rnpu_ioctl(*state, cmd, buf), -EOPNOTSUPP);
}

static void unknown_driver_ioctl(void **state)
{
	uint8_t buf[16] = { 0 };

	assert_int_equal(rnpu_ioctl(*state, _IOC(_IOC_READ | _IOC_WRITE, 'd', 0x46, 16), buf),
			 -EINVAL);
	assert_int_equal(rnpu_ioctl(*state, _IOC(_IOC_READ | _IOC_WRITE, 'd', 0x20, 16), buf),
			 -EINVAL);
}

static void misc_unknown_nr(void **state)
{
	uint8_t buf[16] = { 0 };

	/* The misc node dispatches on nr 0..5 only. */
	assert_int_equal(rnpu_ioctl(*state, _IOC(_IOC_READ | _IOC_WRITE, 'r', 6, 16), buf), -EINVAL);
	assert_int_equal(rnpu_ioctl(*state, _IOC(_IOC_READ | _IOC_WRITE, 'r', 0x40, 16), buf),
			 -EINVAL);
}

static void open_missing_node(void **state)
{
	struct rnpu_dev *dev;

	(void)state;
	assert_int_equal(rnpu_open("/dev/dri/card-does-not-exist", &dev), -ENOENT);
	assert_int_equal(rnpu_open("card1", &dev), -EINVAL); /* neither "sim" nor a path */
}

static void open_not_rknpu(void **state)
{
	struct rnpu_dev *dev;

	(void)state;
	/* Not a DRM node at all: DRM_IOCTL_VERSION fails. */
	assert_int_equal(rnpu_open("/dev/null", &dev), -ENOTTY);
}

static void ioctl_bad_arg_pointer(void **state)
{
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_ACTION, (void *)8), -EFAULT);
}

/* ----------------------------------------------------------- MEM_CREATE */

static void mem_create_basic(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, 10000, RKNPU_MEM_CACHEABLE, &mc), 0);
	assert_int_not_equal(mc.handle, 0);
	assert_int_equal(mc.size, 3 * PAGE);
	assert_int_not_equal(mc.obj_addr, 0);
	assert_int_not_equal(mc.dma_addr, 0);
	assert_true(mc.dma_addr < (1ull << 32));
	assert_int_equal(mc.dma_addr % PAGE, 0);
	assert_int_equal(mc.sram_size, 0);
	assert_int_equal(mc.flags, RKNPU_MEM_CACHEABLE);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mem_create_size_0(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, 0, 0, &mc), -EINVAL);
	assert_true(log_has("invalid buffer size: 0", NULL));
}

static void mem_create_too_large(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, (1ull << 32) + 1, 0, &mc), -EINVAL);
	assert_true(log_has("invalid buffer size", "4294967297"));
}

static void mem_create_page_rounding(void **state)
{
	struct rknpu_mem_create mc;
	static const uint64_t in[] = { 1, 4095, 4096, 4097, 65535 };
	static const uint64_t out[] = { 4096, 4096, 4096, 8192, 65536 };

	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(mem_create(*state, in[i], 0, &mc), 0);
		assert_int_equal(mc.size, out[i]);
		assert_int_equal(mem_destroy(*state, mc.handle), 0);
	}
}

/* The three ABI sizes: a shorter struct is a prefix; missing fields read
 * as zero and nothing past the caller's size is written. */
static void mem_create_abi(struct rnpu_dev *dev, unsigned long cmd, size_t size)
{
	uint8_t buf[64];
	struct rknpu_mem_create *mc = (struct rknpu_mem_create *)buf;

	memset(buf, 0xa5, sizeof(buf));
	memset(buf, 0, size);
	mc->size = 5000;
	mc->flags = RKNPU_MEM_ZEROING;
	assert_int_equal(rnpu_ioctl(dev, cmd, buf), 0);
	assert_int_not_equal(mc->handle, 0);
	assert_int_equal(mc->size, 8192);
	assert_int_not_equal(mc->obj_addr, 0);
	assert_int_not_equal(mc->dma_addr, 0);
	for (size_t i = size; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
	assert_int_equal(mem_destroy(dev, mc->handle), 0);
}

static void mem_create_32_bytes(void **state)
{
	mem_create_abi(*state, DRM_IOCTL_RKNPU_MEM_CREATE_V1, 32);
}

static void mem_create_40_bytes(void **state)
{
	mem_create_abi(*state, DRM_IOCTL_RKNPU_MEM_CREATE_V2, 40);
}

static void mem_create_48_bytes(void **state)
{
	mem_create_abi(*state, DRM_IOCTL_RKNPU_MEM_CREATE, 48);
}

static void mem_create_misc_numbering(void **state)
{
	struct rknpu_mem_create mc = { .size = 100 };

	assert_int_equal(rnpu_ioctl(*state, IOCTL_RKNPU_MEM_CREATE, &mc), 0);
	assert_int_equal(mc.size, PAGE);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mem_create_existing_handle(void **state)
{
	struct rknpu_mem_create mc, again;

	assert_int_equal(mem_create(*state, 3 * PAGE, 0, &mc), 0);
	memset(&again, 0, sizeof(again));
	again.handle = mc.handle;
	again.size = 1; /* ignored: the object exists */
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_CREATE, &again), 0);
	assert_int_equal(again.handle, mc.handle);
	assert_int_equal(again.size, 3 * PAGE);
	assert_int_equal(again.obj_addr, mc.obj_addr);
	assert_int_equal(again.dma_addr, mc.dma_addr);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mem_create_zeroing(void **state)
{
	struct rknpu_mem_create mc;
	uint64_t off;
	uint8_t *p;

	/* Dirty a buffer, free it, and check a new one comes back clean. */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(mem_create(*state, 2 * PAGE, RKNPU_MEM_ZEROING, &mc), 0);
		assert_int_equal(mem_map(*state, mc.handle, &off), 0);
		assert_int_equal(rnpu_mmap(*state, off, 2 * PAGE, (void **)&p), 0);
		for (size_t i = 0; i < 2 * PAGE; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xff, 2 * PAGE);
		munmap(p, 2 * PAGE);
		assert_int_equal(mem_destroy(*state, mc.handle), 0);
	}
}

static void mem_create_bad_domain(void **state)
{
	struct rknpu_mem_create mc = { .size = PAGE, .iommu_domain_id = 16 };

	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_CREATE, &mc), -EINVAL);
	assert_true(log_has("invalid iommu domain id: 16", NULL));
	mc = (struct rknpu_mem_create){ .size = PAGE, .iommu_domain_id = -1 };
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_CREATE, &mc), -EINVAL);
}

static void mem_create_noncontig_fallback(void **state)
{
	struct rknpu_mem_create a, b;

	/* Without an IOMMU the vendor falls back to contiguous memory. */
	assert_int_equal(mem_create(*state, 8 * PAGE, RKNPU_MEM_NON_CONTIGUOUS, &a), 0);
	assert_int_equal(mem_create(*state, 8 * PAGE, RKNPU_MEM_NON_CONTIGUOUS, &b), 0);
	assert_int_equal(a.flags, RKNPU_MEM_NON_CONTIGUOUS); /* flags not rewritten */
	assert_true(a.dma_addr + a.size <= b.dma_addr || b.dma_addr + b.size <= a.dma_addr);
	assert_int_equal(mem_destroy(*state, a.handle), 0);
	assert_int_equal(mem_destroy(*state, b.handle), 0);
}

static void mem_create_sram_fallback(void **state)
{
	struct rknpu_mem_create mc = { .size = PAGE, .flags = RKNPU_MEM_TRY_ALLOC_SRAM,
				       .sram_size = PAGE };

	/* No SRAM on this device: DDR is used and sram_size reports 0. */
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_CREATE, &mc), 0);
	assert_int_equal(mc.sram_size, 0);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mem_create_handles_distinct(void **state)
{
	struct rknpu_mem_create mc[16];

	for (int i = 0; i < 16; i++) {
		assert_int_equal(mem_create(*state, PAGE, 0, &mc[i]), 0);
		for (int j = 0; j < i; j++) {
			assert_int_not_equal(mc[i].handle, mc[j].handle);
			assert_int_not_equal(mc[i].obj_addr, mc[j].obj_addr);
			assert_int_not_equal(mc[i].dma_addr, mc[j].dma_addr);
		}
	}
	for (int i = 0; i < 16; i++)
		assert_int_equal(mem_destroy(*state, mc[i].handle), 0);
}

/* -------------------------------------------------------------- MEM_MAP */

static void mem_map_bad_handle(void **state)
{
	uint64_t off;

	assert_int_equal(mem_map(*state, 12345, &off), -ENOENT);
	assert_int_equal(mem_map(*state, 0, &off), -ENOENT);
}

static void mem_map_offset(void **state)
{
	struct rknpu_mem_create a, b;
	uint64_t oa, ob, oa2;

	assert_int_equal(mem_create(*state, PAGE, 0, &a), 0);
	assert_int_equal(mem_create(*state, PAGE, 0, &b), 0);
	assert_int_equal(mem_map(*state, a.handle, &oa), 0);
	assert_int_equal(mem_map(*state, b.handle, &ob), 0);
	assert_int_equal(mem_map(*state, a.handle, &oa2), 0);
	assert_true(oa >= 0x100000000ull); /* DRM's fake offsets start at 4 GiB */
	assert_int_equal(oa % PAGE, 0);
	assert_int_not_equal(oa, ob);
	assert_int_equal(oa, oa2); /* stable for the object's life */
	assert_int_equal(mem_destroy(*state, a.handle), 0);
	assert_int_equal(mem_destroy(*state, b.handle), 0);
}

static void mem_map_misc_einval(void **state)
{
	struct rknpu_mem_create mc;
	struct rknpu_mem_map m;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	m = (struct rknpu_mem_map){ .handle = mc.handle };
	/* The misc node never implemented MEM_MAP. */
	assert_int_equal(rnpu_ioctl(*state, IOCTL_RKNPU_MEM_MAP, &m), -EINVAL);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mmap_read_write(void **state)
{
	struct rknpu_mem_create mc;
	uint64_t off;
	uint32_t *p, *q;

	assert_int_equal(mem_create(*state, 4 * PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(*state, mc.handle, &off), 0);
	assert_int_equal(rnpu_mmap(*state, off, 4 * PAGE, (void **)&p), 0);
	assert_int_equal(rnpu_mmap(*state, off, 4 * PAGE, (void **)&q), 0);
	for (uint32_t i = 0; i < PAGE; i++)
		p[i] = i * 2654435761u;
	for (uint32_t i = 0; i < PAGE; i++)
		assert_int_equal(q[i], i * 2654435761u); /* both maps see one memory */
	munmap(p, 4 * PAGE);
	munmap(q, 4 * PAGE);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mmap_too_long(void **state)
{
	struct rknpu_mem_create mc;
	uint64_t off;
	void *p;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(*state, mc.handle, &off), 0);
	assert_int_equal(rnpu_mmap(*state, off, 2 * PAGE, &p), -EINVAL);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mmap_partial_offset(void **state)
{
	struct rknpu_mem_create mc;
	uint64_t off;
	void *p;

	assert_int_equal(mem_create(*state, 2 * PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(*state, mc.handle, &off), 0);
	/* Maps always start at the beginning of an object. */
	assert_int_equal(rnpu_mmap(*state, off + PAGE, PAGE, &p), -EINVAL);
	assert_int_equal(rnpu_mmap(*state, 0x1000, PAGE, &p), -EINVAL);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mmap_other_session(void **state)
{
	struct rknpu_mem_create mc;
	struct rnpu_dev *other;
	uint64_t off;
	void *p;

	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(*state, mc.handle, &off), 0);
	/* DRM: a file must hold a handle to map an object. */
	assert_int_equal(rnpu_mmap(other, off, PAGE, &p), -EACCES);
	rnpu_close(other);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

/* ---------------------------------------------------------- MEM_DESTROY */

static void mem_destroy_twice(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
	assert_int_equal(mem_destroy(*state, mc.handle), -EINVAL);
}

static void mem_destroy_bad_handle(void **state)
{
	assert_int_equal(mem_destroy(*state, 0), -EINVAL);
	assert_int_equal(mem_destroy(*state, 777), -EINVAL);
}

static void mem_destroy_ignores_obj_addr(void **state)
{
	struct rknpu_mem_create mc;
	struct rknpu_mem_destroy d;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	d = (struct rknpu_mem_destroy){ .handle = mc.handle, .obj_addr = 0xdeadbeef };
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_DESTROY, &d), 0);
}

static void close_with_mapped_bo(void **state)
{
	struct rknpu_mem_create mc;
	struct rnpu_dev *dev;
	uint64_t off;
	uint8_t *p;

	(void)state;
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	assert_int_equal(mem_create(dev, 2 * PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(dev, mc.handle, &off), 0);
	assert_int_equal(rnpu_mmap(dev, off, 2 * PAGE, (void **)&p), 0);
	memset(p, 0x5a, 2 * PAGE);
	rnpu_close(dev); /* the session goes; the mapping keeps its pages */
	for (size_t i = 0; i < 2 * PAGE; i++)
		assert_int_equal(p[i], 0x5a);
	munmap(p, 2 * PAGE);
}

static void destroy_while_mapped_isolated(void **state)
{
	enum { BUFS = 8 };
	struct rknpu_mem_create mc, other_mc[BUFS];
	struct rnpu_dev *other;
	uint64_t off;
	uint8_t *p, *q;

	/* A buffer destroyed while its owner still maps it must never be
	 * handed to another session: the stale mapping would read and write
	 * that session's data. */
	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(*state, mc.handle, &off), 0);
	assert_int_equal(rnpu_mmap(*state, off, PAGE, (void **)&p), 0);
	memset(p, 0x5a, PAGE);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
	for (int i = 0; i < BUFS; i++) {
		assert_int_equal(mem_create(other, PAGE, 0, &other_mc[i]), 0);
		assert_int_equal(mem_map(other, other_mc[i].handle, &off), 0);
		assert_int_equal(rnpu_mmap(other, off, PAGE, (void **)&q), 0);
		for (size_t j = 0; j < PAGE; j++)
			assert_int_equal(q[j], 0); /* new memory is zeroed */
		memset(q, 0xc3, PAGE);
		munmap(q, PAGE);
	}
	for (size_t j = 0; j < PAGE; j++)
		assert_int_equal(p[j], 0x5a);
	munmap(p, PAGE);
	for (int i = 0; i < BUFS; i++)
		assert_int_equal(mem_destroy(other, other_mc[i].handle), 0);
	rnpu_close(other);
}

static void handles_are_per_session(void **state)
{
	struct rknpu_mem_create mc;
	struct rnpu_dev *other;
	uint64_t off;

	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(other, mc.handle, &off), -ENOENT);
	assert_int_equal(mem_destroy(other, mc.handle), -EINVAL);
	assert_int_equal(mem_map(*state, mc.handle, &off), 0); /* still alive */
	rnpu_close(other);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

/* ------------------------------------------------------------- MEM_SYNC */

static int mem_sync(struct rnpu_dev *dev, uint64_t obj, uint32_t flags, uint64_t off,
		    uint64_t size)
{
	struct rknpu_mem_sync s = { .flags = flags, .obj_addr = obj, .offset = off, .size = size };

	return rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_SYNC, &s);
}

static void mem_sync_cacheable(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, 2 * PAGE, RKNPU_MEM_CACHEABLE, &mc), 0);
	assert_int_equal(mem_sync(*state, mc.obj_addr, RKNPU_MEM_SYNC_TO_DEVICE, 0, 2 * PAGE), 0);
	assert_int_equal(mem_sync(*state, mc.obj_addr, RKNPU_MEM_SYNC_FROM_DEVICE, 100, 200), 0);
	assert_int_equal(mem_sync(*state, mc.obj_addr, 3, PAGE, PAGE), 0);
	/* Neither direction: accepted and does nothing, as the vendor. */
	assert_int_equal(mem_sync(*state, mc.obj_addr, 0, 0, 1), 0);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mem_sync_non_cacheable(void **state)
{
	struct rknpu_mem_create mc;

	char addr[32];

	assert_int_equal(mem_create(*state, PAGE, RKNPU_MEM_WRITE_COMBINE, &mc), 0);
	assert_int_equal(mem_sync(*state, mc.obj_addr, RKNPU_MEM_SYNC_TO_DEVICE, 0, PAGE), -EINVAL);
	snprintf(addr, sizeof(addr), "obj_addr 0x%llx", (unsigned long long)mc.obj_addr);
	assert_true(log_has(addr, "not cacheable"));
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mem_sync_unknown_obj(void **state)
{
	assert_int_equal(mem_sync(*state, 0, 1, 0, 1), -EINVAL);
	assert_int_equal(mem_sync(*state, 0xffff888012345678ull, 1, 0, 1), -EINVAL);
	assert_true(log_has("unknown obj_addr", "0xffff888012345678"));
}

static void mem_sync_stale_obj(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, PAGE, RKNPU_MEM_CACHEABLE, &mc), 0);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
	assert_int_equal(mem_sync(*state, mc.obj_addr, 1, 0, PAGE), -EINVAL);
}

static void mem_sync_out_of_bounds(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, PAGE, RKNPU_MEM_CACHEABLE, &mc), 0);
	assert_int_equal(mem_sync(*state, mc.obj_addr, 1, 0, PAGE + 1), -EINVAL);
	assert_true(log_has("out of bounds", "size 4097"));
	assert_int_equal(mem_sync(*state, mc.obj_addr, 1, PAGE, 1), -EINVAL);
	assert_int_equal(mem_sync(*state, mc.obj_addr, 1, PAGE, 0), 0); /* empty at the end */
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void mem_sync_offset_overflow(void **state)
{
	struct rknpu_mem_create mc;

	assert_int_equal(mem_create(*state, PAGE, RKNPU_MEM_CACHEABLE, &mc), 0);
	/* offset + size wraps to a small number: must still be refused. */
	assert_int_equal(mem_sync(*state, mc.obj_addr, 1, 16, UINT64_MAX - 8), -EINVAL);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

/* ------------------------------------------------- GEM_CLOSE/FLINK/OPEN */

static void gem_close(void **state)
{
	struct rknpu_mem_create mc;
	struct rnpu_drm_gem_close c;
	uint64_t off;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	c = (struct rnpu_drm_gem_close){ .handle = mc.handle };
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GEM_CLOSE, &c), 0);
	assert_int_equal(mem_map(*state, mc.handle, &off), -ENOENT);
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GEM_CLOSE, &c), -EINVAL);
}

static void gem_flink_open(void **state)
{
	struct rknpu_mem_create mc, q;
	struct rnpu_drm_gem_flink f;
	struct rnpu_drm_gem_open o;
	struct rnpu_dev *other;

	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	assert_int_equal(mem_create(*state, 3 * PAGE, 0, &mc), 0);
	f = (struct rnpu_drm_gem_flink){ .handle = mc.handle };
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GEM_FLINK, &f), 0);
	assert_int_not_equal(f.name, 0);
	o = (struct rnpu_drm_gem_open){ .name = f.name };
	assert_int_equal(rnpu_ioctl(other, RNPU_DRM_IOCTL_GEM_OPEN, &o), 0);
	assert_int_equal(o.size, 3 * PAGE);
	memset(&q, 0, sizeof(q));
	q.handle = o.handle;
	assert_int_equal(rnpu_ioctl(other, DRM_IOCTL_RKNPU_MEM_CREATE, &q), 0);
	assert_int_equal(q.dma_addr, mc.dma_addr); /* the same object */
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
	/* The other session's handle keeps it alive. */
	assert_int_equal(rnpu_ioctl(other, DRM_IOCTL_RKNPU_MEM_CREATE, &q), 0);
	rnpu_close(other);
}

static void gem_flink_bad_handle(void **state)
{
	struct rnpu_drm_gem_flink f = { .handle = 999 };

	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GEM_FLINK, &f), -ENOENT);
}

static void gem_open_bad_name(void **state)
{
	struct rknpu_mem_create mc;
	struct rnpu_drm_gem_open o = { .name = 0 };

	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GEM_OPEN, &o), -ENOENT);
	o.name = 123456;
	assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GEM_OPEN, &o), -ENOENT);
	/* An object that exists but was never flinked has no name. */
	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	for (o.name = 1; o.name < 64; o.name++)
		assert_int_equal(rnpu_ioctl(*state, RNPU_DRM_IOCTL_GEM_OPEN, &o), -ENOENT);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

/* ---------------------------------------------------------------- PRIME */

static int prime_export(struct rnpu_dev *dev, uint32_t handle, uint32_t flags, int *fd)
{
	struct rnpu_drm_prime_handle p = { .handle = handle, .flags = flags, .fd = -1 };
	int ret = rnpu_ioctl(dev, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	*fd = p.fd;
	return ret;
}

static int prime_import(struct rnpu_dev *dev, int fd, uint32_t *handle)
{
	struct rnpu_drm_prime_handle p = { .fd = fd };
	int ret = rnpu_ioctl(dev, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	*handle = p.handle;
	return ret;
}

static void prime_same_session(void **state)
{
	struct rknpu_mem_create mc;
	uint32_t h;
	int fd;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(prime_export(*state, mc.handle, RNPU_DRM_CLOEXEC | RNPU_DRM_RDWR, &fd), 0);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(prime_import(*state, fd, &h), 0);
	assert_int_equal(h, mc.handle); /* its own export comes back as itself */
	close(fd);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void prime_other_session(void **state)
{
	struct rknpu_mem_create mc, q;
	struct rnpu_dev *other;
	uint64_t off;
	uint32_t h, *p;
	int fd;

	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(mem_map(*state, mc.handle, &off), 0);
	assert_int_equal(rnpu_mmap(*state, off, PAGE, (void **)&p), 0);
	p[7] = 0xcafef00d;
	assert_int_equal(prime_export(*state, mc.handle, RNPU_DRM_CLOEXEC, &fd), 0);
	assert_int_equal(prime_import(other, fd, &h), 0);
	close(fd);
	memset(&q, 0, sizeof(q));
	q.handle = h;
	assert_int_equal(rnpu_ioctl(other, DRM_IOCTL_RKNPU_MEM_CREATE, &q), 0);
	assert_int_equal(q.dma_addr, mc.dma_addr);
	assert_int_equal(q.obj_addr, mc.obj_addr);
	munmap(p, PAGE);
	assert_int_equal(mem_map(other, h, &off), 0);
	assert_int_equal(rnpu_mmap(other, off, PAGE, (void **)&p), 0);
	assert_int_equal(p[7], 0xcafef00d);
	munmap(p, PAGE);
	rnpu_close(other);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void prime_bad_flags(void **state)
{
	struct rknpu_mem_create mc;
	int fd;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	assert_int_equal(prime_export(*state, mc.handle, 0x4, &fd), -EINVAL);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void prime_bad_handle(void **state)
{
	int fd;

	assert_int_equal(prime_export(*state, 4242, RNPU_DRM_CLOEXEC, &fd), -ENOENT);
}

static void prime_bad_fd(void **state)
{
	uint32_t h;
	int pipefd[2];

	assert_int_equal(prime_import(*state, -1, &h), -EBADF);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(prime_import(*state, pipefd[0], &h), -EINVAL); /* not a dma-buf */
	close(pipefd[0]);
	close(pipefd[1]);
}

static void prime_import_foreign(void **state)
{
	UAPI_SIM_ONLY("a memfd taken as a foreign dma-buf (on Linux a memfd is none)");

	struct rknpu_mem_create q;
	struct rknpu_mem_sync s;
	uint64_t off;
	uint32_t h, *p;
	int fd = memfd_create("foreign", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 2 * PAGE), 0);
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	p[3] = 77;
	assert_int_equal(prime_import(*state, fd, &h), 0);
	memset(&q, 0, sizeof(q));
	q.handle = h;
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_CREATE, &q), 0);
	assert_int_equal(q.size, 2 * PAGE);
	assert_int_not_equal(q.dma_addr, 0);
	/* Imported objects: no MEM_MAP, no MEM_SYNC (never cacheable). */
	assert_int_equal(mem_map(*state, h, &off), -EINVAL);
	s = (struct rknpu_mem_sync){ .flags = 1, .obj_addr = q.obj_addr, .size = PAGE };
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_SYNC, &s), -EINVAL);
	assert_int_equal(mem_destroy(*state, h), 0);
	assert_int_equal(p[3], 77); /* the exporter's memory is untouched */
	munmap(p, 2 * PAGE);
	close(fd);
}

/* --------------------------------------------------------------- ACTION */

static void action_expect(struct rnpu_dev *dev, uint32_t code, int err, uint32_t in,
			  uint32_t expected)
{
	uint32_t v = in;

	assert_int_equal(action(dev, code, &v), err);
	if (!err)
		assert_int_equal(v, expected);
}

static void action_hw_version(void **state)
{
	action_expect(*state, RKNPU_GET_HW_VERSION, 0, 0, 0x46495245);
}

static void action_drv_version(void **state)
{
	action_expect(*state, RKNPU_GET_DRV_VERSION, 0, 0, 908);
}

static void action_get_freq(void **state)
{
	UAPI_SIM_ONLY("the software NPU's clock (a kernel node without a clock answers 0)");
	action_expect(*state, RKNPU_GET_FREQ, 0, 0, 1000000000u);
}

static void action_get_volt(void **state)
{
	UAPI_SIM_ONLY("the software NPU's rail (a kernel node without a supply answers 0)");
	action_expect(*state, RKNPU_GET_VOLT, 0, 0, 825000);
}

static void action_set_freq_einval(void **state)
{
	action_expect(*state, RKNPU_SET_FREQ, -EINVAL, 500000000, 0);
}

static void action_set_volt_einval(void **state)
{
	action_expect(*state, RKNPU_SET_VOLT, -EINVAL, 700000, 0);
}

static void action_bw_einval(void **state)
{
	for (uint32_t code = RKNPU_GET_BW_PRIORITY; code <= RKNPU_SET_BW_TW; code++)
		action_expect(*state, code, -EINVAL, 1, 0);
}

static void action_rw_amount_unsupported(void **state)
{
	/* No counters on RK3588: 0, a warning, and value left as passed. */
	action_expect(*state, RKNPU_ACT_CLR_TOTAL_RW_AMOUNT, 0, 5, 5);
	assert_true(log_has("Clear rw_amount is not supported on this device!", NULL));
	for (uint32_t code = RKNPU_GET_DT_WR_AMOUNT; code <= RKNPU_GET_WT_RD_AMOUNT; code++)
		action_expect(*state, code, 0, 0x1234, 0x1234);
	assert_true(log_has("Get rw_amount is not supported on this device!", NULL));
	action_expect(*state, RKNPU_GET_TOTAL_RW_AMOUNT, 0, 99, 99);
	assert_true(log_has("Get total_rw_amount is not supported on this device!", NULL));
}

static void action_iommu_en(void **state)
{
	action_expect(*state, RKNPU_GET_IOMMU_EN, 0, 7, 0);
}

static void action_proc_nice(void **state)
{
	action_expect(*state, RKNPU_SET_PROC_NICE, 0, 0, 0);
}

static void action_power_einval(void **state)
{
	action_expect(*state, RKNPU_POWER_ON, -EINVAL, 0, 0);
	action_expect(*state, RKNPU_POWER_OFF, -EINVAL, 0, 0);
}

static void action_sram_sizes(void **state)
{
	action_expect(*state, RKNPU_GET_TOTAL_SRAM_SIZE, 0, 3, 0);
	action_expect(*state, RKNPU_GET_FREE_SRAM_SIZE, 0, 3, 0);
}

static void action_iommu_domain(void **state)
{
	action_expect(*state, RKNPU_GET_IOMMU_DOMAIN_ID, 0, 9, 0);
	action_expect(*state, RKNPU_SET_IOMMU_DOMAIN_ID, 0, 3, 3);
	action_expect(*state, RKNPU_SET_IOMMU_DOMAIN_ID, -EINVAL, 16, 0);
	action_expect(*state, RKNPU_SET_IOMMU_DOMAIN_ID, -EINVAL, (uint32_t)-1, 0);
}

static void action_unknown(void **state)
{
	action_expect(*state, 26, -EINVAL, 0, 0);
	action_expect(*state, 0xffffffff, -EINVAL, 0, 0);
}

static void action_misc_numbering(void **state)
{
	struct rknpu_action a = { .flags = RKNPU_GET_DRV_VERSION };

	assert_int_equal(rnpu_ioctl(*state, IOCTL_RKNPU_ACTION, &a), 0);
	assert_int_equal(a.value, 908);
}

static void action_reset(void **state)
{
	UAPI_SIM_ONLY("the six reset lines of the software NPU");
	action_expect(*state, RKNPU_ACT_RESET, 0, 0, 0);
	assert_true(log_has("soft reset, num: 6", NULL));
	/* The NPU answers normally afterwards. */
	action_expect(*state, RKNPU_GET_HW_VERSION, 0, 0, 0x46495245);
}

/* --------------------------------------------------------------- SUBMIT */

static int submit_raw(struct rnpu_dev *dev, struct rknpu_submit *s)
{
	return rnpu_ioctl(dev, DRM_IOCTL_RKNPU_SUBMIT, s);
}

/* A submit that passes validation when nothing else is wrong. */
static void submit_base(struct rknpu_submit *s, uint64_t task_obj, uint32_t ntasks)
{
	memset(s, 0, sizeof(*s));
	s->flags = RKNPU_JOB_PC;
	s->timeout = 6000;
	s->task_number = ntasks;
	s->task_obj_addr = task_obj;
	s->fence_fd = -1;
	for (int i = 0; i < 3; i++)
		s->subcore_task[i] = (struct rknpu_subcore_task){ 0, ntasks };
}

static void submit_task_number_0(void **state)
{
	struct rknpu_submit s;

	submit_base(&s, 1, 1);
	s.task_number = 0;
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("invalid rknpu task number!", NULL));
}

static void submit_core_mask_8(void **state)
{
	struct rknpu_submit s;

	submit_base(&s, 1, 1);
	s.core_mask = 8;
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("invalid rknpu core mask: 0x8", NULL));
}

static void submit_core_mask_5_6(void **state)
{
	struct rknpu_submit s;

	/* The vendor accepts these and then hangs; rnpu refuses them. */
	submit_base(&s, 1, 1);
	s.core_mask = 5;
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("unsupported rknpu core mask: 0x5", NULL));
	s.core_mask = 6;
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
}

static void submit_not_pc_mode(void **state)
{
	struct rknpu_submit s;

	submit_base(&s, 1, 1);
	s.flags = 0;
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
}

static void submit_bad_task_obj(void **state)
{
	struct rknpu_submit s;

	submit_base(&s, 0xffffff8000001234ull, 1);
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("invalid task object", "0xffffff8000001234"));
	submit_base(&s, 0, 1);
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
}

static void submit_foreign_task_obj(void **state)
{
	struct rknpu_mem_create mc;
	struct rknpu_submit s;
	struct rnpu_dev *other;
	uint32_t *words;
	uint64_t off;

	/* obj_addr cookies are device-wide: another session's task list is
	 * refused (the driver would write int_status back into it). */
	assert_int_equal(rnpu_open(uapi_device(), &other), 0);
	assert_int_equal(mem_create(other, PAGE, RKNPU_MEM_KERNEL_MAPPING, &mc), 0);
	assert_int_equal(mem_map(other, mc.handle, &off), 0);
	assert_int_equal(rnpu_mmap(other, off, PAGE, (void **)&words), 0);
	memset(words, 0x11, PAGE);
	submit_base(&s, mc.obj_addr, 1);
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("is not held by session", NULL));
	for (size_t i = 0; i < PAGE / 4; i++)
		assert_int_equal(words[i], 0x11111111u);
	munmap(words, PAGE);
	assert_int_equal(mem_destroy(other, mc.handle), 0);
	rnpu_close(other);
}

static void submit_task_bo_without_kernel_mapping(void **state)
{
	struct rknpu_mem_create mc;
	struct rknpu_submit s;

	assert_int_equal(mem_create(*state, PAGE, 0, &mc), 0);
	submit_base(&s, mc.obj_addr, 1);
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("no kernel mapping", NULL));
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void submit_range_beyond_task_bo(void **state)
{
	struct rknpu_mem_create mc;
	struct rknpu_submit s;

	/* One page holds 102 tasks of 40 bytes. */
	assert_int_equal(mem_create(*state, PAGE, RKNPU_MEM_KERNEL_MAPPING, &mc), 0);
	submit_base(&s, mc.obj_addr, 103);
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("exceed the task buffer of 102 tasks", NULL));
	submit_base(&s, mc.obj_addr, 1);
	s.subcore_task[0].task_start = 0xffffffff; /* start + number wraps */
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

static void submit_subcore_number_0(void **state)
{
	struct rknpu_mem_create mc;
	struct rknpu_submit s;

	assert_int_equal(mem_create(*state, PAGE, RKNPU_MEM_KERNEL_MAPPING, &mc), 0);
	submit_base(&s, mc.obj_addr, 1);
	s.core_mask = RKNPU_CORE1_MASK;
	s.subcore_task[1].task_number = 0; /* core 1 reads slot 1 */
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("core 1: subcore_task task_number is 0", NULL));
	assert_int_equal(mem_destroy(*state, mc.handle), 0);
}

/* The smallest real job: an int8 matmul 1 x 32 x 16. */
static void check_small_matmul(struct rnpu_dev *dev, uint32_t core_mask, uint32_t expect_core)
{
	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	int8_t a[32], b[32 * 16];
	int32_t c[16];
	struct rknpu_task *tasks;

	for (int i = 0; i < 32; i++)
		a[i] = (int8_t)(i - 16);
	for (int i = 0; i < 32 * 16; i++)
		b[i] = (int8_t)((i * 7) % 19 - 9);
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, 1, 32, 16, 0, &job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_matmul_job_run(job, core_mask, &req), 0);
	assert_int_equal(req.task_counter, 1);
	assert_int_equal(req.core_mask_used, expect_core);
	assert_true(req.hw_elapse_ns > 0);
	assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
	for (int n = 0; n < 16; n++) {
		int32_t ref = 0;

		for (int k = 0; k < 32; k++)
			ref += a[k] * b[k * 16 + n];
		assert_int_equal(c[n], ref);
	}
	/* The driver writes the IRQ status back into the last task. */
	assert_int_equal(rnpu_bo_map(job->task, (void **)&tasks), 0);
	assert_int_not_equal(tasks[0].int_status & 0x300, 0);
	rnpu_matmul_job_destroy(job);
}

static void submit_core0(void **state)
{
	UAPI_SIM_ONLY("the product it checks is computed by the NPU");
	check_small_matmul(*state, RKNPU_CORE0_MASK, RKNPU_CORE0_MASK);
}

static void submit_core1(void **state)
{
	UAPI_SIM_ONLY("the product it checks is computed by the NPU");
	check_small_matmul(*state, RKNPU_CORE1_MASK, RKNPU_CORE1_MASK);
}

static void submit_core2(void **state)
{
	UAPI_SIM_ONLY("the product it checks is computed by the NPU");
	check_small_matmul(*state, RKNPU_CORE2_MASK, RKNPU_CORE2_MASK);
}

static void submit_auto_idle_core0(void **state)
{
	UAPI_SIM_ONLY("the product it checks is computed by the NPU");
	/* AUTO on an idle NPU always takes core 0 (least loaded, lowest). */
	check_small_matmul(*state, RKNPU_CORE_AUTO_MASK, RKNPU_CORE0_MASK);
}

static void submit_chain_pc_tail(void **state)
{
	UAPI_SIM_ONLY("the products it checks are computed by the NPU");

	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	enum { M = 12, K = 64, N = 32 };
	int8_t a[M * K], b[K * N];
	int32_t c[M * N];

	for (int i = 0; i < M * K; i++)
		a[i] = (int8_t)((i * 31) % 255 - 127);
	for (int i = 0; i < K * N; i++)
		b[i] = (int8_t)((i * 17) % 251 - 125);
	/* Tiles of 4 rows: three tasks linked through the PC tail words. */
	assert_int_equal(rnpu_matmul_job_create(*state, RNPU_MM_INT8_INT32, M, K, N, 4, &job), 0);
	assert_int_equal(job->num_tasks, 3);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE2_MASK, &req), 0);
	assert_int_equal(req.task_counter, 3);
	assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
	for (int m = 0; m < M; m++)
		for (int n = 0; n < N; n++) {
			int32_t ref = 0;

			for (int k = 0; k < K; k++)
				ref += a[m * K + k] * b[k * N + n];
			assert_int_equal(c[m * N + n], ref);
		}
	rnpu_matmul_job_destroy(job);
}

static void submit_chunking_over_4095(void **state)
{
	UAPI_SIM_ONLY("the products it checks are computed by the NPU");

	struct rnpu_matmul_job *job;
	struct rnpu_submit_req req;
	enum { M = 4100, K = 32, N = 16 };
	int8_t *a = malloc(M * K), b[K * N];
	int32_t *c = malloc(sizeof(int32_t) * M * N);

	for (int i = 0; i < M * K; i++)
		a[i] = (int8_t)(i % 7 - 3);
	for (int i = 0; i < K * N; i++)
		b[i] = (int8_t)(i % 5 - 2);
	/* One row per task: 4100 tasks, which the driver must issue as a
	 * chunk of 4095 and a chunk of 5. */
	assert_int_equal(rnpu_matmul_job_create(*state, RNPU_MM_INT8_INT32, M, K, N, 1, &job), 0);
	assert_int_equal(job->num_tasks, M);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, &req), 0);
	assert_int_equal(req.task_counter, M);
	assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
	for (int m = 0; m < M; m += 97)
		for (int n = 0; n < N; n++) {
			int32_t ref = 0;

			for (int k = 0; k < K; k++)
				ref += a[m * K + k] * b[k * N + n];
			assert_int_equal(c[m * N + n], ref);
		}
	for (int n = 0; n < N; n++) { /* the very last row, in the second chunk */
		int32_t ref = 0;

		for (int k = 0; k < K; k++)
			ref += a[(M - 1) * K + k] * b[k * N + n];
		assert_int_equal(c[(M - 1) * N + n], ref);
	}
	rnpu_matmul_job_destroy(job);
	free(a);
	free(c);
}

/* A task whose regcmd is all zero: the PC never finds an op-enable word,
 * so no interrupt comes, as on hardware. */
static void make_hanging_task(struct rnpu_dev *dev, struct rknpu_mem_create *task,
			      struct rknpu_mem_create *cmd)
{
	struct rknpu_task *t;
	uint64_t off;

	assert_int_equal(mem_create(dev, PAGE, RKNPU_MEM_ZEROING, cmd), 0);
	assert_int_equal(mem_create(dev, PAGE, RKNPU_MEM_KERNEL_MAPPING, task), 0);
	assert_int_equal(mem_map(dev, task->handle, &off), 0);
	assert_int_equal(rnpu_mmap(dev, off, PAGE, (void **)&t), 0);
	memset(t, 0, sizeof(*t));
	t->int_mask = 0x300;
	t->regcfg_amount = 12;
	t->regcmd_addr = cmd->dma_addr;
	munmap(t, PAGE);
}

static void submit_timeout_then_recover(void **state)
{
	UAPI_SIM_ONLY("a task list that hangs the NPU, and a product computed after the reset");

	struct rknpu_mem_create task, cmd;
	struct rknpu_submit s;

	make_hanging_task(*state, &task, &cmd);
	submit_base(&s, task.obj_addr, 1);
	s.timeout = 30;
	s.core_mask = RKNPU_CORE1_MASK;
	assert_int_equal(submit_raw(*state, &s), -ETIMEDOUT);
	assert_true(log_has("failed to wait job, task counter: 0", "ret = -110"));
	assert_true(log_has("core 1 irq status: 0, raw status: 0,", "task counter: 0, elapsed time:"));
	/* Only the hung core is reset: its two lines (srst_a1, srst_h1). */
	assert_true(log_has("soft reset, num: 2", NULL));
	assert_int_equal(mem_destroy(*state, task.handle), 0);
	assert_int_equal(mem_destroy(*state, cmd.handle), 0);
	/* The reset brought the core back. */
	check_small_matmul(*state, RKNPU_CORE1_MASK, RKNPU_CORE1_MASK);
}

static void submit_unmapped_regcmd(void **state)
{
	struct rknpu_mem_create task, cmd;
	struct rknpu_submit s;
	struct rknpu_task *t;
	uint64_t off;

	/* The PC would fetch from an address the session does not own: the
	 * regcmd validator refuses the job before it runs and names the
	 * address (rnpu only; the vendor runs it into a DMA read error and a
	 * timeout). */
	make_hanging_task(*state, &task, &cmd);
	assert_int_equal(mem_map(*state, task.handle, &off), 0);
	assert_int_equal(rnpu_mmap(*state, off, PAGE, (void **)&t), 0);
	t->regcmd_addr = 0x40; /* in the reserved first megabyte */
	munmap(t, PAGE);
	submit_base(&s, task.obj_addr, 1);
	s.timeout = 30;
	s.core_mask = RKNPU_CORE2_MASK;
	assert_int_equal(submit_raw(*state, &s), -EINVAL);
	assert_true(log_has("regcmd validator", "at 0x40 is outside the session's buffers"));
	assert_int_equal(mem_destroy(*state, task.handle), 0);
	assert_int_equal(mem_destroy(*state, cmd.handle), 0);
	if (!uapi_on_kernel()) /* a product the NPU computes */
		check_small_matmul(*state, RKNPU_CORE2_MASK, RKNPU_CORE2_MASK);
}

struct destroy_race {
	struct rnpu_dev *dev;
	struct rnpu_matmul_job *job;
	int ret;
};

static void *run_job_thread(void *arg)
{
	struct destroy_race *r = arg;

	r->ret = rnpu_matmul_job_run(r->job, RKNPU_CORE0_MASK, NULL);
	return NULL;
}

static void destroy_task_bo_while_queued(void **state)
{
	UAPI_SIM_ONLY("the software NPU's start counter");

	enum { M = 256, K = 1024, N = 512 };
	struct destroy_race r = { .dev = *state };
	int8_t *a = calloc(M * K, 1), *b = calloc(K * N, 1);
	struct rknpu_mem_destroy d;
	pthread_t t;

	/* A job that takes a while; destroy the task handle during it. The
	 * job's reference keeps the task list alive. */
	struct rk3588_sim_core_stats st;
	struct rnpu_host *host;
	uint64_t starts;
	int spins = 0;

	assert_int_equal(rnpu_matmul_job_create(*state, RNPU_MM_INT8_INT32, M, K, N, 0, &r.job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(r.job, a, b), 0);
	assert_int_equal(rnpu_host_get_default(&host), 0);
	rk3588_sim_get_stats(rnpu_host_sim(host), 0, &st);
	starts = st.starts;
	assert_int_equal(pthread_create(&t, NULL, run_job_thread, &r), 0);
	/* Destroy only once the hardware has taken the job (bounded wait). */
	do {
		usleep(100);
		rk3588_sim_get_stats(rnpu_host_sim(host), 0, &st);
	} while (st.starts == starts && ++spins < 50000);
	rnpu_host_put_default(host);
	assert_int_not_equal(st.starts, starts);
	d = (struct rknpu_mem_destroy){ .handle = rnpu_bo_handle(r.job->task) };
	assert_int_equal(rnpu_ioctl(*state, DRM_IOCTL_RKNPU_MEM_DESTROY, &d), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.ret, 0);
	free(a);
	free(b);
	rnpu_matmul_job_destroy(r.job); /* its task handle is already gone */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(version_strings),
		T(version_length_query),
		T(version_short_buffer),
		T(version_bad_pointer),
		T(get_unique),
		T(kms_ioctl_eopnotsupp),
		T(unknown_driver_ioctl),
		T(misc_unknown_nr),
		T(open_missing_node),
		T(open_not_rknpu),
		T(ioctl_bad_arg_pointer),
		T(mem_create_basic),
		T(mem_create_size_0),
		T(mem_create_too_large),
		T(mem_create_page_rounding),
		T(mem_create_32_bytes),
		T(mem_create_40_bytes),
		T(mem_create_48_bytes),
		T(mem_create_misc_numbering),
		T(mem_create_existing_handle),
		T(mem_create_zeroing),
		T(mem_create_bad_domain),
		T(mem_create_noncontig_fallback),
		T(mem_create_sram_fallback),
		T(mem_create_handles_distinct),
		T(mem_map_bad_handle),
		T(mem_map_offset),
		T(mem_map_misc_einval),
		T(mmap_read_write),
		T(mmap_too_long),
		T(mmap_partial_offset),
		T(mmap_other_session),
		T(mem_destroy_twice),
		T(mem_destroy_bad_handle),
		T(mem_destroy_ignores_obj_addr),
		T(close_with_mapped_bo),
		T(destroy_while_mapped_isolated),
		T(handles_are_per_session),
		T(mem_sync_cacheable),
		T(mem_sync_non_cacheable),
		T(mem_sync_unknown_obj),
		T(mem_sync_stale_obj),
		T(mem_sync_out_of_bounds),
		T(mem_sync_offset_overflow),
		T(gem_close),
		T(gem_flink_open),
		T(gem_flink_bad_handle),
		T(gem_open_bad_name),
		T(prime_same_session),
		T(prime_other_session),
		T(prime_bad_flags),
		T(prime_bad_handle),
		T(prime_bad_fd),
		T(prime_import_foreign),
		T(action_hw_version),
		T(action_drv_version),
		T(action_get_freq),
		T(action_get_volt),
		T(action_set_freq_einval),
		T(action_set_volt_einval),
		T(action_bw_einval),
		T(action_rw_amount_unsupported),
		T(action_iommu_en),
		T(action_proc_nice),
		T(action_power_einval),
		T(action_sram_sizes),
		T(action_iommu_domain),
		T(action_unknown),
		T(action_misc_numbering),
		T(action_reset),
		T(submit_task_number_0),
		T(submit_core_mask_8),
		T(submit_core_mask_5_6),
		T(submit_not_pc_mode),
		T(submit_bad_task_obj),
		T(submit_foreign_task_obj),
		T(submit_task_bo_without_kernel_mapping),
		T(submit_range_beyond_task_bo),
		T(submit_subcore_number_0),
		T(submit_core0),
		T(submit_core1),
		T(submit_core2),
		T(submit_auto_idle_core0),
		T(submit_chain_pc_tail),
		T(submit_chunking_over_4095),
		T(submit_timeout_then_recover),
		T(submit_unmapped_regcmd),
		T(destroy_task_bo_while_queued),
	};

	return cmocka_run_group_tests_name("uapi", tests, NULL, NULL);
}
