/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Finds the NPU in a flattened device tree and describes it for a host:
 *  - the RK3588 RKNPU, either the vendor's single node
 *    ("rockchip,rk3588-rknpu": three register windows, three interrupts)
 *    or mainline's one node per core ("rockchip,rk3588-rknn-core");
 *  - the Kendryte K230 KPU ("k230-gnne"), its AI2D engine ("k230-ai2d")
 *    and the mailbox holding the hardware locks ("canaan,k230-hardlock").
 * The result fills the driver core's struct rknpu_platform as far as a
 * device tree can (the host still maps the windows and connects the
 * interrupt, reset and clock handles it resolves from the phandles given
 * here). Every failure names the node and the property at fault.
 */
#ifndef RNPU_FDT_H
#define RNPU_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rknpu_device.h"

#define RNPU_FDT_ERR_LEN 256
#define RNPU_FDT_MAX_CLOCKS 12
#define RNPU_FDT_MAX_DOMAINS RKNPU_MAX_CORES
#define RNPU_FDT_MAX_IRQ_CELLS 4
#define RNPU_FDT_NAME_LEN 16

/* A register window in CPU physical addresses (after the buses' ranges). */
struct rnpu_fdt_window {
	uint64_t base;
	uint64_t size;
};

/* One interrupt specifier, in its controller's cells (GIC: SPI/PPI,
 * number, trigger flags[, partition]). */
struct rnpu_fdt_irq {
	uint32_t controller;  /* phandle of the interrupt parent */
	uint32_t cells[RNPU_FDT_MAX_IRQ_CELLS];
	unsigned int num_cells;
};

/* One entry of a clocks / resets / power-domains / iommus list: the
 * provider's phandle and its first argument cell (0 if it takes none). */
struct rnpu_fdt_ref {
	uint32_t phandle;
	uint32_t arg;
	char name[RNPU_FDT_NAME_LEN]; /* from the matching *-names entry, or "" */
};

enum rnpu_fdt_layout {
	RNPU_FDT_VENDOR = 1,   /* one "rockchip,rk3588-rknpu" node */
	RNPU_FDT_MAINLINE = 2, /* one "rockchip,rk3588-rknn-core" node per core */
};

struct rnpu_fdt_rknpu {
	enum rnpu_fdt_layout layout;
	/* compatible (the core's SoC key), unique, num_mmio, irq[] (indexes
	 * into irqs[]), num_irqs, num_resets, iommu. dev and mmio[] are the
	 * host's. plat.unique points into this struct: do not copy it. */
	struct rknpu_platform plat;
	char unique[32];               /* DRM unique, e.g. "fdab0000.npu" */
	char node_path[RKNPU_MAX_CORES][64];
	unsigned int num_cores;
	/* One window per core from its PC registers on (64 KiB). */
	struct rnpu_fdt_window mmio[RKNPU_MAX_CORES];
	struct rnpu_fdt_irq irqs[RKNPU_MAX_CORES];
	/* In the core's reset order: srst_a0..aN-1, then srst_h0..hN-1. */
	struct rnpu_fdt_ref resets[RKNPU_MAX_RESETS];
	struct rnpu_fdt_ref clocks[RNPU_FDT_MAX_CLOCKS];
	unsigned int num_clocks;
	struct rnpu_fdt_ref power_domains[RNPU_FDT_MAX_DOMAINS];
	unsigned int num_power_domains;
	uint32_t iommu_phandle;        /* 0 when the NPU has no IOMMU */
};

/* Small description of a K230 KPU for its host (the K230 driver core
 * takes it as it is). */
struct rnpu_fdt_k230 {
	char kpu_path[64];
	struct rnpu_fdt_window kpu;     /* GNNE configuration registers */
	struct rnpu_fdt_irq kpu_irq;
	bool has_ai2d;
	struct rnpu_fdt_window ai2d;
	struct rnpu_fdt_irq ai2d_irq;
	bool has_mailbox;
	struct rnpu_fdt_window mailbox; /* hardware locks at +0xa0, 4 bytes each */
};

/*
 * Checks the blob (@size bytes at @fdt) and finds the RK3588 NPU: an
 * enabled vendor node if there is one, else the enabled mainline core
 * nodes, numbered as the Linux module numbers them (rknpu_core_order.h:
 * aliases rknn<N> on every node, else ascending pc address). Returns 0
 * and fills @out, or a negative errno with a message in @err (@err_len
 * bytes, may be NULL):
 *  -EINVAL  the blob is damaged or truncated;
 *  -ENODEV  no enabled NPU node;
 *  -ENXIO   a node lacks a required property or has the wrong number of
 *           entries in it, or the core nodes cannot be numbered
 *           (message: "<node path>: <property>: <what>").
 */
int rnpu_fdt_probe_rknpu(const void *fdt, size_t size, struct rnpu_fdt_rknpu *out,
			 char *err, size_t err_len);

/* The same for the K230 KPU (required), AI2D and mailbox (optional). */
int rnpu_fdt_probe_k230(const void *fdt, size_t size, struct rnpu_fdt_k230 *out,
			char *err, size_t err_len);

#endif
