// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The Kendryte K230 KPU in a device tree, as the vendor SDK's Linux tree
 * describes it: "k230-gnne" (KPU configuration registers, one interrupt),
 * "k230-ai2d" (the AI2D engine, one interrupt) and "canaan,k230-hardlock"
 * (the mailbox block whose hardware locks guard the KPU).
 */
#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "rnpu_fdt_internal.h"

#define K230_KPU_COMPATIBLE "k230-gnne"
#define K230_AI2D_COMPATIBLE "k230-ai2d"
#define K230_MAILBOX_COMPATIBLE "canaan,k230-hardlock"
/* Registers the drivers touch: KPU up to its interrupt clear at 0x128
 * (a 64-bit register), AI2D up to its acknowledge words at 0xa0..0xac,
 * the mailbox up to the last of 128 hardware locks at 0xa0 + 4 * 127. */
#define K230_KPU_MIN_SIZE 0x130u
#define K230_AI2D_MIN_SIZE 0xb0u
#define K230_MAILBOX_MIN_SIZE (0xa0u + 4u * 128u)

static int first_enabled(const void *fdt, const char *compatible)
{
	int node;

	for (node = fdt_node_offset_by_compatible(fdt, -1, compatible); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, compatible))
		if (rnpu_fdt_node_enabled(fdt, node))
			return node;
	return -1;
}

/* One window of at least @min bytes and, if @irq, exactly one interrupt. */
static int probe_block(const void *fdt, int node, uint64_t min, struct rnpu_fdt_window *w,
		       struct rnpu_fdt_irq *irq, struct rnpu_fdt_err *e)
{
	unsigned int count;
	int ret = rnpu_fdt_reg(fdt, node, 0, w, e);

	if (ret)
		return ret;
	if (w->size < min)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg: size 0x%llx, the registers need 0x%llx",
				     (unsigned long long)w->size, (unsigned long long)min);
	if (!irq)
		return 0;
	ret = rnpu_fdt_irqs(fdt, node, irq, 1, &count, e);
	if (ret)
		return ret;
	if (count != 1)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "interrupts: %u, expected 1", count);
	return 0;
}

int rnpu_fdt_probe_k230(const void *fdt, size_t size, struct rnpu_fdt_k230 *out, char *err,
			size_t err_len)
{
	struct rnpu_fdt_err e = { err, err_len };
	int node, ret;

	if (err && err_len)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	ret = rnpu_fdt_check_blob(fdt, size, &e);
	if (ret)
		return ret;

	node = first_enabled(fdt, K230_KPU_COMPATIBLE);
	if (node < 0)
		return rnpu_fdt_fail(fdt, -1, &e, -ENODEV, "no enabled node compatible with \"%s\"",
				     K230_KPU_COMPATIBLE);
	rnpu_fdt_path(fdt, node, out->kpu_path, sizeof(out->kpu_path));
	ret = probe_block(fdt, node, K230_KPU_MIN_SIZE, &out->kpu, &out->kpu_irq, &e);
	if (ret)
		return ret;

	node = first_enabled(fdt, K230_AI2D_COMPATIBLE);
	if (node >= 0) {
		ret = probe_block(fdt, node, K230_AI2D_MIN_SIZE, &out->ai2d, &out->ai2d_irq, &e);
		if (ret)
			return ret;
		out->has_ai2d = true;
	}

	node = first_enabled(fdt, K230_MAILBOX_COMPATIBLE);
	if (node >= 0) {
		ret = probe_block(fdt, node, K230_MAILBOX_MIN_SIZE, &out->mailbox, NULL, &e);
		if (ret)
			return ret;
		out->has_mailbox = true;
	}
	return 0;
}
