// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * librknn_rnpu: every function's success path and each error code it
 * returns, the log line naming the offending field, memory semantics
 * (from_fd round trip, sync directions, destroy), dynamic shapes and
 * core masks, results checked against the CPU reference.
 */
#define _GNU_SOURCE /* memfd_create */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "rknn_matmul_api.h"
#include "rknn_rnpu.h"
#include "rnpu_ref.h"

static rknn_matmul_info info_of(int m, int k, int n, rknn_matmul_type t)
{
	rknn_matmul_info info;

	memset(&info, 0, sizeof(info));
	info.M = m;
	info.K = k;
	info.N = n;
	info.type = t;
	return info;
}

static void assert_logged(const char *needle)
{
	if (!strstr(rknn_rnpu_last_error(), needle))
		fail_msg("log \"%s\" does not name \"%s\"", rknn_rnpu_last_error(), needle);
}

static rknn_matmul_ctx make_ctx(int m, int k, int n, rknn_matmul_type t, rknn_matmul_io_attr *io)
{
	rknn_matmul_info info = info_of(m, k, n, t);
	rknn_matmul_ctx ctx = 0;

	assert_int_equal(rknn_matmul_create(&ctx, &info, io), RKNN_SUCC);
	assert_true(ctx != 0);
	return ctx;
}

static void test_create_errors(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx = 0;
	rknn_matmul_info info;

	(void)state;
	info = info_of(4, 64, 32, RKNN_INT8_MM_INT8_TO_INT32);
	assert_int_equal(rknn_matmul_create(NULL, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_create(&ctx, NULL, &io), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_create(&ctx, &info, NULL), RKNN_ERR_PARAM_INVALID);
	info = info_of(0, 64, 32, RKNN_INT8_MM_INT8_TO_INT32);
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("M = 0");
	/* int4 mixes other than int4 x int4 -> int16 stay refused. */
	{
		static const rknn_matmul_type mixes[] = {
			RKNN_FLOAT16_MM_INT4_TO_FLOAT32, RKNN_FLOAT16_MM_INT4_TO_FLOAT16,
			RKNN_INT8_MM_INT4_TO_INT32, RKNN_FLOAT16_MM_INT4_TO_BFLOAT16,
			RKNN_INT8_MM_INT4_TO_FLOAT16,
		};

		for (size_t i = 0; i < sizeof(mixes) / sizeof(mixes[0]); i++) {
			info = info_of(4, 64, 64, mixes[i]);
			assert_int_equal(rknn_matmul_create(&ctx, &info, &io),
					 RKNN_ERR_PARAM_INVALID);
			assert_logged(get_matmul_type_string(mixes[i]));
			assert_logged("int4 x int4 -> int16 only");
		}
	}
	/* int4: native layouts need N % 64; K beyond one segment. */
	info = info_of(4, 64, 32, RKNN_INT4_MM_INT4_TO_INT16);
	info.B_layout = RKNN_MM_LAYOUT_NATIVE;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("N % 64 == 0");
	info = info_of(4, 8224, 64, RKNN_INT4_MM_INT4_TO_INT16);
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("K = 8224 exceeds 8192");
	info = info_of(4, 64, 32, RKNN_FLOAT16_MM_INT8_TO_FLOAT32);
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("RKNN_FLOAT16_MM_INT8_TO_FLOAT32");
	info = info_of(4, 64, 32, (rknn_matmul_type)13);
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	info = info_of(4, 64, 32, RKNN_INT8_MM_INT8_TO_INT32);
	info.B_layout = 3;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->B_layout = 3");
	info.B_layout = 0;
	info.AC_layout = RKNN_MM_LAYOUT_TP_NORM;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->AC_layout = 2");
	info.AC_layout = RKNN_MM_LAYOUT_NATIVE;
	info.K = 48;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("K = 48");
	/* Per-channel B only for types 2 and 3; no B zero points; no
	 * per-group. */
	info = info_of(4, 64, 32, RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT32);
	info.B_quant_type = RKNN_QUANT_TYPE_PER_CHANNEL_SYM;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->B_quant_type = 2: per-channel B is only for types 2 and 3");
	info = info_of(4, 64, 32, RKNN_INT8_MM_INT8_TO_INT8);
	info.B_quant_type = RKNN_QUANT_TYPE_PER_LAYER_ASYM;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->B_quant_type = 1: B zero points");
	info.B_quant_type = RKNN_QUANT_TYPE_PER_CHANNEL_ASYM;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->B_quant_type = 3: B zero points");
	info.B_quant_type = RKNN_QUANT_TYPE_PER_GROUP_SYM;
	info.group_size = 32;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->B_quant_type = 4 (group_size 32): per-group B");
	info.B_quant_type = RKNN_QUANT_TYPE_PER_GROUP_ASYM;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->B_quant_type = 5");
	info.B_quant_type = 6;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->B_quant_type = 6 is not 0..5");
	info.B_quant_type = 0;
	info.group_size = 0;
	info.AC_quant_type = RKNN_QUANT_TYPE_PER_LAYER_ASYM;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("info->AC_quant_type = 1");
	info.AC_quant_type = 0;
	info.iommu_domain_id = 16;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_ERR_PARAM_INVALID);
	assert_logged("iommu_domain_id = 16");
}

static void test_io_attr(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_info info;
	rknn_matmul_ctx ctx;

	(void)state;
	/* The sizes the vendor runtime reports for this shape. */
	ctx = make_ctx(4, 64, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	assert_string_equal(io.A.name, "A");
	assert_string_equal(io.B.name, "B");
	assert_string_equal(io.C.name, "C");
	assert_int_equal(io.A.size, 256);
	assert_int_equal(io.B.size, 2048);
	assert_int_equal(io.C.size, 512);
	assert_int_equal(io.A.n_dims, 2);
	assert_int_equal(io.A.dims[0], 4);
	assert_int_equal(io.A.dims[1], 64);
	assert_int_equal(io.C.type, RKNN_TENSOR_INT32);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);

	info = info_of(1, 32, 16, RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT32);
	info.B_layout = RKNN_MM_LAYOUT_NATIVE;
	info.AC_layout = RKNN_MM_LAYOUT_NATIVE;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_SUCC);
	assert_int_equal(io.A.size, 64);
	assert_int_equal(io.B.size, 1024);
	assert_int_equal(io.C.size, 64);
	assert_int_equal(io.A.n_dims, 3);
	assert_int_equal(io.A.dims[0], 4); /* K / 8 */
	assert_int_equal(io.A.dims[2], 8);
	assert_int_equal(io.B.n_dims, 4);
	assert_int_equal(io.B.dims[0], 1); /* N / 16 */
	assert_int_equal(io.B.dims[2], 16);
	assert_int_equal(io.B.dims[3], 32);
	assert_int_equal(io.C.dims[2], 4);
	assert_int_equal(io.C.type, RKNN_TENSOR_FLOAT32);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

