// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * probe-fdt: the device-tree probe helper on blobs compiled with dtc.
 * Expected values are the device trees' own numbers (the .dts files of tests/probe/dts,
 * written from the vendor and mainline trees and the K230 SDK) and the
 * strings the UAPI reports (docs/uapi.md: GET_UNIQUE "fdab0000.npu").
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "rnpu_fdt.h"

static const char *dtb_dir = ".";

struct blob {
	void *data;
	size_t size;
};

static struct blob load(const char *name)
{
	char path[512];
	struct blob b = { NULL, 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s.dtb", dtb_dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.data = malloc((size_t)n);
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b.size = (size_t)n;
	return b;
}

/* Probes @name for the RK3588 and checks the result and message. */
static void expect_rknpu_error(const char *name, int err, const char *message)
{
	struct blob b = load(name);
	struct rnpu_fdt_rknpu npu;
	char msg[RNPU_FDT_ERR_LEN];

	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, msg, sizeof(msg)), err);
	print_message("# %s: %s\n", name, msg);
	assert_string_equal(msg, message);
	free(b.data);
}

static void expect_k230_error(const char *name, int err, const char *message)
{
	struct blob b = load(name);
	struct rnpu_fdt_k230 kpu;
	char msg[RNPU_FDT_ERR_LEN];

	assert_int_equal(rnpu_fdt_probe_k230(b.data, b.size, &kpu, msg, sizeof(msg)), err);
	print_message("# %s: %s\n", name, msg);
	assert_string_equal(msg, message);
	free(b.data);
}

static void check_gic_spi(const struct rnpu_fdt_irq *irq, unsigned int cells, uint32_t spi)
{
	assert_int_equal(irq->num_cells, cells);
	assert_int_equal(irq->cells[0], 0);   /* GIC_SPI */
	assert_int_equal(irq->cells[1], spi);
	assert_int_equal(irq->cells[2], 4);   /* IRQ_TYPE_LEVEL_HIGH */
	assert_int_not_equal(irq->controller, 0);
}

static void test_vendor_node(void **state)
{
	static const uint64_t bases[] = { 0xfdab0000, 0xfdac0000, 0xfdad0000 };
	static const char *const resets[] = { "srst_a0", "srst_a1", "srst_a2",
					      "srst_h0", "srst_h1", "srst_h2" };
	struct blob b = load("rk3588-vendor");
	struct rnpu_fdt_rknpu npu;
	char msg[RNPU_FDT_ERR_LEN];

	(void)state;
	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(npu.layout, RNPU_FDT_VENDOR);
	assert_string_equal(npu.node_path[0], "/npu@fdab0000");
	assert_int_equal(npu.num_cores, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(npu.mmio[i].base, bases[i]);
		assert_int_equal(npu.mmio[i].size, 0x10000);
		check_gic_spi(&npu.irqs[i], 3, 110 + i);
		assert_int_equal(npu.plat.irq[i], i);
	}
	for (unsigned int i = 0; i < 6; i++) {
		assert_string_equal(npu.resets[i].name, resets[i]);
		assert_int_equal(npu.resets[i].arg, 400 + i);
	}
	assert_int_equal(npu.num_clocks, 8);
	assert_string_equal(npu.clocks[0].name, "clk_npu");
	assert_int_equal(npu.clocks[0].arg, 6);
	assert_string_equal(npu.clocks[7].name, "pclk");
	assert_int_equal(npu.num_power_domains, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(npu.power_domains[i].arg, 9 + i);
	assert_string_equal(npu.power_domains[0].name, "npu0");
	assert_int_not_equal(npu.iommu_phandle, 0);

	assert_string_equal(npu.plat.compatible, "rockchip,rk3588-rknpu");
	assert_string_equal(npu.plat.unique, "fdab0000.npu");
	assert_int_equal(npu.plat.num_mmio, 3);
	assert_int_equal(npu.plat.num_irqs, 3);
	assert_int_equal(npu.plat.num_resets, 6);
	assert_true(npu.plat.iommu);
	assert_null(npu.plat.dev);
	free(b.data);
}

static void test_vendor_reset_order(void **state)
{
	struct blob b = load("vendor-reset-order");
	struct rnpu_fdt_rknpu npu;

	(void)state;
	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, NULL, 0), 0);
	/* Listed a0 h0 a1 h1 a2 h2 with ids 400..405: the core's order is
	 * a0 a1 a2 h0 h1 h2. */
	assert_int_equal(npu.resets[0].arg, 400);
	assert_int_equal(npu.resets[1].arg, 402);
	assert_int_equal(npu.resets[2].arg, 404);
	assert_int_equal(npu.resets[3].arg, 401);
	assert_int_equal(npu.resets[4].arg, 403);
	assert_int_equal(npu.resets[5].arg, 405);
	assert_string_equal(npu.resets[4].name, "srst_h1");
	free(b.data);
}

