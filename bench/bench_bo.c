// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Buffer-object throughput through the raw UAPI on the in-process device:
 * MEM_CREATE + MEM_DESTROY, and MEM_CREATE + MEM_MAP + mmap + munmap +
 * MEM_DESTROY, one page each. Each round times a burst of operations; the
 * reported rate is the median round.
 */
#include <sys/mman.h>

#include "bench_util.h"
#include "rnpu/rnpu.h"

#define BO_SIZE 4096
#define BO_FLAGS (RKNPU_MEM_NON_CONTIGUOUS | RKNPU_MEM_CACHEABLE)

static void create_destroy(struct rnpu_dev *dev)
{
	struct rknpu_mem_create mc = { .flags = BO_FLAGS, .size = BO_SIZE };
	struct rknpu_mem_destroy md;

	BENCH_CHECK(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_CREATE, &mc));
	md = (struct rknpu_mem_destroy){ .handle = mc.handle, .obj_addr = mc.obj_addr };
	BENCH_CHECK(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_DESTROY, &md));
}

static void create_map_destroy(struct rnpu_dev *dev)
{
	struct rknpu_mem_create mc = { .flags = BO_FLAGS, .size = BO_SIZE };
	struct rknpu_mem_map mm = { 0 };
	struct rknpu_mem_destroy md;
	void *p;

	BENCH_CHECK(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_CREATE, &mc));
	mm.handle = mc.handle;
	BENCH_CHECK(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_MAP, &mm));
	BENCH_CHECK(rnpu_mmap(dev, mm.offset, BO_SIZE, &p));
	/* Touch the page, as any user of a mapping would. */
	*(volatile uint8_t *)p = 1;
	munmap(p, BO_SIZE);
	md = (struct rknpu_mem_destroy){ .handle = mc.handle, .obj_addr = mc.obj_addr };
	BENCH_CHECK(rnpu_ioctl(dev, DRM_IOCTL_RKNPU_MEM_DESTROY, &md));
}

static void run(struct rnpu_dev *dev, const char *name, void (*op)(struct rnpu_dev *),
		long rounds, long per_round)
{
	double *rate = calloc((size_t)rounds, sizeof(*rate));
	double med, lo, hi;
	long r, i;

	if (!rate)
		exit(1);
	/* Warm-up: first-touch costs (pool fill, page tables) are not the
	 * steady state this measures. */
	for (i = 0; i < per_round / 10 + 1; i++)
		op(dev);
	for (r = 0; r < rounds; r++) {
		uint64_t t0 = bench_now_ns(), t1;

		for (i = 0; i < per_round; i++)
			op(dev);
		t1 = bench_now_ns();
		rate[r] = (double)per_round * 1e9 / (double)(t1 - t0);
	}
	med = bench_median(rate, (size_t)rounds);
	lo = rate[0];
	hi = rate[rounds - 1];
	printf("| %s | %ld x %ld | %.0f | %.0f | %.0f | %.2f |\n", name, rounds, per_round, med, lo,
	       hi, 1e6 / med);
	free(rate);
}

int main(int argc, char **argv)
{
	long rounds = bench_arg(argc, argv, "--rounds", 11);
	long per_round = bench_arg(argc, argv, "--ops", 50000);
	struct rnpu_dev *dev;

	BENCH_CHECK(rnpu_open("sim", &dev));
	printf("| operation (4 KiB BO, %s) | rounds x ops | median ops/s | min ops/s | "
	       "max ops/s | median us/op |\n", rnpu_transport_name(dev));
	printf("| --- | --- | --- | --- | --- | --- |\n");
	run(dev, "MEM_CREATE + MEM_DESTROY", create_destroy, rounds, per_round);
	run(dev, "MEM_CREATE + MEM_MAP + mmap + munmap + MEM_DESTROY", create_map_destroy, rounds,
	    per_round / 5 > 0 ? per_round / 5 : 1);
	rnpu_close(dev);
	return 0;
}
