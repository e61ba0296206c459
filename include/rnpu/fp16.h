/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * IEEE 754 binary16 <-> binary32 conversion. Half values travel as their
 * 16-bit patterns (uint16_t) because C has no portable half type.
 */
#ifndef RNPU_FP16_H
#define RNPU_FP16_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Round to nearest, ties to even. Produces subnormals, overflows to
 * infinity, keeps the sign of zero and of NaN and keeps NaNs NaN (quiet). */
uint16_t rnpu_f32_to_f16(float f);

/* Exact (every half is representable as a float). */
float rnpu_f16_to_f32(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif
