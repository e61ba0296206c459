/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Plain CPU versions of what the examples run on the NPU, written from the
 * operations' definitions in include/rnpu/ops.h, to check the results.
 * Tensors are HWC, weights OHWI.
 */
#ifndef RNPU_EXAMPLES_CPU_REF_H
#define RNPU_EXAMPLES_CPU_REF_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_conv {
	uint32_t h, w, c, o, k, stride, pad; /* square kernel, same padding all round */
	const int8_t *weights;
	const int32_t *bias;
	const int16_t *multiplier;
	const uint8_t *shift;
	bool relu;
	uint32_t oh, ow;                     /* out */
};

/* int8 requantised convolution; fills c->oh, c->ow and y[oh][ow][o]. */
void cpu_conv_int8(struct cpu_conv *c, const int8_t *x, int8_t *y);
/* Max pooling, kernel = stride = k, no padding. */
void cpu_maxpool_int8(uint32_t h, uint32_t w, uint32_t c, uint32_t k, const int8_t *x,
		      int8_t *y);
/* Number of differing bytes; prints the first few. */
unsigned long cpu_compare(const char *what, const int8_t *got, const int8_t *want,
			  unsigned long n);

#endif
