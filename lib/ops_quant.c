// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Real requantisation scales as the DPU's 16-bit multiplier and shift. */
#include <errno.h>
#include <math.h>

#include "rnpu/ops.h"

#define MULT_MAX 32767.0
#define SHIFT_MAX 63

int rnpu_requant_from_scale(double scale, int16_t *multiplier, uint8_t *shift)
{
	if (!multiplier || !shift || !(scale > 0) || !(scale <= MULT_MAX))
		return -EINVAL;
	/* The largest shift whose rounded multiplier still fits keeps the
	 * most significant bits (15 once the multiplier reaches 2^14). */
	for (int s = SHIFT_MAX; s >= 0; s--) {
		double m = nearbyint(ldexp(scale, s));

		if (m <= MULT_MAX) {
			if (m < 1)
				return -ERANGE; /* below 2^-64: every result would be 0 */
			*multiplier = (int16_t)m;
			*shift = (uint8_t)s;
			return 0;
		}
	}
	return -EINVAL;
}
