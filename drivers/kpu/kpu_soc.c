// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Per-SoC data of the KPU driver: one row per chip, no per-chip code. */
#include "kpu_internal.h"

static const struct kpu_soc_data kpu_socs[] = {
	{
		.compatible = "canaan,k230-kpu",
		.kpu_hardlock_id = 1,      /* HARDLOCK_KPU of the K230 SDK */
		.lock_timeout_ms = 10000,
		.wait_timeout_ms = 5000,
		.reset_timeout_us = 10000,
	},
};

static bool kpu_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const struct kpu_soc_data *kpu_soc_lookup(const char *compatible)
{
	unsigned int i;

	if (!compatible)
		return NULL;
	for (i = 0; i < sizeof(kpu_socs) / sizeof(kpu_socs[0]); i++)
		if (kpu_streq(kpu_socs[i].compatible, compatible))
			return &kpu_socs[i];
	return NULL;
}
