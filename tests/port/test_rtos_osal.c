// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * osal/rtos over the single-threaded example port: each OS service does
 * what osal.h promises (or fails as rtos_port.h documents), and leaves no
 * heap block or semaphore behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rtos_port.h"
#include "rtos_port_example.h"

struct leak_mark {
	size_t heap;
	unsigned int sems;
};

static int setup(void **state)
{
	static struct leak_mark mark;

	mark.heap = rtos_port_example_heap_used();
	mark.sems = rtos_port_example_sem_count();
	*state = &mark;
	return 0;
}

/* Everything a test made must be gone, and interrupts back on. */
static int teardown(void **state)
{
	const struct leak_mark *mark = *state;

	if (rtos_port_example_heap_used() != mark->heap ||
	    rtos_port_example_sem_count() != mark->sems || rtos_port_example_irq_depth() != 0)
		return -1;
	return 0;
}

static void test_memory(void **state)
{
	unsigned char *p;
	uint32_t *a;

	(void)state;
	assert_null(rnpu_osal_zalloc(0));
	p = rnpu_osal_zalloc(100);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	rnpu_osal_free(p);
	a = rnpu_osal_zalloc_array(10, sizeof(*a));
	assert_non_null(a);
	assert_int_equal(a[9], 0);
	rnpu_osal_free(a);
	assert_null(rnpu_osal_zalloc_array(SIZE_MAX / 2, 4));
	assert_null(rnpu_osal_zalloc_array(0, 4));
	rnpu_osal_free(NULL);
}

static void test_user_copies(void **state)
{
	char src[8] = "abcdefg", dst[8] = { 0 };

	(void)state;
	assert_int_equal(rnpu_osal_copy_from_user(dst, src, sizeof(src)), 0);
	assert_string_equal(dst, "abcdefg");
	assert_int_equal(rnpu_osal_copy_to_user(dst, "xyz", 4), 0);
	assert_string_equal(dst, "xyz");
	assert_int_equal(rnpu_osal_copy_from_user(dst, NULL, 4), -EFAULT);
	assert_int_equal(rnpu_osal_copy_to_user((void *)(uintptr_t)0x40, src, 4), -EFAULT);
	assert_int_equal(rnpu_osal_copy_to_user(NULL, src, 0), 0);
}

static void test_log(void **state)
{
	unsigned int before, after;
	const char *line;

	(void)state;
	rtos_port_example_last_log(&before);
	rnpu_osal_log(RNPU_LOG_DEBUG, "hidden %d", 1);
	rtos_port_example_last_log(&after);
	assert_int_equal(after, before);
	rnpu_osal_log(RNPU_LOG_ERR, "RKNPU: job %#x failed: %d", 0x10u, -110);
	line = rtos_port_example_last_log(&after);
	assert_int_equal(after, before + 1);
	assert_string_equal(line, "RKNPU: job 0x10 failed: -110");
	rnpu_rtos_set_log_level(RNPU_LOG_DEBUG);
	rnpu_osal_log(RNPU_LOG_DEBUG, "%0300d", 5); /* cut to one line buffer */
	line = rtos_port_example_last_log(&after);
	assert_int_equal(after, before + 2);
	assert_int_equal(strlen(line), RNPU_RTOS_LOG_LINE - 1);
	rnpu_rtos_set_log_level(RNPU_LOG_WARN);
}

