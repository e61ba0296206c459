// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Built only from the installed headers and library: opens the software
 * NPU, reads the hardware version (0x46495245, "FIRE", what RK3588 PC
 * VERSION reads on a board) and round-trips bytes through a buffer object.
 */
#include <stdio.h>
#include <string.h>

#include <rnpu/rnpu.h>

int main(void)
{
	struct rnpu_dev *dev;
	struct rnpu_bo *bo;
	uint32_t version = 0;
	void *ptr;
	int ret = rnpu_open("sim", &dev);

	if (ret) {
		printf("not ok - rnpu_open(\"sim\") = %d\n", ret);
		return 1;
	}
	ret = rnpu_action(dev, RKNPU_GET_HW_VERSION, &version);
	if (ret || version != 0x46495245) {
		printf("not ok - RKNPU_GET_HW_VERSION = %d, 0x%x\n", ret, version);
		rnpu_close(dev);
		return 1;
	}
	ret = rnpu_bo_create(dev, 4096, 0, &bo);
	if (!ret)
		ret = rnpu_bo_map(bo, &ptr);
	if (ret) {
		printf("not ok - buffer object: %d\n", ret);
		rnpu_close(dev);
		return 1;
	}
	memcpy(ptr, "rnpu", 5);
	ret = strcmp(ptr, "rnpu");
	rnpu_bo_free(bo);
	rnpu_close(dev);
	return ret ? 1 : 0;
}
