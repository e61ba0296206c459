// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * On-chip SRAM (IOMMU mode, 192 KiB of SRAM): RKNPU_MEM_TRY_ALLOC_SRAM puts
 * SRAM in front of an object (up to its size, or the caller's sram_size),
 * falls back to memory alone when SRAM is short or fragmented, reports the
 * total and free sizes, frees the chunks with the object or the session,
 * and the debugfs "mm" text matches the vendor's format byte for byte. A
 * matmul writing its output through an SRAM-backed object is correct.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rknpu_device.h"
#include "rnpu/matmul_job.h"
#include "rnpu_host.h"
#include "uapi_util.h"

#define SRAM_BYTES (48u * 4096u)
#define KB 1024u

struct fixture {
	struct rnpu_dev *dev;
	struct rnpu_host *host;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || rnpu_open("sim", &f->dev) || rnpu_host_get_default(&f->host))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rnpu_host_put_default(f->host);
	rnpu_close(f->dev);
	free(f);
	return 0;
}

static uint32_t sram_free(struct rnpu_dev *dev)
{
	uint32_t v = 0;

	assert_int_equal(action(dev, RKNPU_GET_FREE_SRAM_SIZE, &v), 0);
	return v;
}

static void create_sram(struct rnpu_dev *dev, uint64_t size, uint64_t sram_size,
			struct rknpu_mem_create *out)
{
	memset(out, 0, sizeof(*out));
	out->size = size;
	out->sram_size = sram_size;
	out->flags = RKNPU_MEM_TRY_ALLOC_SRAM;
	assert_int_equal(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_CREATE, out), 0);
}

static void mm_text_is(struct fixture *f, const char *expected)
{
	char buf[1024];
	size_t n = rknpu_debug_mm_show(rnpu_host_device(f->host), buf, sizeof(buf));

	assert_string_equal(buf, expected);
	assert_int_equal(n, strlen(expected));
}

static void sram_sizes(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0;

	assert_int_equal(action(f->dev, RKNPU_GET_TOTAL_SRAM_SIZE, &v), 0);
	assert_int_equal(v, SRAM_BYTES);
	assert_int_equal(sram_free(f->dev), SRAM_BYTES);
	mm_text_is(f, "SRAM bitmap: \"*\" - used, \".\" - free (1bit = 4KB)\n"
		      "[000] [................................]\n"
		      "[001] [................]\n"
		      "SRAM total size: 196608, used: 0, free: 196608\n");
}

static void sram_alloc_and_free(void **state)
{
	struct fixture *f = *state;
	struct rknpu_mem_create a, b;

	/* sram_size 0: as much as the object. */
	create_sram(f->dev, 16 * KB, 0, &a);
	assert_int_equal(a.size, 16 * KB);
	assert_int_equal(a.sram_size, 16 * KB);
	/* A smaller sram_size (rounded up to a page) limits the SRAM part. */
	create_sram(f->dev, 64 * KB, 5000, &b);
	assert_int_equal(b.size, 64 * KB);
	assert_int_equal(b.sram_size, 8 * KB);
	assert_int_equal(sram_free(f->dev), SRAM_BYTES - 24 * KB);
	mm_text_is(f, "SRAM bitmap: \"*\" - used, \".\" - free (1bit = 4KB)\n"
		      "[000] [******..........................]\n"
		      "[001] [................]\n"
		      "SRAM total size: 196608, used: 24576, free: 172032\n");
	/* The chunks go with the object. */
	assert_int_equal(mem_destroy(f->dev, a.handle), 0);
	assert_int_equal(sram_free(f->dev), SRAM_BYTES - 8 * KB);
	mm_text_is(f, "SRAM bitmap: \"*\" - used, \".\" - free (1bit = 4KB)\n"
		      "[000] [....**..........................]\n"
		      "[001] [................]\n"
		      "SRAM total size: 196608, used: 8192, free: 188416\n");
	assert_int_equal(mem_destroy(f->dev, b.handle), 0);
	assert_int_equal(sram_free(f->dev), SRAM_BYTES);
}

static void sram_fallback(void **state)
{
	struct fixture *f = *state;
	struct rknpu_mem_create x1, x2, x3, big, frag, none;

	create_sram(f->dev, 8 * KB, 0, &x1);         /* chunks 0..1 */
	create_sram(f->dev, 8 * KB, 0, &x2);         /* chunks 2..3 */
	create_sram(f->dev, 1024 * KB, 168 * KB, &x3); /* chunks 4..45 */
	assert_int_equal(x3.sram_size, 168 * KB);
	/* Less SRAM free than asked: it gets what is free. */
	create_sram(f->dev, 64 * KB, 0, &big);       /* chunks 46..47 */
	assert_int_equal(big.sram_size, 8 * KB);
	assert_int_equal(big.size, 64 * KB);
	/* None free: memory only. */
	create_sram(f->dev, 16 * KB, 0, &none);
	assert_int_equal(none.sram_size, 0);
	assert_int_equal(none.size, 16 * KB);
	/* Free but fragmented (0..1 and 46..47): the allocation fails, the
	 * object lives in memory, and the log says why. */
	assert_int_equal(mem_destroy(f->dev, x1.handle), 0);
	assert_int_equal(mem_destroy(f->dev, big.handle), 0);
	assert_int_equal(sram_free(f->dev), 16 * KB);
	log_capture_start();
	create_sram(f->dev, 16 * KB, 0, &frag);
	assert_int_equal(frag.sram_size, 0);
	assert_true(log_has("mm allocate 16384 failed", "free size: 16384"));
	log_capture_stop();
	mm_text_is(f, "SRAM bitmap: \"*\" - used, \".\" - free (1bit = 4KB)\n"
		      "[000] [..******************************]\n"
		      "[001] [**************..]\n"
		      "SRAM total size: 196608, used: 180224, free: 16384\n");
	assert_int_equal(mem_destroy(f->dev, x2.handle), 0);
	assert_int_equal(mem_destroy(f->dev, x3.handle), 0);
	assert_int_equal(mem_destroy(f->dev, none.handle), 0);
	assert_int_equal(mem_destroy(f->dev, frag.handle), 0);
	assert_int_equal(sram_free(f->dev), SRAM_BYTES);
}