static void test_invalid_context(void **state)
{
	rknn_matmul_io_attr io;
	rknn_quant_params q;
	rknn_matmul_shape shape = { 1, 32, 16 };
	rknn_sdk_version v;
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *mem;

	(void)state;
	ctx = make_ctx(1, 32, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	mem = rknn_create_mem(ctx, io.A.size);
	assert_non_null(mem);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
	/* Every call on a destroyed (stale) context. */
	memset(&q, 0, sizeof(q));
	strcpy(q.name, "A");
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, mem, &io.A), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_matmul_set_core_mask(ctx, RKNN_NPU_CORE_0), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, NULL), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_matmul_set_dynamic_shape(ctx, &shape), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_SDK_VERSION, &v, sizeof(v)),
			 RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_matmul_run(0), RKNN_ERR_CTX_INVALID);
	assert_null(rknn_create_mem(ctx, 64));
	assert_int_equal(rknn_mem_sync(ctx, mem, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_ERR_CTX_INVALID);
	/* Memory outlives its context and is freed through none. */
	assert_int_equal(rknn_destroy_mem(0, mem), RKNN_SUCC);
}

static void test_query(void **state)
{
	rknn_matmul_io_attr io;
	rknn_sdk_version v;
	rknn_mem_size ms;
	rknn_matmul_ctx ctx;
	uint32_t old_form[2] = { 0xdead, 0xdead };

	(void)state;
	ctx = make_ctx(2, 64, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_SDK_VERSION, &v, sizeof(v)), RKNN_SUCC);
	assert_memory_equal(v.api_version, "2.3.2 (", 7);
	assert_string_equal(v.drv_version, "0.9.8");
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_SDK_VERSION, &v, sizeof(v) - 1),
			 RKNN_ERR_PARAM_INVALID);
	assert_logged("info_len(511)");
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_SDK_VERSION, NULL, sizeof(v)),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_CMD_MAX, &v, sizeof(v)), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_query(ctx, (rknn_query_cmd)-1, &v, sizeof(v)), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_IN_OUT_NUM, &v, sizeof(v)),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_MEM_SIZE, &ms, 4), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_MEM_SIZE, &ms, sizeof(ms)), RKNN_SUCC);
	assert_int_equal(ms.total_sram_size, 0);
	assert_int_equal(rknn_query(ctx, RKNN_QUERY_MEM_SIZE, old_form, 8), RKNN_SUCC);
	assert_int_equal(old_form[0], ms.total_weight_size);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

/* Binds fresh memory for A, B, C of a normal-layout int8 context, runs,
 * and compares with the reference. */
static void run_int8_checked(rknn_matmul_ctx ctx, const rknn_matmul_io_attr *io, int m, int k,
			     int n, uint64_t seed)
{
	rknn_tensor_mem *a = rknn_create_mem(ctx, io->A.size);
	rknn_tensor_mem *b = rknn_create_mem(ctx, io->B.size);
	rknn_tensor_mem *c = rknn_create_mem(ctx, io->C.size);
	int32_t *want = malloc((size_t)m * n * 4);
	struct ref_rng r;

	assert_non_null(c);
	ref_rng_seed(&r, seed);
	ref_fill_i8(&r, a->virt_addr, (size_t)m * k, -128, 127);
	ref_fill_i8(&r, b->virt_addr, (size_t)k * n, -128, 127);
	ref_matmul_i8_i32((uint32_t)m, (uint32_t)k, (uint32_t)n, a->virt_addr, b->virt_addr, want);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, (rknn_matmul_tensor_attr *)&io->A), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, b, (rknn_matmul_tensor_attr *)&io->B), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, c, (rknn_matmul_tensor_attr *)&io->C), 0);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
	assert_memory_equal(c->virt_addr, want, (size_t)m * n * 4);
	free(want);
	rknn_destroy_mem(ctx, a);
	rknn_destroy_mem(ctx, b);
	rknn_destroy_mem(ctx, c);
}

static void test_set_io_mem_and_run_errors(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_tensor_attr bad;
	rknn_tensor_mem fake, *small, *a;
	rknn_matmul_ctx ctx;

	(void)state;
	ctx = make_ctx(3, 64, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	a = rknn_create_mem(ctx, io.A.size);
	small = rknn_create_mem(ctx, io.A.size - 1);
	memset(&fake, 0, sizeof(fake));
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, NULL), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, &fake, &io.A), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, NULL, &io.A), RKNN_ERR_PARAM_INVALID);
	bad = io.A;
	strcpy(bad.name, "D");
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &bad), RKNN_ERR_PARAM_INVALID);
	assert_logged("attr->name \"D\"");
	assert_int_equal(rknn_matmul_set_io_mem(ctx, small, &io.A), RKNN_ERR_PARAM_INVALID);
	assert_logged("mem size 191 < A size 192");
	assert_int_equal(rknn_matmul_run(ctx), RKNN_ERR_PARAM_INVALID);
	assert_logged("no memory set for A");
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &io.A), RKNN_SUCC);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_ERR_PARAM_INVALID);
	assert_logged("no memory set for B");
	rknn_destroy_mem(ctx, a);
	rknn_destroy_mem(ctx, small);
	run_int8_checked(ctx, &io, 3, 64, 32, 7);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

static void test_core_mask(void **state)
{
	static const rknn_core_mask good[] = { RKNN_NPU_CORE_0, RKNN_NPU_CORE_1, RKNN_NPU_CORE_2,
					       RKNN_NPU_CORE_0_1, RKNN_NPU_CORE_0_1_2,
					       RKNN_NPU_CORE_ALL, RKNN_NPU_CORE_AUTO };
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx;

	(void)state;
	ctx = make_ctx(33, 128, 96, RKNN_INT8_MM_INT8_TO_INT32, &io);
	assert_int_equal(rknn_matmul_set_core_mask(ctx, (rknn_core_mask)5), RKNN_ERR_FAIL);
	assert_logged("Not support core mask: 0x5");
	assert_int_equal(rknn_matmul_set_core_mask(ctx, RKNN_NPU_CORE_UNDEFINED), RKNN_ERR_FAIL);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(rknn_matmul_set_core_mask(ctx, good[i]), RKNN_SUCC);
		run_int8_checked(ctx, &io, 33, 128, 96, 100 + i);
	}
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

static void test_quant_params(void **state)
{
	rknn_matmul_io_attr io;
	rknn_quant_params q;
	rknn_matmul_ctx ctx;
	float s = 0.25f, two[2] = { 1.0f, 2.0f }, got = 0.0f, got_arr = 0.0f;
	int32_t zp = 5, got_zp = 0;

	(void)state;
	ctx = make_ctx(2, 32, 32, RKNN_INT8_MM_INT8_TO_INT8, &io);
	assert_int_equal(rknn_matmul_set_quant_params(ctx, NULL), RKNN_ERR_PARAM_INVALID);
	memset(&q, 0, sizeof(q));
	strcpy(q.name, "X");
	q.scale = &s;
	q.scale_len = 1;
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), RKNN_ERR_PARAM_INVALID);
	assert_logged("params->name \"X\"");
	strcpy(q.name, "B");
	q.scale = two;
	q.scale_len = 2;
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), RKNN_ERR_PARAM_INVALID);
	assert_logged("scale_len = 2");
	q.scale = &s;
	q.scale_len = 1;
	q.zp = &zp;
	q.zp_len = 1;
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), RKNN_ERR_PARAM_INVALID);
	assert_logged("B zero point 5");
	strcpy(q.name, "C");
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), RKNN_SUCC);
	q.scale = &got_arr;
	q.zp = &got_zp;
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &got), RKNN_SUCC);
	assert_true(got == 0.25f && got_arr == 0.25f);
	assert_int_equal(got_zp, 5);
	strcpy(q.name, "Y");
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &got), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_get_quant_params(ctx, NULL, &got), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

