// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The RK3588 RKNPU in a device tree. Two descriptions exist:
 *  - the vendor kernel's single node "rockchip,rk3588-rknpu": one 64 KiB
 *    window and one interrupt per core, resets srst_a0..2 + srst_h0..2,
 *    clocks, power domains npu0..2, an "iommus" phandle;
 *  - mainline's node per core "rockchip,rk3588-rknn-core": windows named
 *    pc/cna/core inside the core's 64 KiB space, one interrupt, resets
 *    srst_a + srst_h, four clocks, one power domain, one IOMMU each.
 * Both become the one platform description the core takes. Core counts
 * and reset counts come from the core's SoC table; mainline's nodes are
 * numbered by the rule the Linux module applies (rknpu_core_order.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "rknpu_core_order.h"
#include "rknpu_soc.h"
#include "rnpu_fdt_internal.h"

/* Each core's register space, from its PC block on (vendor reg sizes). */
#define RKNPU_CORE_WINDOW RKNPU_CORE_ORDER_SPACE

static void fill_platform(struct rnpu_fdt_rknpu *out, const struct rknpu_soc_data *soc)
{
	struct rknpu_platform *plat = &out->plat;

	plat->compatible = soc->compatible;
	plat->unique = out->unique;
	plat->num_mmio = out->num_cores;
	plat->num_irqs = out->num_cores;
	for (unsigned int i = 0; i < out->num_cores; i++)
		plat->irq[i] = i;
	plat->num_resets = soc->num_resets;
	plat->iommu = out->iommu_phandle != 0;
}

/* Places reset @r at the core's index for names "srst_a<N>"/"srst_h<N>"
 * (vendor) or, with @core >= 0, "srst_a"/"srst_h" (mainline). */
static int place_reset(struct rnpu_fdt_rknpu *out, const struct rnpu_fdt_ref *r, int core,
		       unsigned int cores)
{
	unsigned int idx;
	char kind;

	if (strncmp(r->name, "srst_", 5) != 0)
		return -1;
	kind = r->name[5];
	if (kind != 'a' && kind != 'h')
		return -1;
	if (core >= 0) {
		if (r->name[6] != '\0')
			return -1;
		idx = (unsigned int)core;
	} else {
		if (r->name[6] < '0' || r->name[6] > '9' || r->name[7] != '\0')
			return -1;
		idx = (unsigned int)(r->name[6] - '0');
	}
	if (idx >= cores)
		return -1;
	out->resets[(kind == 'h' ? cores : 0) + idx] = *r;
	return 0;
}

static int probe_vendor(const void *fdt, int node, const struct rknpu_soc_data *soc,
			struct rnpu_fdt_rknpu *out, struct rnpu_fdt_err *e)
{
	struct rnpu_fdt_ref resets[RKNPU_MAX_RESETS + 1];
	struct rnpu_fdt_ref iommu;
	unsigned int count, i;
	int ret;

	out->layout = RNPU_FDT_VENDOR;
	out->num_cores = soc->num_cores;
	rnpu_fdt_path(fdt, node, out->node_path[0], sizeof(out->node_path[0]));

	ret = rnpu_fdt_reg_count(fdt, node, e);
	if (ret < 0)
		return ret;
	if ((unsigned int)ret != soc->num_cores)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg: %d windows, the %s has %u cores",
				     ret, soc->name, soc->num_cores);
	for (i = 0; i < soc->num_cores; i++) {
		ret = rnpu_fdt_reg(fdt, node, (int)i, &out->mmio[i], e);
		if (ret)
			return ret;
		if (out->mmio[i].size < RKNPU_CORE_WINDOW)
			return rnpu_fdt_fail(fdt, node, e, -ENXIO,
					     "reg: window %u is 0x%" PRIx64 " bytes, a core's registers span 0x%x",
					     i, out->mmio[i].size, RKNPU_CORE_WINDOW);
	}

	ret = rnpu_fdt_irqs(fdt, node, out->irqs, RKNPU_MAX_CORES, &count, e);
	if (ret)
		return ret;
	if (count != soc->num_cores)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "interrupts: %u, the %s has %u cores",
				     count, soc->name, soc->num_cores);

	ret = rnpu_fdt_refs(fdt, node, "resets", "#reset-cells", "reset-names", resets,
			    RKNPU_MAX_RESETS + 1, &count, e);
	if (ret)
		return ret;
	if (count != soc->num_resets)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "resets: %u lines, the %s needs %u",
				     count, soc->name, soc->num_resets);
	for (i = 0; i < count; i++) {
		/* Without names, the vendor's order is already the core's. */
		if (resets[i].name[0] == '\0')
			out->resets[i] = resets[i];
		else if (place_reset(out, &resets[i], -1, soc->num_cores))
			return rnpu_fdt_fail(fdt, node, e, -ENXIO,
					     "reset-names: \"%s\" is not srst_a<core> or srst_h<core>",
					     resets[i].name);
	}
	for (i = 0; i < count; i++)
		if (out->resets[i].phandle == 0)
			return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reset-names: no entry for line %u", i);

	ret = rnpu_fdt_refs(fdt, node, "clocks", "#clock-cells", "clock-names", out->clocks,
			    RNPU_FDT_MAX_CLOCKS, &out->num_clocks, e);
	if (ret)
		return ret;
	if (out->num_clocks == 0)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "clocks: missing");
	if (out->num_clocks > RNPU_FDT_MAX_CLOCKS)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "clocks: %u, at most %d supported",
				     out->num_clocks, RNPU_FDT_MAX_CLOCKS);

	ret = rnpu_fdt_refs(fdt, node, "power-domains", "#power-domain-cells",
			    "power-domain-names", out->power_domains, RNPU_FDT_MAX_DOMAINS,
			    &out->num_power_domains, e);
	if (ret)
		return ret;
	if (out->num_power_domains > RNPU_FDT_MAX_DOMAINS)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "power-domains: %u, at most %d",
				     out->num_power_domains, RNPU_FDT_MAX_DOMAINS);

	ret = rnpu_fdt_refs(fdt, node, "iommus", "#iommu-cells", NULL, &iommu, 1, &count, e);
	if (ret)
		return ret;
	if (count > 1)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "iommus: %u entries, expected one", count);
	if (count == 1 && rnpu_fdt_node_enabled(fdt, fdt_node_offset_by_phandle(fdt, iommu.phandle)))
		out->iommu_phandle = iommu.phandle;

	rnpu_fdt_dev_name(fdt, node, out->mmio[0].base, out->unique, sizeof(out->unique));
	fill_platform(out, soc);
	return 0;
}

