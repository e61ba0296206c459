/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Neural-network operations on the NPU beyond matmul: 2-D convolution,
 * elementwise operations, lookup-table activations and pooling, plus the
 * converters between normal (NHWC / NCHW) and native (NC1HWC2) layouts.
 *
 * Every operation follows one life cycle:
 *   create  - checks the parameters, allocates the buffer objects, packs
 *             the constant operands (weights, per-channel records) and
 *             builds the register program and task list once;
 *   set_input / run / get_output - any number of times;
 *   destroy - releases everything the operation holds.
 * Tensors at this API are batch 1 and NHWC (row-major [h][w][c]); int8
 * values are int8_t, fp16 values binary16 bit patterns (uint16_t).
 *
 * Errors are negative errno values; for -EINVAL and -ERANGE
 * rnpu_last_error() names the parameter or register field and its value.
 */
#ifndef RNPU_OPS_H
#define RNPU_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rnpu/rnpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Element types. Native layouts pack C2 = 16 / element-bytes channels of
 * one pixel into each 16-byte atom. */
enum rnpu_dtype {
	RNPU_DT_INT8 = 0,
	RNPU_DT_INT16 = 1,
	RNPU_DT_FP16 = 2,
	RNPU_DT_INT32 = 4,
	RNPU_DT_FP32 = 5,
};

enum rnpu_layout {
	RNPU_LAYOUT_NHWC = 0, /* [h][w][c] */
	RNPU_LAYOUT_NCHW = 1, /* [c][h][w] */
};

/* ---- layout converters ------------------------------------------------- */

/* Bytes per element (1, 2 or 4); 0 for an unknown type. */
unsigned int rnpu_dtype_size(enum rnpu_dtype dt);
/* Channels per 16-byte atom (16, 8 or 4); 0 for an unknown type. */
unsigned int rnpu_dtype_c2(enum rnpu_dtype dt);

/*
 * Native feature layout NC1HWC2: element (c, y, x) at element index
 * ((c / C2) * h * w + y * w + x) * C2 + c % C2. Channels are padded up to
 * a multiple of C2 with zeros. Size 0 for an unknown type or overflow.
 */
size_t rnpu_native_size(enum rnpu_dtype dt, uint32_t h, uint32_t w, uint32_t c);
int rnpu_to_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t h, uint32_t w,
		   uint32_t c, const void *src, void *dst);
int rnpu_from_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t h, uint32_t w,
		     uint32_t c, const void *src, void *dst);

/*
 * Native convolution weights (int8, int16, fp16). Input channels are padded
 * to Ca = ceil(c / C2) * C2. Direct convolution: kernels in groups of KG
 * (32 for int8, 16 for 16-bit types; the last group holds what is left),
 * inside a group 32-channel blocks, inside a block taps (ky, kx) in
 * row-major order, inside a tap the group's kernels, inside a kernel the
 * block's channels. Depthwise: blocks of 64 bytes of channels, inside a
 * block taps in row-major order, inside a tap the block's channels.
 * Normal weights are OHWI ([o][kh][kw][c]) or, with RNPU_LAYOUT_NCHW, OIHW;
 * depthwise normal weights are [kh][kw][c] (or [c][kh][kw]) and @o must
 * equal @c.
 */
size_t rnpu_native_weights_size(enum rnpu_dtype dt, uint32_t o, uint32_t kh, uint32_t kw,
				uint32_t c, bool depthwise);
int rnpu_weights_to_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t o, uint32_t kh,
			   uint32_t kw, uint32_t c, bool depthwise, const void *src, void *dst);
int rnpu_weights_from_native(enum rnpu_dtype dt, enum rnpu_layout layout, uint32_t o,
			     uint32_t kh, uint32_t kw, uint32_t c, bool depthwise,
			     const void *src, void *dst);

/* ---- operations -------------------------------------------------------- */

struct rnpu_op;

/*
 * conv2d: y = act(conv(x, w) + bias), NHWC in and out.
 * int8: x, w int8 (weights symmetric), accumulation exact; then per output
 * channel o:
 *   t = sat32(acc - in_zero_point * sum(w[o]) + bias[o])
 *   t = round_half_up(t * multiplier[o] / 2^shift[o]), saturated to int32
 *   t = max(t, 0) if relu
 *   y = saturate_int8(t + out_zero_point)
 * Padded input cells hold in_zero_point. fp16: fp16 in, fp16 weights,
 * fp32 accumulation, float bias, optional ReLU, fp16 out.
 */