/* A per-channel B context of M x K x N, type @t, B bound in @b_layout. */
static rknn_matmul_ctx make_per_channel_ctx(int m, int k, int n, rknn_matmul_type t, int b_layout,
					    rknn_matmul_io_attr *io)
{
	rknn_matmul_info info = info_of(m, k, n, t);
	rknn_matmul_ctx ctx = 0;

	info.B_quant_type = RKNN_QUANT_TYPE_PER_CHANNEL_SYM;
	info.B_layout = (int16_t)b_layout;
	if (rknn_matmul_create(&ctx, &info, io) != RKNN_SUCC)
		fail_msg("create: %s", rknn_rnpu_last_error());
	return ctx;
}

static int set_scale(rknn_matmul_ctx ctx, const char *name, float *scale, int len, int32_t *zp,
		     int zp_len)
{
	rknn_quant_params q;

	memset(&q, 0, sizeof(q));
	strcpy(q.name, name);
	q.scale = scale;
	q.scale_len = len;
	q.zp = zp;
	q.zp_len = zp_len;
	return rknn_matmul_set_quant_params(ctx, &q);
}

/* Per-channel B: every error of set/get_quant_params with the field and
 * index it names; a refused call changes nothing. */
static void test_per_channel_quant_params(void **state)
{
	enum { N = 40 };
	float sb[N], got[N], norm = 0.0f;
	int32_t zp[N], got_zp[N];
	rknn_matmul_shape tp_shapes[2] = { { 1, 64, 32 }, { 1, 64, 64 } };
	rknn_matmul_io_attr io, tp_io[2];
	rknn_matmul_info info;
	rknn_quant_params q;
	rknn_matmul_ctx ctx;

	(void)state;
	ctx = make_per_channel_ctx(3, 64, N, RKNN_INT8_MM_INT8_TO_INT8, RKNN_MM_LAYOUT_NORM, &io);
	for (int i = 0; i < N; i++) {
		/* 2^-8 .. 1.6, the largest 3.0 (set below at [39]) */
		sb[i] = ldexpf(1.0f + (float)i / 64.0f, i % 9 - 8);
		zp[i] = 0;
	}
	/* Defaults: every channel 1.0. */
	memset(&q, 0, sizeof(q));
	strcpy(q.name, "B");
	q.scale = got;
	q.scale_len = N;
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &norm), RKNN_SUCC);
	for (int i = 0; i < N; i++)
		assert_true(got[i] == 1.0f);
	assert_true(norm == 1.0f);
	/* set: length, NULL, every kind of bad scale, zero points. */
	assert_int_equal(set_scale(ctx, "B", sb, 1, NULL, 0), RKNN_ERR_PARAM_INVALID);
	assert_logged("B: params->scale_len = 1, per-channel B (info->B_quant_type = 2) needs"
		      " N = 40");
	assert_int_equal(set_scale(ctx, "B", sb, N + 1, NULL, 0), RKNN_ERR_PARAM_INVALID);
	assert_logged("params->scale_len = 41");
	assert_int_equal(set_scale(ctx, "B", NULL, N, NULL, 0), RKNN_ERR_PARAM_INVALID);
	assert_logged("B: params->scale is NULL");
	{
		const float bad[] = { 0.0f, -1.0f, NAN, INFINITY };
		const char *const want[] = { "params->scale[7] = 0 ", "params->scale[7] = -1 ",
					     "params->scale[7] = nan ", "params->scale[7] = inf " };

		for (int i = 0; i < 4; i++) {
			float keep = sb[7];

			sb[7] = bad[i];
			assert_int_equal(set_scale(ctx, "B", sb, N, NULL, 0),
					 RKNN_ERR_PARAM_INVALID);
			assert_logged(want[i]);
			sb[7] = keep;
		}
	}
	sb[N - 1] = -0.5f;
	assert_int_equal(set_scale(ctx, "B", sb, N, NULL, 0), RKNN_ERR_PARAM_INVALID);
	assert_logged("params->scale[39] = -0.5");
	sb[N - 1] = 3.0f;
	assert_int_equal(set_scale(ctx, "B", sb, N, zp, N - 1), RKNN_ERR_PARAM_INVALID);
	assert_logged("B: params->zp_len = 39, expected N = 40");
	zp[5] = 2;
	assert_int_equal(set_scale(ctx, "B", sb, N, zp, N), RKNN_ERR_PARAM_INVALID);
	assert_logged("B: params->zp[5] = 2: B is symmetric");
	zp[5] = 0;
	/* Nothing was stored by the refused calls. */
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &norm), RKNN_SUCC);
	assert_true(got[0] == 1.0f && got[N - 1] == 1.0f && norm == 1.0f);
	/* Accepted with zero points 0 or NULL; A and C stay per layer. */
	assert_int_equal(set_scale(ctx, "B", sb, N, zp, N), RKNN_SUCC);
	assert_int_equal(set_scale(ctx, "B", sb, N, NULL, 0), RKNN_SUCC);
	assert_int_equal(set_scale(ctx, "A", sb, N, NULL, 0), RKNN_ERR_PARAM_INVALID);
	assert_logged("A needs one positive finite scale");
	/* get: short arrays refused, the N scales and zero points, and
	 * max(sB) as the normalised scale; scale arrays may be left out. */
	q.scale_len = N - 1;
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &norm), RKNN_ERR_PARAM_INVALID);
	assert_logged("B: params->scale_len = 39 < N = 40");
	q.scale_len = N;
	q.zp = got_zp;
	q.zp_len = 1;
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &norm), RKNN_ERR_PARAM_INVALID);
	assert_logged("B: params->zp_len = 1 < N = 40");
	q.zp_len = N;
	memset(got_zp, 0x55, sizeof(got_zp));
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &norm), RKNN_SUCC);
	for (int i = 0; i < N; i++) {
		assert_true(got[i] == sb[i]);
		assert_int_equal(got_zp[i], 0);
	}
	assert_true(norm == 3.0f); /* sb[39], the largest */
	assert_true(sb[39] == 3.0f);
	memset(&q, 0, sizeof(q));
	strcpy(q.name, "B");
	norm = 0.0f;
	assert_int_equal(rknn_matmul_get_quant_params(ctx, &q, &norm), RKNN_SUCC);
	assert_true(norm == 3.0f);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);

	/* Dynamic shapes: per-channel B needs one N. */
	info = info_of(1, 64, 64, RKNN_INT8_MM_INT8_TO_INT32);
	info.B_layout = RKNN_MM_LAYOUT_TP_NORM;
	info.B_quant_type = RKNN_QUANT_TYPE_PER_CHANNEL_SYM;
	assert_int_equal(rknn_matmul_create_dynamic_shape(&ctx, &info, 2, tp_shapes, tp_io),
			 RKNN_ERR_PARAM_INVALID);
	assert_logged("per-channel B needs one N for all shapes (32)");
}

/* Fills A and B, runs, and checks C column by column: int8 output
 * sat8(round_half_up(sum * sA sB[n] / sC) + zC), int32 output
 * round_half_up(sum * sB[n] / max(sB)), each factor in the NPU's
 * 15-bit fixed point (ref_scale_q15), and within one step of the
 * real-valued result where not saturated. */
