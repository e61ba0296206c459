// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Native layouts against the index formulas of the hardware notes, written
 * out independently here (sections 5.1, 5.3 and 8). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rnpu/matmul_task.h"
#include "rnpu_ref.h"

static void test_sizes(void **state)
{
	(void)state;
	/* int8 4x32x32: A 2 surfaces * 4 rows * 16, B 32*32, C 8 surfaces * 4 * 16. */
	assert_int_equal(rnpu_matmul_a_size(RNPU_MM_INT8_INT32, 4, 32, 32), 128);
	assert_int_equal(rnpu_matmul_b_size(RNPU_MM_INT8_INT32, 4, 32, 32), 1024);
	assert_int_equal(rnpu_matmul_c_size(RNPU_MM_INT8_INT32, 4, 32, 32), 512);
	assert_int_equal(rnpu_matmul_a_size(RNPU_MM_FP16_FP32, 4, 32, 32), 256);
	assert_int_equal(rnpu_matmul_b_size(RNPU_MM_FP16_FP32, 4, 32, 32), 2048);
	assert_int_equal(rnpu_matmul_c_size(RNPU_MM_FP16_FP32, 4, 32, 32), 512);
	assert_int_equal(rnpu_matmul_c_size(RNPU_MM_FP16_FP16, 4, 32, 32), 256);
	/* Partial atoms round up to whole surfaces. */
	assert_int_equal(rnpu_matmul_a_size(RNPU_MM_INT8_INT32, 3, 20, 16), 2 * 3 * 16);
	assert_int_equal(rnpu_matmul_c_size(RNPU_MM_FP16_FP16, 3, 32, 12), 2 * 3 * 16);

	assert_int_equal(rnpu_matmul_a_size((enum rnpu_mm_type)9, 4, 32, 32), 0);
	assert_int_equal(rnpu_matmul_b_size((enum rnpu_mm_type)9, 4, 32, 32), 0);
	assert_int_equal(rnpu_matmul_c_size((enum rnpu_mm_type)9, 4, 32, 32), 0);
}

/* int4 (docs/hw-facts-int4.md): A atoms of 32 channels, B tiles of 64
 * kernels x 32 channels, C int16 atoms of 8; even element in the high
 * nibble. */
static void test_int4(void **state)
{
	enum { M = 3, K = 64, N = 64 };
	int8_t a[M * K], b[K * N];
	uint8_t dst[K * N / 2];

	(void)state;
	assert_int_equal(rnpu_matmul_a_size(RNPU_MM_INT4_INT16, M, K, N), 2 * M * 16);
	assert_int_equal(rnpu_matmul_b_size(RNPU_MM_INT4_INT16, M, K, N), K * N / 2);
	assert_int_equal(rnpu_matmul_c_size(RNPU_MM_INT4_INT16, M, K, N), 8 * M * 16);
	for (int i = 0; i < M * K; i++)
		a[i] = (int8_t)(i % 16 - 8);
	for (int i = 0; i < K * N; i++)
		b[i] = (int8_t)((i * 5) % 16 - 8);
	assert_int_equal(rnpu_matmul_pack_a(RNPU_MM_INT4_INT16, M, K, a, dst), 0);
	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++)
			assert_int_equal(ref_i4_get(dst, ((size_t)(k / 32) * M + m) * 32 + k % 32,
						    false),
					 a[m * K + k]);
	assert_int_equal(rnpu_matmul_pack_b(RNPU_MM_INT4_INT16, K, N, b, dst), 0);
	for (int n = 0; n < N; n++)
		for (int k = 0; k < K; k++)
			assert_int_equal(ref_i4_get(dst, ((size_t)(k / 32) * 64 + n) * 32 + k % 32,
						    false),
					 b[k * N + n]);
	/* Whole kernel groups only; values outside [-8, 7]. */
	assert_int_equal(rnpu_matmul_pack_b(RNPU_MM_INT4_INT16, K, 32, b, dst), -EINVAL);
	a[5] = -9;
	assert_int_equal(rnpu_matmul_pack_a(RNPU_MM_INT4_INT16, M, K, a, dst), -EINVAL);
}