/* One mainline core node into slot @core. */
static int probe_core(const void *fdt, int node, unsigned int core, unsigned int cores,
		      struct rnpu_fdt_rknpu *out, uint32_t *iommu_phandle, struct rnpu_fdt_err *e)
{
	static const char *const names[] = { "pc", "cna", "core" };
	struct rnpu_fdt_ref refs[RNPU_FDT_MAX_CLOCKS + 1];
	unsigned int count, i;
	int ret;

	rnpu_fdt_path(fdt, node, out->node_path[core], sizeof(out->node_path[core]));
	ret = rnpu_fdt_reg_count(fdt, node, e);
	if (ret < 0)
		return ret;
	if (ret != 3)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg: %d windows, expected pc, cna, core",
				     ret);
	for (i = 0; i < 3; i++) {
		struct rnpu_fdt_window w;
		const char *name = fdt_stringlist_get(fdt, node, "reg-names", (int)i, NULL);

		if (!name || strcmp(name, names[i]) != 0)
			return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg-names: entry %u is \"%s\", expected \"%s\"",
					     i, name ? name : "(missing)", names[i]);
		ret = rnpu_fdt_reg(fdt, node, (int)i, &w, e);
		if (ret)
			return ret;
		if (i == 0) {
			out->mmio[core].base = w.base;
			out->mmio[core].size = RKNPU_CORE_WINDOW;
		} else if (w.base < out->mmio[core].base ||
			   w.base + w.size > out->mmio[core].base + RKNPU_CORE_WINDOW) {
			return rnpu_fdt_fail(fdt, node, e, -ENXIO,
					     "reg: %s window 0x%" PRIx64 " lies outside the core's 64 KiB from pc 0x%" PRIx64,
					     names[i], w.base, out->mmio[core].base);
		}
	}

	ret = rnpu_fdt_irqs(fdt, node, &out->irqs[core], 1, &count, e);
	if (ret)
		return ret;
	if (count != 1)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "interrupts: %u, a core has 1", count);

	ret = rnpu_fdt_refs(fdt, node, "resets", "#reset-cells", "reset-names", refs, 3, &count, e);
	if (ret)
		return ret;
	if (count != 2)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "resets: %u lines, a core has srst_a and srst_h",
				     count);
	for (i = 0; i < 2; i++)
		if (place_reset(out, &refs[i], (int)core, cores))
			return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reset-names: \"%s\" is not srst_a or srst_h",
					     refs[i].name);

	ret = rnpu_fdt_refs(fdt, node, "clocks", "#clock-cells", "clock-names", refs,
			    RNPU_FDT_MAX_CLOCKS + 1, &count, e);
	if (ret)
		return ret;
	if (count == 0)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "clocks: missing");
	if (out->num_clocks + count > RNPU_FDT_MAX_CLOCKS)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "clocks: %u more than the %d supported",
				     out->num_clocks + count - RNPU_FDT_MAX_CLOCKS, RNPU_FDT_MAX_CLOCKS);
	for (i = 0; i < count; i++)
		out->clocks[out->num_clocks++] = refs[i];

	ret = rnpu_fdt_refs(fdt, node, "power-domains", "#power-domain-cells", NULL, refs, 2,
			    &count, e);
	if (ret)
		return ret;
	if (count > 1)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "power-domains: %u, a core has 1", count);
	if (count == 1)
		out->power_domains[out->num_power_domains++] = refs[0];

	ret = rnpu_fdt_refs(fdt, node, "iommus", "#iommu-cells", NULL, refs, 2, &count, e);
	if (ret)
		return ret;
	if (count > 1)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "iommus: %u entries, expected one", count);
	*iommu_phandle = count == 1 ? refs[0].phandle : 0;
	return 0;
}