struct rnpu_conv2d_params {
	enum rnpu_dtype dtype;           /* RNPU_DT_INT8 or RNPU_DT_FP16 */
	uint32_t in_h, in_w, in_c;
	uint32_t out_c;                  /* depthwise: must equal in_c */
	uint32_t kh, kw;
	uint32_t stride_h, stride_w;     /* 0 means 1 */
	uint32_t dilation_h, dilation_w; /* distance between taps; 0 means 1 */
	uint32_t pad_top, pad_bottom, pad_left, pad_right;
	bool depthwise;
	bool relu;
	const void *weights;             /* OHWI (depthwise [kh][kw][c]) */
	const void *bias;                /* int32_t[out_c] / float[out_c]; NULL: none */
	/* int8 only */
	int32_t in_zero_point;           /* -128..127 */
	int32_t out_zero_point;          /* -128..127 */
	const int16_t *multiplier;       /* [out_c], NULL: all 1 */
	const uint8_t *shift;            /* [out_c] 0..63, NULL: all 0 */
	/* Output rows per task at most (0: as many as the CBUF holds). */
	uint32_t max_rows_per_task;
};

int rnpu_conv2d_create(struct rnpu_dev *dev, const struct rnpu_conv2d_params *p,
		       struct rnpu_op **out);
/* A real requantisation scale (input scale x weight scale / output scale,
 * 0 < scale <= 32767) as the nearest multiplier / 2^shift with a 16-bit
 * multiplier and shift 0..63: relative error at most 2^-15 for scales from
 * 2^-49 up. -EINVAL for a scale out of range or NaN, -ERANGE below 2^-64. */
int rnpu_requant_from_scale(double scale, int16_t *multiplier, uint8_t *shift);
/* Output size of a convolution; 0 if the window does not fit. */
uint32_t rnpu_conv2d_out_dim(uint32_t in, uint32_t k, uint32_t stride, uint32_t dilation,
			     uint32_t pad_a, uint32_t pad_b);

enum rnpu_eltwise_kind {
	RNPU_ELTWISE_ADD,
	RNPU_ELTWISE_SUB, /* a - b */
	RNPU_ELTWISE_MUL,
	RNPU_ELTWISE_MAX,
	RNPU_ELTWISE_MIN,
};

/*
 * Elementwise y = f(a op b) over @count elements (any layout: both inputs
 * and the output share it). int8: the exact integer result r, then
 *   y = saturate_int8(round_half_even(r * out_scale / 2^out_shift) + out_offset),
 * ReLU (if set) applied to r. fp16: computed in fp32, rounded once to fp16;
 * out_scale/out_shift/out_offset must be 0.
 */
struct rnpu_eltwise_params {
	enum rnpu_dtype dtype;           /* RNPU_DT_INT8 or RNPU_DT_FP16 */
	enum rnpu_eltwise_kind kind;
	uint64_t count;
	bool relu;
	uint16_t out_scale;              /* 0 means 1 */
	uint8_t out_shift;               /* 0..31 */
	int32_t out_offset;
	uint32_t max_rows_per_task;      /* rows of 8192 or fewer pixels; 0: no limit */
};

int rnpu_eltwise_create(struct rnpu_dev *dev, const struct rnpu_eltwise_params *p,
			struct rnpu_op **out);

enum rnpu_activation_kind {
	RNPU_ACT_SIGMOID,
	RNPU_ACT_TANH,
	RNPU_ACT_SILU, /* x * sigmoid(x) */
};

/*
 * Activation y = f(x) over @count elements (any layout) through the DPU's
 * lookup table. Fixed point, int8 or int16 in and out (the same type):
 * element q stands for q / 2^in_frac, the result is f(q / 2^in_frac) *
 * 2^out_frac rounded and saturated to the type. int8 inputs read an exact
 * table entry each; int16 inputs interpolate between entries 64 apart.
 * Error bound: docs/ops.md ("Activations").
 */
struct rnpu_activation_params {
	enum rnpu_dtype dtype;           /* RNPU_DT_INT8 or RNPU_DT_INT16 */
	enum rnpu_activation_kind kind;
	uint64_t count;
	uint8_t in_frac, out_frac;       /* 0..15 */
	uint32_t max_rows_per_task;      /* as for eltwise; 0: no limit */
};

int rnpu_activation_create(struct rnpu_dev *dev, const struct rnpu_activation_params *p,
			   struct rnpu_op **out);

enum rnpu_pool2d_kind {
	RNPU_POOL2D_MAX,
	RNPU_POOL2D_AVG,
	RNPU_POOL2D_MIN,
};

/*
 * Pooling, NHWC in and out, int8 or fp16. Padded cells hold the type's
 * lowest value (max), highest value (min) or 0 (average, which divides by
 * the full kernel size: count_include_pad). The average multiplies the
 * window sum by the hardware's 11-bit reciprocals of kw and kh; integer
 * averages then round half up.
 */
