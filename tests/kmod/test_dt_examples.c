// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The device-tree examples of docs/kmod.md (the .dts files of kmod/dt), compiled by
 * dtc, describe the NPU the way the fact sheet does: the device-tree probe
 * finds three cores at the RK3588's addresses (0xfdab0000, 0xfdac0000,
 * 0xfdad0000), interrupts SPI 110..112, six resets and an IOMMU, in the
 * form each example claims.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rnpu_fdt.h"

static const char *dtb_dir;

static void *load(const char *name, size_t *size)
{
	char path[512];
	FILE *f;
	void *buf = malloc(1 << 16);

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", dtb_dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*size = fread(buf, 1, 1 << 16, f);
	fclose(f);
	assert_true(*size > 0);
	return buf;
}

static void check_example(const char *name, enum rnpu_fdt_layout layout)
{
	static const uint64_t pc[3] = { 0xfdab0000ull, 0xfdac0000ull, 0xfdad0000ull };
	struct rnpu_fdt_rknpu *out = calloc(1, sizeof(*out));
	char err[256];
	size_t size;
	void *blob = load(name, &size);

	assert_non_null(out);
	assert_int_equal(rnpu_fdt_probe_rknpu(blob, size, out, err, sizeof(err)), 0);
	assert_int_equal(out->layout, layout);
	assert_int_equal(out->num_cores, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(out->mmio[i].base, pc[i]);
		assert_int_equal(out->mmio[i].size, 0x10000);
		assert_int_equal(out->irqs[i].cells[0], 0);        /* SPI */
		assert_int_equal(out->irqs[i].cells[1], 110 + i);
		assert_int_equal(out->irqs[i].cells[2], 4);        /* level high */
	}
	assert_int_equal(out->plat.num_resets, 6);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_not_equal(out->resets[i].phandle, 0);
	assert_int_not_equal(out->iommu_phandle, 0);
	assert_string_equal(out->unique, "fdab0000.npu");
	free(out);
	free(blob);
}

static void vendor_example(void **state)
{
	(void)state;
	check_example("rk3588-npu-vendor.dtb", RNPU_FDT_VENDOR);
}

static void mainline_example(void **state)
{
	(void)state;
	check_example("rk3588-npu-mainline.dtb", RNPU_FDT_MAINLINE);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vendor_example),
		cmocka_unit_test(mainline_example),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s DTB_DIR\n", argv[0]);
		return 2;
	}
	dtb_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
