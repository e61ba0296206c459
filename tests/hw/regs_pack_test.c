// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Generated field accessors, exercised through the generated test table:
 * one cmocka case per register, so a failure names the register.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rk3588_regs.h"
#include "rk3588_regs_fields.c"

#define RANDOM_ROUNDS 8

/* splitmix64: tiny, seedable, identical on every platform. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z;

	*s += 0x9e3779b97f4a7c15ull;
	z = *s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t field_max(const struct rk3588_field_info *f)
{
	return f->width == 32 ? 0xffffffffu : (1u << f->width) - 1u;
}

static uint32_t field_mask(const struct rk3588_field_info *f)
{
	return field_max(f) << f->shift;
}

/* Assertions name the field, not just the numbers. */
#define CHECK(cond, ...)                         \
	do {                                     \
		if (!(cond))                     \
			fail_msg(__VA_ARGS__);   \
	} while (0)
#define CHECK_EQ(f, got, want, what)                                          \
	CHECK((got) == (want), "%s: %s: got 0x%08x, want 0x%08x", (f)->name, \
	      what, (unsigned int)(got), (unsigned int)(want))

static void check_unsigned(const struct rk3588_field_info *f, uint64_t *seed)
{
	uint32_t max = field_max(f), mask = field_mask(f);
	uint32_t reg = 0, before;

	CHECK(f->set_u && f->get_u && !f->set_s && !f->get_s, "%s: wrong accessor kind", f->name);

	CHECK(f->set_u(&reg, max), "%s: set(max) refused", f->name);
	CHECK_EQ(f, reg, mask, "set(max) on 0");
	CHECK_EQ(f, f->get_u(reg), max, "get(set(max))");

	reg = 0xffffffffu;
	CHECK(f->set_u(&reg, 0), "%s: set(0) refused", f->name);
	CHECK_EQ(f, reg, ~mask, "set(0) on all-ones");

	if (f->width < 32) {
		before = reg = (uint32_t)next_rand(seed);
		CHECK(!f->set_u(&reg, max + 1u), "%s: set(max + 1) accepted", f->name);
		CHECK_EQ(f, reg, before, "register after set(max + 1)");
		CHECK(!f->set_u(&reg, 0xffffffffu), "%s: set(~0) accepted", f->name);
		CHECK_EQ(f, reg, before, "register after set(~0)");
	}

	for (int i = 0; i < RANDOM_ROUNDS; i++) {
		uint32_t v = (uint32_t)next_rand(seed) & max;

		before = reg = (uint32_t)next_rand(seed);
		CHECK(f->set_u(&reg, v), "%s: set(0x%x) refused", f->name, (unsigned int)v);
		CHECK_EQ(f, f->get_u(reg), v, "get(set(v))");
		CHECK_EQ(f, reg & ~mask, before & ~mask, "bits outside the field");
	}
}

static void check_signed(const struct rk3588_field_info *f, uint64_t *seed)
{
	uint32_t mask = field_mask(f);
	uint32_t sign = 1u << (f->shift + f->width - 1);
	int32_t max = (int32_t)((1u << (f->width - 1)) - 1u);
	int32_t min = -max - 1;
	uint32_t reg = 0, before;

	CHECK(f->set_s && f->get_s && !f->set_u && !f->get_u, "%s: wrong accessor kind", f->name);

	/* -1 is the all-ones pattern: the signed counterpart of set(max). */
	CHECK(f->set_s(&reg, -1), "%s: set(-1) refused", f->name);
	CHECK_EQ(f, reg, mask, "set(-1) on 0");
	CHECK(f->get_s(reg) == -1, "%s: get(set(-1)) = %d", f->name, (int)f->get_s(reg));

	reg = 0;
	CHECK(f->set_s(&reg, max), "%s: set(max) refused", f->name);
	CHECK_EQ(f, reg, mask & ~sign, "set(max) on 0");
	CHECK(f->get_s(reg) == max, "%s: get(set(max)) = %d", f->name, (int)f->get_s(reg));

	reg = 0;
	CHECK(f->set_s(&reg, min), "%s: set(min) refused", f->name);
	CHECK_EQ(f, reg, sign, "set(min) on 0");
	CHECK(f->get_s(reg) == min, "%s: get(set(min)) = %d", f->name, (int)f->get_s(reg));

	if (f->width < 32) {
		before = reg = (uint32_t)next_rand(seed);
		CHECK(!f->set_s(&reg, max + 1), "%s: set(max + 1) accepted", f->name);
		CHECK_EQ(f, reg, before, "register after set(max + 1)");
		CHECK(!f->set_s(&reg, min - 1), "%s: set(min - 1) accepted", f->name);
		CHECK_EQ(f, reg, before, "register after set(min - 1)");
	}

	for (int i = 0; i < RANDOM_ROUNDS; i++) {
		/* Map a random bit pattern of the field's width onto [min, max]. */
		int64_t v = (int64_t)(next_rand(seed) & field_max(f)) + min;

		before = reg = (uint32_t)next_rand(seed);
		CHECK(f->set_s(&reg, (int32_t)v), "%s: set(%lld) refused", f->name, (long long)v);
		CHECK(f->get_s(reg) == (int32_t)v, "%s: get(set(%lld)) = %d", f->name,
		      (long long)v, (int)f->get_s(reg));
		CHECK_EQ(f, reg & ~mask, before & ~mask, "bits outside the field");
	}
}

