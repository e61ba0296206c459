// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Per-element arithmetic of the DPU stages: BS/BN (OW, ALU, MUL, ReLU),
 * EW (operand converter, ALU or MUL, ReLU) and the integer OUT_CVT. The
 * callers have validated the configuration; nothing here can fail.
 */
#include <math.h>
#include <string.h>

#include "sim_fp16.h"
#include "sim_internal.h"

static int64_t sat32(int64_t v)
{
	if (!SIM_ASSUME_DPU_INT_SAT32)
		return v;
	return sim_saturate(v, INT32_MIN, INT32_MAX);
}

static float f32_of(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* Result of a float stage: rounded to fp16 when the data is held in fp16. */
static float keep(float v, bool fp16)
{
	if (fp16 && SIM_ASSUME_FP16_PIPELINE_ROUNDS)
		return sim_half_to_float(sim_float_to_half(v));
	return v;
}

static int64_t alu_int(unsigned int algo, int64_t x, int64_t op)
{
	_Static_assert(SIM_ASSUME_ALU_MINUS_DATA_FIRST, "minus is data - operand");
	switch (algo) {
	case SIM_ALU_MAX:
		return x > op ? x : op;
	case SIM_ALU_MIN:
		return x < op ? x : op;
	case SIM_ALU_ADD:
		return x + op;
	case SIM_ALU_MINUS:
		return x - op;
	case SIM_ALU_ABS:
		return x < 0 ? -x : x;
	case SIM_ALU_NEG:
		return -x;
	default: /* floor/ceil of an integer; div is refused before */
		return x;
	}
}

static float alu_float(unsigned int algo, float x, float op)
{
	switch (algo) {
	case SIM_ALU_MAX:
		return x > op ? x : op;
	case SIM_ALU_MIN:
		return x < op ? x : op;
	case SIM_ALU_ADD:
		return x + op;
	case SIM_ALU_DIV:
		return x / op;
	case SIM_ALU_MINUS:
		return x - op;
	case SIM_ALU_ABS:
		return fabsf(x);
	case SIM_ALU_NEG:
		return -x;
	case SIM_ALU_FLOOR:
		return floorf(x);
	case SIM_ALU_CEIL:
		return ceilf(x);
	default:
		return x;
	}
}

static int64_t relu_int(bool on, bool relux, uint32_t cmp, int64_t x)
{
	_Static_assert(SIM_ASSUME_RELUX_NEEDS_RELU, "ReLUX only acts with ReLU on");
	if (!on)
		return x;
	if (x < 0)
		x = 0;
	if (relux && x > (int32_t)cmp)
		x = (int32_t)cmp;
	return x;
}

static float relu_float(bool on, bool relux, uint32_t cmp, float x)
{
	if (!on)
		return x;
	if (x < 0.0f)
		x = 0.0f;
	if (relux && x > f32_of(cmp))
		x = f32_of(cmp);
	return x;
}

/* Multiply by a 16-bit operand and shift right by the shift of the
 * input's sign. */
static int64_t mul_shift(int64_t x, int16_t m, unsigned int shift, unsigned int shift_neg)
{
	_Static_assert(SIM_ASSUME_NEG_SHIFT_BY_INPUT_SIGN, "the input sign picks the shift");
	return sim_shift_round(x * m, x < 0 ? shift_neg : shift, SIM_ASSUME_MUL_SHIFT_HALF_UP);
}

int64_t sim_dpu_stage_int(const struct sim_dpu_stage *s, int64_t x, unsigned int ch,
			  int64_t wsum)
{
	if (!s->on)
		return x;
	_Static_assert(SIM_ASSUME_OW_BEFORE_ALU, "OW is added before the ALU");
	if (s->ow_on) {
		int64_t op = s->ow_mem ? (int16_t)s->op_cpend[ch] : s->ow_reg;
		/* Beyond 2^40 any non-zero term saturates the same way, and the
		 * product of a clamped sum cannot overflow. */
		int64_t ws = sim_saturate(wsum, -((int64_t)1 << 40), (int64_t)1 << 40);

		x = sat32(x + op * ws);
	}
	if (s->alu_on) {
		int64_t op = s->alu_mem ? (int32_t)s->op_alu[ch] : (int32_t)s->alu_reg;

		x = sat32(alu_int(s->alu_algo, x, op));
	}
	if (s->mul_on && !(s->prelu && x >= 0)) {
		int16_t m = (int16_t)(s->mul_mem ? s->op_mul[ch] : s->mul_reg);
		unsigned int sh = s->shift, shn = s->shift_neg;

		_Static_assert(SIM_ASSUME_MEM_SHIFT_BOTH_SIGNS, "a memory shift serves both signs");
		if (s->shift_mem)
			sh = shn = s->op_trt[ch] & 0x3fu;
		x = sat32(mul_shift(x, m, sh, shn));
	}
	return relu_int(s->relu_on, s->relux, s->relux_cmp, x);
}

float sim_dpu_stage_float(const struct sim_dpu_stage *s, float x, unsigned int ch, bool fp16)
{
	if (!s->on)
		return x;
	_Static_assert(SIM_ASSUME_FP_OPERAND_ENCODING, "fp32 ALU operands, fp16 MUL operands");
	if (s->alu_on)
		x = keep(alu_float(s->alu_algo, x, f32_of(s->alu_mem ? s->op_alu[ch] : s->alu_reg)),
			 fp16);
	if (s->mul_on && !(s->prelu && x >= 0.0f)) {
		uint16_t m = (uint16_t)(s->mul_mem ? s->op_mul[ch] : s->mul_reg);

		x = keep(x * sim_half_to_float(m), fp16);
	}
	return relu_float(s->relu_on, s->relux, s->relux_cmp, x);
}

static int64_t ew_convert(const struct sim_dpu_ew *e, int64_t v)
{
	int64_t s = e->cvt_scale;

	_Static_assert(SIM_ASSUME_EW_CVT_SCALE_UNSIGNED, "EW converter scale is unsigned");
	if (!e->cvt_on)
		return v;
	if (e->cvt_add_first)
		return sat32(sim_shift_round(sat32(v + e->cvt_offset) * s, e->cvt_shift,
					     e->cvt_half_up));
	return sat32(sim_shift_round(v * s, e->cvt_shift, e->cvt_half_up) + e->cvt_offset);
}

int64_t sim_dpu_ew_int(const struct sim_dpu_ew *e, int64_t x, int64_t op)
{
	if (!e->on)
		return x;
	if (e->op_on) {
		op = ew_convert(e, op);
		if (e->mul) {
			_Static_assert(SIM_ASSUME_EW_MUL_OPERAND_INT16, "EW MUL takes 16 bits");
			if (!(e->prelu && x >= 0))
				x = sat32(mul_shift(x, (int16_t)op, e->trunc, e->trunc_neg));
		} else {
			x = sat32(alu_int(e->algo, x, op));
		}
	}
	if (e->lut_on)
		x = sim_dpu_lut_int(&e->lut, x);
	return relu_int(e->relu_on, e->relux, e->relux_cmp, x);
}

float sim_dpu_ew_float(const struct sim_dpu_ew *e, float x, float op, bool fp16)
{
	if (!e->on)
		return x;
	/* The converter is the identity here (checked at setup). */
	if (e->op_on) {
		if (e->mul) {
			if (!(e->prelu && x >= 0.0f))
				x = keep(x * op, fp16);
		} else {
			x = keep(alu_float(e->algo, x, op), fp16);
		}
	}
	return relu_float(e->relu_on, e->relux, e->relux_cmp, x);
}

int64_t sim_dpu_out_cvt(const struct sim_dpu *d, int64_t x)
{
	int64_t s = d->cvt_scale;

	if (!SIM_ASSUME_OUT_CVT_SCALE_UNSIGNED)
		s = (int16_t)d->cvt_scale;
	if (d->cvt_add_first)
		return sim_shift_round((x + d->cvt_offset) * s, d->cvt_shift, d->cvt_half_up);
	return sim_shift_round(x * s, d->cvt_shift, d->cvt_half_up) + d->cvt_offset;
}