static void sram_freed_with_session(void **state)
{
	struct fixture *f = *state;
	struct rknpu_mem_create a, b;
	struct rnpu_dev *other;

	assert_int_equal(rnpu_open("sim", &other), 0);
	create_sram(other, 32 * KB, 0, &a);
	create_sram(other, 32 * KB, 0, &b);
	assert_int_equal(sram_free(f->dev), SRAM_BYTES - 64 * KB);
	rnpu_close(other); /* without destroying either */
	assert_int_equal(sram_free(f->dev), SRAM_BYTES);
}

/* Rewrites the DPU output address of the job's program. */
static void patch_dst(struct rnpu_matmul_job *job, uint32_t value)
{
	uint64_t *w;
	unsigned int n = 0;

	assert_int_equal(rnpu_bo_map(job->regcmd, (void **)&w), 0);
	for (size_t i = 0; i < rnpu_bo_size(job->regcmd) / 8; i++)
		if (rk3588_regcmd_target(w[i]) == RK3588_TARGET_DPU &&
		    rk3588_regcmd_offset(w[i]) == REG_DPU_DST_BASE_ADDR) {
			w[i] = rk3588_regcmd(RK3588_TARGET_DPU, REG_DPU_DST_BASE_ADDR, value);
			n++;
		}
	assert_true(n > 0);
}

static void sram_npu_writes_through_sram(void **state)
{
	struct fixture *f = *state;
	enum { M = 16, K = 64, N = 32 };
	struct rnpu_matmul_job *job;
	struct rknpu_mem_create out;
	int8_t a[M * K], b[K * N];
	int32_t c[M * N], *c_map;
	uint64_t off;
	void *map;

	for (int i = 0; i < M * K; i++)
		a[i] = (int8_t)(i * 5 % 97 - 48);
	for (int i = 0; i < K * N; i++)
		b[i] = (int8_t)(i * 11 % 89 - 44);
	assert_int_equal(rnpu_matmul_job_create(f->dev, RNPU_MM_INT8_INT32, M, K, N, 0, &job), 0);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	create_sram(f->dev, rnpu_bo_size(job->c), 0, &out);
	assert_int_equal(out.sram_size, rnpu_bo_size(job->c));
	patch_dst(job, (uint32_t)out.dma_addr);
	assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, NULL), 0);

	/* The CPU mapping shows the SRAM the NPU wrote; unpack it through
	 * the library by copying into the job's own C buffer. */
	assert_int_equal(mem_map(f->dev, out.handle, &off), 0);
	assert_int_equal(rnpu_mmap(f->dev, off, out.size, &map), 0);
	assert_int_equal(rnpu_bo_map(job->c, (void **)&c_map), 0);
	memcpy(c_map, map, out.size);
	munmap(map, out.size);
	assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
	for (int r = 0; r < M; r++)
		for (int col = 0; col < N; col++) {
			int32_t ref = 0;

			for (int l = 0; l < K; l++)
				ref += a[r * K + l] * b[l * N + col];
			assert_int_equal(c[r * N + col], ref);
		}
	assert_int_equal(mem_destroy(f->dev, out.handle), 0);
	rnpu_matmul_job_destroy(job);
}

static void sram_mm_empty_without_sram(void **state)
{
	struct rnpu_host_config cfg;
	struct rnpu_host *h;
	char buf[64] = "x";

	(void)state;
	rnpu_host_default_config(&cfg);
	cfg.sram_size = 0;
	assert_int_equal(rnpu_host_create(&cfg, &h), 0);
	assert_int_equal(rknpu_debug_mm_show(rnpu_host_device(h), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	rnpu_host_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sram_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(sram_alloc_and_free, setup, teardown),
		cmocka_unit_test_setup_teardown(sram_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(sram_freed_with_session, setup, teardown),
		cmocka_unit_test_setup_teardown(sram_npu_writes_through_sram, setup, teardown),
		cmocka_unit_test(sram_mm_empty_without_sram),
	};

	setenv("RNPU_IOMMU", "1", 1);
	setenv("RNPU_SRAM_SIZE", "196608", 1);
	return cmocka_run_group_tests_name("sram", tests, NULL, NULL);
}
