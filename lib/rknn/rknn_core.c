// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * librknn_rnpu: the context registry, the shared device, logging,
 * rknn_query, and the model entry points rnpu does not provide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rknn_internal.h"

/* The binary interface of librknnrt 2.3.2 on LP64 (docs/rknn.md). */
#if defined(__LP64__)
_Static_assert(sizeof(rknn_context) == 8, "rknn_context");
_Static_assert(sizeof(rknn_tensor_attr) == 376, "rknn_tensor_attr");
_Static_assert(offsetof(rknn_tensor_attr, name) == 72, "tensor_attr.name");
_Static_assert(offsetof(rknn_tensor_attr, n_elems) == 328, "tensor_attr.n_elems");
_Static_assert(offsetof(rknn_tensor_attr, fmt) == 336, "tensor_attr.fmt");
_Static_assert(offsetof(rknn_tensor_attr, fl) == 348, "tensor_attr.fl");
_Static_assert(offsetof(rknn_tensor_attr, zp) == 352, "tensor_attr.zp");
_Static_assert(offsetof(rknn_tensor_attr, w_stride) == 360, "tensor_attr.w_stride");
_Static_assert(offsetof(rknn_tensor_attr, pass_through) == 368, "tensor_attr.pass_through");
_Static_assert(offsetof(rknn_tensor_attr, h_stride) == 372, "tensor_attr.h_stride");
_Static_assert(sizeof(rknn_input_range) == 33040, "rknn_input_range");
_Static_assert(offsetof(rknn_input_range, dyn_range) == 268, "input_range.dyn_range");
_Static_assert(offsetof(rknn_input_range, n_dims) == 33036, "input_range.n_dims");
_Static_assert(sizeof(rknn_perf_detail) == 16, "rknn_perf_detail");
_Static_assert(sizeof(rknn_perf_run) == 8, "rknn_perf_run");
_Static_assert(sizeof(rknn_sdk_version) == 512, "rknn_sdk_version");
_Static_assert(sizeof(rknn_mem_size) == 64, "rknn_mem_size");
_Static_assert(offsetof(rknn_mem_size, total_dma_allocated_size) == 8, "mem_size.dma");
_Static_assert(offsetof(rknn_mem_size, total_sram_size) == 16, "mem_size.sram");
_Static_assert(offsetof(rknn_mem_size, reserved) == 24, "mem_size.reserved");
_Static_assert(sizeof(rknn_custom_string) == 1024, "rknn_custom_string");
_Static_assert(sizeof(rknn_tensor_mem) == 40, "rknn_tensor_mem");
_Static_assert(offsetof(rknn_tensor_mem, phys_addr) == 8, "tensor_mem.phys_addr");
_Static_assert(offsetof(rknn_tensor_mem, fd) == 16, "tensor_mem.fd");
_Static_assert(offsetof(rknn_tensor_mem, offset) == 20, "tensor_mem.offset");
_Static_assert(offsetof(rknn_tensor_mem, size) == 24, "tensor_mem.size");
_Static_assert(offsetof(rknn_tensor_mem, flags) == 28, "tensor_mem.flags");
_Static_assert(offsetof(rknn_tensor_mem, priv_data) == 32, "tensor_mem.priv_data");
_Static_assert(sizeof(rknn_input) == 32, "rknn_input");
_Static_assert(offsetof(rknn_input, buf) == 8, "input.buf");
_Static_assert(offsetof(rknn_input, type) == 24, "input.type");
_Static_assert(sizeof(rknn_output) == 24, "rknn_output");
_Static_assert(offsetof(rknn_output, index) == 4, "output.index");
_Static_assert(offsetof(rknn_output, size) == 16, "output.size");
_Static_assert(sizeof(rknn_init_extend) == 136, "rknn_init_extend");
_Static_assert(offsetof(rknn_init_extend, model_buffer_fd) == 16, "init_extend.fd");
_Static_assert(offsetof(rknn_init_extend, reserved) == 24, "init_extend.reserved");
_Static_assert(sizeof(rknn_run_extend) == 24, "rknn_run_extend");
_Static_assert(offsetof(rknn_run_extend, fence_fd) == 16, "run_extend.fence_fd");
_Static_assert(sizeof(rknn_output_extend) == 8, "rknn_output_extend");
_Static_assert(sizeof(rknn_matmul_tensor_attr) == 332, "rknn_matmul_tensor_attr");
_Static_assert(offsetof(rknn_matmul_tensor_attr, n_dims) == 256, "mm_tensor_attr.n_dims");
_Static_assert(offsetof(rknn_matmul_tensor_attr, size) == 324, "mm_tensor_attr.size");
_Static_assert(offsetof(rknn_matmul_tensor_attr, type) == 328, "mm_tensor_attr.type");
_Static_assert(sizeof(rknn_matmul_io_attr) == 996, "rknn_matmul_io_attr");
_Static_assert(offsetof(rknn_matmul_io_attr, C) == 664, "io_attr.C");
_Static_assert(sizeof(rknn_matmul_shape) == 12, "rknn_matmul_shape");
_Static_assert(sizeof(rknn_quant_params) == 288, "rknn_quant_params");
_Static_assert(offsetof(rknn_quant_params, scale) == 256, "quant_params.scale");
_Static_assert(offsetof(rknn_quant_params, zp) == 272, "quant_params.zp");
_Static_assert(offsetof(rknn_quant_params, zp_len) == 280, "quant_params.zp_len");
_Static_assert(sizeof(rknn_matmul_info) == 64, "rknn_matmul_info");
_Static_assert(offsetof(rknn_matmul_info, type) == 12, "matmul_info.type");
_Static_assert(offsetof(rknn_matmul_info, B_quant_type) == 18, "matmul_info.B_quant_type");
_Static_assert(offsetof(rknn_matmul_info, AC_quant_type) == 22, "matmul_info.AC_quant_type");
_Static_assert(offsetof(rknn_matmul_info, iommu_domain_id) == 24, "matmul_info.iommu");
_Static_assert(offsetof(rknn_matmul_info, group_size) == 28, "matmul_info.group_size");
_Static_assert(offsetof(rknn_matmul_info, reserved) == 30, "matmul_info.reserved");
#endif
_Static_assert(sizeof(rknn_core_mask) == 4 && sizeof(rknn_matmul_type) == 4, "enum size");
_Static_assert(RKNN_NPU_CORE_UNDEFINED == 0x10000, "RKNN_NPU_CORE_UNDEFINED");
_Static_assert(RKNN_QUERY_CMD_MAX == 18, "RKNN_QUERY_CMD_MAX");
_Static_assert(RKNN_TENSOR_TYPE_MAX == 12, "RKNN_TENSOR_TYPE_MAX");
_Static_assert(RKNN_TENSOR_MEMORY_FLAGS_UNKNOWN == 4, "RKNN_TENSOR_MEMORY_FLAGS_UNKNOWN");