static void test_locks(void **state)
{
	struct rnpu_osal_mutex *m;
	struct rnpu_osal_spinlock *l;
	unsigned long f1, f2;

	(void)state;
	assert_int_equal(rnpu_osal_mutex_create(&m), 0);
	assert_true(rnpu_osal_mutex_trylock(m));
	assert_false(rnpu_osal_mutex_trylock(m));
	rnpu_osal_mutex_unlock(m);
	rnpu_osal_mutex_lock(m);
	assert_false(rnpu_osal_mutex_trylock(m));
	rnpu_osal_mutex_unlock(m);
	rnpu_osal_mutex_destroy(m);
	rnpu_osal_mutex_destroy(NULL);

	assert_int_equal(rnpu_osal_spinlock_create(&l), 0);
	rnpu_osal_spin_lock_irqsave(l, &f1);
	assert_int_equal(rtos_port_example_irq_depth(), 1);
	rnpu_osal_spin_unlock_irqrestore(l, f1);
	assert_int_equal(rtos_port_example_irq_depth(), 0);
	/* Two different locks nest; interrupts come back on at the end. */
	{
		struct rnpu_osal_spinlock *l2;

		assert_int_equal(rnpu_osal_spinlock_create(&l2), 0);
		rnpu_osal_spin_lock_irqsave(l, &f1);
		rnpu_osal_spin_lock_irqsave(l2, &f2);
		assert_int_equal(rtos_port_example_irq_depth(), 2);
		rnpu_osal_spin_unlock_irqrestore(l2, f2);
		rnpu_osal_spin_unlock_irqrestore(l, f1);
		rnpu_osal_spinlock_destroy(l2);
	}
	assert_int_equal(rtos_port_example_irq_depth(), 0);
	rnpu_osal_spinlock_destroy(l);
}

static bool flag_cond(void *arg)
{
	return *(bool *)arg;
}

static void test_waitq_and_time(void **state)
{
	struct rnpu_osal_waitq *wq;
	bool flag = false;
	uint64_t t0, t1;
	long left;

	(void)state;
	assert_int_equal(rnpu_osal_waitq_create(&wq), 0);
	/* True at once: the whole budget is left. */
	flag = true;
	left = rnpu_osal_waitq_wait_timeout(wq, flag_cond, &flag, 50);
	assert_true(left >= 49 && left <= 50);
	/* Never true: 0 after at least the timeout. */
	flag = false;
	t0 = rnpu_osal_time_ns();
	left = rnpu_osal_waitq_wait_timeout(wq, flag_cond, &flag, 30);
	t1 = rnpu_osal_time_ns();
	assert_int_equal(left, 0);
	assert_true(t1 - t0 >= 30000000u);
	/* Zero timeout: only a look. */
	assert_int_equal(rnpu_osal_waitq_wait_timeout(wq, flag_cond, &flag, 0), 0);
	/* A wake with nobody waiting gives nothing away. */
	rnpu_osal_waitq_wake_all(wq);
	rnpu_osal_waitq_destroy(wq);

	t0 = rnpu_osal_time_ns();
	rnpu_osal_msleep(20);
	t1 = rnpu_osal_time_ns();
	assert_true(t1 - t0 >= 20000000u);
	t0 = rnpu_osal_time_ns();
	rnpu_osal_udelay(10);
	assert_true(rnpu_osal_time_ns() - t0 >= 10000u);
}

static int work_runs;

static void count_work(void *data)
{
	(void)data;
	work_runs++;
}

static void requeue_work(void *data)
{
	struct rnpu_osal_work **w = data;

	work_runs++;
	/* Queuing itself from its own run is allowed: it is not pending. */
	if (work_runs < 3)
		assert_true(rnpu_osal_work_queue(*w, 0));
}

