// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The DPU lookup table of the EW stage (after the EW operation, before its
 * ReLU): the two 513-entry tables behind the LUT_ACCESS port, and the
 * table lookup with linear interpolation inside the range and a slope
 * beyond it. The arithmetic is the NVDLA SDP LUT's integer path
 * (docs/hw-lut.md); what the sources do not settle is refused with the
 * error status, naming the register.
 */
#include <string.h>

#include "sim_internal.h"

#define REG(t, name) sim_task_reg((t), REG_##name)
#define REFUSE(t, ...) sim_task_fail((t), SIM_ASSUME_ERR_CONFIG_BIT, __VA_ARGS__)

#define LUT_LAST (SIM_ASSUME_LUT_ENTRIES - 1u)
/* Bits of the interpolation fraction (NVDLA: 35). */
#define FRAC_BITS 35u
#define TABLE_LE 0u
#define TABLE_LO 1u

/* ---- access port ---------------------------------------------------------- */

static void remember_bad(struct sim_lut_ram *l, uint32_t offset, uint32_t value, uint32_t addr)
{
	if (l->bad)
		return; /* the first cause is the one worth reporting */
	l->bad = true;
	l->bad_reg = offset;
	l->bad_value = value;
	l->bad_addr = addr;
}

void sim_lut_port_write(struct sim_lut_ram *l, uint32_t offset, uint32_t value)
{
	_Static_assert(SIM_ASSUME_LUT_PORT_AUTO_INCREMENT, "one DATA access per entry");
	if (offset == REG_DPU_LUT_ACCESS_CFG) {
		uint32_t known = DPU_LUT_ACCESS_CFG_LUT_ACCESS_TYPE__MASK |
				 DPU_LUT_ACCESS_CFG_LUT_TABLE_ID__MASK |
				 DPU_LUT_ACCESS_CFG_LUT_ADDR__MASK;

		l->writing = rk3588_get_DPU_LUT_ACCESS_CFG_LUT_ACCESS_TYPE(value);
		l->id = rk3588_get_DPU_LUT_ACCESS_CFG_LUT_TABLE_ID(value);
		l->addr = rk3588_get_DPU_LUT_ACCESS_CFG_LUT_ADDR(value);
		if (l->writing)
			l->bad = false; /* a new upload starts */
		if (value & ~known)
			remember_bad(l, offset, value, l->addr);
		return;
	}
	if (offset != REG_DPU_LUT_ACCESS_DATA || !l->writing)
		return;
	if (l->addr > LUT_LAST) {
		remember_bad(l, offset, value, l->addr);
	} else {
		/* Bits 31:16 are ignored (programs sign-extend into them). */
		l->table[l->id][l->addr] =
			(int16_t)(uint16_t)rk3588_get_DPU_LUT_ACCESS_DATA_VALUE(value);
	}
	if (l->addr <= DPU_LUT_ACCESS_CFG_LUT_ADDR__MASK)
		l->addr++;
}

uint32_t sim_lut_port_read(struct sim_lut_ram *l)
{
	uint32_t v = 0;

	if (l->addr <= LUT_LAST)
		v = (uint16_t)l->table[l->id][l->addr];
	if (l->addr <= DPU_LUT_ACCESS_CFG_LUT_ADDR__MASK)
		l->addr++;
	return v;
}

/* ---- decode --------------------------------------------------------------- */

static void table_regs(struct sim_task *t, struct sim_lut_table *tb, bool lo)
{
	uint32_t scale = lo ? REG(t, DPU_LUT_LO_SLOPE_SCALE) : REG(t, DPU_LUT_LE_SLOPE_SCALE);
	uint32_t shift = lo ? REG(t, DPU_LUT_LO_SLOPE_SHIFT) : REG(t, DPU_LUT_LE_SLOPE_SHIFT);
	uint32_t info = REG(t, DPU_LUT_INFO);

	/* LE and LO registers share one layout; the LE accessors read both. */
	tb->start = (int32_t)(lo ? REG(t, DPU_LUT_LO_START) : REG(t, DPU_LUT_LE_START));
	tb->end = (int32_t)(lo ? REG(t, DPU_LUT_LO_END) : REG(t, DPU_LUT_LE_END));
	_Static_assert(SIM_ASSUME_LUT_SLOPE_SHIFT_UNSIGNED, "unsigned slope shifts");
	tb->uflow_scale = (int16_t)rk3588_get_DPU_LUT_LE_SLOPE_SCALE_LUT_LE_SLOPE_UFLOW_SCALE(scale);
	tb->oflow_scale = (int16_t)rk3588_get_DPU_LUT_LE_SLOPE_SCALE_LUT_LE_SLOPE_OFLOW_SCALE(scale);
	tb->uflow_shift = rk3588_get_DPU_LUT_LE_SLOPE_SHIFT_LUT_LE_SLOPE_UFLOW_SHIFT(shift);
	tb->oflow_shift = rk3588_get_DPU_LUT_LE_SLOPE_SHIFT_LUT_LE_SLOPE_OFLOW_SHIFT(shift);
	tb->index_select = lo ? rk3588_get_DPU_LUT_INFO_LO_INDEX_SELECT(info)
			      : rk3588_get_DPU_LUT_INFO_LE_INDEX_SELECT(info);
}

