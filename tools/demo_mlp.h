/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
#ifndef RNPU_DEMO_MLP_H
#define RNPU_DEMO_MLP_H

#include <stdint.h>

#include "rnpu/rnpu.h"

struct demo_mlp_shape {
	uint32_t batch, in, hidden, out;
};

/* Runs and checks the two-layer int8 MLP; prints per-core load and the
 * modelled NPU time. 0 PASS, 1 FAIL, negative errno on error. */
int demo_mlp(struct rnpu_dev *dev, const struct demo_mlp_shape *s, uint32_t core_mask,
	     uint32_t seed);

#endif
