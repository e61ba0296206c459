// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu-fdt-info: prints what the device-tree probe helper finds in a
 * flattened device tree, e.g. a board's /sys/firmware/fdt.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_fdt.h"

static const char usage_text[] =
	"Usage: rnpu-fdt-info [OPTIONS] [DTB]\n"
	"\n"
	"Reads a flattened device tree (default: /sys/firmware/fdt, the tree the\n"
	"running kernel booted with) and prints the NPU it describes, as the\n"
	"driver core's hosts would see it:\n"
	"  - the Rockchip RK3588 RKNPU, from the vendor node \"rockchip,rk3588-rknpu\"\n"
	"    or the mainline nodes \"rockchip,rk3588-rknn-core\" (one per core):\n"
	"    layout, node paths, per-core register window and interrupt, reset\n"
	"    lines in the driver's order, clocks, power domains, IOMMU, and the\n"
	"    platform description (compatible, unique name, counts);\n"
	"  - the Kendryte K230 KPU (\"k230-gnne\"), AI2D engine (\"k230-ai2d\") and\n"
	"    hardware-lock mailbox (\"canaan,k230-hardlock\").\n"
	"\n"
	"Options:\n"
	"  -s, --soc=SOC   rk3588 or k230 (default: try rk3588, then k230)\n"
	"  -h, --help      show this help and exit\n"
	"\n"
	"Mainline nodes become cores 0, 1, 2 as the Linux module numbers them:\n"
	"by their aliases rknn0..rknn2 when every node has one, else by\n"
	"ascending address of their \"pc\" window.\n"
	"\n"
	"Interrupts are printed in their controller's cells (GIC: type, number,\n"
	"flags); clocks, resets and power domains as <phandle arg> with their\n"
	"names from the *-names properties.\n"
	"\n"
	"Exit status: 0 if an NPU was found, 1 if the tree has none or describes\n"
	"it wrongly (the message names the node and the property), 2 on a usage\n"
	"error, 3 if the file cannot be read.\n";

static void print_irq(const struct rnpu_fdt_irq *irq)
{
	printf("<");
	for (unsigned int c = 0; c < irq->num_cells; c++)
		printf(c ? " %u" : "%u", irq->cells[c]);
	printf(">");
}

static void print_refs(const char *what, const struct rnpu_fdt_ref *refs, unsigned int n)
{
	printf("%s:", what);
	for (unsigned int i = 0; i < n; i++)
		printf(" %s<0x%x %u>", refs[i].name, refs[i].phandle, refs[i].arg);
	printf("\n");
}

static void print_rknpu(const struct rnpu_fdt_rknpu *npu)
{
	printf("soc: rk3588\nlayout: %s\n", npu->layout == RNPU_FDT_VENDOR ? "vendor" : "mainline");
	for (unsigned int i = 0; i < npu->num_cores; i++) {
		printf("core %u: regs 0x%" PRIx64 "+0x%" PRIx64 " irq ", i, npu->mmio[i].base,
		       npu->mmio[i].size);
		print_irq(&npu->irqs[i]);
		printf(" node %s\n",
		       npu->layout == RNPU_FDT_VENDOR ? npu->node_path[0] : npu->node_path[i]);
	}
	print_refs("resets", npu->resets, npu->plat.num_resets);
	print_refs("clocks", npu->clocks, npu->num_clocks);
	print_refs("power-domains", npu->power_domains, npu->num_power_domains);
	if (npu->iommu_phandle)
		printf("iommu: 0x%x\n", npu->iommu_phandle);
	else
		printf("iommu: none\n");
	printf("platform: compatible %s unique %s mmio %u irqs %u resets %u iommu %s\n",
	       npu->plat.compatible, npu->plat.unique, npu->plat.num_mmio, npu->plat.num_irqs,
	       npu->plat.num_resets, npu->plat.iommu ? "yes" : "no");
}

static void print_k230(const struct rnpu_fdt_k230 *k)
{
	printf("soc: k230\nkpu: regs 0x%" PRIx64 "+0x%" PRIx64 " irq ", k->kpu.base, k->kpu.size);
	print_irq(&k->kpu_irq);
	printf(" node %s\n", k->kpu_path);
	if (k->has_ai2d) {
		printf("ai2d: regs 0x%" PRIx64 "+0x%" PRIx64 " irq ", k->ai2d.base, k->ai2d.size);
		print_irq(&k->ai2d_irq);
		printf("\n");
	} else {
		printf("ai2d: none\n");
	}
	if (k->has_mailbox)
		printf("mailbox: regs 0x%" PRIx64 "+0x%" PRIx64 "\n", k->mailbox.base, k->mailbox.size);
	else
		printf("mailbox: none\n");
}

/* Reads all of @path (sysfs files report no size: read until EOF). */
static void *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL;

	if (!f)
		return NULL;
	for (;;) {
		char *bigger = realloc(buf, cap);

		if (!bigger) {
			free(buf);
			fclose(f);
			errno = ENOMEM;
			return NULL;
		}
		buf = bigger;
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*size = len;
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "soc", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/sys/firmware/fdt", *soc = NULL;
	char err_rk[RNPU_FDT_ERR_LEN], err_k230[RNPU_FDT_ERR_LEN];
	struct rnpu_fdt_rknpu npu;
	struct rnpu_fdt_k230 kpu;
	size_t size = 0;
	void *blob;
	int opt, ret_rk = -ENODEV, ret_k230 = -ENODEV;

	while ((opt = getopt_long(argc, argv, "s:h", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			soc = optarg;
			if (strcmp(soc, "rk3588") && strcmp(soc, "k230")) {
				fprintf(stderr, "rnpu-fdt-info: unknown SoC '%s' (rk3588 or k230)\n", soc);
				return 2;
			}
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind + 1 < argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (optind < argc)
		path = argv[optind];
	blob = read_all(path, &size);
	if (!blob) {
		fprintf(stderr, "rnpu-fdt-info: %s: %s\n", path, strerror(errno));
		return 3;
	}
	if (!soc || !strcmp(soc, "rk3588")) {
		ret_rk = rnpu_fdt_probe_rknpu(blob, size, &npu, err_rk, sizeof(err_rk));
		if (!ret_rk)
			print_rknpu(&npu);
	}
	if (ret_rk && (!soc || !strcmp(soc, "k230"))) {
		ret_k230 = rnpu_fdt_probe_k230(blob, size, &kpu, err_k230, sizeof(err_k230));
		if (!ret_k230)
			print_k230(&kpu);
	}
	free(blob);
	if (!ret_rk || !ret_k230)
		return 0;
	/* Report the failure that says most: a described but broken NPU
	 * before "not there". */
	if (soc && !strcmp(soc, "k230"))
		fprintf(stderr, "rnpu-fdt-info: %s: %s\n", path, err_k230);
	else if (!soc && ret_rk == -ENODEV && ret_k230 != -ENODEV)
		fprintf(stderr, "rnpu-fdt-info: %s: %s\n", path, err_k230);
	else if (!soc && ret_rk == -ENODEV)
		fprintf(stderr, "rnpu-fdt-info: %s: %s; %s\n", path, err_rk, err_k230);
	else
		fprintf(stderr, "rnpu-fdt-info: %s: %s\n", path, err_rk);
	return 1;
}
