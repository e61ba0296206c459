// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Core order of per-core device-tree nodes (rknpu_core_order.h): aliases
 * when every node has one, else ascending pc addresses. Shared by the
 * Linux module and the device-tree probe, so both number a tree alike.
 */
#include "osal_errno.h"
#include "rknpu_core_order.h"

static int refuse(struct rknpu_core_order_err *err, int key, const char *field, const char *why)
{
	err->key = key;
	err->field = field;
	err->why = why;
	return -EINVAL;
}

int rknpu_core_order(const struct rknpu_core_key *keys, unsigned int n, unsigned int expected,
		     unsigned int *order, struct rknpu_core_order_err *err)
{
	unsigned int with_alias = 0, i, j;

	if (n == 0 || n != expected)
		return refuse(err, -1, "compatible", "enabled core nodes differ from the SoC's cores");
	for (i = 0; i < n; i++)
		with_alias += keys[i].alias >= 0;
	if (with_alias != 0 && with_alias != n) {
		for (i = 0; keys[i].alias >= 0; i++)
			;
		return refuse(err, (int)i, "aliases", "no rknn<N> alias while other cores have one");
	}

	/* Two nodes' register spaces overlap (or are the same node twice). */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			uint64_t lo = keys[i].pc < keys[j].pc ? keys[i].pc : keys[j].pc;
			uint64_t hi = keys[i].pc < keys[j].pc ? keys[j].pc : keys[i].pc;

			if (hi - lo < RKNPU_CORE_ORDER_SPACE)
				return refuse(err, (int)j, "reg", "overlaps another core's register space");
		}

	if (with_alias) {
		for (i = 0; i < n; i++)
			order[i] = n;
		for (i = 0; i < n; i++) {
			unsigned int core = (unsigned int)keys[i].alias;

			if (core >= n)
				return refuse(err, (int)i, "aliases", "rknn<N> beyond the core count");
			if (order[core] != n)
				return refuse(err, (int)i, "aliases", "rknn<N> names two cores");
			order[core] = i;
		}
		return 0;
	}

	/* Insertion sort by address: at most RKNPU_MAX_CORES keys. */
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && keys[order[j - 1]].pc > keys[i].pc; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	return 0;
}