static void test_work(void **state)
{
	struct rnpu_osal_work *a, *b;
	unsigned int ms;

	(void)state;
	work_runs = 0;
	assert_int_equal(rnpu_osal_work_create(&a, count_work, NULL), 0);
	assert_int_equal(rnpu_osal_work_create(&b, requeue_work, &b), 0);
	assert_int_equal(rnpu_rtos_work_poll(), RNPU_PORT_FOREVER);

	assert_true(rnpu_osal_work_queue(a, 10));
	assert_false(rnpu_osal_work_queue(a, 0)); /* already pending */
	ms = rnpu_rtos_work_poll(); /* not due yet */
	assert_true(ms >= 1 && ms <= 10);
	assert_int_equal(work_runs, 0);
	rtos_port_example_advance_ms(10);
	assert_int_equal(rnpu_rtos_work_poll(), RNPU_PORT_FOREVER);
	assert_int_equal(work_runs, 1);

	assert_true(rnpu_osal_work_queue(a, 5));
	assert_true(rnpu_osal_work_cancel_sync(a));
	assert_false(rnpu_osal_work_cancel_sync(a));
	rtos_port_example_advance_ms(10);
	rnpu_rtos_work_poll();
	assert_int_equal(work_runs, 1);

	/* b queues itself again from its first two runs: three runs. */
	work_runs = 0;
	assert_true(rnpu_osal_work_queue(b, 0));
	rnpu_rtos_work_poll();
	assert_int_equal(work_runs, 3);
	rnpu_osal_work_destroy(a);
	rnpu_osal_work_destroy(b);
}

static void test_fences(void **state)
{
	struct rnpu_osal_fence *f;
	int fd = -1;

	(void)state;
	assert_int_equal(rnpu_osal_fence_create(&f), 0);
	assert_int_equal(rnpu_osal_fence_wait(f, 5), -ETIMEDOUT);
	rnpu_osal_fence_signal(f, -EIO);
	rnpu_osal_fence_signal(f, 0); /* only the first counts */
	assert_int_equal(rnpu_osal_fence_wait(f, 0), -EIO);
	assert_int_equal(rnpu_osal_fence_wait(f, 100), -EIO);
	assert_int_equal(rnpu_osal_fence_export_fd(f, &fd), -EOPNOTSUPP);
	assert_int_equal(rnpu_osal_fence_import_fd(3, &f), -EOPNOTSUPP);
	rnpu_osal_fence_put(f);
	rnpu_osal_fence_put(NULL);
}

static unsigned int irq_calls;

static void irq_handler(void *data)
{
	irq_calls += *(unsigned int *)data;
}

static void test_device(void **state)
{
	struct rnpu_osal_dev dev = { .core_clk_hz = 1000000000u, .npu_volt_uv = 825000 };
	struct rnpu_osal_dev bare = { 0 };
	uint32_t regs[16] = { [1] = 0x46495245u };
	struct rnpu_osal_mmio io = { .base = (uintptr_t)regs };
	unsigned int inc = 2;

	(void)state;
	assert_int_equal(rnpu_osal_readl(&io, 4), 0x46495245u);
	rnpu_osal_writel(&io, 8, 0xabcd);
	assert_int_equal(regs[2], 0xabcd);
	{
		/* 64-bit registers (the K230 KPU's CTRL). */
		uint64_t wide[2] = { 0x1122334455667788ull, 0 };
		struct rnpu_osal_mmio wio = { .base = (uintptr_t)wide };

		assert_int_equal(rnpu_osal_readq(&wio, 0), 0x1122334455667788ull);
		rnpu_osal_writeq(&wio, 8, 0x0000000400000004ull);
		assert_int_equal(wide[1], 0x0000000400000004ull);
	}

	irq_calls = 0;
	rnpu_rtos_irq_dispatch(&dev, 1); /* nothing connected: ignored */
	assert_int_equal(rnpu_osal_request_irq(&dev, 1, irq_handler, &inc), 0);
	assert_int_equal(rnpu_osal_request_irq(&dev, 1, irq_handler, &inc), -EBUSY);
	assert_int_equal(rnpu_osal_request_irq(&dev, RNPU_RTOS_MAX_IRQS, irq_handler, &inc),
			 -EINVAL);
	assert_int_equal(rtos_port_example_irq_enabled(), 1u << 1);
	rnpu_rtos_irq_dispatch(&dev, 1);
	rnpu_rtos_irq_dispatch(&dev, RNPU_RTOS_MAX_IRQS + 3); /* out of range: ignored */
	assert_int_equal(irq_calls, 2);
	rnpu_osal_free_irq(&dev, 1);
	assert_int_equal(rtos_port_example_irq_enabled(), 0);
	rnpu_rtos_irq_dispatch(&dev, 1);
	assert_int_equal(irq_calls, 2);

	assert_int_equal(rnpu_osal_reset_assert(&dev, 3), 0);
	assert_int_equal(rtos_port_example_resets(), 1u << 3);
	assert_int_equal(rnpu_osal_reset_deassert(&dev, 3), 0);
	assert_int_equal(rtos_port_example_resets(), 0);

	assert_int_equal(rnpu_osal_clk_get_rate(&dev, 0), 1000000000u);
	assert_int_equal(rnpu_osal_clk_get_rate(&dev, 1), 0);
	assert_int_equal(rnpu_osal_regulator_get_voltage(&dev), 825000);
	assert_int_equal(rnpu_osal_regulator_get_voltage(&bare), -ENODEV);
	assert_int_equal(rnpu_osal_set_nice(-10), 0);
}

