// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * zero_copy: the application owns its buffers as dma-bufs (memfds, which
 * the userspace host accepts as dma-bufs), imports them into librnpu, has
 * the NPU add them in place and reads the sum straight from its own
 * mapping: no copy in or out. Exit status 0 ok, 1 mismatch, 2 error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rnpu/ops.h"

#define COUNT (1u << 20)

/* A memfd of @bytes, mapped. */
static int make_buffer(size_t bytes, int8_t **map)
{
	int fd = memfd_create("rnpu-example", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)bytes)) {
		close(fd);
		return -1;
	}
	*map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*map == MAP_FAILED) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "sim";
	struct rnpu_eltwise_params p = { .dtype = RNPU_DT_INT8, .kind = RNPU_ELTWISE_ADD,
					 .count = COUNT };
	int fd[3] = { -1, -1, -1 };
	int8_t *map[3] = { NULL, NULL, NULL };
	struct rnpu_bo *bo[3] = { NULL, NULL, NULL };
	struct rnpu_dev *dev;
	struct rnpu_op *op = NULL;
	unsigned long bad = 0;
	size_t bytes = 0;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [DEVICE]\n"
		       "Adds two int8 vectors of %u elements that live in the application's\n"
		       "own dma-bufs (memfds) on the NPU, without copying them in or out\n"
		       "(DEVICE: \"sim\", the default, or a device node).\n"
		       "Exit status 0 ok, 1 mismatch, 2 error.\n", argv[0], COUNT);
		return 0;
	}
	ret = rnpu_open(path, &dev);
	if (ret) {
		fprintf(stderr, "rnpu_open(%s): %s\n", path, strerror(-ret));
		return 2;
	}
	ret = rnpu_eltwise_create(dev, &p, &op);
	if (ret)
		goto fail;
	/* Elementwise data is processed in its plain order: the buffers
	 * need only be as large as the operation's own. */
	bytes = (size_t)rnpu_bo_size(rnpu_op_output_bo(op));
	for (int i = 0; i < 3; i++) {
		fd[i] = make_buffer(bytes, &map[i]);
		if (fd[i] < 0) {
			perror("memfd");
			ret = -1;
			goto fail;
		}
	}
	for (uint32_t i = 0; i < COUNT; i++) {
		map[0][i] = (int8_t)(i % 200 - 100);
		map[1][i] = (int8_t)(i * 3 % 256 - 128);
	}
	for (int i = 0; i < 3 && !ret; i++)
		ret = rnpu_bo_import(dev, fd[i], &bo[i]);
	if (!ret)
		ret = rnpu_op_bind_input(op, 0, bo[0]);
	if (!ret)
		ret = rnpu_op_bind_input(op, 1, bo[1]);
	if (!ret)
		ret = rnpu_op_bind_output(op, bo[2]);
	if (!ret)
		ret = rnpu_op_run(op, RKNPU_CORE_AUTO_MASK, NULL);
	if (ret)
		goto fail;
	/* The NPU wrote into the application's own memory. */
	for (uint32_t i = 0; i < COUNT; i++) {
		int s = map[0][i] + map[1][i];
		int8_t want = (int8_t)(s > 127 ? 127 : s < -128 ? -128 : s);

		if (map[2][i] != want && bad++ < 5)
			fprintf(stderr, "sum[%u]: NPU %d, CPU %d\n", i, map[2][i], want);
	}
	printf("zero copy: %u int8 additions in imported dma-bufs, %s\n", COUNT,
	       bad ? "MISMATCH" : "matches the CPU");
fail:
	if (ret)
		fprintf(stderr, "zero_copy: %s\n", rnpu_last_error(dev));
	rnpu_op_destroy(op);
	for (int i = 0; i < 3; i++) {
		rnpu_bo_free(bo[i]);
		if (map[i])
			munmap(map[i], bytes);
		if (fd[i] >= 0)
			close(fd[i]);
	}
	rnpu_close(dev);
	return ret ? 2 : bad ? 1 : 0;
}
