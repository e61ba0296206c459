// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * int4 on the software NPU beyond the values (tests/diff/diff_int4.c): the
 * setting the public int4 programs use completes, every int4 setting the
 * public facts do not cover ends with the error status, a message naming
 * the register and no output written, and the timing model charges int4
 * MACs at 2048 per cycle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#define MEM_SIZE (8u << 20)
/* docs/hw-assumptions.md, SIM_ASSUME_DMA_MILLIBYTES_PER_CYCLE. */
#define DMA_MILLIBYTES_PER_CYCLE 7555u
/* Peak MAC rates of the TRM (docs/hw-assumptions.md, "MAC rate"). */
#define INT8_MACS_PER_CYCLE 1024u
#define INT4_MACS_PER_CYCLE 2048u

struct refusal {
	const char *name;
	void (*desc)(struct conv_desc *d);  /* NULL: the valid int4 task */
	uint16_t reg;                       /* 0: no word patched */
	bool (*set)(uint32_t *v);
	const char *mention;                /* NULL: must complete */
};

static struct dpu_desc g_dpu;

/* The int4 matmul tile of the public programs: 8 rows as the width. */
static void base(struct conv_desc *d)
{
	*d = (struct conv_desc){ .int4 = true, .out_prec = TP_INT16, .w = 8, .h = 1, .c = 64,
				 .kw = 1, .kh = 1, .n = 64, .sx = 1, .sy = 1, .out_w = 8,
				 .out_h = 1, .qd = true };
}

static void kernel_3x3(struct conv_desc *d)
{
	d->h = 3;
	d->kw = d->kh = 3;
	d->out_w = 6;
}

static void partial_group(struct conv_desc *d)
{
	d->n = 40;
}

static void partial_block(struct conv_desc *d)
{
	d->c = 48;
}

static void padding(struct conv_desc *d)
{
	d->pad_l = 1;
	d->out_w = 9;
}

static void converter(struct conv_desc *d)
{
	d->cvt = true;
	d->cvt_mask = 0xf;
	for (int i = 0; i < 4; i++)
		d->cvt_scale[i] = 1;
}

static void unsigned_data(struct conv_desc *d)
{
	d->cvt_unsigned = true;
}

static void depthwise(struct conv_desc *d)
{
	d->dw = true;
}

static void bs_stage(struct conv_desc *d)
{
	memset(&g_dpu, 0, sizeof(g_dpu));
	g_dpu.bs = (struct stage_desc){ .on = true, .alu = true, .alu_algo = ALU_ADD,
					.alu_value = 3 };
	d->dpu = &g_dpu;
}

static void out_cvt(struct conv_desc *d)
{
	memset(&g_dpu, 0, sizeof(g_dpu));
	g_dpu.cvt = true;
	g_dpu.cvt_scale = 2;
	d->dpu = &g_dpu;
}

static bool out_int32(uint32_t *v)
{
	return rk3588_set_DPU_DATA_FORMAT_OUT_PRECISION(v, TP_INT32);
}

static bool out_int8(uint32_t *v)
{
	return rk3588_set_DPU_DATA_FORMAT_OUT_PRECISION(v, TP_INT8);
}

static bool out_int4(uint32_t *v)
{
	return rk3588_set_DPU_DATA_FORMAT_OUT_PRECISION(v, TP_INT4);
}

static bool dpu_proc_int8(uint32_t *v)
{
	return rk3588_set_DPU_DATA_FORMAT_PROC_PRECISION(v, TP_INT8);
}

static bool core_int8(uint32_t *v)
{
	return rk3588_set_CORE_MISC_CFG_PROC_PRECISION(v, 0);
}

static const struct refusal cases[] = {
	{ "int4.accepted.matmul_tile", NULL, 0, NULL, NULL },
	{ "int4.refused.output_int32", NULL, REG_DPU_DATA_FORMAT, out_int32, "DPU.DATA_FORMAT" },
	{ "int4.refused.output_int8", NULL, REG_DPU_DATA_FORMAT, out_int8, "DPU.DATA_FORMAT" },
	{ "int4.refused.output_int4", NULL, REG_DPU_DATA_FORMAT, out_int4, "DPU.DATA_FORMAT" },
	{ "int4.refused.dpu_processing_int8", NULL, REG_DPU_DATA_FORMAT, dpu_proc_int8,
	  "DPU.DATA_FORMAT" },
	{ "int4.refused.core_precision_int8", NULL, REG_CORE_MISC_CFG, core_int8,
	  "CORE.MISC_CFG" },
	{ "int4.refused.kernel_3x3", kernel_3x3, 0, NULL, "CNA.WEIGHT_SIZE2" },
	{ "int4.refused.partial_kernel_group", partial_group, 0, NULL, "CNA.WEIGHT_SIZE2" },
	{ "int4.refused.partial_channel_block", partial_block, 0, NULL, "CNA.DATA_SIZE1" },
	{ "int4.refused.padding", padding, 0, NULL, "CNA.PAD_CON0" },
	{ "int4.refused.input_converter", converter, 0, NULL, "CNA.CVT_CON0" },
	{ "int4.refused.unsigned", unsigned_data, 0, NULL, "CNA.CVT_CON0" },
	{ "int4.refused.depthwise", depthwise, 0, NULL, "CNA.CONV_CON1" },
	{ "int4.refused.bs_stage", bs_stage, 0, NULL, "DPU.BS_CFG" },
	{ "int4.refused.out_cvt_scale", out_cvt, 0, NULL, "DPU.OUT_CVT" },
};

