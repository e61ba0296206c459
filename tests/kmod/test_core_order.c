// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The core order of mainline per-core nodes, shared by the module and the
 * device-tree probe (drivers/rknpu/rknpu_core_order.c), against
 * hand-written expectations: the RK3588's pc windows are 0xfdab0000,
 * 0xfdac0000, 0xfdad0000 (fact sheet 1.1), probed in any order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "rknpu_core_order.h"

#define PC0 0xfdab0000ull
#define PC1 0xfdac0000ull
#define PC2 0xfdad0000ull

static void expect_order(const struct rknpu_core_key *keys, unsigned int n,
			 const unsigned int *want)
{
	struct rknpu_core_order_err err = { 0 };
	unsigned int order[3] = { 99, 99, 99 };

	assert_int_equal(rknpu_core_order(keys, n, n, order, &err), 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(order[i], want[i]);
}

static void expect_refused(const struct rknpu_core_key *keys, unsigned int n, unsigned int expected,
			   int key, const char *field)
{
	struct rknpu_core_order_err err = { 0 };
	unsigned int order[3];

	assert_int_equal(rknpu_core_order(keys, n, expected, order, &err), -EINVAL);
	assert_int_equal(err.key, key);
	assert_string_equal(err.field, field);
	assert_non_null(err.why);
}

static void address_order_as_probed(void **state)
{
	const struct rknpu_core_key keys[] = { { PC0, -1 }, { PC1, -1 }, { PC2, -1 } };
	const unsigned int want[] = { 0, 1, 2 };

	(void)state;
	expect_order(keys, 3, want);
}

static void address_order_shuffled(void **state)
{
	/* Probed core 2, then core 0, then core 1. */
	const struct rknpu_core_key keys[] = { { PC2, -1 }, { PC0, -1 }, { PC1, -1 } };
	const unsigned int want[] = { 1, 2, 0 };

	(void)state;
	expect_order(keys, 3, want);
}

static void address_order_reversed(void **state)
{
	const struct rknpu_core_key keys[] = { { PC2, -1 }, { PC1, -1 }, { PC0, -1 } };
	const unsigned int want[] = { 2, 1, 0 };

	(void)state;
	expect_order(keys, 3, want);
}

static void aliases_override_addresses(void **state)
{
	/* rknn0 = the highest address: the aliases decide, not the reg. */
	const struct rknpu_core_key keys[] = { { PC0, 2 }, { PC1, 1 }, { PC2, 0 } };
	const unsigned int want[] = { 2, 1, 0 };

	(void)state;
	expect_order(keys, 3, want);
}

static void single_core(void **state)
{
	const struct rknpu_core_key keys[] = { { PC1, -1 } };
	const unsigned int want[] = { 0 };

	(void)state;
	expect_order(keys, 1, want);
}

static void count_differs_from_soc(void **state)
{
	const struct rknpu_core_key keys[] = { { PC0, -1 }, { PC1, -1 } };

	(void)state;
	expect_refused(keys, 2, 3, -1, "compatible");
	expect_refused(keys, 0, 3, -1, "compatible");
	expect_refused(keys, 0, 0, -1, "compatible");
}

static void aliases_on_some_nodes(void **state)
{
	const struct rknpu_core_key keys[] = { { PC0, 0 }, { PC1, 1 }, { PC2, -1 } };

	(void)state;
	expect_refused(keys, 3, 3, 2, "aliases");
}

static void alias_beyond_cores(void **state)
{
	const struct rknpu_core_key keys[] = { { PC0, 0 }, { PC1, 3 }, { PC2, 1 } };

	(void)state;
	expect_refused(keys, 3, 3, 1, "aliases");
}

static void alias_twice(void **state)
{
	const struct rknpu_core_key keys[] = { { PC0, 0 }, { PC1, 1 }, { PC2, 1 } };

	(void)state;
	expect_refused(keys, 3, 3, 2, "aliases");
}

static void overlapping_spaces(void **state)
{
	/* Core spaces are 64 KiB: 0xfdab8000 lies inside core 0's. */
	const struct rknpu_core_key keys[] = { { PC0, -1 }, { 0xfdab8000ull, -1 }, { PC2, -1 } };

	(void)state;
	expect_refused(keys, 3, 3, 1, "reg");
}

static void same_node_twice(void **state)
{
	const struct rknpu_core_key keys[] = { { PC0, -1 }, { PC1, -1 }, { PC1, -1 } };

	(void)state;
	expect_refused(keys, 3, 3, 2, "reg");
}

static void adjacent_spaces_accepted(void **state)
{
	/* Exactly 64 KiB apart touch but do not overlap. */
	const struct rknpu_core_key keys[] = { { 0x20000ull, -1 }, { 0x10000ull, -1 }, { 0x0ull, -1 } };
	const unsigned int want[] = { 2, 1, 0 };

	(void)state;
	expect_order(keys, 3, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(address_order_as_probed),
		cmocka_unit_test(address_order_shuffled),
		cmocka_unit_test(address_order_reversed),
		cmocka_unit_test(aliases_override_addresses),
		cmocka_unit_test(single_core),
		cmocka_unit_test(count_differs_from_soc),
		cmocka_unit_test(aliases_on_some_nodes),
		cmocka_unit_test(alias_beyond_cores),
		cmocka_unit_test(alias_twice),
		cmocka_unit_test(overlapping_spaces),
		cmocka_unit_test(same_node_twice),
		cmocka_unit_test(adjacent_spaces_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