int sim_dpu_lut_setup(struct sim_task *t, struct sim_dpu *d, uint32_t cfg)
{
	struct sim_dpu_lut *l = &d->ew.lut;
	struct sim_core *c = t->core;
	uint32_t lc = REG(t, DPU_LUT_CFG);
	unsigned int mux = rk3588_get_DPU_LUT_CFG_LO_LE_MUX(lc);
	struct sim_lut_ram *ram = &c->rf.lut;
	bool bad;
	uint32_t bad_reg, bad_value, bad_addr;

	_Static_assert(SIM_ASSUME_LUT_INT_ONLY, "no LUT on float pipelines");
	if (d->is_float)
		return REFUSE(t,
			      "DPU.EW_CFG = 0x%08x: the LUT on a floating-point pipeline is "
			      "not modelled (its float-to-index conversion is unknown)",
			      cfg);
	_Static_assert(SIM_ASSUME_LUT_MUX_IGNORED, "LO_LE_MUX 0 and 2 only");
	if (rk3588_get_DPU_LUT_CFG_EXPAND_EN(lc) || rk3588_get_DPU_LUT_CFG_CAL_SEL(lc) ||
	    (mux != 0 && mux != 2))
		return REFUSE(t,
			      "DPU.LUT_CFG = 0x%08x: EXPAND_EN %u, CAL_SEL %u, LO_LE_MUX %u; only "
			      "LO_LE_MUX 0 or 2 with the other two 0 is modelled",
			      lc, rk3588_get_DPU_LUT_CFG_EXPAND_EN(lc),
			      rk3588_get_DPU_LUT_CFG_CAL_SEL(lc), mux);
	_Static_assert(SIM_ASSUME_LUT_ROAD_SEL_EXPONENT, "ROAD_SEL picks the LE function");
	l->le_exponent = rk3588_get_DPU_LUT_CFG_ROAD_SEL(lc);
	l->index_offset = (int8_t)rk3588_get_DPU_LUT_INFO_LE_INDEX_OFFSET(REG(t, DPU_LUT_INFO));
	/* The underflow origin moves by 2^offset: beyond 31 it leaves int32. */
	if (l->le_exponent && l->index_offset > 31)
		return REFUSE(t, "DPU.LUT_INFO = 0x%08x: LE_INDEX_OFFSET %d above 31 not modelled",
			      REG(t, DPU_LUT_INFO), l->index_offset);
	l->uflow_lo = rk3588_get_DPU_LUT_CFG_UFLOW_PRIORITY(lc);
	l->oflow_lo = rk3588_get_DPU_LUT_CFG_OFLOW_PRIORITY(lc);
	l->hybrid_lo = rk3588_get_DPU_LUT_CFG_HYBRID_PRIORITY(lc);
	table_regs(t, &l->le, false);
	table_regs(t, &l->lo, true);

	/* The RAM belongs to the core; the task works on a copy. */
	pthread_mutex_lock(&c->lock);
	bad = ram->bad;
	bad_reg = ram->bad_reg;
	bad_value = ram->bad_value;
	bad_addr = ram->bad_addr;
	memcpy(l->table, ram->table, sizeof(l->table));
	pthread_mutex_unlock(&c->lock);
	l->le.entry = l->table[TABLE_LE];
	l->lo.entry = l->table[TABLE_LO];
	if (bad && bad_reg == REG_DPU_LUT_ACCESS_DATA)
		return REFUSE(t,
			      "DPU.LUT_ACCESS_DATA = 0x%08x: written to entry %u of a %u-entry "
			      "table; the upload was dropped there",
			      bad_value, bad_addr, SIM_ASSUME_LUT_ENTRIES);
	if (bad)
		return REFUSE(t,
			      "DPU.LUT_ACCESS_CFG = 0x%08x: reserved bits set (the table id is "
			      "bit 16 alone); the access was dropped",
			      bad_value);
	return 0;
}

/* ---- lookup --------------------------------------------------------------- */