static void run_case(void **state)
{
	const struct refusal *f = *state;
	struct conv_desc d;
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint64_t w[256];
	size_t n, patched = 0, out_bytes;
	uint32_t addr, raw;
	char msg[256] = "";

	base(&d);
	if (f->desc)
		f->desc(&d);
	fb_init(&fb, MEM_SIZE);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	/* Half a byte per element; zero data is enough here. */
	d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
	d.wt = fb_alloc(&fb, conv_wt_bytes(&d), 64);
	out_bytes = conv_out_bytes(&d);
	d.out = fb_alloc(&fb, out_bytes, 64);
	memset(fb_ptr(&fb, d.out), 0x5a, out_bytes);
	n = conv_body(w, &d);
	for (size_t i = 0; f->reg && i < n; i++) {
		uint32_t v = (uint32_t)(w[i] >> 16);

		if (rk3588_regcmd_offset(w[i]) != f->reg)
			continue;
		assert_true(f->set(&v));
		w[i] = rk3588_regcmd(rk3588_regcmd_target(w[i]), f->reg, v);
		patched++;
	}
	assert_int_equal(patched, f->reg ? 1 : 0);
	n += task_tail(w + n, 0, 0, CONV_OP_EN);
	addr = fb_alloc(&fb, n * 8, 64);
	fb_put_words(&fb, addr, w, n);
	test_commit(sim, 0, addr, amount_for(n), 1, 0x3300);
	rk3588_sim_wait_idle(sim, 0);
	raw = rk3588_sim_mmio_read(sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	if (!f->mention) {
		/* Zero inputs: every written element is 0. */
		assert_false(raw & RK3588_INT_DMA_READ_ERROR);
		assert_true(raw & 0x300u);
		for (size_t i = 0; i < out_bytes; i++)
			assert_int_equal(((const uint8_t *)fb_ptr(&fb, d.out))[i], 0);
	} else {
		assert_true(raw & RK3588_INT_DMA_READ_ERROR);
		assert_true(rk3588_sim_last_error(sim, 0, msg, sizeof(msg)));
		print_message("# %s\n", msg);
		assert_non_null(strstr(msg, f->mention));
		for (size_t i = 0; i < out_bytes; i++)
			assert_int_equal(((const uint8_t *)fb_ptr(&fb, d.out))[i], 0x5a);
	}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

/* Model cycles of one m x k x n matmul task, int4 or int8 input, int16
 * output, in the int4 programs' geometry. */
static uint64_t task_cycles(bool int4, unsigned int m, unsigned int k, unsigned int n)
{
	struct conv_desc d = { .int4 = int4, .out_prec = TP_INT16, .w = m, .h = 1, .c = k,
			       .kw = 1, .kh = 1, .n = n, .sx = 1, .sy = 1, .out_w = m,
			       .out_h = 1 };
	struct rk3588_sim_core_stats st;
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint64_t w[256];
	uint32_t addr;
	size_t cnt;

	fb_init(&fb, 4u << 20);
	assert_non_null(fb.mem);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	d.in = fb_alloc(&fb, conv_in_bytes(&d), 64);
	d.wt = fb_alloc(&fb, conv_wt_bytes(&d), 64);
	d.out = fb_alloc(&fb, conv_out_bytes(&d), 64);
	cnt = conv_body(w, &d);
	cnt += task_tail(w + cnt, 0, 0, CONV_OP_EN);
	addr = fb_alloc(&fb, cnt * 8, 64);
	fb_put_words(&fb, addr, w, cnt);
	test_commit(sim, 0, addr, amount_for(cnt), 1, 0x3300);
	rk3588_sim_wait_idle(sim, 0);
	assert_int_equal(rk3588_sim_mmio_read(sim, 0, REG_PC_INTERRUPT_STATUS), 0x100);
	rk3588_sim_get_stats(sim, 0, &st);
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
	return st.last_task_cycles;
}

/* The same task in int8 and int4 differs in MAC time (1024 vs 2048 per
 * cycle) and in the bytes of A and B (one vs half a byte); the regcmd
 * words, the output and the fixed costs are the same. */
static void test_int4_mac_rate(void **state)
{
	const unsigned int m = 64, k = 1024, n = 1024;
	const uint64_t macs = (uint64_t)m * k * n;
	uint64_t c8 = task_cycles(false, m, k, n), c4 = task_cycles(true, m, k, n);
	uint64_t extra_bytes = (uint64_t)m * k / 2 + (uint64_t)k * n / 2;
	double want = (double)macs / INT8_MACS_PER_CYCLE - (double)macs / INT4_MACS_PER_CYCLE +
		      (double)extra_bytes * 1000.0 / DMA_MILLIBYTES_PER_CYCLE;
	double got = (double)c8 - (double)c4;

	(void)state;
	print_message("# int8 %llu cycles, int4 %llu cycles, difference %.0f, expected %.0f\n",
		      (unsigned long long)c8, (unsigned long long)c4, got, want);
	/* Each task rounds its two terms up once. */
	assert_true(got > want - 3.0 && got < want + 3.0);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 1];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tests[n++] = (struct CMUnitTest){ .name = cases[i].name, .test_func = run_case,
						  .initial_state = (void *)&cases[i] };
	tests[n++] = (struct CMUnitTest){ .name = "int4.timing.mac_rate_2048",
					  .test_func = test_int4_mac_rate };
	return _cmocka_run_group_tests("sim-int4", tests, n, NULL, NULL);
}