static void test_pack_a_int8(void **state)
{
	enum { M = 3, K = 64 };
	int8_t a[M * K], dst[M * K];

	(void)state;
	for (int i = 0; i < M * K; i++)
		a[i] = (int8_t)(i - 96);   /* all distinct */
	assert_int_equal(rnpu_matmul_pack_a(RNPU_MM_INT8_INT32, M, K, a, dst), 0);
	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++)
			assert_int_equal(dst[(k / 16) * M * 16 + m * 16 + k % 16], a[m * K + k]);
}

static void test_pack_a_fp16(void **state)
{
	enum { M = 5, K = 64 };
	uint16_t a[M * K], dst[M * K];

	(void)state;
	for (int i = 0; i < M * K; i++)
		a[i] = (uint16_t)(0x3c00 + i);
	assert_int_equal(rnpu_matmul_pack_a(RNPU_MM_FP16_FP16, M, K, a, dst), 0);
	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++)
			assert_int_equal(dst[(k / 8) * M * 8 + m * 8 + k % 8], a[m * K + k]);
}

static void test_pack_a_padding(void **state)
{
	/* K = 20: the second surface holds channels 16..19 and 12 zero bytes. */
	int8_t a[2 * 20], dst[2 * 2 * 16];

	(void)state;
	memset(a, 7, sizeof(a));
	memset(dst, 0x55, sizeof(dst));
	assert_int_equal(rnpu_matmul_pack_a(RNPU_MM_INT8_INT32, 2, 20, a, dst), 0);
	for (int m = 0; m < 2; m++)
		for (int c = 0; c < 16; c++)
			assert_int_equal(dst[32 + m * 16 + c], c < 4 ? 7 : 0);
}

/* Random B, packed, checked at the formula's index for every element; a
 * wrong placement survives with probability 1/256 per element. */
static void check_pack_b_int8(int K, int N, size_t (*index)(int K, int N, int k, int n))
{
	int8_t *b = malloc((size_t)K * N), *dst = malloc((size_t)K * N);
	char *seen = calloc((size_t)K * N, 1);
	struct ref_rng r;

	assert_non_null(b);
	assert_non_null(dst);
	assert_non_null(seen);
	ref_rng_seed(&r, (uint64_t)K * 1000 + N);
	ref_fill_i8(&r, b, (size_t)K * N, -128, 127);
	assert_int_equal(rnpu_matmul_pack_b(RNPU_MM_INT8_INT32, K, N, b, dst), 0);
	for (int k = 0; k < K; k++) {
		for (int n = 0; n < N; n++) {
			size_t i = index(K, N, k, n);

			assert_true(i < (size_t)K * N);
			assert_false(seen[i]);
			seen[i] = 1;
			assert_int_equal(dst[i], b[k * N + n]);
		}
	}
	free(b);
	free(dst);
	free(seen);
}

/* Section 8: (k/32)*1024 + (n/32)*32*K + (n%32)*32 + k%32. */
static size_t idx_int8_full(int K, int N, int k, int n)
{
	(void)N;
	return (size_t)(k / 32) * 1024 + (size_t)(n / 32) * 32 * K + (n % 32) * 32 + k % 32;
}

/* N = 48: group 0 as above; group 1 holds 16 kernels, so its 32-channel
 * blocks are 16 * 32 = 512 bytes apart. */
static size_t idx_int8_compact(int K, int N, int k, int n)
{
	(void)N;
	if (n < 32)
		return (size_t)(k / 32) * 1024 + n * 32 + k % 32;
	return (size_t)32 * K + (size_t)(k / 32) * 512 + (n - 32) * 32 + k % 32;
}

static void test_pack_b_int8(void **state)
{
	(void)state;
	check_pack_b_int8(96, 64, idx_int8_full);
	check_pack_b_int8(32, 32, idx_int8_full);
	check_pack_b_int8(64, 48, idx_int8_compact);
}

static void test_pack_b_fp16(void **state)
{
	enum { K = 64, N = 48 };
	uint16_t b[K * N], dst[K * N];

	(void)state;
	for (int i = 0; i < K * N; i++)
		b[i] = (uint16_t)i;   /* all distinct */
	assert_int_equal(rnpu_matmul_pack_b(RNPU_MM_FP16_FP32, K, N, b, dst), 0);
	/* 16 kernels x 32 channels tiles: (n/16)*16*K + (k/32)*512 + (n%16)*32 + k%32. */
	for (int k = 0; k < K; k++)
		for (int n = 0; n < N; n++)
			assert_int_equal(dst[(n / 16) * 16 * K + (k / 32) * 512 + (n % 16) * 32 + k % 32],
					 b[k * N + n]);
}