static void run_per_channel_checked(rknn_matmul_ctx ctx, rknn_matmul_io_attr *io, int m,
				    int k, int n, bool int8_out, float sa, const float *sb,
				    float sc, int32_t zc, uint64_t seed)
{
	rknn_tensor_mem *a = rknn_create_mem(ctx, io->A.size), *b = rknn_create_mem(ctx, io->B.size);
	rknn_tensor_mem *c = rknn_create_mem(ctx, io->C.size);
	int32_t *acc = malloc((size_t)m * n * 4);
	float norm = sb[0];
	size_t ties = 0;
	struct ref_rng r;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(acc);
	for (int j = 1; j < n; j++)
		norm = sb[j] > norm ? sb[j] : norm;
	ref_rng_seed(&r, seed);
	ref_fill_i8(&r, a->virt_addr, (size_t)m * k, -128, 127);
	ref_fill_i8(&r, b->virt_addr, (size_t)k * n, -128, 127);
	ref_matmul_i8_i32(m, k, n, a->virt_addr, b->virt_addr, acc);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &io->A), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, b, &io->B), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, c, &io->C), 0);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
	for (int i = 0; i < m * n; i++) {
		int j = i % n;
		double f = int8_out ? (double)sa * sb[j] / sc : (double)sb[j] / norm;
		double x = (double)acc[i] * f;
		int64_t mul, want, got;
		unsigned int shift;

		ref_scale_q15(f, &mul, &shift);
		want = ref_sat_bits(ref_rshift_round((int64_t)acc[i] * mul, shift, REF_ROUND_HALF_UP),
				    32);
		if (int8_out)
			want = ref_sat_bits(want + zc, 8);
		got = int8_out ? ((int8_t *)c->virt_addr)[i] : ((int32_t *)c->virt_addr)[i];
		if (got != want)
			fail_msg("C[%d][%d] = %lld, reference %lld", i / n, j, (long long)got,
				 (long long)want);
		if (x - floor(x) == 0.5 && x < 0)
			ties++;
		if (int8_out && fabs(floor(x + 0.5) + zc) < 120)
			assert_true(fabs((double)got - (floor(x + 0.5) + zc)) <= 1.0);
	}
	print_message("# per-channel %dx%dx%d: %zu negative ties\n", m, k, n, ties);
	free(acc);
	rknn_destroy_mem(ctx, a);
	rknn_destroy_mem(ctx, b);
	rknn_destroy_mem(ctx, c);
}

/* Per-channel runs: int8 and int32 output, odd sizes, all layouts of B,
 * three cores, K segments, scales over eight orders of magnitude. */
static void test_per_channel_run(void **state)
{
	static const struct {
		rknn_matmul_type type;
		int m, k, n, b_layout, mask;
	} runs[] = {
		{ RKNN_INT8_MM_INT8_TO_INT8, 5, 100, 70, RKNN_MM_LAYOUT_NORM, 7 },
		{ RKNN_INT8_MM_INT8_TO_INT8, 3, 64, 64, RKNN_MM_LAYOUT_NATIVE, 0 },
		{ RKNN_INT8_MM_INT8_TO_INT8, 2, 8224, 32, RKNN_MM_LAYOUT_TP_NORM, 3 },
		{ RKNN_INT8_MM_INT8_TO_INT32, 4, 96, 33, RKNN_MM_LAYOUT_NORM, 7 },
		{ RKNN_INT8_MM_INT8_TO_INT32, 3, 9024, 64, RKNN_MM_LAYOUT_NATIVE, 1 },
	};

	(void)state;
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		bool i8 = runs[r].type == RKNN_INT8_MM_INT8_TO_INT8;
		int m = runs[r].m, k = runs[r].k, n = runs[r].n;
		rknn_matmul_io_attr io;
		rknn_matmul_ctx ctx = make_per_channel_ctx(m, k, n, runs[r].type,
							   runs[r].b_layout, &io);
		float *sb = malloc((size_t)n * sizeof(float)), sa = 0.02f, sc = 0.5f;
		void *b_norm = NULL;

		assert_non_null(sb);
		/* 1e-6 .. 1e2 around what maps the sums onto int8; the
		 * largest (256) and every fifth a power of two, so that int32
		 * output (sB[n] / 256) meets rounding ties. */
		for (int j = 0; j < n; j++)
			sb[j] = j % 5 == 4 ? ldexpf(1.0f, 7 - j % 3)
					   : 1e-6f * powf(10.0f, (float)(j % 9)) * (1.0f + j / 97.0f);
		sb[0] = 256.0f;
		assert_int_equal(set_scale(ctx, "B", sb, n, NULL, 0), RKNN_SUCC);
		assert_int_equal(set_scale(ctx, "A", &sa, 1, NULL, 0), RKNN_SUCC);
		assert_int_equal(set_scale(ctx, "C", &sc, 1, (int32_t[]){ -7 }, 1), RKNN_SUCC);
		if (runs[r].mask)
			assert_int_equal(rknn_matmul_set_core_mask(ctx, (rknn_core_mask)runs[r].mask),
					 RKNN_SUCC);
		if (runs[r].b_layout == RKNN_MM_LAYOUT_NATIVE) {
			/* Native B is filled from a normal one below: bind a
			 * normal-layout fill through the converter. */
			rknn_tensor_mem *a = rknn_create_mem(ctx, io.A.size);
			rknn_tensor_mem *bn = rknn_create_mem(ctx, io.B.size);
			rknn_tensor_mem *c = rknn_create_mem(ctx, io.C.size);
			int32_t *acc = malloc((size_t)m * n * 4);
			struct ref_rng rng;
			rknn_matmul_info info = info_of(m, k, n, runs[r].type);

			b_norm = malloc((size_t)k * n);
			assert_non_null(b_norm);
			assert_non_null(acc);
			ref_rng_seed(&rng, 900 + r);
			ref_fill_i8(&rng, a->virt_addr, (size_t)m * k, -128, 127);
			ref_fill_i8(&rng, b_norm, (size_t)k * n, -128, 127);
			ref_matmul_i8_i32(m, k, n, a->virt_addr, b_norm, acc);
			assert_int_equal(rknn_B_normal_layout_to_native_layout(b_norm, bn->virt_addr,
									       k, n, &info), 0);
			assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &io.A), 0);
			assert_int_equal(rknn_matmul_set_io_mem(ctx, bn, &io.B), 0);
			assert_int_equal(rknn_matmul_set_io_mem(ctx, c, &io.C), 0);
			assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
			for (int i = 0; i < m * n; i++) {
				int j = i % n;
				float norm = sb[0];
				double f;
				int64_t mul, want, got;
				unsigned int shift;

				for (int t = 1; t < n; t++)
					norm = sb[t] > norm ? sb[t] : norm;
				f = i8 ? (double)sa * sb[j] / sc : (double)sb[j] / norm;
				ref_scale_q15(f, &mul, &shift);
				want = ref_sat_bits(ref_rshift_round((int64_t)acc[i] * mul, shift,
								     REF_ROUND_HALF_UP), 32);
				if (i8)
					want = ref_sat_bits(want - 7, 8);
				got = i8 ? ((int8_t *)c->virt_addr)[i]
					 : ((int32_t *)c->virt_addr)[i];
				if (got != want)
					fail_msg("native B: C[%d][%d] = %lld, reference %lld", i / n,
						 j, (long long)got, (long long)want);
			}
			free(acc);
			rknn_destroy_mem(ctx, a);
			rknn_destroy_mem(ctx, bn);
			rknn_destroy_mem(ctx, c);
		} else if (runs[r].b_layout == RKNN_MM_LAYOUT_NORM) {
			run_per_channel_checked(ctx, &io, m, k, n, i8, sa, sb, sc, -7, 700 + r);
		} else {
			/* TP_NORM: the same check with B given as N x K. */
			rknn_tensor_mem *a = rknn_create_mem(ctx, io.A.size);
			rknn_tensor_mem *bt = rknn_create_mem(ctx, io.B.size);
			rknn_tensor_mem *c = rknn_create_mem(ctx, io.C.size);
			int8_t *bk = malloc((size_t)k * n);
			int32_t *acc = malloc((size_t)m * n * 4);
			struct ref_rng rng;

			assert_non_null(bk);
			assert_non_null(acc);
			ref_rng_seed(&rng, 800 + r);
			ref_fill_i8(&rng, a->virt_addr, (size_t)m * k, -128, 127);
			ref_fill_i8(&rng, bk, (size_t)k * n, -128, 127);
			for (int kk = 0; kk < k; kk++)
				for (int j = 0; j < n; j++)
					((int8_t *)bt->virt_addr)[(size_t)j * k + kk] =
						bk[(size_t)kk * n + j];
			ref_matmul_i8_i32(m, k, n, a->virt_addr, bk, acc);
			assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &io.A), 0);
			assert_int_equal(rknn_matmul_set_io_mem(ctx, bt, &io.B), 0);
			assert_int_equal(rknn_matmul_set_io_mem(ctx, c, &io.C), 0);
			assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
			for (int i = 0; i < m * n; i++) {
				int j = i % n;
				double f = (double)sa * sb[j] / sc;
				int64_t mul, want;
				unsigned int shift;

				ref_scale_q15(f, &mul, &shift);
				want = ref_sat_bits(ref_sat_bits(ref_rshift_round(
						(int64_t)acc[i] * mul, shift, REF_ROUND_HALF_UP), 32) - 7,
						    8);
				assert_int_equal(((int8_t *)c->virt_addr)[i], want);
			}
			free(bk);
			free(acc);
			rknn_destroy_mem(ctx, a);
			rknn_destroy_mem(ctx, bt);
			rknn_destroy_mem(ctx, c);
		}
		free(b_norm);
		free(sb);
		assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
	}
}

