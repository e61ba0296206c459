// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The per-session GEM handle table as a plain data structure. The objects
 * are never dereferenced by the table, so zeroed stand-ins suffice; what
 * matters is which pointer each handle maps to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rknpu_internal.h"

#define NOBJ 300u

static struct rknpu_gem_object objs[NOBJ];

static int setup(void **state)
{
	static struct rknpu_handle_table t;

	rknpu_handles_init(&t);
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	rknpu_handles_fini(*state);
	return 0;
}

static uint32_t alloc_ok(struct rknpu_handle_table *t, struct rknpu_gem_object *obj)
{
	uint32_t h = 0xdeadbeef;

	assert_int_equal(rknpu_handles_alloc(t, obj, &h), 0);
	return h;
}

static void test_first_handle_is_one(void **state)
{
	struct rknpu_handle_table *t = *state;

	/* A zeroed mem_create (handle 0) must allocate, so 0 is never issued. */
	assert_int_equal(alloc_ok(t, &objs[0]), 1);
	assert_int_equal(alloc_ok(t, &objs[1]), 2);
	assert_int_equal(alloc_ok(t, &objs[2]), 3);
	assert_ptr_equal(rknpu_handles_get(t, 1), &objs[0]);
	assert_ptr_equal(rknpu_handles_get(t, 2), &objs[1]);
	assert_ptr_equal(rknpu_handles_get(t, 3), &objs[2]);
	assert_int_equal(t->live, 3);
}

static void test_zero_never_valid(void **state)
{
	struct rknpu_handle_table *t = *state;

	/* Empty table: nothing is valid, 0 included. */
	assert_null(rknpu_handles_get(t, 0));
	assert_null(rknpu_handles_remove(t, 0));
	alloc_ok(t, &objs[0]);
	alloc_ok(t, &objs[1]);
	assert_null(rknpu_handles_get(t, 0));
	assert_null(rknpu_handles_remove(t, 0));
	/* The failed remove of 0 touched nothing. */
	assert_int_equal(t->live, 2);
	assert_ptr_equal(rknpu_handles_get(t, 1), &objs[0]);
}

static void test_unallocated_handles_invalid(void **state)
{
	struct rknpu_handle_table *t = *state;

	alloc_ok(t, &objs[0]);
	alloc_ok(t, &objs[1]);
	/* Past the high-water mark, inside and beyond the capacity. */
	assert_null(rknpu_handles_get(t, 3));
	assert_null(rknpu_handles_get(t, 63));
	assert_null(rknpu_handles_get(t, 64));
	assert_null(rknpu_handles_get(t, 65));
	assert_null(rknpu_handles_get(t, 0x7fffffffu));
	assert_null(rknpu_handles_get(t, UINT32_MAX));
}

static void test_reuse_freed_handle(void **state)
{
	struct rknpu_handle_table *t = *state;
	uint32_t i;

	for (i = 0; i < 5; i++)
		assert_int_equal(alloc_ok(t, &objs[i]), i + 1);
	assert_ptr_equal(rknpu_handles_remove(t, 3), &objs[2]);
	assert_int_equal(t->live, 4);
	/* The freed number comes back before the table grows. */
	assert_int_equal(alloc_ok(t, &objs[10]), 3);
	assert_ptr_equal(rknpu_handles_get(t, 3), &objs[10]);
	assert_int_equal(alloc_ok(t, &objs[11]), 6);
	assert_int_equal(t->live, 6);
}

static void test_reuse_most_recent_first(void **state)
{
	struct rknpu_handle_table *t = *state;
	uint32_t i;

	for (i = 0; i < 6; i++)
		alloc_ok(t, &objs[i]);
	assert_non_null(rknpu_handles_remove(t, 2));
	assert_non_null(rknpu_handles_remove(t, 5));
	assert_non_null(rknpu_handles_remove(t, 4));
	assert_int_equal(alloc_ok(t, &objs[20]), 4);
	assert_int_equal(alloc_ok(t, &objs[21]), 5);
	assert_int_equal(alloc_ok(t, &objs[22]), 2);
	assert_int_equal(alloc_ok(t, &objs[23]), 7);
}

static void test_removed_handle_invalid(void **state)
{
	struct rknpu_handle_table *t = *state;

	alloc_ok(t, &objs[0]);
	alloc_ok(t, &objs[1]);
	assert_ptr_equal(rknpu_handles_remove(t, 1), &objs[0]);
	assert_null(rknpu_handles_get(t, 1));
	/* Neighbours are untouched. */
	assert_ptr_equal(rknpu_handles_get(t, 2), &objs[1]);
}

static void test_remove_twice_returns_null(void **state)
{
	struct rknpu_handle_table *t = *state;

	alloc_ok(t, &objs[0]);
	alloc_ok(t, &objs[1]);
	assert_ptr_equal(rknpu_handles_remove(t, 2), &objs[1]);
	assert_null(rknpu_handles_remove(t, 2));
	assert_int_equal(t->live, 1);
	/* A double remove must not have pushed the slot twice: the next two
	 * allocations get different handles. */
	assert_int_equal(alloc_ok(t, &objs[2]), 2);
	assert_int_equal(alloc_ok(t, &objs[3]), 3);
	assert_ptr_equal(rknpu_handles_get(t, 2), &objs[2]);
	assert_ptr_equal(rknpu_handles_get(t, 3), &objs[3]);
}

static void test_remove_unknown_returns_null(void **state)
{
	struct rknpu_handle_table *t = *state;

	assert_null(rknpu_handles_remove(t, 1));
	alloc_ok(t, &objs[0]);
	assert_null(rknpu_handles_remove(t, 2));
	assert_null(rknpu_handles_remove(t, 64));
	assert_null(rknpu_handles_remove(t, 65));
	assert_null(rknpu_handles_remove(t, UINT32_MAX));
	assert_int_equal(t->live, 1);
	assert_int_equal(t->free_count, 0);
	/* Nothing was queued for reuse by the failed removes. */
	assert_int_equal(alloc_ok(t, &objs[1]), 2);
}

