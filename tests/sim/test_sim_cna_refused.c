// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Every CNA/CORE feature the software NPU does not model, programmed into an
 * otherwise valid int8 convolution: the task must end with the error status
 * (DMA_READ_ERROR), a message naming the register, and no output written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#define MEM_SIZE (4u << 20)

/* One unmodelled setting: the register, how to change its value, and the
 * register name the refusal must mention. */
struct refusal {
	const char *name;
	uint16_t reg;
	bool (*set)(uint32_t *v);
	const char *mention;
};

static bool deconv(uint32_t *v)
{
	return rk3588_set_CNA_CONV_CON1_DECONV(v, 1);
}

static bool argb(uint32_t *v)
{
	return rk3588_set_CNA_CONV_CON1_ARGB_IN(v, 8) && rk3588_set_CNA_CONV_CON1_NONALIGN_DMA(v, 1);
}

static bool nonalign(uint32_t *v)
{
	return rk3588_set_CNA_CONV_CON1_NONALIGN_DMA(v, 1);
}

/* Precision codes (fact sheet): 3 bf16, 7 tf32 (int4: test_sim_int4.c). */
static bool prec(uint32_t *v, uint32_t p)
{
	return rk3588_set_CNA_CONV_CON1_IN_PRECISION(v, p) &&
	       rk3588_set_CNA_CONV_CON1_PROC_PRECISION(v, p);
}

static bool bf16(uint32_t *v)
{
	return prec(v, 3);
}

static bool tf32(uint32_t *v)
{
	return prec(v, 7);
}

static bool proc_differs(uint32_t *v)
{
	return rk3588_set_CNA_CONV_CON1_PROC_PRECISION(v, 1);
}

static bool core_prec_differs(uint32_t *v)
{
	return rk3588_set_CORE_MISC_CFG_PROC_PRECISION(v, 2);
}

static bool csc_wo(uint32_t *v)
{
	return rk3588_set_CNA_CONV_CON2_CSC_WO_EN(v, 1);
}

static bool nn_mode(uint32_t *v)
{
	return rk3588_set_CNA_CONV_CON3_NN_MODE(v, 1);
}

static bool fc_skip(uint32_t *v)
{
	return rk3588_set_CNA_FC_CON0_FC_SKIP_EN(v, 1);
}

static const struct refusal refusals[] = {
	{ "cna.refused.deconv", REG_CNA_CONV_CON1, deconv, "CNA.CONV_CON1" },
	{ "cna.refused.argb_input", REG_CNA_CONV_CON1, argb, "CNA.CONV_CON1" },
	{ "cna.refused.nonaligned_dma", REG_CNA_CONV_CON1, nonalign, "CNA.CONV_CON1" },
	{ "cna.refused.bf16", REG_CNA_CONV_CON1, bf16, "CNA.CONV_CON1" },
	{ "cna.refused.tf32", REG_CNA_CONV_CON1, tf32, "CNA.CONV_CON1" },
	{ "cna.refused.in_and_proc_precision_differ", REG_CNA_CONV_CON1, proc_differs,
	  "CNA.CONV_CON1" },
	{ "cna.refused.core_precision_differs", REG_CORE_MISC_CFG, core_prec_differs,
	  "CORE.MISC_CFG" },
	{ "cna.refused.csc_weight_suppression", REG_CNA_CONV_CON2, csc_wo, "CNA.CONV_CON2" },
	{ "cna.refused.multi_core_nn_mode", REG_CNA_CONV_CON3, nn_mode, "CNA.CONV_CON3" },
	{ "cna.refused.zero_skipping", REG_CNA_FC_CON0, fc_skip, "CNA.FC_CON0" },
};

static void run_refusal(void **state)
{
	const struct refusal *f = *state;
	struct conv_desc d = {
		.out_prec = TP_INT32, .w = 4, .h = 3, .c = 16, .kw = 1, .kh = 1, .n = 8,
		.sx = 1, .sy = 1, .out_w = 4, .out_h = 3,
	};
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint64_t w[256];
	size_t n, patched = 0;
	uint32_t addr, raw;
	char msg[256] = "";

	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
	d.wt = fb_alloc(&fb, conv_wt_bytes(&d), 64);
	d.out = fb_alloc(&fb, conv_out_bytes(&d), 64);
	memset(fb_ptr(&fb, d.out), 0x5a, conv_out_bytes(&d));
	n = conv_body(w, &d);
	/* The generator writes each register once; change that word. */
	for (size_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)(w[i] >> 16);

		if (rk3588_regcmd_offset(w[i]) != f->reg)
			continue;
		assert_true(f->set(&v));
		w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]), f->reg, v);
		patched++;
	}
	assert_int_equal(patched, 1);
	n += task_tail(w + n, 0, 0, CONV_OP_EN);
	addr = fb_alloc(&fb, n * 8, 64);
	fb_put_words(&fb, addr, w, n);
	test_commit(sim, 0, addr, amount_for(n), 1, 0x3300);
	rk3588_sim_wait_idle(sim, 0);
	raw = rk3588_sim_mmio_read(sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	assert_true(raw & RK3588_INT_DMA_READ_ERROR);
	assert_true(rk3588_sim_last_error(sim, 0, msg, sizeof(msg)));
	print_message("# %s\n", msg);
	assert_non_null(strstr(msg, f->mention));
	for (size_t i = 0; i < conv_out_bytes(&d); i++)
		assert_int_equal(((const uint8_t *)fb_ptr(&fb, d.out))[i], 0x5a);
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(refusals) / sizeof(refusals[0])];

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		tests[i] = (struct CMUnitTest){ .name = refusals[i].name, .test_func = run_refusal,
						.initial_state = (void *)&refusals[i] };
	return _cmocka_run_group_tests("sim-cna-refused", tests,
				       sizeof(refusals) / sizeof(refusals[0]), NULL, NULL);
}