static unsigned int domains_on;
static uint64_t hooked_hz;

static int power_hook(struct rnpu_osal_dev *dev, unsigned int idx, bool on)
{
	(void)dev;
	if (idx > 2)
		return -EINVAL;
	domains_on = on ? domains_on | (1u << idx) : domains_on & ~(1u << idx);
	return 0;
}

static int clock_hook(struct rnpu_osal_dev *dev, uint64_t hz)
{
	(void)dev;
	hooked_hz = hz;
	return 0;
}

static int temp_hook(struct rnpu_osal_dev *dev, int *mc)
{
	(void)dev;
	*mc = 61500;
	return 0;
}

/* Power, clock and temperature: optional hooks; without them the NPU is
 * always on, its clock and rail fixed, and there is no temperature. */
static void test_power_clock_temp(void **state)
{
	struct rnpu_osal_dev dev = { .core_clk_hz = 1000000000u, .npu_volt_uv = 825000,
				     .power_domain = power_hook, .set_clock = clock_hook,
				     .read_temp = temp_hook };
	struct rnpu_osal_dev fixed = { .core_clk_hz = 1000000000u, .npu_volt_uv = 825000 };
	int mc = 0;

	(void)state;
	domains_on = 0;
	assert_int_equal(rnpu_osal_power_domain_set(&dev, 0, true), 0);
	assert_int_equal(rnpu_osal_power_domain_set(&dev, 2, true), 0);
	assert_int_equal(domains_on, 0x5);
	assert_int_equal(rnpu_osal_power_domain_set(&dev, 0, false), 0);
	assert_int_equal(domains_on, 0x4);
	assert_int_equal(rnpu_osal_power_domain_set(&dev, 3, true), -EINVAL);
	assert_int_equal(rnpu_osal_clk_set_rate(&dev, 0, 800000000u), 0);
	assert_int_equal(hooked_hz, 800000000u);
	assert_int_equal(rnpu_osal_clk_get_rate(&dev, 0), 800000000u);
	assert_int_equal(rnpu_osal_clk_set_rate(&dev, 1, 800000000u), -EINVAL);
	assert_int_equal(rnpu_osal_thermal_get_temp(&dev, &mc), 0);
	assert_int_equal(mc, 61500);

	assert_int_equal(rnpu_osal_power_domain_set(&fixed, 1, false), 0);
	assert_int_equal(rnpu_osal_clk_set_rate(&fixed, 0, 1000000000u), 0);
	assert_int_equal(rnpu_osal_clk_set_rate(&fixed, 0, 800000000u), -EOPNOTSUPP);
	assert_int_equal(rnpu_osal_regulator_set_voltage(&fixed, 825000), 0);
	assert_int_equal(rnpu_osal_regulator_set_voltage(&fixed, 737500), -EOPNOTSUPP);
	assert_int_equal(rnpu_osal_regulator_get_voltage(&fixed), 825000);
	assert_int_equal(rnpu_osal_thermal_get_temp(&fixed, &mc), -ENODEV);
}