/* Scales whose product leaves the multiplier's range fail at run, naming
 * the column. */
static void test_per_channel_run_errors(void **state)
{
	float sb[32], sa = 1.0f, sc = 1e-6f;
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *a, *b, *c;

	(void)state;
	ctx = make_per_channel_ctx(2, 32, 32, RKNN_INT8_MM_INT8_TO_INT8, RKNN_MM_LAYOUT_NORM, &io);
	for (int j = 0; j < 32; j++)
		sb[j] = j == 3 ? 100.0f : 1e-3f;
	assert_int_equal(set_scale(ctx, "B", sb, 32, NULL, 0), RKNN_SUCC);
	assert_int_equal(set_scale(ctx, "A", &sa, 1, NULL, 0), RKNN_SUCC);
	assert_int_equal(set_scale(ctx, "C", &sc, 1, NULL, 0), RKNN_SUCC);
	a = rknn_create_mem(ctx, io.A.size);
	b = rknn_create_mem(ctx, io.B.size);
	c = rknn_create_mem(ctx, io.C.size);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &io.A), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, b, &io.B), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, c, &io.C), 0);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_ERR_PARAM_INVALID);
	assert_logged("column 3: the scales give a requantisation factor 1e+08");
	/* Fixed, the same context runs. */
	sb[3] = 1e-3f;
	assert_int_equal(set_scale(ctx, "B", sb, 32, NULL, 0), RKNN_SUCC);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
	rknn_destroy_mem(ctx, a);
	rknn_destroy_mem(ctx, b);
	rknn_destroy_mem(ctx, c);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

/* int8 -> int8: C = round(A x B * sA * sB / sC) + zC, saturated. */
static void test_int8_requant_run(void **state)
{
	const int m = 5, k = 96, n = 64;
	rknn_matmul_io_attr io;
	rknn_quant_params q;
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *a, *b, *c;
	float sa = 0.5f, sb = 0.125f, sc = 8.0f; /* multiplier 2^-7 */
	int32_t zc = -3, *acc = malloc((size_t)m * n * 4);
	struct ref_rng r;

	(void)state;
	ctx = make_ctx(m, k, n, RKNN_INT8_MM_INT8_TO_INT8, &io);
	memset(&q, 0, sizeof(q));
	q.scale_len = 1;
	strcpy(q.name, "A");
	q.scale = &sa;
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), 0);
	strcpy(q.name, "B");
	q.scale = &sb;
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), 0);
	strcpy(q.name, "C");
	q.scale = &sc;
	q.zp = &zc;
	q.zp_len = 1;
	assert_int_equal(rknn_matmul_set_quant_params(ctx, &q), 0);
	a = rknn_create_mem(ctx, io.A.size);
	b = rknn_create_mem(ctx, io.B.size);
	c = rknn_create_mem(ctx, io.C.size);
	ref_rng_seed(&r, 42);
	ref_fill_i8(&r, a->virt_addr, (size_t)m * k, -128, 127);
	ref_fill_i8(&r, b->virt_addr, (size_t)k * n, -128, 127);
	ref_matmul_i8_i32(m, k, n, a->virt_addr, b->virt_addr, acc);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &io.A), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, b, &io.B), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, c, &io.C), 0);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
	for (int i = 0; i < m * n; i++) {
		int64_t want = ref_clamp(ref_rshift_round(acc[i], 7, REF_ROUND_HALF_UP) + zc, -128,
					 127);

		assert_int_equal(((int8_t *)c->virt_addr)[i], want);
	}
	free(acc);
	rknn_destroy_mem(ctx, a);
	rknn_destroy_mem(ctx, b);
	rknn_destroy_mem(ctx, c);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