struct rnpu_pool2d_params {
	enum rnpu_dtype dtype;
	enum rnpu_pool2d_kind kind;
	uint32_t in_h, in_w, c;
	uint32_t kh, kw;                 /* 1..16 */
	uint32_t stride_h, stride_w;     /* 1..16; 0 means the kernel size */
	uint32_t pad_top, pad_bottom, pad_left, pad_right; /* 0..7 */
	uint32_t max_rows_per_task;
};

int rnpu_pool2d_create(struct rnpu_dev *dev, const struct rnpu_pool2d_params *p,
		     struct rnpu_op **out);

/* Shape of an operation's output (h, w, c; eltwise: count, 1, 1). */
void rnpu_op_output_shape(const struct rnpu_op *op, uint32_t *h, uint32_t *w, uint32_t *c);
/* Number of tasks in the program. */
uint32_t rnpu_op_num_tasks(const struct rnpu_op *op);

/* Input @index (0; eltwise: 0 = a, 1 = b) from NHWC data, converted into
 * the native buffer. */
int rnpu_op_set_input(struct rnpu_op *op, unsigned int index, const void *data);
/* The output as NHWC data (eltwise: @count elements). */
int rnpu_op_get_output(struct rnpu_op *op, void *data);
/* The buffer objects holding input @index / the output in native layout,
 * for zero-copy use (valid until destroy). */
struct rnpu_bo *rnpu_op_input_bo(struct rnpu_op *op, unsigned int index);
struct rnpu_bo *rnpu_op_output_bo(struct rnpu_op *op);
/*
 * Zero copy: use the caller's buffer object (e.g. an imported dma-buf) as
 * input @index / the output, in native layout (for elementwise: the plain
 * element order). The program is rewritten for its address; the buffer the
 * operation allocated is freed. The caller keeps ownership of @bo and must
 * keep it until the operation is destroyed. -EINVAL if @bo is too small,
 * misaligned or of another device.
 */
int rnpu_op_bind_input(struct rnpu_op *op, unsigned int index, struct rnpu_bo *bo);
int rnpu_op_bind_output(struct rnpu_op *op, struct rnpu_bo *bo);

/*
 * Runs the task list, blocking. @core_mask: RNPU_CORE_AUTO_MASK or one core
 * runs every task on one core; a mask of several cores (0x3, 0x7) splits the
 * tasks in contiguous runs between them (never more cores than tasks).
 * @req (may be NULL) receives task counter, elapsed time and the core used.
 */
int rnpu_op_run(struct rnpu_op *op, uint32_t core_mask, struct rnpu_submit_req *req);
/* Queues the job; *fence_fd signals its end (rnpu_fence_wait, close it).
 * The operation's buffers must not change until it has signalled. */
int rnpu_op_run_async(struct rnpu_op *op, uint32_t core_mask, int *fence_fd);
/*
 * Queues a run that starts once @in_fence_fd has signalled success (-1:
 * at once) and returns without waiting; *fence_fd signals the run's end
 * (rnpu_fence_wait or poll; close it). So a chain of operations bound to
 * each other's buffers is queued in one go, each run after the previous
 * one's fence:
 *   rnpu_op_run_after(conv, mask, -1, &f1);
 *   rnpu_op_run_after(add, mask, f1, &f2);
 *   rnpu_op_run_after(pool, mask, f2, &f3);   then wait for f3
 * A failed input fence fails the run (nothing runs; its fence carries the
 * input's error); an input fence that has not signalled after 4 x
 * RNPU_DEFAULT_TIMEOUT_MS fails it with -ETIMEDOUT. @in_fence_fd stays the
 * caller's (the run keeps a duplicate). Fences of any rnpu run work as
 * inputs. Returns -EBADF if @in_fence_fd is not open, or the input's error
 * if it has already failed.
 */
int rnpu_op_run_after(struct rnpu_op *op, uint32_t core_mask, int in_fence_fd, int *fence_fd);
/* The mask rnpu_op_run uses for RNPU_OPS_CORES_WHERE_IT_PAYS: every core
 * of the RK3588 when the tasks are many and large enough, else AUTO. */
#define RNPU_OPS_CORES_WHERE_IT_PAYS 0xffffffffu
/* Waits for the operation's asynchronous jobs still running (each at most
 * twice RNPU_DEFAULT_TIMEOUT_MS), then frees everything it holds. Call it
 * before rnpu_close() of its device. An operation is used by one thread at
 * a time; different operations of a device may run in parallel. */
void rnpu_op_destroy(struct rnpu_op *op);

#ifdef __cplusplus
}
#endif
#endif