static void test_dma(void **state)
{
	struct rnpu_osal_dev dev = { 0 };
	struct rnpu_osal_dma_buf *buf;
	struct rnpu_osal_dma_info info;
	struct rnpu_osal_vma vma = { .length = 4096 };
	uint64_t id;
	int fd;

	(void)state;
	assert_int_equal(rnpu_osal_dma_alloc(&dev, 100,
					     RNPU_OSAL_DMA_CONTIGUOUS | RNPU_OSAL_DMA_ZERO |
						     RNPU_OSAL_DMA_DMA32 | RNPU_OSAL_DMA_KMAP |
						     RNPU_OSAL_DMA_CACHEABLE,
					     &buf, &info),
			 0);
	assert_int_equal(info.size, 4096);
	assert_true(info.contiguous);
	assert_non_null(info.vaddr);
	assert_int_equal((uintptr_t)info.vaddr % RNPU_RTOS_PAGE_SIZE, 0);
	assert_int_equal(info.dma_addr % RNPU_RTOS_PAGE_SIZE, 0);
	assert_true(info.dma_addr + info.size <= (1ull << 32));
	assert_int_equal(((unsigned char *)info.vaddr)[4095], 0);
	rnpu_osal_dma_sync(buf, 0, 4096, RNPU_OSAL_SYNC_TO_DEVICE | RNPU_OSAL_SYNC_FROM_DEVICE);
	assert_int_equal(rnpu_osal_vma_length(&vma), 4096);
	assert_int_equal(rnpu_osal_dma_mmap(buf, &vma, 0), 0);
	assert_ptr_equal(vma.addr, info.vaddr);
	assert_int_equal(rnpu_osal_dma_export_fd(buf, 0, &fd), -EOPNOTSUPP);
	assert_int_equal(rnpu_osal_dma_fd_identity(3, &id), -EOPNOTSUPP);
	assert_int_not_equal(rnpu_osal_dma_identity(buf), 0);
	rnpu_osal_dma_put(buf);
	rnpu_osal_dma_put(NULL);

	/* Without KMAP the core gets no CPU pointer. */
	assert_int_equal(rnpu_osal_dma_alloc(&dev, 8192, RNPU_OSAL_DMA_WRITECOMBINE, &buf, &info),
			 0);
	assert_null(info.vaddr);
	assert_int_equal(info.size, 8192);
	rnpu_osal_dma_put(buf);

	assert_int_equal(rnpu_osal_dma_alloc(&dev, 0, 0, &buf, &info), -EINVAL);
	assert_int_equal(rnpu_osal_dma_alloc(&dev, 4096, 1u << 12, &buf, &info), -EINVAL);
	assert_int_equal(rnpu_osal_dma_alloc(&dev, 4096,
					     RNPU_OSAL_DMA_CACHEABLE | RNPU_OSAL_DMA_WRITECOMBINE,
					     &buf, &info),
			 -EINVAL);
	assert_int_equal(rnpu_osal_dma_alloc(&dev, (size_t)1 << 30, 0, &buf, &info), -ENOMEM);
	assert_int_equal(rnpu_osal_dma_import_fd(&dev, 3, &buf, &info), -EOPNOTSUPP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waitq_and_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fences, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_clock_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma, setup, teardown),
	};

	struct rnpu_osal_work *w;

	/* What osal/rtos keeps for good (the sleep semaphore, the worker's
	 * semaphore and wait queue) is made now, so that the leak checks
	 * compare like with like. */
	rnpu_osal_msleep(0);
	if (rnpu_osal_work_create(&w, count_work, NULL))
		return 1;
	rnpu_osal_work_destroy(w);
	return cmocka_run_group_tests_name("port-rtos-osal", tests, NULL, NULL);
}
