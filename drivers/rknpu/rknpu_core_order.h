/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The order of the NPU's cores when the device tree describes each core as
 * its own node (mainline's "rockchip,rk3588-rknn-core"): which node is
 * core 0 (the "top" core, powered first), 1 and 2, and which sets the
 * driver core cannot run. The one rule for every host that reads such a
 * tree: the Linux module (kmod/, keys gathered as the nodes probe, in
 * whatever order the kernel probes them) and the device-tree probe
 * (probe/fdt, keys in the order the nodes are listed). Plain C with no OS
 * services.
 */
#ifndef RKNPU_CORE_ORDER_H
#define RKNPU_CORE_ORDER_H

#include <stdint.h>

/* Alias stem that numbers the cores when the order by address is not
 * wanted: aliases { rknn0 = &rknn_core_0; ... }. */
#define RKNPU_CORE_ALIAS_STEM "rknn"

/* What a host reads from one core node. */
struct rknpu_core_key {
	uint64_t pc;   /* CPU address of the node's reg window named "pc" */
	int alias;     /* N of the first alias "rknn<N>" naming the node, or < 0 */
};

/* Why a set was refused: the key (index into the input) and the field. */
struct rknpu_core_order_err {
	int key;          /* -1 when the set as a whole is wrong */
	const char *field; /* "compatible", "aliases" or "reg" */
	const char *why;
};

/* Each core's register space from its pc window on (PC, CNA, CORE, DPU,
 * ...): two cores' spaces must not overlap. */
#define RKNPU_CORE_ORDER_SPACE 0x10000u

/*
 * Orders @n keys into @order (order[core] = index of its key). With an
 * alias on every node the aliases number the cores (0..n-1, each once);
 * with none, the cores are numbered by ascending pc address, which is how
 * the vendor's single node lists them (0xfdab0000, 0xfdac0000, 0xfdad0000
 * on the RK3588). Refused with -EINVAL and @err filled: @n other than
 * @expected (the SoC's core count), aliases on some nodes only, an alias
 * out of range or given twice, two cores whose register spaces overlap.
 */
int rknpu_core_order(const struct rknpu_core_key *keys, unsigned int n, unsigned int expected,
		     unsigned int *order, struct rknpu_core_order_err *err);

#endif
