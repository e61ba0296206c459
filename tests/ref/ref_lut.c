// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Lookup-table reference, written from the formula in docs/hw-lut.md with
 * divisions instead of bit tricks: where a value falls, which table
 * answers, the interpolated or extrapolated result.
 */
#include "rnpu_ref.h"

#define LAST (REF_LUT_ENTRIES - 1)
#define FRAC_ONE ((int64_t)1 << 35)

/* 2^e for 0 <= e < 63. */
static int64_t pow2(unsigned int e)
{
	int64_t p = 1;

	while (e--)
		p *= 2;
	return p;
}

/* floor(v / 2^e). */
static int64_t floor_div_pow2(int64_t v, unsigned int e)
{
	int64_t d, q;

	if (e >= 62)
		return v < 0 ? -1 : 0;
	d = pow2(e);
	q = v / d;
	if (v % d != 0 && v < 0)
		q -= 1;
	return q;
}

enum place { INSIDE, UNDER, OVER };

struct where {
	enum place p;
	int index;
	int64_t frac; /* weight of entry index + 1, out of 2^35 */
};

static struct where linear_place(const struct ref_lut_side *s, int64_t x)
{
	struct where w = { INSIDE, 0, 0 };
	int64_t d, i, r;

	if (x <= s->start) {
		w.p = UNDER;
		return w;
	}
	d = x - s->start;
	i = floor_div_pow2(d, s->sel);
	if (i >= LAST) {
		w.p = OVER;
		w.index = LAST;
		return w;
	}
	w.index = (int)i;
	r = s->sel >= 62 ? d : d - i * pow2(s->sel);
	/* The fraction keeps 35 bits: r / 2^sel, truncated. */
	w.frac = s->sel <= 35 ? r * pow2(35 - s->sel) : floor_div_pow2(r, s->sel - 35);
	return w;
}

static struct where log_place(const struct ref_lut *l, int64_t x)
{
	struct where w = { INSIDE, 0, 0 };
	int64_t d, k;
	int e = 0;

	if (x <= l->le.start) {
		w.p = UNDER;
		return w;
	}
	d = x - l->le.start;
	while (pow2((unsigned int)e + 1) <= d)
		e++;
	if (e < l->le_offset) {
		w.p = UNDER;
		return w;
	}
	k = (int64_t)e - l->le_offset;
	if (k >= LAST) {
		w.p = OVER;
		w.index = LAST;
		return w;
	}
	w.index = (int)k;
	w.frac = (d - pow2((unsigned int)e)) * pow2(35 - (unsigned int)e);
	return w;
}

static int64_t wrap32(int64_t v)
{
	int64_t m = pow2(32);

	v %= m;
	if (v < 0)
		v += m;
	return v >= m / 2 ? v - m : v;
}

int64_t ref_lut_apply(const struct ref_lut *l, int64_t x)
{
	struct where le = l->le_log ? log_place(l, x) : linear_place(&l->le, x);
	struct where lo = linear_place(&l->lo, x);
	bool pick_lo;

	if (le.p == UNDER && lo.p == UNDER)
		pick_lo = l->under_lo;
	else if (le.p == OVER && lo.p == OVER)
		pick_lo = l->over_lo;
	else if (le.p == INSIDE && lo.p != INSIDE)
		pick_lo = false;
	else if (lo.p == INSIDE && le.p != INSIDE)
		pick_lo = true;
	else
		pick_lo = l->both_lo;

	const struct ref_lut_side *s = pick_lo ? &l->lo : &l->le;
	const struct where *w = pick_lo ? &lo : &le;

	if (w->p == INSIDE) {
		int64_t a = s->t[w->index], b = s->t[w->index + 1];

		return floor_div_pow2(a * (FRAC_ONE - w->frac) + b * w->frac, 35);
	}

	int64_t origin = w->p == OVER ? s->end : s->start;
	int64_t scale = w->p == OVER ? s->over_scale : s->under_scale;
	unsigned int shift = w->p == OVER ? s->over_shift : s->under_shift;

	if (!pick_lo && l->le_log && w->p == UNDER && l->le_offset > 0)
		origin += pow2((unsigned int)l->le_offset);

	int64_t y = s->t[w->p == OVER ? LAST : 0] +
		    wrap32(floor_div_pow2((x - origin) * scale, shift));

	if (y > INT32_MAX)
		return INT32_MAX;
	if (y < INT32_MIN)
		return INT32_MIN;
	return y;
}
