// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The judgement of whether a started list runs in the starting thread,
 * against a plain loop written here from its rule: a single task, at most
 * 128 words, and the last CNA.DATA_SIZE0, DATA_SIZE1 and WEIGHT_SIZE2
 * written before the first op-enable word all present and giving at most
 * 64 Ki MACs. Random programs place those registers, their neighbours,
 * op-enable words and values whose halves look like them anywhere,
 * including in every position of the model's eight-word filter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "sim_internal.h"
#include "sim_test_bus.h"

#define MAX_WORDS 128u
#define MAX_MACS (64u * 1024u)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static uint64_t word(uint16_t target, uint16_t offset, uint32_t value)
{
	return (uint64_t)target << 48 | (uint64_t)value << 16 | offset;
}

static bool reference_inline(const uint64_t *w, size_t n, uint32_t task_number)
{
	uint32_t s0 = 0, s1 = 0, w2 = 0;
	bool h0 = false, h1 = false, hw = false;
	uint64_t macs;

	if (task_number != 1 || n > MAX_WORDS)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint16_t target = (uint16_t)(w[i] >> 48), offset = (uint16_t)w[i];
		uint32_t value = (uint32_t)(w[i] >> 16);

		if (target == RK3588_TARGET_OP_EN)
			break;
		if (target == RK3588_TARGET_CNA && offset == REG_CNA_DATA_SIZE0)
			s0 = value, h0 = true;
		if (target == RK3588_TARGET_CNA && offset == REG_CNA_DATA_SIZE1)
			s1 = value, h1 = true;
		if (target == RK3588_TARGET_CNA && offset == REG_CNA_WEIGHT_SIZE2)
			w2 = value, hw = true;
	}
	if (!h0 || !h1 || !hw)
		return false;
	macs = (uint64_t)rk3588_get_CNA_DATA_SIZE0_DATAIN_WIDTH(s0) *
	       rk3588_get_CNA_DATA_SIZE0_DATAIN_HEIGHT(s0) *
	       rk3588_get_CNA_DATA_SIZE1_DATAIN_CHANNEL(s1) *
	       rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(w2) *
	       rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(w2) *
	       rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(w2);
	return macs <= MAX_MACS;
}

/* Sizes around the threshold: most products land near 64 Ki MACs. */
static uint32_t size_value(uint16_t offset)
{
	uint32_t v = 0;

	if (offset == REG_CNA_DATA_SIZE0) {
		rk3588_set_CNA_DATA_SIZE0_DATAIN_WIDTH(&v, 1 + rnd() % 16);
		rk3588_set_CNA_DATA_SIZE0_DATAIN_HEIGHT(&v, 1 + rnd() % 16);
	} else if (offset == REG_CNA_DATA_SIZE1) {
		rk3588_set_CNA_DATA_SIZE1_DATAIN_CHANNEL(&v, 1 + rnd() % 64);
	} else {
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(&v, 1 + rnd() % 32);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(&v, 1 + rnd() % 3);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(&v, 1 + rnd() % 3);
	}
	return v;
}

static uint64_t random_word(void)
{
	static const uint16_t sizes[] = { REG_CNA_DATA_SIZE0, REG_CNA_DATA_SIZE1,
					  REG_CNA_WEIGHT_SIZE2 };
	/* Halves a filter could take for a size register or op-enable. */
	static const uint16_t decoys[] = { REG_CNA_DATA_SIZE0, REG_CNA_WEIGHT_SIZE2,
					   RK3588_TARGET_OP_EN, REG_CNA_DATA_SIZE2, 0x1060 };
	uint16_t off;

	switch (rnd() % 16) {
	case 0:
	case 1:
	case 2:
		off = sizes[rnd() % 3];
		return word(RK3588_TARGET_CNA, off, size_value(off));
	case 3: /* a size register's offset under another block's target */
		off = sizes[rnd() % 3];
		return word(rnd() % 2 ? RK3588_TARGET_CORE : RK3588_TARGET_DPU, off, size_value(off));
	case 4:
		return word(RK3588_TARGET_OP_EN, REG_PC_OPERATION_ENABLE, 0x0d);
	case 5: /* values whose halves look like the words that matter */
		return word(RK3588_TARGET_DPU, (uint16_t)(REG_DPU_S_POINTER + 4 * (rnd() % 64)),
			    (uint32_t)decoys[rnd() % 5] << (rnd() % 2 ? 16 : 0));
	case 6:
		return word(RK3588_TARGET_CNA, (uint16_t)(0x1028 + 4 * (rnd() % 6)), rnd());
	case 7:
		return 0; /* NOP */
	default:
		return word(rnd() % 2 ? RK3588_TARGET_CNA : RK3588_TARGET_DPU,
			    (uint16_t)(0x1000 + 4 * (rnd() % 1024)), rnd());
	}
}

