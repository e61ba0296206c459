// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * A program written against the RKNN matmul API only (rknn_matmul_api.h,
 * as Rockchip's runtime ships it): it builds with rnpu's headers
 * unchanged and runs on whatever NPU librknn_rnpu opens (RNPU_DEVICE,
 * default the software NPU).
 *
 *   rknn_matmul_demo [type] [M,K,N] [B_layout] [AC_layout] [core_mask] [B_quant_type]
 *
 * type: 1 fp16->fp32, 2 int8->int32, 3 int8->int8, 4 fp16->fp16,
 * 10 int4->int16 (default 2); layouts 0 normal, 1 native, 2 transposed B
 * (default 0); core_mask as rknn_core_mask (default 0, auto);
 * B_quant_type 0 per layer (default) or 2 per channel (types 2 and 3: a
 * scale per column of B). The result is checked against a plain CPU
 * computation; exit status 0 when it matches.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rknn_matmul_api.h"

/* float -> binary16, round to nearest even (normal range is enough here). */
static uint16_t to_half(float f)
{
	uint32_t x;
	uint32_t sign, exp, mant;

	memcpy(&x, &f, 4);
	sign = (x >> 16) & 0x8000u;
	exp = (x >> 23) & 0xffu;
	mant = x & 0x7fffffu;
	if (exp == 0 && mant == 0)
		return (uint16_t)sign;
	exp = exp - 127 + 15;
	mant += 0xfffu + ((mant >> 13) & 1u);
	if (mant & 0x800000u) {
		mant = 0;
		exp++;
	}
	return (uint16_t)(sign | (exp << 10) | (mant >> 13));
}

static float from_half(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
	uint32_t x;
	float f;

	if (exp == 0)
		return (sign ? -1.0f : 1.0f) * ldexpf((float)mant, -24);
	x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
	memcpy(&f, &x, 4);
	return f;
}

/* int4 element @idx of a packed buffer: normal layouts put the even index
 * in the low nibble, native ones (the NPU's order) in the high nibble. */
static void put_int4(void *base, int idx, int v, int even_low)
{
	uint8_t *p = (uint8_t *)base + idx / 2;
	int low = (idx % 2 == 0) == even_low;

	if (low)
		*p = (uint8_t)((*p & 0xf0) | (v & 0x0f));
	else
		*p = (uint8_t)((*p & 0x0f) | ((v & 0x0f) << 4));
}

static int parse_shape(const char *s, int *m, int *k, int *n)
{
	return sscanf(s, "%d,%d,%d", m, k, n) == 3 ? 0 : -1;
}

