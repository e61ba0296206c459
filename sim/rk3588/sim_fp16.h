/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * IEEE binary16 <-> binary32 for the model's datapaths. Kept inside the
 * model so the hardware side shares no code with the driver side.
 */
#ifndef RNPU_SIM_FP16_H
#define RNPU_SIM_FP16_H

#include <stdint.h>

/* Exact widening (every half is a float). */
float sim_half_to_float(uint16_t h);
/* Narrowing with round-to-nearest-even; overflow gives infinity, NaNs stay
 * NaN (quiet). */
uint16_t sim_float_to_half(float f);

#endif