static void test_random_programs(void **state)
{
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint32_t addr;
	unsigned int yes = 0, no = 0;

	(void)state;
	fb_init(&fb, 1u << 16);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	addr = fb_alloc(&fb, (MAX_WORDS + 16) * 8, 64);
	for (unsigned int iter = 0; iter < 20000; iter++) {
		uint64_t w[MAX_WORDS + 16];
		/* Amounts giving 2 to 132 words: up to and past the limit. */
		uint32_t amount = rnd() % 66;
		size_t n = 2u * (amount + 1u);
		struct sim_job job = { .addr = addr, .amount = amount,
				       .task_number = rnd() % 8 ? 1 : 2 };
		bool want, got;

		for (size_t i = 0; i < n; i++)
			w[i] = random_word();
		/* Mostly without an early op-enable word, so that later size
		 * writes count. */
		if (rnd() % 4)
			for (size_t i = 0; i < n; i++)
				if ((uint16_t)(w[i] >> 48) == RK3588_TARGET_OP_EN && i + 1 < n)
					w[i] = 0;
		fb_put_words(&fb, addr, w, n);
		want = reference_inline(w, n, job.task_number);
		got = sim_start_runs_inline(&sim->core[0], &job);
		if (want != got)
			fail_msg("program %u (%zu words): judged %d, rule says %d", iter, n, got, want);
		yes += want;
		no += !want;
	}
	/* Both answers were exercised. */
	assert_true(yes > 1000);
	assert_true(no > 1000);
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

/* The first matching half in each position of an eight-word run, and a
 * later write of the same register overriding an earlier one. */
static void test_every_position(void **state)
{
	struct fake_bus fb;
	struct rk3588_sim *sim;
	uint32_t addr;

	(void)state;
	fb_init(&fb, 1u << 16);
	sim = test_sim_create(&fb, false, 1);
	assert_non_null(sim);
	addr = fb_alloc(&fb, MAX_WORDS * 8, 64);
	for (unsigned int pos = 0; pos < 40; pos++) {
		uint64_t w[48] = { 0 };
		uint32_t s0 = 0, s1 = 0, w2 = 0, big = 0;
		struct sim_job job = { .addr = addr, .amount = 23, .task_number = 1 };

		rk3588_set_CNA_DATA_SIZE0_DATAIN_WIDTH(&s0, 4);
		rk3588_set_CNA_DATA_SIZE0_DATAIN_HEIGHT(&s0, 4);
		rk3588_set_CNA_DATA_SIZE1_DATAIN_CHANNEL(&s1, 16);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(&w2, 16);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(&w2, 1);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(&w2, 1);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(&big, 512);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_WIDTH(&big, 1);
		rk3588_set_CNA_WEIGHT_SIZE2_WEIGHT_HEIGHT(&big, 1);
		for (size_t i = 0; i < 48; i++)
			w[i] = word(RK3588_TARGET_DPU, (uint16_t)(0x4000 + 4 * i), 0x1234);
		w[0] = word(RK3588_TARGET_CNA, REG_CNA_DATA_SIZE0, s0);
		w[1] = word(RK3588_TARGET_CNA, REG_CNA_DATA_SIZE1, s1);
		w[2] = word(RK3588_TARGET_CNA, REG_CNA_WEIGHT_SIZE2, w2);
		/* 4096 MACs; a late write of 512 kernels makes it 128 Ki. */
		w[3 + pos] = word(RK3588_TARGET_CNA, REG_CNA_WEIGHT_SIZE2, big);
		fb_put_words(&fb, addr, w, 48);
		assert_false(sim_start_runs_inline(&sim->core[0], &job));
		/* Behind an op-enable word the late write does not count. */
		w[3 + pos] = word(RK3588_TARGET_OP_EN, REG_PC_OPERATION_ENABLE, 0x0d);
		w[4 + pos] = word(RK3588_TARGET_CNA, REG_CNA_WEIGHT_SIZE2, big);
		fb_put_words(&fb, addr, w, 48);
		assert_true(sim_start_runs_inline(&sim->core[0], &job));
	}
	rk3588_sim_destroy(sim);
	fb_fini(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_programs),
		cmocka_unit_test(test_every_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