static void test_vendor_iommu_disabled(void **state)
{
	struct blob b = load("vendor-no-iommu");
	struct rnpu_fdt_rknpu npu;

	(void)state;
	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, NULL, 0), 0);
	assert_int_equal(npu.iommu_phandle, 0);
	assert_false(npu.plat.iommu);
	free(b.data);
}

/*
 * The mainline nodes of rk3588-mainline.dts as cores: @node_of_core[c] is
 * the node (0: npu@ab0000, 1: npu@ac0000, 2: npu@ad0000) expected as core
 * c. Each node's numbers, from the .dts: pc at 0xfdab0000 + n * 0x10000,
 * GIC SPI 110 + n, power domain 9 + n, srst_a 600 + n, srst_h 610 + n,
 * aclk 500 + n, IOMMU iommu@a{b,c,d}9000.
 */
static void check_mainline_cores(const struct blob *b, const unsigned int *node_of_core)
{
	static const char *const paths[] = { "/bus@fd000000/npu@ab0000", "/bus@fd000000/npu@ac0000",
					     "/bus@fd000000/npu@ad0000" };
	static const char *const iommus[] = { "/bus@fd000000/iommu@ab9000",
					      "/bus@fd000000/iommu@ac9000",
					      "/bus@fd000000/iommu@ad9000" };
	static const char *const uniques[] = { "fdab0000.npu", "fdac0000.npu", "fdad0000.npu" };
	struct rnpu_fdt_rknpu npu;
	char msg[RNPU_FDT_ERR_LEN];

	assert_int_equal(rnpu_fdt_probe_rknpu(b->data, b->size, &npu, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(npu.layout, RNPU_FDT_MAINLINE);
	assert_int_equal(npu.num_cores, 3);
	for (unsigned int c = 0; c < 3; c++) {
		unsigned int n = node_of_core[c];

		assert_string_equal(npu.node_path[c], paths[n]);
		/* 0xab0000 on a bus that maps 0 to 0xfd000000. */
		assert_int_equal(npu.mmio[c].base, 0xfdab0000ull + n * 0x10000);
		assert_int_equal(npu.mmio[c].size, 0x10000);
		check_gic_spi(&npu.irqs[c], 4, 110 + n);
		assert_int_equal(npu.power_domains[c].arg, 9 + n);
		assert_int_equal(npu.resets[c].arg, 600 + n);
		assert_string_equal(npu.resets[c].name, "srst_a");
		assert_int_equal(npu.resets[3 + c].arg, 610 + n);
		assert_string_equal(npu.resets[3 + c].name, "srst_h");
		assert_string_equal(npu.clocks[4 * c].name, "aclk");
		assert_int_equal(npu.clocks[4 * c].arg, 500 + n);
	}
	assert_int_equal(npu.num_clocks, 12);
	assert_int_equal(npu.num_power_domains, 3);
	/* Core 0's IOMMU: the one the others join. */
	assert_int_equal(npu.iommu_phandle,
			 fdt_get_phandle(b->data, fdt_path_offset(b->data, iommus[node_of_core[0]])));
	assert_int_not_equal(npu.iommu_phandle, 0);
	assert_string_equal(npu.plat.compatible, "rockchip,rk3588-rknpu");
	/* Linux names the DRM device after core 0's node. */
	assert_string_equal(npu.plat.unique, uniques[node_of_core[0]]);
	assert_int_equal(npu.plat.num_mmio, 3);
	assert_int_equal(npu.plat.num_irqs, 3);
	assert_int_equal(npu.plat.num_resets, 6);
	assert_true(npu.plat.iommu);
}

static void test_mainline_nodes(void **state)
{
	static const unsigned int by_address[] = { 0, 1, 2 };
	struct blob b = load("rk3588-mainline");

	(void)state;
	check_mainline_cores(&b, by_address);
	free(b.data);
}

/* Listed core 2, core 0, core 1: numbered by address all the same. */
static void test_mainline_out_of_order(void **state)
{
	static const unsigned int by_address[] = { 0, 1, 2 };
	struct blob b = load("mainline-out-of-order");

	(void)state;
	check_mainline_cores(&b, by_address);
	free(b.data);
}

/* rknn0 = npu@ad0000, rknn1 = npu@ab0000, rknn2 = npu@ac0000. */
static void test_mainline_aliases(void **state)
{
	static const unsigned int by_alias[] = { 2, 0, 1 };
	struct blob b = load("mainline-aliases");

	(void)state;
	check_mainline_cores(&b, by_alias);
	free(b.data);
}

/* The same numbering through hand-written alias paths (and an alias that
 * names itself, which must neither hang nor count). */
static void test_mainline_alias_paths(void **state)
{
	static const unsigned int by_alias[] = { 2, 0, 1 };
	struct blob b = load("mainline-alias-paths");

	(void)state;
	check_mainline_cores(&b, by_alias);
	free(b.data);
}

static void test_k230(void **state)
{
	struct blob b = load("k230");
	struct rnpu_fdt_k230 kpu;
	char msg[RNPU_FDT_ERR_LEN];

	(void)state;
	assert_int_equal(rnpu_fdt_probe_k230(b.data, b.size, &kpu, msg, sizeof(msg)), 0);
	assert_string_equal(kpu.kpu_path, "/soc/gnne@80400000");
	assert_int_equal(kpu.kpu.base, 0x80400000);
	assert_int_equal(kpu.kpu.size, 0x800);
	assert_int_equal(kpu.kpu_irq.num_cells, 1);
	assert_int_equal(kpu.kpu_irq.cells[0], 173);
	assert_true(kpu.has_ai2d);
	assert_int_equal(kpu.ai2d.base, 0x80400c00);
	assert_int_equal(kpu.ai2d.size, 0x400);
	assert_int_equal(kpu.ai2d_irq.cells[0], 175);
	assert_true(kpu.has_mailbox);
	assert_int_equal(kpu.mailbox.base, 0x91104000);
	assert_int_equal(kpu.mailbox.size, 0x1000);
	free(b.data);
}

static void test_k230_kpu_only(void **state)
{
	struct blob b = load("k230-kpu-only");
	struct rnpu_fdt_k230 kpu;

	(void)state;
	assert_int_equal(rnpu_fdt_probe_k230(b.data, b.size, &kpu, NULL, 0), 0);
	assert_int_equal(kpu.kpu.base, 0x80400000);
	assert_false(kpu.has_ai2d);
	assert_false(kpu.has_mailbox);
	free(b.data);
}

/* An RK3588 tree has no KPU and a K230 tree no RKNPU. */
static void test_wrong_soc(void **state)
{
	(void)state;
	expect_k230_error("rk3588-vendor", -ENODEV, "no enabled node compatible with \"k230-gnne\"");
	expect_rknpu_error("k230", -ENODEV,
			   "no node compatible with \"rockchip,rk3588-rknpu\" or \"rockchip,rk3588-rknn-core\"");
}

static void test_vendor_missing_reg(void **state)
{
	(void)state;
	expect_rknpu_error("vendor-no-reg", -ENXIO, "/npu@fdab0000: reg: missing");
}

static void test_vendor_wrong_irq_count(void **state)
{
	(void)state;
	expect_rknpu_error("vendor-two-irqs", -ENXIO,
			   "/npu@fdab0000: interrupts: 2, the rk3588 has 3 cores");
}

static void test_vendor_missing_compatible(void **state)
{
	(void)state;
	expect_rknpu_error("vendor-no-compatible", -ENODEV,
			   "no node compatible with \"rockchip,rk3588-rknpu\" or \"rockchip,rk3588-rknn-core\"");
}

static void test_vendor_disabled(void **state)
{
	(void)state;
	expect_rknpu_error("vendor-disabled", -ENODEV, "/npu@fdab0000: status: disabled");
}

static void test_vendor_missing_reset(void **state)
{
	(void)state;
	expect_rknpu_error("vendor-five-resets", -ENXIO,
			   "/npu@fdab0000: resets: 5 lines, the rk3588 needs 6");
}

static void test_vendor_small_window(void **state)
{
	(void)state;
	expect_rknpu_error("vendor-small-window", -ENXIO,
			   "/npu@fdab0000: reg: window 2 is 0x1000 bytes, a core's registers span 0x10000");
}

static void test_mainline_missing_core(void **state)
{
	(void)state;
	expect_rknpu_error("mainline-two-cores", -ENXIO,
			   "/bus@fd000000/npu@ab0000: compatible: 2 enabled rockchip,rk3588-rknn-core nodes, the rk3588 has 3 cores");
}

static void test_mainline_aliases_partial(void **state)
{
	(void)state;
	expect_rknpu_error("mainline-aliases-partial", -ENXIO,
			   "/bus@fd000000/npu@ad0000: aliases: no rknn<N> alias while other cores have one (pc 0xfdad0000, alias none)");
}

static void test_mainline_alias_out_of_range(void **state)
{
	(void)state;
	expect_rknpu_error("mainline-alias-range", -ENXIO,
			   "/bus@fd000000/npu@ad0000: aliases: rknn<N> beyond the core count (pc 0xfdad0000, alias rknn3)");
}

static void test_mainline_alias_twice(void **state)
{
	(void)state;
	expect_rknpu_error("mainline-alias-twice", -ENXIO,
			   "/bus@fd000000/npu@ad0000: aliases: rknn<N> names two cores (pc 0xfdad0000, alias rknn1)");
}

static void test_mainline_overlapping_cores(void **state)
{
	(void)state;
	expect_rknpu_error("mainline-overlap", -ENXIO,
			   "/bus@fd000000/npu@ac0000: reg: overlaps another core's register space (pc 0xfdab8000, alias none)");
}

static void test_mainline_reg_names(void **state)
{
	(void)state;
	expect_rknpu_error("mainline-reg-names", -ENXIO,
			   "/bus@fd000000/npu@ac0000: reg-names: entry 1 is \"core\", expected \"cna\"");
}

static void test_mainline_cut_phandle_list(void **state)
{
	(void)state;
	expect_rknpu_error("mainline-bad-phandle", -ENXIO,
			   "/bus@fd000000/npu@ab0000: resets: entry 1 is cut short (#reset-cells of its provider is 1)");
}

static void test_k230_missing_irq(void **state)
{
	(void)state;
	expect_k230_error("k230-no-irq", -ENXIO, "/soc/gnne@80400000: interrupts: missing");
}

static void test_k230_no_kpu(void **state)
{
	(void)state;
	expect_k230_error("k230-no-kpu", -ENODEV, "no enabled node compatible with \"k230-gnne\"");
}

static void test_k230_small_mailbox(void **state)
{
	(void)state;
	expect_k230_error("k230-small-mailbox", -ENXIO,
			  "/soc/canaan-hardlock@91104000: reg: size 0x100, the registers need 0x2a0");
}

/* Every length short of the whole blob is refused as truncated; none is
 * read past its end (ASan watches the heap copy). */
static void test_truncated(void **state)
{
	struct blob b = load("rk3588-vendor");
	struct rnpu_fdt_rknpu npu;
	struct rnpu_fdt_k230 kpu;
	char msg[RNPU_FDT_ERR_LEN];
	char want[RNPU_FDT_ERR_LEN];

	(void)state;
	for (size_t n = 0; n < b.size; n++) {
		void *copy = malloc(n ? n : 1);

		memcpy(copy, b.data, n);
		assert_int_equal(rnpu_fdt_probe_rknpu(copy, n, &npu, msg, sizeof(msg)), -EINVAL);
		if (n < 40)
			snprintf(want, sizeof(want),
				 "device tree blob truncated: %zu bytes, the header alone is 40", n);
		else
			snprintf(want, sizeof(want),
				 "device tree blob truncated: header says %zu bytes, have %zu", b.size, n);
		assert_string_equal(msg, want);
		assert_int_equal(rnpu_fdt_probe_k230(copy, n, &kpu, NULL, 0), -EINVAL);
		free(copy);
	}
	free(b.data);
}

/* Damage inside the structure block is caught by the full check. */
static void test_corrupt(void **state)
{
	struct blob b = load("rk3588-vendor");
	struct rnpu_fdt_rknpu npu;
	char msg[RNPU_FDT_ERR_LEN];
	uint8_t *p = b.data;
	/* off_dt_struct is the big-endian word at byte 8 of the header. */
	uint32_t off = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];

	(void)state;
	p[off + 3] = 0x7f; /* the first token, FDT_BEGIN_NODE, becomes unknown */
	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, msg, sizeof(msg)), -EINVAL);
	print_message("# corrupt: %s\n", msg);
	assert_non_null(strstr(msg, "device tree blob damaged"));
	memset(b.data, 0, 8);
	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "not a device tree blob"));
	free(b.data);
}