static void test_register(void **state)
{
	const struct rk3588_field_reg *r = &rk3588_field_regs[*(const unsigned int *)*state];
	uint32_t used = 0;

	assert_true(r->count > 0);
	for (unsigned int i = r->first; i < r->first + r->count; i++) {
		const struct rk3588_field_info *f = &rk3588_fields[i];
		uint64_t seed = ((uint64_t)f->offset << 8) ^ f->shift;

		CHECK_EQ(f, f->offset, r->offset, "field offset vs register");
		CHECK(f->width >= 1 && f->shift + f->width <= 32, "%s: [%u+%u] outside 32 bits",
		      f->name, f->shift, f->width);
		CHECK((used & field_mask(f)) == 0, "%s: overlaps another field of %s",
		      f->name, r->name);
		used |= field_mask(f);
		if (f->is_signed)
			check_signed(f, &seed);
		else
			check_unsigned(f, &seed);
	}
}

/* The field table and the register table describe the same registers. */
static void test_tables_agree(void **state)
{
	(void)state;
	assert_int_equal(rk3588_num_regs, RK3588_NUM_FIELD_REGS);
	assert_int_equal(sizeof(rk3588_fields) / sizeof(rk3588_fields[0]), RK3588_NUM_FIELDS);
	for (unsigned int i = 0; i < rk3588_num_regs; i++) {
		assert_int_equal(rk3588_regs[i].offset, rk3588_field_regs[i].offset);
		assert_string_equal(rk3588_regs[i].name, rk3588_field_regs[i].name);
		if (i > 0)
			assert_true(rk3588_regs[i - 1].offset < rk3588_regs[i].offset);
		if (i + 1 < rk3588_num_regs)
			assert_int_equal(rk3588_field_regs[i].first + rk3588_field_regs[i].count,
					 rk3588_field_regs[i + 1].first);
	}
}

/* Every register sits in its block, is found by lookup, and is named after it. */
static void test_register_placement(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < rk3588_num_regs; i++) {
		const struct rk3588_reg_info *r = &rk3588_regs[i];
		const struct rk3588_block_info *b;
		size_t n;

		assert_true(r->block < RK3588_BLOCK_COUNT);
		assert_true(r->access <= RK3588_ACCESS_W1C);
		assert_int_equal(r->offset % 4, 0);
		b = &rk3588_blocks[r->block];
		assert_ptr_equal(rk3588_block_of(r->offset), b);
		assert_ptr_equal(rk3588_reg_lookup(r->offset), r);
		assert_ptr_equal(rk3588_reg_name(r->offset), r->name);
		n = strlen(b->name);
		assert_memory_equal(r->name, b->name, n);
		assert_int_equal(r->name[n], '.');
	}
}

/* Blocks are disjoint and their metadata is self-consistent. */
static void test_blocks(void **state)
{
	uint32_t op_bits = 0;

	(void)state;
	for (unsigned int i = 0; i < RK3588_BLOCK_COUNT; i++) {
		const struct rk3588_block_info *b = &rk3588_blocks[i];

		assert_non_null(b->name);
		assert_true(b->size > 0 && b->base + b->size <= 0x10000u);
		assert_ptr_equal(rk3588_block_of(b->base), b);
		assert_ptr_equal(rk3588_block_of(b->base + b->size - 1), b);
		if (b->banked_from)
			assert_ptr_equal(rk3588_block_of(b->banked_from), b);
		if (b->op_en_bit >= 0) {
			assert_true(b->op_en_bit < 32);
			assert_int_equal(op_bits & (1u << b->op_en_bit), 0);
			op_bits |= 1u << b->op_en_bit;
		}
	}
}

#define EXTRA_CASES 3

int main(void)
{
	static unsigned int index[RK3588_NUM_FIELD_REGS];
	static struct CMUnitTest tests[RK3588_NUM_FIELD_REGS + EXTRA_CASES] = {
		cmocka_unit_test(test_tables_agree),
		cmocka_unit_test(test_register_placement),
		cmocka_unit_test(test_blocks),
	};

	for (unsigned int i = 0; i < RK3588_NUM_FIELD_REGS; i++) {
		struct CMUnitTest *t = &tests[EXTRA_CASES + i];

		index[i] = i;
		t->name = rk3588_field_regs[i].name;
		t->test_func = test_register;
		t->setup_func = NULL;
		t->teardown_func = NULL;
		t->initial_state = &index[i];
	}
	return cmocka_run_group_tests_name("hw-regs-pack", tests, NULL, NULL);
}