/* What orders one core node: its pc window and its alias rknn<N>. */
static int read_core_key(const void *fdt, int node, struct rknpu_core_key *key,
			 struct rnpu_fdt_err *e)
{
	struct rnpu_fdt_window pc;
	int idx = fdt_stringlist_search(fdt, node, "reg-names", "pc");
	int ret;

	if (idx < 0)
		return rnpu_fdt_fail(fdt, node, e, -ENXIO, "reg-names: no \"pc\" window");
	ret = rnpu_fdt_reg(fdt, node, idx, &pc, e);
	if (ret)
		return ret;
	key->pc = pc.base;
	key->alias = rnpu_fdt_alias_id(fdt, node, RKNPU_CORE_ALIAS_STEM);
	return 0;
}

/* The nodes into core order by the rule the Linux module applies
 * (rknpu_core_order(): aliases rknn<N> on every node, else ascending pc);
 * its refusals name the node and the field. */
static int order_cores(const void *fdt, const int *nodes, unsigned int found,
		       const struct rknpu_soc_data *soc, unsigned int *order,
		       struct rnpu_fdt_err *e)
{
	struct rknpu_core_key keys[RKNPU_MAX_CORES];
	struct rknpu_core_order_err why;
	char alias[16];
	unsigned int i;
	int ret;