/* Blobs older than version 17 are refused before libfdt's full check
 * (which reads out of bounds on some malformed old-layout blobs). */
static void test_old_version(void **state)
{
	struct blob b = load("rk3588-vendor");
	struct rnpu_fdt_rknpu npu;
	char msg[RNPU_FDT_ERR_LEN];
	uint8_t *p = b.data;

	(void)state;
	/* version and last_comp_version: big-endian words at bytes 20, 24. */
	p[23] = 16;
	p[27] = 16;
	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "device tree blob version 16: only version 17 is read");
	free(b.data);
}

/* A property whose length is -12: libfdt's next tag is the property
 * itself, and its walk would never end (a fuzz-fdt find). */
static void test_property_length_loops(void **state)
{
	struct blob b = load("rk3588-vendor");
	struct rnpu_fdt_rknpu npu;
	char msg[RNPU_FDT_ERR_LEN];
	int prop = fdt_first_property_offset(b.data, 0);
	uint8_t *len;

	(void)state;
	assert_true(prop >= 0);
	/* struct fdt_property: tag, len, nameoff (big-endian words). */
	len = (uint8_t *)b.data + fdt_off_dt_struct(b.data) + prop + 4;
	len[0] = len[1] = len[2] = 0xff;
	len[3] = 0xf4;
	assert_int_equal(rnpu_fdt_probe_rknpu(b.data, b.size, &npu, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "device tree blob damaged: FDT_ERR_BADSTRUCTURE");
	free(b.data);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_node),
		cmocka_unit_test(test_vendor_reset_order),
		cmocka_unit_test(test_vendor_iommu_disabled),
		cmocka_unit_test(test_mainline_nodes),
		cmocka_unit_test(test_mainline_out_of_order),
		cmocka_unit_test(test_mainline_aliases),
		cmocka_unit_test(test_mainline_alias_paths),
		cmocka_unit_test(test_k230),
		cmocka_unit_test(test_k230_kpu_only),
		cmocka_unit_test(test_wrong_soc),
		cmocka_unit_test(test_vendor_missing_reg),
		cmocka_unit_test(test_vendor_wrong_irq_count),
		cmocka_unit_test(test_vendor_missing_compatible),
		cmocka_unit_test(test_vendor_disabled),
		cmocka_unit_test(test_vendor_missing_reset),
		cmocka_unit_test(test_vendor_small_window),
		cmocka_unit_test(test_mainline_missing_core),
		cmocka_unit_test(test_mainline_aliases_partial),
		cmocka_unit_test(test_mainline_alias_out_of_range),
		cmocka_unit_test(test_mainline_alias_twice),
		cmocka_unit_test(test_mainline_overlapping_cores),
		cmocka_unit_test(test_mainline_reg_names),
		cmocka_unit_test(test_mainline_cut_phandle_list),
		cmocka_unit_test(test_k230_missing_irq),
		cmocka_unit_test(test_k230_no_kpu),
		cmocka_unit_test(test_k230_small_mailbox),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_old_version),
		cmocka_unit_test(test_property_length_loops),
	};

	if (argc > 1)
		dtb_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