/* Tools find the runtime's version with `strings | grep "librknnrt version:"`. */
#define RKNN_RNPU_API_VERSION "2.3.2 (rnpu 0.1.0)"
const char rknn_rnpu_version_string[] = "librknnrt version: " RKNN_RNPU_API_VERSION;

#define MAX_CONTEXTS 4096u

pthread_mutex_t rknn_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rknn_ctx_slot slots[MAX_CONTEXTS];
static struct rnpu_dev *shared_dev;   /* under rknn_lock */
static unsigned int shared_refs;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER; /* protects last_error */
static char last_error[256];

int rknn_log(int ret, const char *fmt, ...)
{
	const char *quiet = getenv("RNPU_RKNN_LOG");
	va_list ap;

	pthread_mutex_lock(&log_lock);
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	if (!quiet || strcmp(quiet, "0"))
		fprintf(stderr, "E RKNN: %s\n", last_error);
	pthread_mutex_unlock(&log_lock);
	return ret;
}

const char *rknn_rnpu_last_error(void)
{
	return last_error;
}

struct rnpu_dev *rknn_dev_get(void)
{
	const char *path = getenv("RNPU_DEVICE");
	struct rnpu_dev *dev = NULL;
	int ret;

	if (!shared_dev) {
		ret = rnpu_open(path && path[0] ? path : "sim", &dev);
		if (ret) {
			rknn_log(RKNN_ERR_DEVICE_UNAVAILABLE, "cannot open NPU device \"%s\": error %d",
				 path && path[0] ? path : "sim", ret);
			return NULL;
		}
		shared_dev = dev;
	}
	shared_refs++;
	return shared_dev;
}

void rknn_dev_put(void)
{
	if (shared_refs && --shared_refs == 0) {
		rnpu_close(shared_dev);
		shared_dev = NULL;
	}
}

/* Handles: slot + 1 in the low 12 bits, a generation above, never 0. */
struct rknn_mm_ctx *rknn_ctx_lookup(rknn_context ctx)
{
	uint64_t h = (uint64_t)ctx;
	uint32_t slot = (uint32_t)(h & (MAX_CONTEXTS - 1));

	if (!slot || h >> 32)
		return NULL;
	slot--;
	if (!slots[slot].mm || slots[slot].gen != (uint32_t)(h >> 12))
		return NULL;
	return slots[slot].mm;
}