/* Where a value falls in one table. */
struct lut_hit {
	bool uflow, oflow;
	unsigned int index;
	uint64_t frac; /* FRAC_BITS bits, weight of the next entry */
};

/* Low @bits of @v scaled to FRAC_BITS bits. */
static uint64_t frac_of(uint64_t v, unsigned int bits)
{
	uint64_t low = bits >= 64 ? v : v & ((1ull << bits) - 1);

	if (bits <= FRAC_BITS)
		return low << (FRAC_BITS - bits);
	return bits - FRAC_BITS >= 64 ? 0 : low >> (bits - FRAC_BITS);
}

static struct lut_hit linear_hit(const struct sim_lut_table *tb, int64_t x)
{
	struct lut_hit h = { 0 };
	uint64_t d, q;

	if (x <= tb->start) {
		h.uflow = true;
		return h;
	}
	d = (uint64_t)(x - tb->start);
	q = tb->index_select >= 64 ? 0 : d >> tb->index_select;
	if (q >= LUT_LAST) {
		h.oflow = true;
		h.index = LUT_LAST;
		return h;
	}
	h.index = (unsigned int)q;
	h.frac = frac_of(d, tb->index_select);
	return h;
}

static unsigned int log2_floor(uint64_t v)
{
	unsigned int e = 0;

	while (v >>= 1)
		e++;
	return e;
}

static struct lut_hit exponent_hit(const struct sim_dpu_lut *l, int64_t x)
{
	struct lut_hit h = { 0 };
	uint64_t d;
	unsigned int e;
	int64_t s;

	if (x <= l->le.start) {
		h.uflow = true;
		return h;
	}
	d = (uint64_t)(x - l->le.start);
	e = log2_floor(d);
	if ((int)e < l->index_offset) {
		h.uflow = true;
		return h;
	}
	s = (int64_t)e - l->index_offset;
	if (s >= LUT_LAST) {
		h.oflow = true;
		h.index = LUT_LAST;
		return h;
	}
	h.index = (unsigned int)s;
	/* d < 2^34, so e <= 33 and the remainder shifted up stays in range. */
	h.frac = (d - (1ull << e)) << (FRAC_BITS - e);
	return h;
}

static int64_t floor_shift(int64_t v, unsigned int s)
{
	/* Arithmetic right shift rounds towards minus infinity. */
	return s >= 63 ? (v < 0 ? -1 : 0) : v >> s;
}

int64_t sim_dpu_lut_int(const struct sim_dpu_lut *l, int64_t x)
{
	struct lut_hit le, lo;
	bool le_hit, lo_hit, use_lo;
	const struct sim_lut_table *tb;
	const struct lut_hit *h;

	_Static_assert(SIM_ASSUME_LUT_NVDLA_ARITHMETIC, "NVDLA SDP LUT integer path");
	/* The LUT input is 32-bit; the stages before saturate to it already. */
	x = sim_saturate(x, INT32_MIN, INT32_MAX);
	le = l->le_exponent ? exponent_hit(l, x) : linear_hit(&l->le, x);
	lo = linear_hit(&l->lo, x);
	le_hit = !le.uflow && !le.oflow;
	lo_hit = !lo.uflow && !lo.oflow;
	if (le.uflow && lo.uflow)
		use_lo = l->uflow_lo;
	else if (le.oflow && lo.oflow)
		use_lo = l->oflow_lo;
	else if (le_hit == lo_hit) /* both hit, or one under- and one overflows */
		use_lo = l->hybrid_lo;
	else
		use_lo = lo_hit;
	tb = use_lo ? &l->lo : &l->le;
	h = use_lo ? &lo : &le;

	if (!h->uflow && !h->oflow) {
		int64_t y0 = tb->entry[h->index], y1 = tb->entry[h->index + 1];
		int64_t w1 = (int64_t)h->frac, w0 = ((int64_t)1 << FRAC_BITS) - w1;

		return floor_shift(y0 * w0 + y1 * w1, FRAC_BITS);
	}

	int64_t origin = h->oflow ? tb->end : tb->start;
	int64_t scale = h->oflow ? tb->oflow_scale : tb->uflow_scale;
	unsigned int shift = h->oflow ? tb->oflow_shift : tb->uflow_shift;
	int64_t slope;

	/* An exponent table's underflow starts where its first step does. */
	if (!use_lo && l->le_exponent && h->uflow && l->index_offset > 0)
		origin += (int64_t)1 << l->index_offset;
	slope = (int32_t)(uint32_t)(uint64_t)floor_shift((x - origin) * scale, shift);
	return sim_saturate(tb->entry[h->index] + slope, INT32_MIN, INT32_MAX);
}
