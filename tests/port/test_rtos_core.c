// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The driver core on osal/rtos and the example port, with register windows
 * that are plain memory: probe, sessions, buffer objects reached through
 * the RTOS "mmap", queries, a soft reset through the port's reset lines, an
 * interrupt dispatched with no job, and teardown with nothing leaked. What
 * needs a working NPU (a submit) stays with the software NPU's suites.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drm/rnpu_drm_core.h"
#include "rknpu_device.h"
#include "rtos_port.h"
#include "rtos_port_example.h"

#define WINDOW_WORDS (0x10000 / 4)
#define RK3588_PC_VERSION 0x46495245u /* reset value of PC.VERSION */

static uint32_t regs[3][WINDOW_WORDS];

struct fixture {
	struct rnpu_osal_dev dev;
	struct rnpu_osal_mmio mmio[3];
	struct rknpu_platform plat;
	struct rknpu_device *rdev;
	struct rknpu_file *file;
	size_t heap;
	unsigned int sems;
};

static void no_work(void *data)
{
	(void)data;
}

static int setup(void **state)
{
	static struct fixture fx;
	struct rnpu_osal_work *w;
	unsigned int i;

	/* The deferred-work task is process-wide and stays once started
	 * (the core's power and load timers start it at probe): start it
	 * before taking the heap baseline. */
	if (rnpu_osal_work_create(&w, no_work, NULL))
		return -1;
	rnpu_osal_work_destroy(w);
	memset(&fx, 0, sizeof(fx));
	memset(regs, 0, sizeof(regs));
	fx.heap = rtos_port_example_heap_used();
	fx.sems = rtos_port_example_sem_count();
	fx.dev.core_clk_hz = 1000000000u;
	fx.dev.npu_volt_uv = 825000;
	fx.plat.compatible = "rockchip,rk3588-rknpu";
	fx.plat.unique = "fdab0000.npu";
	fx.plat.dev = &fx.dev;
	for (i = 0; i < 3; i++) {
		regs[i][0] = RK3588_PC_VERSION;
		fx.mmio[i].base = (uintptr_t)regs[i];
		fx.plat.mmio[i] = &fx.mmio[i];
		fx.plat.irq[i] = i;
	}
	fx.plat.num_mmio = 3;
	fx.plat.num_irqs = 3;
	fx.plat.num_resets = 6;
	if (rknpu_probe(&fx.plat, &fx.rdev) || rknpu_file_open(fx.rdev, &fx.file))
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	rknpu_file_close(fx->file);
	rknpu_remove(fx->rdev);
	/* Every byte and semaphore came back; interrupts are masked again. */
	if (rtos_port_example_heap_used() != fx->heap ||
	    rtos_port_example_sem_count() != fx->sems ||
	    rtos_port_example_irq_enabled() != 0 || rtos_port_example_irq_depth() != 0)
		return -1;
	return 0;
}

static long action(struct fixture *fx, uint32_t flags, uint32_t *value)
{
	struct rknpu_action a = { .flags = flags, .value = value ? *value : 0 };
	long ret = rknpu_ioctl(fx->file, DRM_IOCTL_RKNPU_ACTION, &a);

	if (value)
		*value = a.value;
	return ret;
}

static void test_probe_and_queries(void **state)
{
	struct fixture *fx = *state;
	uint32_t v = 0;

	assert_int_equal(rtos_port_example_irq_enabled(), 0x7);
	assert_int_equal(action(fx, RKNPU_GET_HW_VERSION, &v), 0);
	assert_int_equal(v, RK3588_PC_VERSION);
	assert_int_equal(action(fx, RKNPU_GET_FREQ, &v), 0);
	assert_int_equal(v, 1000000000u);
	assert_int_equal(action(fx, RKNPU_GET_VOLT, &v), 0);
	assert_int_equal(v, 825000);
	assert_int_equal(action(fx, RKNPU_GET_IOMMU_EN, &v), 0);
	assert_int_equal(v, 0);
	v = (uint32_t)-5;
	assert_int_equal(action(fx, RKNPU_SET_PROC_NICE, &v), 0);
}

static void test_buffer_lifecycle(void **state)
{
	struct fixture *fx = *state;
	struct rknpu_mem_create create = {
		.flags = RKNPU_MEM_KERNEL_MAPPING | RKNPU_MEM_ZEROING | RKNPU_MEM_CACHEABLE,
		.size = 5000,
	};
	struct rknpu_mem_map map = { 0 };
	struct rknpu_mem_sync sync = { 0 };
	struct rknpu_mem_destroy destroy = { 0 };
	struct rnpu_drm_prime_handle prime = { 0 };
	struct rnpu_osal_vma vma = { .length = 8192 };
	unsigned char *cpu;

	assert_int_equal(rknpu_ioctl(fx->file, DRM_IOCTL_RKNPU_MEM_CREATE, &create), 0);
	assert_int_not_equal(create.handle, 0);
	assert_int_equal(create.size, 8192);
	assert_int_equal(create.dma_addr % RNPU_RTOS_PAGE_SIZE, 0);
	assert_true(create.dma_addr + create.size <= (1ull << 32));

	map.handle = create.handle;
	assert_int_equal(rknpu_ioctl(fx->file, DRM_IOCTL_RKNPU_MEM_MAP, &map), 0);
	assert_int_equal(rknpu_mmap(fx->file, map.offset, &vma), 0);
	cpu = vma.addr;
	assert_non_null(cpu);
	assert_int_equal(cpu[8191], 0);
	memset(cpu, 0x5a, 8192); /* the application's view is the buffer itself */

	sync.obj_addr = create.obj_addr;
	sync.size = 8192;
	sync.flags = RKNPU_MEM_SYNC_TO_DEVICE;
	assert_int_equal(rknpu_ioctl(fx->file, DRM_IOCTL_RKNPU_MEM_SYNC, &sync), 0);

	/* No file descriptors on an RTOS: sharing says so. */
	prime.handle = create.handle;
	assert_int_equal(rknpu_ioctl(fx->file, RNPU_DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime),
			 -EOPNOTSUPP);
	prime.fd = 3;
	assert_int_equal(rknpu_ioctl(fx->file, RNPU_DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime),
			 -EOPNOTSUPP);

	destroy.handle = create.handle;
	assert_int_equal(rknpu_ioctl(fx->file, DRM_IOCTL_RKNPU_MEM_DESTROY, &destroy), 0);
	assert_int_not_equal(rknpu_mmap(fx->file, map.offset, &vma), 0);
}

static void test_user_pointer_faults(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rknpu_ioctl(fx->file, DRM_IOCTL_RKNPU_ACTION, NULL), -EFAULT);
}

static void test_soft_reset_and_irq(void **state)
{
	struct fixture *fx = *state;
	uint64_t t0 = rnpu_osal_time_ns();

	assert_int_equal(action(fx, RKNPU_ACT_RESET, NULL), 0);
	assert_int_equal(rtos_port_example_resets(), 0); /* every line released again */
	assert_true(rnpu_osal_time_ns() - t0 >= 100000000u); /* the vendor's 100 ms */
	/* An interrupt with no job running: acknowledged, nothing else. */
	rnpu_rtos_irq_dispatch(&fx->dev, 1);
	assert_int_equal(rtos_port_example_irq_depth(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_and_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_pointer_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_reset_and_irq, setup, teardown),
	};

	/* The objects osal/rtos keeps for good (sleep semaphore, worker) are
	 * made now, so that the leak checks compare like with like. */
	rnpu_osal_msleep(0);
	return cmocka_run_group_tests_name("port-rtos-core", tests, NULL, NULL);
}