struct rknn_mm_ctx *rknn_ctx_get_locked(const char *fn, rknn_context ctx)
{
	struct rknn_mm_ctx *c;

	pthread_mutex_lock(&rknn_lock);
	c = rknn_ctx_lookup(ctx);
	if (c)
		pthread_mutex_lock(&c->lock);
	else
		rknn_log(RKNN_ERR_CTX_INVALID, "%s: invalid context 0x%llx", fn,
			 (unsigned long long)ctx);
	pthread_mutex_unlock(&rknn_lock);
	return c;
}

int rknn_ctx_add(struct rknn_mm_ctx *c, rknn_context *out)
{
	for (uint32_t i = 0; i < MAX_CONTEXTS - 1; i++) {
		if (!slots[i].mm) {
			slots[i].gen = (slots[i].gen + 1) & 0xfffffu;
			if (!slots[i].gen)
				slots[i].gen = 1;
			slots[i].mm = c;
			*out = (rknn_context)(((uint64_t)slots[i].gen << 12) | (i + 1));
			return 0;
		}
	}
	return rknn_log(RKNN_ERR_MALLOC_FAIL, "too many contexts (%u)", MAX_CONTEXTS - 1);
}

void rknn_ctx_remove(rknn_context ctx)
{
	uint32_t slot = (uint32_t)((uint64_t)ctx & (MAX_CONTEXTS - 1));

	if (slot && rknn_ctx_lookup(ctx))
		slots[slot - 1].mm = NULL;
}

void rknn_mm_unbind_mem(struct rknn_mem_priv *m)
{
	for (uint32_t i = 0; i < MAX_CONTEXTS; i++) {
		struct rknn_mm_ctx *c = slots[i].mm;

		if (!c)
			continue;
		pthread_mutex_lock(&c->lock);
		for (int op = 0; op < 3; op++) {
			if (c->bind[op].mem != m)
				continue;
			c->bind[op].mem = NULL;
			/* Shapes bound natively to it fall back to their own buffer. */
			for (int s = 0; s < c->nshapes; s++)
				if (c->shapes[s].mm)
					rnpu_matmul_bind(c->shapes[s].mm, (enum rnpu_mm_operand)op,
							 NULL, 0, NULL);
		}
		pthread_mutex_unlock(&c->lock);
	}
}

/* Bytes of NPU memory a matmul context holds itself (its native buffers,
 * partial sums, task lists), and the weight part of it. */
static void mm_ctx_sizes(const struct rknn_mm_ctx *c, uint64_t *weight, uint64_t *total)
{
	*weight = 0;
	*total = 0;
	for (int s = 0; s < c->nshapes; s++) {
		const struct rnpu_matmul *mm = c->shapes[s].mm;

		if (!mm)
			continue;
		*weight += rnpu_matmul_native_size(mm, RNPU_MM_B);
		for (int op = 0; op < 3; op++)
			*total += rnpu_matmul_native_size(mm, (enum rnpu_mm_operand)op);
	}
}

int rknn_query(rknn_context context, rknn_query_cmd cmd, void *info, uint32_t size)
{
	struct rknn_mm_ctx *c;
	int ret = RKNN_SUCC;

	if (!info)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_query: info is NULL");
	if ((int)cmd < 0 || cmd >= RKNN_QUERY_CMD_MAX)
		return rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_query: cmd %d out of range [0, %d)",
				(int)cmd, RKNN_QUERY_CMD_MAX);
	pthread_mutex_lock(&rknn_lock);
	c = rknn_ctx_lookup(context);
	if (!c) {
		ret = rknn_log(RKNN_ERR_CTX_INVALID, "rknn_query: invalid context 0x%llx",
			       (unsigned long long)context);
		pthread_mutex_unlock(&rknn_lock);
		return ret;
	}
	pthread_mutex_lock(&c->lock);
	switch (cmd) {
	case RKNN_QUERY_SDK_VERSION: {
		rknn_sdk_version *v = info;
		uint32_t drv = 0;

		if (size < sizeof(*v)) {
			ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_query: info_len(%u) <"
				       " sizeof(rknn_sdk_version)(%zu)", size, sizeof(*v));
			break;
		}
		memset(v, 0, sizeof(*v));
		snprintf(v->api_version, sizeof(v->api_version), "%s", RKNN_RNPU_API_VERSION);
		rnpu_action(shared_dev, RKNPU_GET_DRV_VERSION, &drv);
		snprintf(v->drv_version, sizeof(v->drv_version), "%u.%u.%u", drv / 10000,
			 drv / 100 % 100, drv % 100);
		break;
	}
	case RKNN_QUERY_MEM_SIZE: {
		rknn_mem_size ms;
		uint64_t weight, total, v = 0;

		if (size < 8) {
			ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_query: info_len(%u) < 8!", size);
			break;
		}
		memset(&ms, 0, sizeof(ms));
		mm_ctx_sizes(c, &weight, &total);
		ms.total_weight_size = (uint32_t)weight;
		ms.total_internal_size = (uint32_t)(total - weight);
		ms.total_dma_allocated_size = total;
		if (!rnpu_query(shared_dev, RNPU_QUERY_SRAM_TOTAL, &v))
			ms.total_sram_size = (uint32_t)v;
		if (!rnpu_query(shared_dev, RNPU_QUERY_SRAM_FREE, &v))
			ms.free_sram_size = (uint32_t)v;
		/* The 8-byte 1.3 form gets its two fields, newer forms all. */
		memcpy(info, &ms, size < sizeof(ms) ? size : sizeof(ms));
		break;
	}
	default:
		ret = rknn_log(RKNN_ERR_PARAM_INVALID, "rknn_query: cmd %d is not supported for"
			       " matmul contexts (rnpu has no model contexts)", (int)cmd);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&rknn_lock);
	return ret;
}