static void test_dynamic_shape(void **state)
{
	rknn_matmul_shape shapes[3] = { { 1, 64, 32 }, { 4, 64, 32 }, { 9, 64, 32 } };
	rknn_matmul_shape other = { 2, 64, 32 }, bad_k[2] = { { 1, 64, 32 }, { 1, 96, 32 } };
	rknn_matmul_io_attr io[3];
	rknn_matmul_info info = info_of(9, 64, 32, RKNN_INT8_MM_INT8_TO_INT32);
	rknn_matmul_ctx ctx;

	(void)state;
	assert_int_equal(rknn_matmul_create_dynamic_shape(&ctx, &info, 0, shapes, io),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_create_dynamic_shape(&ctx, &info, 2, NULL, io),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_create_dynamic_shape(&ctx, &info, 2, bad_k, io),
			 RKNN_ERR_PARAM_INVALID);
	assert_logged("only M may vary");
	assert_int_equal(rknn_matmul_create_dynamic_shape(&ctx, &info, 3, shapes, io), RKNN_SUCC);
	assert_int_equal(io[0].A.size, 64);
	assert_int_equal(io[2].C.size, 9 * 32 * 4);
	assert_int_equal(rknn_matmul_set_dynamic_shape(ctx, &other), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_matmul_set_dynamic_shape(ctx, NULL), RKNN_ERR_PARAM_INVALID);
	for (int i = 2; i >= 0; i--) {
		assert_int_equal(rknn_matmul_set_dynamic_shape(ctx, &shapes[i]), RKNN_SUCC);
		run_int8_checked(ctx, &io[i], shapes[i].M, 64, 32, 200 + (uint64_t)i);
	}
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

static void test_create_mem(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *m;

	(void)state;
	ctx = make_ctx(1, 32, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	assert_null(rknn_create_mem(ctx, 0));
	assert_logged("invalid size 0");
	assert_null(rknn_create_mem(0, 64));
	assert_null(rknn_create_mem2(ctx, 64, 0x40));
	assert_logged("unknown bits 0x40");
	assert_null(rknn_create_mem2(ctx, 64, RKNN_FLAG_MEMORY_CACHEABLE |
					      RKNN_FLAG_MEMORY_NON_CACHEABLE));
	assert_null(rknn_create_mem2(ctx, (uint64_t)1 << 33, 0));
	assert_null(rknn_create_mem_from_mb_blk(ctx, (void *)&io, 0));

	m = rknn_create_mem(ctx, 1000);
	assert_non_null(m);
	assert_non_null(m->virt_addr);
	assert_true(m->fd >= 0);
	assert_true(m->phys_addr != 0);
	assert_int_equal(m->size, 1000);
	assert_int_equal(m->flags, RKNN_TENSOR_MEMORY_FLAGS_ALLOC_INSIDE);
	assert_int_equal(rknn_destroy_mem(ctx, m), RKNN_SUCC);
	assert_int_equal(rknn_destroy_mem(ctx, m), RKNN_ERR_PARAM_INVALID); /* freed */

	m = rknn_create_mem2(0, 4096, RKNN_MEM_FLAG_ALLOC_NO_CONTEXT |
					RKNN_FLAG_MEMORY_NON_CACHEABLE);
	assert_non_null(m);
	/* Non-cacheable memory needs no maintenance: sync is a no-op. */
	assert_int_equal(rknn_mem_sync(ctx, m, RKNN_MEMORY_SYNC_BIDIRECTIONAL), RKNN_SUCC);
	assert_int_equal(rknn_destroy_mem(0, m), RKNN_SUCC);
	m = rknn_create_mem2(ctx, 4096, RKNN_FLAG_MEMORY_TRY_ALLOC_SRAM);
	assert_non_null(m); /* no SRAM here: DRAM instead */
	assert_int_equal(rknn_destroy_mem(ctx, m), RKNN_SUCC);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

static void test_mem_sync(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *m, fake;

	(void)state;
	ctx = make_ctx(1, 32, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	m = rknn_create_mem(ctx, 256);
	assert_int_equal(rknn_mem_sync(ctx, m, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, m, RKNN_MEMORY_SYNC_FROM_DEVICE), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, m, RKNN_MEMORY_SYNC_BIDIRECTIONAL), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, m, (rknn_mem_sync_mode)0), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_mem_sync(ctx, m, (rknn_mem_sync_mode)4), RKNN_ERR_PARAM_INVALID);
	assert_logged("invalid mode 4");
	memset(&fake, 0, sizeof(fake));
	assert_int_equal(rknn_mem_sync(ctx, &fake, RKNN_MEMORY_SYNC_TO_DEVICE),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_mem_sync(ctx, NULL, RKNN_MEMORY_SYNC_TO_DEVICE),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_destroy_mem(ctx, m), RKNN_SUCC);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

/* Memory wrapped from a dma-buf fd is the same memory: the NPU computes
 * on it in place, and the fd and its owner outlive the wrapper. */
static void test_mem_from_fd(void **state)
{
	const int m = 4, k = 64, n = 32;
	rknn_matmul_io_attr io;
	rknn_matmul_info info = info_of(m, k, n, RKNN_INT8_MM_INT8_TO_INT32);
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *big, *a, *b, *c, *wa, *wb, *wc;
	int32_t want[4 * 32];
	struct ref_rng r;
	int pipefd[2];
	void *view;

	(void)state;
	info.B_layout = RKNN_MM_LAYOUT_NATIVE;
	info.AC_layout = RKNN_MM_LAYOUT_NATIVE;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_SUCC);
	/* One buffer holds all three at 4 KiB offsets, like a weight arena. */
	big = rknn_create_mem(ctx, 3 * 4096);
	assert_non_null(big);
	assert_null(rknn_create_mem_from_fd(ctx, -1, NULL, 64, 0));
	assert_int_equal(pipe(pipefd), 0);
	assert_null(rknn_create_mem_from_fd(ctx, pipefd[0], NULL, 64, 0));
	assert_logged("failed to convert fd");
	close(pipefd[0]);
	close(pipefd[1]);
	assert_null(rknn_create_mem_from_fd(ctx, big->fd, big->virt_addr, 4096, 3 * 4096));
	assert_logged("exceed");
	a = rknn_create_mem_from_fd(ctx, big->fd, big->virt_addr, io.A.size, 0);
	b = rknn_create_mem_from_fd(ctx, big->fd, big->virt_addr, io.B.size, 4096);
	c = rknn_create_mem_from_fd(ctx, big->fd, big->virt_addr, io.C.size, 8192);
	assert_non_null(a);
	assert_non_null(c);
	assert_int_equal(a->flags, RKNN_TENSOR_MEMORY_FLAGS_FROM_FD);
	assert_int_equal(b->offset, 4096);

	/* Native A for M = 4, K = 64: (K/16, M, 16). */
	{
		int8_t an[4 * 64], bn[64 * 32];

		ref_rng_seed(&r, 9);
		ref_fill_i8(&r, an, sizeof(an), -128, 127);
		ref_fill_i8(&r, bn, sizeof(bn), -128, 127);
		ref_matmul_i8_i32(m, k, n, an, bn, want);
		for (int i = 0; i < m; i++)
			for (int j = 0; j < k; j++)
				((int8_t *)big->virt_addr)[((j / 16) * m + i) * 16 + j % 16] =
					an[i * k + j];
		assert_int_equal(rknn_B_normal_layout_to_native_layout(
					 bn, (char *)big->virt_addr + 4096, k, n, &info), 0);
	}
	/* Writing through a separate mapping of the fd reaches the same bytes. */
	view = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, big->fd, 0);
	assert_true(view != MAP_FAILED);
	assert_memory_equal(view, big->virt_addr, 8192);
	assert_int_equal(rknn_mem_sync(ctx, a, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_SUCC);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, a, &io.A), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, b, &io.B), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, c, &io.C), 0);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, c, RKNN_MEMORY_SYNC_FROM_DEVICE), RKNN_SUCC);
	/* Native C for int32: (N/4, M, 4). */
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++)
			assert_int_equal(((int32_t *)((char *)view + 8192))[((j / 4) * m + i) * 4 +
									    j % 4],
					 want[i * n + j]);

	/* Destroying wrappers leaves the fd and its owner intact. */
	wa = a;
	wb = b;
	wc = c;
	assert_int_equal(rknn_destroy_mem(ctx, wa), RKNN_SUCC);
	assert_int_equal(rknn_destroy_mem(ctx, wb), RKNN_SUCC);
	assert_true(fcntl(big->fd, F_GETFD) >= 0);
	assert_int_equal(((int32_t *)((char *)big->virt_addr + 8192))[0], want[0]);
	/* A destroyed operand is unbound: the next run says so. */
	assert_int_equal(rknn_matmul_run(ctx), RKNN_ERR_PARAM_INVALID);
	assert_logged("no memory set for A");
	assert_int_equal(rknn_destroy_mem(ctx, wc), RKNN_SUCC);
	munmap(view, 3 * 4096);
	assert_int_equal(rknn_destroy_mem(ctx, big), RKNN_SUCC);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

