// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * libFuzzer target: arbitrary bytes as a device-tree blob for both probes.
 * Each input is copied into a buffer of exactly its size, so a read past
 * the end is an AddressSanitizer report; a result must be 0 or one of the
 * documented errors, with a message on failure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rnpu_fdt_rknpu npu;
	struct rnpu_fdt_k230 kpu;
	char msg[RNPU_FDT_ERR_LEN];
	uint8_t *blob = malloc(size ? size : 1);
	int ret;

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	ret = rnpu_fdt_probe_rknpu(blob, size, &npu, msg, sizeof(msg));
	if (ret != 0 && ret != -EINVAL && ret != -ENODEV && ret != -ENXIO)
		abort();
	if (ret != 0 && msg[0] == '\0')
		abort();
	if (ret == 0 && (npu.num_cores == 0 || npu.num_cores > RKNPU_MAX_CORES ||
			 strcmp(npu.plat.unique, npu.unique) != 0))
		abort();
	ret = rnpu_fdt_probe_k230(blob, size, &kpu, msg, sizeof(msg));
	if (ret != 0 && ret != -EINVAL && ret != -ENODEV && ret != -ENXIO)
		abort();
	if (ret != 0 && msg[0] == '\0')
		abort();
	free(blob);
	return 0;
}