int main(int argc, char **argv)
{
	rknn_matmul_type type = argc > 1 ? (rknn_matmul_type)atoi(argv[1])
					 : RKNN_INT8_MM_INT8_TO_INT32;
	int M = 4, K = 64, N = 32;
	int b_layout = argc > 3 ? atoi(argv[3]) : RKNN_MM_LAYOUT_NORM;
	int ac_layout = argc > 4 ? atoi(argv[4]) : RKNN_MM_LAYOUT_NORM;
	int core_mask = argc > 5 ? atoi(argv[5]) : RKNN_NPU_CORE_AUTO;
	int b_quant = argc > 6 ? atoi(argv[6]) : RKNN_QUANT_TYPE_PER_LAYER_SYM;
	int per_channel = b_quant == RKNN_QUANT_TYPE_PER_CHANNEL_SYM;
	float sa = 0.5f, sc = 2.0f, b_scale = 0.25f, *sb = NULL;
	int is_fp = type == RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT32 ||
		    type == RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT16;
	int is_i4 = type == RKNN_INT4_MM_INT4_TO_INT16;
	rknn_matmul_ctx ctx = 0;
	rknn_matmul_info info;
	rknn_matmul_io_attr io_attr;
	rknn_tensor_mem *A, *B, *C;
	rknn_sdk_version ver;
	float *a, *b, *ref;
	size_t bad = 0;
	int ret;

	if (argc > 2 && parse_shape(argv[2], &M, &K, &N)) {
		fprintf(stderr, "usage: %s [type] [M,K,N] [B_layout] [AC_layout] [core_mask]"
			" [B_quant_type]\n", argv[0]);
		return 2;
	}
	memset(&info, 0, sizeof(info));
	info.M = M;
	info.K = K;
	info.N = N;
	info.type = type;
	info.B_layout = (int16_t)b_layout;
	info.AC_layout = (int16_t)ac_layout;
	info.B_quant_type = (int16_t)b_quant;
	memset(&io_attr, 0, sizeof(io_attr));
	ret = rknn_matmul_create(&ctx, &info, &io_attr);
	if (ret < 0) {
		printf("rknn_matmul_create fail! ret=%d\n", ret);
		return 1;
	}
	if (rknn_query(ctx, RKNN_QUERY_SDK_VERSION, &ver, sizeof(ver)) == RKNN_SUCC)
		printf("rknn_api/rknnrt version: %s, driver version: %s\n", ver.api_version,
		       ver.drv_version);
	printf("matmul %s M=%d K=%d N=%d, A %s %u bytes, B %s %u bytes, C %s %u bytes\n",
	       get_matmul_type_string(type), M, K, N, get_type_string(io_attr.A.type),
	       io_attr.A.size, get_type_string(io_attr.B.type), io_attr.B.size,
	       get_type_string(io_attr.C.type), io_attr.C.size);
	if (core_mask) {
		ret = rknn_matmul_set_core_mask(ctx, (rknn_core_mask)core_mask);
		if (ret < 0)
			printf("rknn_matmul_set_core_mask fail! ret=%d\n", ret);
	}
	/* Per channel: column n of B has scale 0.25 / 2^(n % 3). */
	sb = malloc(sizeof(float) * (size_t)N);
	for (int n = 0; n < N; n++)
		sb[n] = per_channel ? ldexpf(0.25f, -(n % 3)) : 0.25f;
	if (type == RKNN_INT8_MM_INT8_TO_INT8 || per_channel) {
		rknn_quant_params q;

		memset(&q, 0, sizeof(q));
		q.scale_len = 1;
		strcpy(q.name, io_attr.A.name);
		q.scale = &sa;
		rknn_matmul_set_quant_params(ctx, &q);
		strcpy(q.name, io_attr.B.name);
		q.scale = sb;
		q.scale_len = per_channel ? N : 1;
		ret = rknn_matmul_set_quant_params(ctx, &q);
		if (ret < 0) {
			printf("rknn_matmul_set_quant_params fail! ret=%d\n", ret);
			return 1;
		}
		q.scale_len = 1;
		strcpy(q.name, io_attr.C.name);
		q.scale = &sc;
		rknn_matmul_set_quant_params(ctx, &q);
	}
	if (per_channel) {
		rknn_quant_params q;

		/* int32 results are in units of sA x this normalised B scale. */
		memset(&q, 0, sizeof(q));
		strcpy(q.name, io_attr.B.name);
		rknn_matmul_get_quant_params(ctx, &q, &b_scale);
		printf("per-channel B: normalised B scale %g\n", (double)b_scale);
	}

	A = rknn_create_mem(ctx, io_attr.A.size);
	B = rknn_create_mem(ctx, io_attr.B.size);
	C = rknn_create_mem(ctx, io_attr.C.size);
	if (!A || !B || !C) {
		printf("rknn_create_mem fail!\n");
		return 1;
	}

	/* Small integers keep every result exact, even in fp16. */
	a = malloc(sizeof(float) * (size_t)M * K);
	b = malloc(sizeof(float) * (size_t)K * N);
	ref = calloc((size_t)M * N, sizeof(float));
	srand(1234);
	for (int i = 0; i < M * K; i++)
		a[i] = (float)(rand() % 7 - 3);
	for (int i = 0; i < K * N; i++)
		b[i] = (float)(rand() % 5 - 2);
	for (int m = 0; m < M; m++)
		for (int k = 0; k < K; k++)
			for (int n = 0; n < N; n++)
				ref[m * N + n] += a[m * K + k] * b[k * N + n];

	for (int m = 0; m < M; m++) {
		for (int k = 0; k < K; k++) {
			int idx = m * K + k;

			if (ac_layout == RKNN_MM_LAYOUT_NATIVE) {
				int sk = (int)io_attr.A.dims[2];

				idx = ((k / sk) * M + m) * sk + k % sk;
			}
			if (is_fp)
				((uint16_t *)A->virt_addr)[idx] = to_half(a[m * K + k]);
			else if (is_i4)
				put_int4(A->virt_addr, idx, (int)a[m * K + k],
					 ac_layout != RKNN_MM_LAYOUT_NATIVE);
			else
				((int8_t *)A->virt_addr)[idx] = (int8_t)a[m * K + k];
		}
	}
	{
		void *bn = calloc((size_t)K * N + 1, is_fp ? 2 : 1);

		for (int k = 0; k < K; k++) {
			for (int n = 0; n < N; n++) {
				int idx = b_layout == RKNN_MM_LAYOUT_TP_NORM ? n * K + k : k * N + n;

				if (is_fp)
					((uint16_t *)bn)[idx] = to_half(b[k * N + n]);
				else if (is_i4)
					put_int4(bn, idx, (int)b[k * N + n], 1);
				else
					((int8_t *)bn)[idx] = (int8_t)b[k * N + n];
			}
		}
		if (b_layout == RKNN_MM_LAYOUT_NATIVE)
			ret = rknn_B_normal_layout_to_native_layout(bn, B->virt_addr, K, N, &info);
		else
			memcpy(B->virt_addr, bn, io_attr.B.size);
		free(bn);
		if (ret < 0) {
			printf("rknn_B_normal_layout_to_native_layout fail! ret=%d\n", ret);
			return 1;
		}
	}

	ret = rknn_matmul_set_io_mem(ctx, A, &io_attr.A);
	if (ret == RKNN_SUCC)
		ret = rknn_matmul_set_io_mem(ctx, B, &io_attr.B);
	if (ret == RKNN_SUCC)
		ret = rknn_matmul_set_io_mem(ctx, C, &io_attr.C);
	if (ret < 0) {
		printf("rknn_matmul_set_io_mem fail! ret=%d\n", ret);
		return 1;
	}
	ret = rknn_matmul_run(ctx);
	if (ret < 0) {
		printf("rknn_matmul_run fail! ret=%d\n", ret);
		return 1;
	}

	for (int m = 0; m < M; m++) {
		for (int n = 0; n < N; n++) {
			int idx = m * N + n;
			float got, want = ref[m * N + n];

			if (ac_layout == RKNN_MM_LAYOUT_NATIVE) {
				int sn = (int)io_attr.C.dims[2];

				idx = ((n / sn) * M + m) * sn + n % sn;
			}
			switch (type) {
			case RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT32:
				got = ((float *)C->virt_addr)[idx];
				break;
			case RKNN_FLOAT16_MM_FLOAT16_TO_FLOAT16:
				got = from_half(((uint16_t *)C->virt_addr)[idx]);
				break;
			case RKNN_INT4_MM_INT4_TO_INT16:
				got = (float)((int16_t *)C->virt_addr)[idx];
				break;
			case RKNN_INT8_MM_INT8_TO_INT8:
				got = (float)((int8_t *)C->virt_addr)[idx];
				/* C = A * B * sa * sb / sc, rounded and saturated */
				want = floorf(want * sa * sb[n] / sc + 0.5f);
				want = want > 127 ? 127 : want < -128 ? -128 : want;
				break;
			default:
				got = (float)((int32_t *)C->virt_addr)[idx];
				/* per channel: in units of sa * b_scale */
				if (per_channel)
					want = floorf(want * sb[n] / b_scale + 0.5f);
				break;
			}
			if (fabsf(got - want) > 0.0f && bad++ < 4)
				printf("C[%d][%d] = %g, expected %g\n", m, n, (double)got,
				       (double)want);
		}
	}
	printf("%s\n", bad ? "FAIL" : "PASS");

	rknn_destroy_mem(ctx, A);
	rknn_destroy_mem(ctx, B);
	rknn_destroy_mem(ctx, C);
	rknn_matmul_destroy(ctx);
	free(a);
	free(b);
	free(ref);
	free(sb);
	return bad ? 1 : 0;
}