/* ---- model contexts: not provided ---------------------------------------- */

int rknn_init(rknn_context *context, void *model, uint32_t size, uint32_t flag,
	      rknn_init_extend *extend)
{
	(void)model;
	(void)size;
	(void)flag;
	(void)extend;
	if (context)
		*context = 0;
	return rknn_log(RKNN_ERR_MODEL_INVALID, "rknn_init: rnpu does not load .rknn models"
			" (only the matmul and memory APIs are provided)");
}

static int no_model(const char *fn, rknn_context ctx)
{
	return rknn_log(RKNN_ERR_CTX_INVALID, "%s: context 0x%llx is not a model context (rnpu"
			" does not load models)", fn, (unsigned long long)ctx);
}

int rknn_dup_context(rknn_context *context_in, rknn_context *context_out)
{
	(void)context_out;
	return no_model("rknn_dup_context", context_in ? *context_in : 0);
}

int rknn_destroy(rknn_context context)
{
	return no_model("rknn_destroy", context);
}

int rknn_inputs_set(rknn_context context, uint32_t n_inputs, rknn_input inputs[])
{
	(void)n_inputs;
	(void)inputs;
	return no_model("rknn_inputs_set", context);
}

int rknn_set_batch_core_num(rknn_context context, int core_num)
{
	(void)core_num;
	return no_model("rknn_set_batch_core_num", context);
}

int rknn_set_core_mask(rknn_context context, rknn_core_mask core_mask)
{
	(void)core_mask;
	return no_model("rknn_set_core_mask", context);
}

int rknn_run(rknn_context context, rknn_run_extend *extend)
{
	(void)extend;
	return no_model("rknn_run", context);
}

int rknn_wait(rknn_context context, rknn_run_extend *extend)
{
	(void)extend;
	return no_model("rknn_wait", context);
}

int rknn_outputs_get(rknn_context context, uint32_t n_outputs, rknn_output outputs[],
		     rknn_output_extend *extend)
{
	(void)n_outputs;
	(void)outputs;
	(void)extend;
	return no_model("rknn_outputs_get", context);
}

int rknn_outputs_release(rknn_context context, uint32_t n_ouputs, rknn_output outputs[])
{
	(void)n_ouputs;
	(void)outputs;
	return no_model("rknn_outputs_release", context);
}

int rknn_set_weight_mem(rknn_context ctx, rknn_tensor_mem *mem)
{
	(void)mem;
	return no_model("rknn_set_weight_mem", ctx);
}

int rknn_set_internal_mem(rknn_context ctx, rknn_tensor_mem *mem)
{
	(void)mem;
	return no_model("rknn_set_internal_mem", ctx);
}

int rknn_set_io_mem(rknn_context ctx, rknn_tensor_mem *mem, rknn_tensor_attr *attr)
{
	(void)mem;
	(void)attr;
	return no_model("rknn_set_io_mem", ctx);
}

int rknn_set_input_shape(rknn_context ctx, rknn_tensor_attr *attr)
{
	(void)attr;
	return no_model("rknn_set_input_shape", ctx);
}

int rknn_set_input_shapes(rknn_context ctx, uint32_t n_inputs, rknn_tensor_attr attr[])
{
	(void)n_inputs;
	(void)attr;
	return no_model("rknn_set_input_shapes", ctx);
}
