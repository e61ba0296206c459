// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* devfreq's pure pieces: the RK3588 OPP table against the fact sheet
 * (5.3), the OPP layer's choice of a supported point, and the decisions
 * of both governors (values worked out by hand from their rules). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "rknpu_internal.h"

#define MHZ 1000000ull

static const struct rknpu_soc_data *rk3588(void)
{
	const struct rknpu_soc_data *soc = rknpu_soc_match("rockchip,rk3588-rknpu");

	assert_non_null(soc);
	return soc;
}

static void test_opp_table(void **state)
{
	/* MHz, base, L1..L5 (µV), fact sheet 5.3; "(base)" cells repeat it. */
	static const int expect[8][7] = {
		{ 300, 700000, 687500, 675000, 675000, 675000, 675000 },
		{ 400, 700000, 687500, 675000, 675000, 675000, 675000 },
		{ 500, 700000, 687500, 675000, 675000, 675000, 675000 },
		{ 600, 700000, 687500, 675000, 675000, 675000, 675000 },
		{ 700, 700000, 700000, 700000, 687500, 675000, 675000 },
		{ 800, 750000, 750000, 737500, 725000, 712500, 700000 },
		{ 900, 800000, 787500, 775000, 762500, 750000, 737500 },
		{ 1000, 850000, 837500, 825000, 812500, 800000, 787500 },
	};
	const struct rknpu_soc_data *soc = rk3588();

	(void)state;
	assert_int_equal(soc->num_opps, 8);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(soc->opps[i].hz, (uint64_t)expect[i][0] * MHZ);
		for (unsigned int b = 0; b < RKNPU_OPP_BINS; b++)
			assert_int_equal(soc->opps[i].uv[b], expect[i][b + 1]);
	}
	assert_int_equal(soc->init_freq_hz, 1000 * MHZ);
	assert_int_equal(soc->thermal_high_mc, 85000);
	assert_int_equal(soc->thermal_hyst_mc, 5000);
	assert_int_equal(soc->thermal_cap_hz, 800 * MHZ);
	assert_int_equal(soc->num_power_domains, 3);
	/* One-core parts: one domain, no OPP table in the fact sheet. */
	assert_int_equal(rknpu_soc_match("rockchip,rk3568-rknpu")->num_power_domains, 1);
	assert_int_equal(rknpu_soc_match("rockchip,rk3568-rknpu")->num_opps, 0);
	assert_null(rknpu_opp_recommend(rknpu_soc_match("rockchip,rk3568-rknpu"), MHZ, RKNPU_OPP_AT_LEAST));
}

static void test_opp_recommend(void **state)
{
	const struct rknpu_soc_data *soc = rk3588();

	(void)state;
	/* Exact points are kept. */
	for (unsigned int i = 0; i < soc->num_opps; i++) {
		assert_int_equal(rknpu_opp_recommend(soc, soc->opps[i].hz, RKNPU_OPP_AT_LEAST)->hz, soc->opps[i].hz);
		assert_int_equal(rknpu_opp_recommend(soc, soc->opps[i].hz, RKNPU_OPP_AT_MOST)->hz, soc->opps[i].hz);
	}
	/* Between points: the next one up, as devfreq's default does. */
	assert_int_equal(rknpu_opp_recommend(soc, 720 * MHZ, RKNPU_OPP_AT_LEAST)->hz, 800 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 800 * MHZ + 1, RKNPU_OPP_AT_LEAST)->hz, 900 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 1, RKNPU_OPP_AT_LEAST)->hz, 300 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 0, RKNPU_OPP_AT_LEAST)->hz, 300 * MHZ);
	/* Past the top: the top. */
	assert_int_equal(rknpu_opp_recommend(soc, 1200 * MHZ, RKNPU_OPP_AT_LEAST)->hz, 1000 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, ~0ull, RKNPU_OPP_AT_LEAST)->hz, 1000 * MHZ);
	/* A debugfs "freq" write: the nearest point, a tie going up. */
	assert_int_equal(rknpu_opp_recommend(soc, 720 * MHZ, RKNPU_OPP_NEAREST)->hz, 700 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 780 * MHZ, RKNPU_OPP_NEAREST)->hz, 800 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 750 * MHZ, RKNPU_OPP_NEAREST)->hz, 800 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 100 * MHZ, RKNPU_OPP_NEAREST)->hz, 300 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 1500 * MHZ, RKNPU_OPP_NEAREST)->hz, 1000 * MHZ);
	/* Under a limit: the next one down, else the lowest. */
	assert_int_equal(rknpu_opp_recommend(soc, 850 * MHZ, RKNPU_OPP_AT_MOST)->hz, 800 * MHZ);
	assert_int_equal(rknpu_opp_recommend(soc, 299 * MHZ, RKNPU_OPP_AT_MOST)->hz, 300 * MHZ);
}

static void test_vendor_governor(void **state)
{
	(void)state;
	/* It never looks at the load: the debugfs value, else the current. */
	assert_int_equal(rknpu_governor_target(RKNPU_GOV_VENDOR, 1000 * MHZ, 600 * MHZ,
					       1000000000ull, 1000000000ull, 1000 * MHZ),
			 600 * MHZ);
	assert_int_equal(rknpu_governor_target(RKNPU_GOV_VENDOR, 700 * MHZ, 0, 0, 1000000000ull,
					       1000 * MHZ),
			 700 * MHZ);
	assert_string_equal(rknpu_governor_name(RKNPU_GOV_VENDOR), "rknpu_ondemand");
	assert_string_equal(rknpu_governor_name(RKNPU_GOV_LOAD), "simple_ondemand");
}

static void test_load_governor(void **state)
{
	const uint64_t w = 1000000000ull;

	(void)state;
	/* Above 90 %: the top. */
	assert_int_equal(rknpu_governor_target(RKNPU_GOV_LOAD, 500 * MHZ, 0, 950000000ull, w,
					       1000 * MHZ),
			 1000 * MHZ);
	/* Within 85..90 %: stay. */
	assert_int_equal(rknpu_governor_target(RKNPU_GOV_LOAD, 700 * MHZ, 0, 870000000ull, w,
					       1000 * MHZ),
			 700 * MHZ);
	/* 44 % at 1 GHz: 1 GHz * 0.44 / 0.88 = 500 MHz. */
	assert_int_equal(rknpu_governor_target(RKNPU_GOV_LOAD, 1000 * MHZ, 0, 440000000ull, w,
					       1000 * MHZ),
			 500 * MHZ);
	/* Idle: 0 Hz asked, which the OPP layer turns into the lowest. */
	assert_int_equal(rknpu_governor_target(RKNPU_GOV_LOAD, 1000 * MHZ, 0, 0, w, 1000 * MHZ), 0);
	/* No window yet: the top (simple_ondemand's rule). */
	assert_int_equal(rknpu_governor_target(RKNPU_GOV_LOAD, 300 * MHZ, 0, 0, 0, 1000 * MHZ),
			 1000 * MHZ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opp_table),
		cmocka_unit_test(test_opp_recommend),
		cmocka_unit_test(test_vendor_governor),
		cmocka_unit_test(test_load_governor),
	};

	return cmocka_run_group_tests_name("core-devfreq", tests, NULL, NULL);
}
