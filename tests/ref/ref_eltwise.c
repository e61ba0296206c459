// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Elementwise operations by their textbook definitions. */
#include <math.h>

#include "rnpu_ref.h"

int64_t ref_ew_i64(enum ref_ew_op op, int64_t a, int64_t b)
{
	switch (op) {
	case REF_EW_MAX:
		return a > b ? a : b;
	case REF_EW_MIN:
		return a < b ? a : b;
	case REF_EW_ADD:
		return a + b;
	case REF_EW_SUB:
		return a - b;
	case REF_EW_MUL:
		return a * b;
	case REF_EW_ABS:
		return a < 0 ? -a : a;
	case REF_EW_NEG:
		return -a;
	case REF_EW_DIV:
	case REF_EW_FLOOR:
	case REF_EW_CEIL:
		break;
	}
	return a;
}

double ref_ew_f64(enum ref_ew_op op, double a, double b)
{
	switch (op) {
	case REF_EW_MAX:
		return a > b ? a : b;
	case REF_EW_MIN:
		return a < b ? a : b;
	case REF_EW_ADD:
		return a + b;
	case REF_EW_SUB:
		return a - b;
	case REF_EW_MUL:
		return a * b;
	case REF_EW_DIV:
		return a / b;
	case REF_EW_ABS:
		return fabs(a);
	case REF_EW_NEG:
		return -a;
	case REF_EW_FLOOR:
		return floor(a);
	case REF_EW_CEIL:
		return ceil(a);
	}
	return a;
}