	for (i = 0; i < found; i++) {
		ret = read_core_key(fdt, nodes[i], &keys[i], e);
		if (ret)
			return ret;
	}
	if (rknpu_core_order(keys, found, soc->num_cores, order, &why) == 0)
		return 0;
	if (why.key < 0)
		return rnpu_fdt_fail(fdt, nodes[0], e, -ENXIO,
				     "%s: %u enabled %s nodes, the %s has %u cores", why.field,
				     found, RKNPU_RK3588_CORE_COMPATIBLE, soc->name, soc->num_cores);
	if (keys[why.key].alias >= 0)
		snprintf(alias, sizeof(alias), "%s%d", RKNPU_CORE_ALIAS_STEM, keys[why.key].alias);
	else
		snprintf(alias, sizeof(alias), "none");
	return rnpu_fdt_fail(fdt, nodes[why.key], e, -ENXIO, "%s: %s (pc 0x%" PRIx64 ", alias %s)",
			     why.field, why.why, keys[why.key].pc, alias);
}

static int probe_mainline(const void *fdt, const struct rknpu_soc_data *soc,
			  struct rnpu_fdt_rknpu *out, struct rnpu_fdt_err *e)
{
	int nodes[RKNPU_MAX_CORES];
	unsigned int order[RKNPU_MAX_CORES];
	unsigned int found = 0, i;
	int node, ret;
	bool all_iommu = true;

	for (node = fdt_node_offset_by_compatible(fdt, -1, RKNPU_RK3588_CORE_COMPATIBLE); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, RKNPU_RK3588_CORE_COMPATIBLE)) {
		if (!rnpu_fdt_node_enabled(fdt, node))
			continue;
		if (found == soc->num_cores)
			return rnpu_fdt_fail(fdt, node, e, -ENXIO,
					     "compatible: more than %u enabled %s nodes",
					     soc->num_cores, RKNPU_RK3588_CORE_COMPATIBLE);
		nodes[found++] = node;
	}
	if (found == 0)
		return -ENODEV;
	ret = order_cores(fdt, nodes, found, soc, order, e);
	if (ret)
		return ret;

	out->layout = RNPU_FDT_MAINLINE;
	out->num_cores = found;
	for (i = 0; i < found; i++) {
		uint32_t iommu = 0;

		ret = probe_core(fdt, nodes[order[i]], i, found, out, &iommu, e);
		if (ret)
			return ret;
		if (i == 0)
			out->iommu_phandle = iommu;
		all_iommu = all_iommu && iommu;
	}
	if (!all_iommu)
		out->iommu_phandle = 0;
	for (i = 0; i < soc->num_resets; i++)
		if (out->resets[i].phandle == 0)
			return rnpu_fdt_fail(fdt, nodes[order[i % found]], e, -ENXIO,
					     "reset-names: no srst_%c line", i < found ? 'a' : 'h');
	rnpu_fdt_dev_name(fdt, nodes[order[0]], out->mmio[0].base, out->unique,
			  sizeof(out->unique));
	fill_platform(out, soc);
	return 0;
}

int rnpu_fdt_probe_rknpu(const void *fdt, size_t size, struct rnpu_fdt_rknpu *out,
			 char *err, size_t err_len)
{
	struct rnpu_fdt_err e = { err, err_len };
	const struct rknpu_soc_data *soc = rknpu_soc_match(RKNPU_RK3588_COMPATIBLE);
	int node, disabled = -1, ret;

	if (err && err_len)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	ret = rnpu_fdt_check_blob(fdt, size, &e);
	if (ret)
		return ret;

	for (node = fdt_node_offset_by_compatible(fdt, -1, RKNPU_RK3588_COMPATIBLE); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, RKNPU_RK3588_COMPATIBLE)) {
		if (rnpu_fdt_node_enabled(fdt, node))
			return probe_vendor(fdt, node, soc, out, &e);
		disabled = node;
	}
	ret = probe_mainline(fdt, soc, out, &e);
	if (ret != -ENODEV)
		return ret;
	if (disabled >= 0)
		return rnpu_fdt_fail(fdt, disabled, &e, -ENODEV, "status: disabled");
	return rnpu_fdt_fail(fdt, -1, &e, -ENODEV, "no node compatible with \"%s\" or \"%s\"",
			     RKNPU_RK3588_COMPATIBLE, RKNPU_RK3588_CORE_COMPATIBLE);
}