/* Wrapping one dma-buf twice shares one import (a second import into the
 * same session would return the same handle, to be closed only once). */
static void test_mem_from_fd_twice(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *w1, *w2, *own, *alias;
	int fd;

	(void)state;
	ctx = make_ctx(1, 32, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	fd = memfd_create("rknn-test", 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8192), 0);
	w1 = rknn_create_mem_from_fd(ctx, fd, NULL, 4096, 0);
	w2 = rknn_create_mem_from_fd(ctx, fd, NULL, 4096, 4096);
	assert_non_null(w1);
	assert_non_null(w2);
	assert_int_equal(w2->phys_addr, w1->phys_addr);
	assert_int_equal(rknn_mem_sync(ctx, w2, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_SUCC);
	/* The second wrapper lives on the first one's import and dies with it. */
	assert_int_equal(rknn_destroy_mem(ctx, w1), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, w2, RKNN_MEMORY_SYNC_TO_DEVICE),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_destroy_mem(ctx, w2), RKNN_SUCC);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	close(fd);

	/* Our own allocation wrapped by its fd: no import, the owner stays. */
	own = rknn_create_mem(ctx, 4096);
	alias = rknn_create_mem_from_fd(ctx, own->fd, own->virt_addr, 4096, 0);
	assert_non_null(alias);
	assert_int_equal(alias->phys_addr, own->phys_addr);
	assert_int_equal(rknn_destroy_mem(ctx, alias), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, own, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_SUCC);
	alias = rknn_create_mem_from_fd(ctx, own->fd, own->virt_addr, 4096, 0);
	assert_int_equal(rknn_destroy_mem(ctx, own), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, alias, RKNN_MEMORY_SYNC_TO_DEVICE),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_destroy_mem(ctx, alias), RKNN_SUCC);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

static void test_mem_from_phys(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx;
	rknn_tensor_mem *m, *p;

	(void)state;
	ctx = make_ctx(1, 32, 32, RKNN_INT8_MM_INT8_TO_INT32, &io);
	m = rknn_create_mem(ctx, 8192);
	assert_null(rknn_create_mem_from_phys(ctx, 0x10, NULL, 16));
	assert_logged("not inside NPU memory");
	assert_null(rknn_create_mem_from_phys(ctx, m->phys_addr + 4096, NULL, 8192));
	p = rknn_create_mem_from_phys(ctx, m->phys_addr + 4096, (char *)m->virt_addr + 4096, 4096);
	assert_non_null(p);
	assert_int_equal(p->flags, RKNN_TENSOR_MEMORY_FLAGS_FROM_PHYS);
	assert_int_equal(p->phys_addr, m->phys_addr + 4096);
	assert_int_equal(rknn_mem_sync(ctx, p, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_SUCC);
	/* The owner goes first: the wrapper can no longer be used. */
	assert_int_equal(rknn_destroy_mem(ctx, m), RKNN_SUCC);
	assert_int_equal(rknn_mem_sync(ctx, p, RKNN_MEMORY_SYNC_TO_DEVICE), RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_destroy_mem(ctx, p), RKNN_SUCC);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

/* The native B layout against the vendor's documented index formula. */
static void test_b_native_layout(void **state)
{
	const int k = 96, n = 64;
	int8_t b[96 * 64], out[96 * 64];
	uint16_t bh[96 * 64], outh[96 * 64];
	rknn_matmul_info info = info_of(1, k, n, RKNN_INT8_MM_INT8_TO_INT32);

	(void)state;
	for (int i = 0; i < k * n; i++) {
		b[i] = (int8_t)(i * 7 + 3);
		bh[i] = (uint16_t)(i * 13 + 1);
	}
	assert_int_equal(rknn_B_normal_layout_to_native_layout(b, out, k, n, &info), 0);
	for (int kk = 0; kk < k; kk++)
		for (int nn = 0; nn < n; nn++)
			assert_int_equal(out[(((nn / 32) * (k / 32) + kk / 32) * 32 + nn % 32) * 32 +
					     kk % 32],
					 b[kk * n + nn]);
	info.type = RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT32;
	assert_int_equal(rknn_B_normal_layout_to_native_layout(bh, outh, k, n, &info), 0);
	for (int kk = 0; kk < k; kk++)
		for (int nn = 0; nn < n; nn++)
			assert_int_equal(outh[(((nn / 16) * (k / 32) + kk / 32) * 16 + nn % 16) * 32 +
					      kk % 32],
					 bh[kk * n + nn]);
	assert_int_equal(rknn_B_normal_layout_to_native_layout(NULL, out, k, n, &info),
			 RKNN_ERR_PARAM_INVALID);
	assert_int_equal(rknn_B_normal_layout_to_native_layout(b, out, 40, n, &info),
			 RKNN_ERR_PARAM_INVALID);
	info.type = RKNN_INT8_MM_INT4_TO_INT32;
	assert_int_equal(rknn_B_normal_layout_to_native_layout(b, out, k, n, &info),
			 RKNN_ERR_PARAM_INVALID);
	/* int4: packed normal B (even element low) in, native tiles of 64
	 * kernels x 32 channels out with the even element high. */
	info.type = RKNN_INT4_MM_INT4_TO_INT16;
	for (int i = 0; i < k * n / 2; i++)
		b[i] = (int8_t)(i * 37 + 11);
	assert_int_equal(rknn_B_normal_layout_to_native_layout(b, out, k, n, &info), 0);
	for (int kk = 0; kk < k; kk++)
		for (int nn = 0; nn < n; nn++)
			assert_int_equal(ref_i4_get((uint8_t *)out,
						    (((size_t)(nn / 64) * (k / 32) + kk / 32) * 64 +
						     nn % 64) * 32 + kk % 32,
						    false),
					 ref_i4_get((uint8_t *)b, (size_t)kk * n + nn, true));
	assert_int_equal(rknn_B_normal_layout_to_native_layout(b, out, k, 32, &info),
			 RKNN_ERR_PARAM_INVALID);
}

/* RKNN_INT4_MM_INT4_TO_INT16: io_attr as rknn-api.md 4.3/4.4 give it. */
static void test_int4_io_attr(void **state)
{
	rknn_matmul_io_attr io;
	rknn_matmul_info info;
	rknn_matmul_ctx ctx;

	(void)state;
	ctx = make_ctx(4, 64, 64, RKNN_INT4_MM_INT4_TO_INT16, &io);
	assert_int_equal(io.A.type, RKNN_TENSOR_INT4);
	assert_int_equal(io.B.type, RKNN_TENSOR_INT4);
	assert_int_equal(io.C.type, RKNN_TENSOR_INT16);
	assert_int_equal(io.A.size, 4 * 64 / 2);
	assert_int_equal(io.B.size, 64 * 64 / 2);
	assert_int_equal(io.C.size, 4 * 64 * 2);
	assert_int_equal(io.A.n_dims, 2);
	assert_int_equal(io.B.dims[0], 64);
	assert_int_equal(io.B.dims[1], 64);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);

	info = info_of(3, 96, 128, RKNN_INT4_MM_INT4_TO_INT16);
	info.B_layout = RKNN_MM_LAYOUT_NATIVE;
	info.AC_layout = RKNN_MM_LAYOUT_NATIVE;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_SUCC);
	assert_int_equal(io.A.n_dims, 3);
	assert_int_equal(io.A.dims[0], 3); /* K / 32 */
	assert_int_equal(io.A.dims[1], 3);
	assert_int_equal(io.A.dims[2], 32);
	assert_int_equal(io.B.n_dims, 4);
	assert_int_equal(io.B.dims[0], 2); /* N / 64 */
	assert_int_equal(io.B.dims[1], 3); /* K / 32 */
	assert_int_equal(io.B.dims[2], 64);
	assert_int_equal(io.B.dims[3], 32);
	assert_int_equal(io.C.n_dims, 3);
	assert_int_equal(io.C.dims[0], 16); /* N / 8 */
	assert_int_equal(io.C.dims[2], 8);
	assert_int_equal(io.A.size, 3 * 96 / 2);
	assert_int_equal(io.B.size, 96 * 128 / 2);
	assert_int_equal(io.C.size, 3 * 128 * 2);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);

	info = info_of(2, 64, 64, RKNN_INT4_MM_INT4_TO_INT16);
	info.B_layout = RKNN_MM_LAYOUT_TP_NORM;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_SUCC);
	assert_int_equal(io.B.dims[0], 64);
	assert_int_equal(io.B.size, 64 * 64 / 2);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
}

