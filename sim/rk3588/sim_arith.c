// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Fixed-point helpers shared by the CORE and DPU stages. */
#include "sim_internal.h"

#define SHIFT_CAP 62u

int64_t sim_shift_round(int64_t v, unsigned int shift, bool half_up)
{
	if (shift == 0)
		return v;
	if (shift > SHIFT_CAP)
		shift = SHIFT_CAP;

	int64_t one = (int64_t)1 << shift;
	int64_t q = v >> shift;             /* floor */
	int64_t rem = v & (one - 1);        /* v - q * 2^shift, always >= 0 */
	int64_t half = one >> 1;

	if (rem > half) {
		q++;
	} else if (rem == half) {
		if (half_up)
			/* q is the floor: +1 goes toward +inf; keeping it goes
			 * away from zero for negative values. */
			q += (SIM_ASSUME_HALF_UP_TOWARD_POS_INF || v >= 0) ? 1 : 0;
		else
			q += q & 1;
	}
	return q;
}

int64_t sim_saturate(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}
