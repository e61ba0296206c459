// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* RNPU_DEBUG-style category lists ("reg,job") to RKNPU_DBG_* masks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rknpu_internal.h"

static void test_single_categories(void **state)
{
	(void)state;
	assert_int_equal(rknpu_parse_debug("reg"), RKNPU_DBG_REG);
	assert_int_equal(rknpu_parse_debug("ioctl"), RKNPU_DBG_IOCTL);
	assert_int_equal(rknpu_parse_debug("job"), RKNPU_DBG_JOB);
	assert_int_equal(rknpu_parse_debug("gem"), RKNPU_DBG_GEM);
}

static void test_list(void **state)
{
	(void)state;
	assert_int_equal(rknpu_parse_debug("reg,job"), RKNPU_DBG_REG | RKNPU_DBG_JOB);
	assert_int_equal(rknpu_parse_debug("job,reg"), RKNPU_DBG_REG | RKNPU_DBG_JOB);
	assert_int_equal(rknpu_parse_debug("gem,ioctl,job,reg"),
			 RKNPU_DBG_REG | RKNPU_DBG_IOCTL | RKNPU_DBG_JOB | RKNPU_DBG_GEM);
}

static void test_all(void **state)
{
	unsigned int every = RKNPU_DBG_REG | RKNPU_DBG_IOCTL | RKNPU_DBG_JOB | RKNPU_DBG_GEM;

	(void)state;
	assert_int_equal(rknpu_parse_debug("all") & every, every);
	assert_int_equal(rknpu_parse_debug("job,all") & every, every);
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(rknpu_parse_debug(NULL), 0);
	assert_int_equal(rknpu_parse_debug(""), 0);
	assert_int_equal(rknpu_parse_debug(","), 0);
}

static void test_unknown_words_ignored(void **state)
{
	(void)state;
	assert_int_equal(rknpu_parse_debug("bogus"), 0);
	assert_int_equal(rknpu_parse_debug("reg,bogus,gem"), RKNPU_DBG_REG | RKNPU_DBG_GEM);
}

static void test_whole_words_only(void **state)
{
	(void)state;
	/* A prefix or an extension of a category is not that category. */
	assert_int_equal(rknpu_parse_debug("re"), 0);
	assert_int_equal(rknpu_parse_debug("regs"), 0);
	assert_int_equal(rknpu_parse_debug("jo,jobs"), 0);
	assert_int_equal(rknpu_parse_debug("al"), 0);
}

static void test_separators_tolerated(void **state)
{
	(void)state;
	assert_int_equal(rknpu_parse_debug(",job"), RKNPU_DBG_JOB);
	assert_int_equal(rknpu_parse_debug("job,"), RKNPU_DBG_JOB);
	assert_int_equal(rknpu_parse_debug("reg,,job"), RKNPU_DBG_REG | RKNPU_DBG_JOB);
	assert_int_equal(rknpu_parse_debug("job,job"), RKNPU_DBG_JOB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_categories),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unknown_words_ignored),
		cmocka_unit_test(test_whole_words_only),
		cmocka_unit_test(test_separators_tolerated),
	};

	return cmocka_run_group_tests_name("core-debug-spec", tests, NULL, NULL);
}