/* One int4 run in every B layout and both A/C layouts against the
 * reference; odd M, K and N in the normal layouts. */
static void run_int4(int m, int k, int n, int b_layout, int ac_layout)
{
	rknn_matmul_info info = info_of(m, k, n, RKNN_INT4_MM_INT4_TO_INT16);
	int8_t *a = malloc((size_t)m * k), *b = malloc((size_t)k * n);
	int16_t *want = malloc((size_t)m * n * 2);
	rknn_tensor_mem *ma, *mb, *mc;
	rknn_matmul_io_attr io;
	rknn_matmul_ctx ctx;
	struct ref_rng r;
	uint8_t *pa, *pb;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(want);
	info.B_layout = b_layout;
	info.AC_layout = ac_layout;
	assert_int_equal(rknn_matmul_create(&ctx, &info, &io), RKNN_SUCC);
	ma = rknn_create_mem(ctx, io.A.size);
	mb = rknn_create_mem(ctx, io.B.size);
	mc = rknn_create_mem(ctx, io.C.size);
	assert_non_null(ma);
	assert_non_null(mb);
	assert_non_null(mc);
	ref_rng_seed(&r, (uint64_t)m * 7919 + k * 31 + n + b_layout * 3 + ac_layout);
	ref_fill_i4(&r, a, (size_t)m * k, -8, 7);
	ref_fill_i4(&r, b, (size_t)k * n, -8, 7);
	ref_matmul_i4_i16(m, k, n, a, b, want);
	pa = ma->virt_addr;
	pb = mb->virt_addr;
	memset(pa, 0, io.A.size);
	memset(pb, 0, io.B.size);
	/* Normal layouts: even element low (rknn-api.md 4.3); native: the
	 * NPU's tiles, even element high (docs/hw-facts-int4.md). */
	for (int i = 0; i < m; i++)
		for (int q = 0; q < k; q++) {
			if (ac_layout == RKNN_MM_LAYOUT_NATIVE)
				ref_i4_set(pa, ((size_t)(q / 32) * m + i) * 32 + q % 32,
					   a[i * k + q], false);
			else
				ref_i4_set(pa, (size_t)i * k + q, a[i * k + q], true);
		}
	for (int q = 0; q < k; q++)
		for (int j = 0; j < n; j++) {
			int8_t v = b[q * n + j];

			if (b_layout == RKNN_MM_LAYOUT_NATIVE)
				ref_i4_set(pb, (((size_t)(j / 64) * (k / 32) + q / 32) * 64 + j % 64) *
						       32 + q % 32,
					   v, false);
			else if (b_layout == RKNN_MM_LAYOUT_TP_NORM)
				ref_i4_set(pb, (size_t)j * k + q, v, true);
			else
				ref_i4_set(pb, (size_t)q * n + j, v, true);
		}
	assert_int_equal(rknn_matmul_set_io_mem(ctx, ma, &io.A), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, mb, &io.B), 0);
	assert_int_equal(rknn_matmul_set_io_mem(ctx, mc, &io.C), 0);
	assert_int_equal(rknn_matmul_run(ctx), RKNN_SUCC);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			size_t at = ac_layout == RKNN_MM_LAYOUT_NATIVE
					    ? ((size_t)(j / 8) * m + i) * 8 + j % 8
					    : (size_t)i * n + j;

			if (((int16_t *)mc->virt_addr)[at] != want[i * n + j])
				fail_msg("B layout %d, AC layout %d: C[%d][%d] = %d, reference %d",
					 b_layout, ac_layout, i, j, ((int16_t *)mc->virt_addr)[at],
					 want[i * n + j]);
		}
	rknn_destroy_mem(ctx, ma);
	rknn_destroy_mem(ctx, mb);
	rknn_destroy_mem(ctx, mc);
	assert_int_equal(rknn_matmul_destroy(ctx), RKNN_SUCC);
	free(a);
	free(b);
	free(want);
}

static void test_int4_run(void **state)
{
	(void)state;
	run_int4(7, 100, 33, RKNN_MM_LAYOUT_NORM, RKNN_MM_LAYOUT_NORM);
	run_int4(5, 64, 70, RKNN_MM_LAYOUT_TP_NORM, RKNN_MM_LAYOUT_NORM);
	run_int4(130, 96, 128, RKNN_MM_LAYOUT_NATIVE, RKNN_MM_LAYOUT_NORM);
	run_int4(9, 160, 64, RKNN_MM_LAYOUT_NATIVE, RKNN_MM_LAYOUT_NATIVE);
	run_int4(3, 64, 192, RKNN_MM_LAYOUT_NORM, RKNN_MM_LAYOUT_NATIVE);
}

static void test_model_api_refused(void **state)
{
	rknn_context ctx = 123;
	char model[16] = { 0 };

	(void)state;
	assert_int_equal(rknn_init(&ctx, model, sizeof(model), 0, NULL), RKNN_ERR_MODEL_INVALID);
	assert_logged("does not load .rknn models");
	assert_true(ctx == 0);
	assert_int_equal(rknn_run(1, NULL), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_destroy(1), RKNN_ERR_CTX_INVALID);
	assert_int_equal(rknn_set_core_mask(1, RKNN_NPU_CORE_0), RKNN_ERR_CTX_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_io_attr),
		cmocka_unit_test(test_invalid_context),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_set_io_mem_and_run_errors),
		cmocka_unit_test(test_core_mask),
		cmocka_unit_test(test_quant_params),
		cmocka_unit_test(test_int8_requant_run),
		cmocka_unit_test(test_per_channel_quant_params),
		cmocka_unit_test(test_per_channel_run),
		cmocka_unit_test(test_per_channel_run_errors),
		cmocka_unit_test(test_dynamic_shape),
		cmocka_unit_test(test_create_mem),
		cmocka_unit_test(test_mem_sync),
		cmocka_unit_test(test_mem_from_fd),
		cmocka_unit_test(test_mem_from_fd_twice),
		cmocka_unit_test(test_mem_from_phys),
		cmocka_unit_test(test_b_native_layout),
		cmocka_unit_test(test_int4_io_attr),
		cmocka_unit_test(test_int4_run),
		cmocka_unit_test(test_model_api_refused),
	};

	setenv("RNPU_RKNN_LOG", "0", 1);
	return cmocka_run_group_tests_name("rknn-api", tests, NULL, NULL);
}