static void test_unpack_c(void **state)
{
	enum { M = 3, N = 32 };
	int32_t src32[M * N], c32[M * N];
	float srcf[M * N], cf[M * N];
	uint16_t src16[M * N], c16[M * N];

	(void)state;
	for (int i = 0; i < M * N; i++) {
		src32[i] = i * 1000 - 7;
		srcf[i] = (float)i + 0.5f;
		src16[i] = (uint16_t)(0x4000 + i);
	}
	assert_int_equal(rnpu_matmul_unpack_c(RNPU_MM_INT8_INT32, M, N, src32, c32), 0);
	assert_int_equal(rnpu_matmul_unpack_c(RNPU_MM_FP16_FP32, M, N, srcf, cf), 0);
	assert_int_equal(rnpu_matmul_unpack_c(RNPU_MM_FP16_FP16, M, N, src16, c16), 0);
	for (int m = 0; m < M; m++) {
		for (int n = 0; n < N; n++) {
			/* Section 8: int32 at (n/4)*M*4 + m*4 + n%4; fp16 with C2 = 8. */
			assert_int_equal(c32[m * N + n], src32[(n / 4) * M * 4 + m * 4 + n % 4]);
			assert_true(cf[m * N + n] == srcf[(n / 4) * M * 4 + m * 4 + n % 4]);
			assert_int_equal(c16[m * N + n], src16[(n / 8) * M * 8 + m * 8 + n % 8]);
		}
	}
}

static void test_bad_type(void **state)
{
	char buf[64] = { 0 };

	(void)state;
	assert_int_equal(rnpu_matmul_pack_a((enum rnpu_mm_type)9, 1, 1, buf, buf + 32), -EINVAL);
	assert_int_equal(rnpu_matmul_pack_b((enum rnpu_mm_type)9, 1, 1, buf, buf + 32), -EINVAL);
	assert_int_equal(rnpu_matmul_unpack_c((enum rnpu_mm_type)9, 1, 1, buf, buf + 32), -EINVAL);
}

/*
 * The three layouts agree with each other and with the CPU reference: a
 * matmul computed purely on native tensors (as the hardware addresses them),
 * then unpacked, equals ref_matmul_i8_i32 on the row-major inputs.
 */
static void test_native_matmul_matches_ref(void **state)
{
	enum { M = 6, K = 64, N = 48 };
	int8_t a[M * K], b[K * N], na[M * K], nb[K * N];
	int32_t nc[M * N], c[M * N], want[M * N];
	struct ref_rng r;

	(void)state;
	ref_rng_seed(&r, 7);
	ref_fill_i8(&r, a, sizeof(a), -128, 127);
	ref_fill_i8(&r, b, sizeof(b), -128, 127);
	assert_int_equal(rnpu_matmul_pack_a(RNPU_MM_INT8_INT32, M, K, a, na), 0);
	assert_int_equal(rnpu_matmul_pack_b(RNPU_MM_INT8_INT32, K, N, b, nb), 0);
	for (int m = 0; m < M; m++) {
		for (int n = 0; n < N; n++) {
			int32_t s = 0;

			for (int k = 0; k < K; k++)
				s += na[(k / 16) * M * 16 + m * 16 + k % 16] *
				     nb[idx_int8_compact(K, N, k, n)];
			nc[(n / 4) * M * 4 + m * 4 + n % 4] = s;
		}
	}
	assert_int_equal(rnpu_matmul_unpack_c(RNPU_MM_INT8_INT32, M, N, nc, c), 0);
	ref_matmul_i8_i32(M, K, N, a, b, want);
	assert_memory_equal(c, want, sizeof(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_int4),
		cmocka_unit_test(test_pack_a_int8),
		cmocka_unit_test(test_pack_a_fp16),
		cmocka_unit_test(test_pack_a_padding),
		cmocka_unit_test(test_pack_b_int8),
		cmocka_unit_test(test_pack_b_fp16),
		cmocka_unit_test(test_unpack_c),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_native_matmul_matches_ref),
	};

	return cmocka_run_group_tests_name("lib-layout", tests, NULL, NULL);
}