/* Fills handles 1..n and checks every mapping afterwards. */
static void fill_and_check(struct rknpu_handle_table *t, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(alloc_ok(t, &objs[i]), i + 1);
	for (i = 0; i < n; i++)
		assert_ptr_equal(rknpu_handles_get(t, i + 1), &objs[i]);
	assert_null(rknpu_handles_get(t, n + 1));
	assert_true(t->capacity >= n);
	assert_int_equal(t->live, n);
}

static void test_growth_past_64(void **state)
{
	/* 65 entries force the first growth of the arrays. */
	fill_and_check(*state, 65);
}

static void test_growth_past_128(void **state)
{
	fill_and_check(*state, 129);
}

static void test_growth_large(void **state)
{
	struct rknpu_handle_table *t = *state;
	uint32_t i;

	fill_and_check(t, NOBJ);
	/* Free every other handle after growing; reuse still works and no
	 * mapping moved. */
	for (i = 1; i <= NOBJ; i += 2)
		assert_ptr_equal(rknpu_handles_remove(t, i), &objs[i - 1]);
	assert_int_equal(t->live, NOBJ / 2);
	for (i = 2; i <= NOBJ; i += 2)
		assert_ptr_equal(rknpu_handles_get(t, i), &objs[i - 1]);
	assert_int_equal(alloc_ok(t, &objs[0]), NOBJ - 1);
}

static void test_growth_keeps_freed_slots(void **state)
{
	struct rknpu_handle_table *t = *state;
	uint32_t i, h;

	/* Fill to capacity, free one, refill it, then grow: the table
	 * stays consistent across the copy. */
	for (i = 0; i < 64; i++)
		alloc_ok(t, &objs[i]);
	assert_non_null(rknpu_handles_remove(t, 10));
	assert_int_equal(alloc_ok(t, &objs[100]), 10);
	h = alloc_ok(t, &objs[101]);
	assert_int_equal(h, 65);
	assert_ptr_equal(rknpu_handles_get(t, 10), &objs[100]);
	assert_ptr_equal(rknpu_handles_get(t, 65), &objs[101]);
	assert_ptr_equal(rknpu_handles_get(t, 64), &objs[63]);
}

static void test_find(void **state)
{
	struct rknpu_handle_table *t = *state;

	alloc_ok(t, &objs[0]);
	alloc_ok(t, &objs[1]);
	alloc_ok(t, &objs[2]);
	assert_int_equal(rknpu_handles_find(t, &objs[0]), 1);
	assert_int_equal(rknpu_handles_find(t, &objs[1]), 2);
	assert_int_equal(rknpu_handles_find(t, &objs[2]), 3);
	assert_int_equal(rknpu_handles_find(t, &objs[3]), 0);
}

static void test_find_after_remove(void **state)
{
	struct rknpu_handle_table *t = *state;

	alloc_ok(t, &objs[0]);
	alloc_ok(t, &objs[1]);
	assert_non_null(rknpu_handles_remove(t, 1));
	assert_int_equal(rknpu_handles_find(t, &objs[0]), 0);
	assert_int_equal(rknpu_handles_find(t, &objs[1]), 2);
}

static void test_find_empty_table(void **state)
{
	assert_int_equal(rknpu_handles_find(*state, &objs[0]), 0);
}

static void test_find_past_growth(void **state)
{
	struct rknpu_handle_table *t = *state;

	fill_and_check(t, 200);
	assert_int_equal(rknpu_handles_find(t, &objs[199]), 200);
	assert_int_equal(rknpu_handles_find(t, &objs[64]), 65);
	assert_int_equal(rknpu_handles_find(t, &objs[250]), 0);
}

static void test_same_object_two_handles(void **state)
{
	struct rknpu_handle_table *t = *state;

	/* The table does not deduplicate (GEM_OPEN may give a second
	 * handle); find reports the lowest. */
	assert_int_equal(alloc_ok(t, &objs[7]), 1);
	assert_int_equal(alloc_ok(t, &objs[7]), 2);
	assert_int_equal(rknpu_handles_find(t, &objs[7]), 1);
	assert_non_null(rknpu_handles_remove(t, 1));
	assert_int_equal(rknpu_handles_find(t, &objs[7]), 2);
}

static void test_fini_then_reuse(void **state)
{
	struct rknpu_handle_table *t = *state;

	fill_and_check(t, 70);
	rknpu_handles_fini(t);
	assert_int_equal(t->capacity, 0);
	assert_int_equal(t->live, 0);
	assert_null(rknpu_handles_get(t, 1));
	/* A finished table is an empty table again. */
	rknpu_handles_init(t);
	assert_int_equal(alloc_ok(t, &objs[5]), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_first_handle_is_one),
		T(test_zero_never_valid),
		T(test_unallocated_handles_invalid),
		T(test_reuse_freed_handle),
		T(test_reuse_most_recent_first),
		T(test_removed_handle_invalid),
		T(test_remove_twice_returns_null),
		T(test_remove_unknown_returns_null),
		T(test_growth_past_64),
		T(test_growth_past_128),
		T(test_growth_large),
		T(test_growth_keeps_freed_slots),
		T(test_find),
		T(test_find_after_remove),
		T(test_find_empty_table),
		T(test_find_past_growth),
		T(test_same_object_two_handles),
		T(test_fini_then_reuse),
	};

	return cmocka_run_group_tests_name("core-handles", tests, NULL, NULL);
}
