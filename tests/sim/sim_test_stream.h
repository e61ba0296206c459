/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Register-command streams and tensor packing for the software NPU tests,
 * written from the hardware notes (regcmd format, NC1HWC2 feature layout,
 * kernel-group weight tiling, WDMA addressing), not from the model.
 */
#ifndef RNPU_SIM_TEST_STREAM_H
#define RNPU_SIM_TEST_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DPU precision codes used by the tests. */
#define TP_INT8 0u
#define TP_FP16 2u
#define TP_INT32 4u
#define TP_FP32 5u

#define CONV_OP_EN 0x0du /* CNA + CORE + DPU */
#define TAIL_WORDS 4u

struct conv_desc {
	bool fp16;           /* fp16 input, else int8 */
	unsigned int out_prec;
	unsigned int w, h, c; /* input; c a multiple of the atom's channels */
	unsigned int kw, kh, n;
	unsigned int sx, sy, pad_l, pad_t;
	uint32_t pad_value;
	unsigned int out_w, out_h;
	uint32_t in, wt, out;
	bool group_line_off;
	unsigned int clip_shift;
};

/* Writes the body of one conv task; returns the number of words. */
size_t conv_body(uint64_t *w, const struct conv_desc *d);
/* Appends the 4 tail words; next_addr 0 makes word 0 a NOP. */
size_t task_tail(uint64_t *w, uint32_t next_addr, uint32_t next_amount, uint32_t op_en);
/* REGISTER_AMOUNTS for a buffer of @words command words. */
uint32_t amount_for(size_t words);

/* Byte sizes of the packed tensors. */
size_t conv_in_bytes(const struct conv_desc *d);
size_t conv_wt_bytes(const struct conv_desc *d);
size_t conv_out_bytes(const struct conv_desc *d);

/* Dense input x[h][w][c] (int8 or fp16 bits) -> NC1HWC2 at d->in layout. */
void pack_input(const struct conv_desc *d, const void *dense, void *dst);
/* Dense weights wt[n][ky][kx][c] -> kernel-group / channel-block tiles. */
void pack_weights(const struct conv_desc *d, const void *dense, void *dst);
/* Element index of output (c, y, x) in the NC1HWC2 output. */
size_t out_index(const struct conv_desc *d, unsigned int c, unsigned int y, unsigned int x);

/* Small deterministic generator for test data. */
uint32_t test_rand(uint32_t *state);

#endif
