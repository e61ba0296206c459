// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * A program with a known cost per counted call, for the test of
 * bench/callcost.py: callcost_counted_run() runs exactly PROBE_DRIVER_NOPS
 * no-ops in a function named like the driver core's, PROBE_LIB_NOPS in one
 * named like librnpu's, a register write named like the OS services' that
 * runs PROBE_REG_NOPS itself and PROBE_MODEL_NOPS in a function named like
 * the software NPU's, and one system call. The same work before the
 * counted calls must not be counted.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STR2(x) #x
#define STR(x) STR2(x)
#define PROBE_DRIVER_NOPS 1000
#define PROBE_LIB_NOPS 300
#define PROBE_REG_NOPS 40
#define PROBE_MODEL_NOPS 200

__attribute__((noinline)) void rknpu_probe_work(void);
__attribute__((noinline)) void rknpu_probe_work(void)
{
	__asm__ volatile(".rept " STR(PROBE_DRIVER_NOPS) "\n\tnop\n\t.endr" ::: "memory");
}

__attribute__((noinline)) void sim_probe_register(void);
__attribute__((noinline)) void sim_probe_register(void)
{
	__asm__ volatile(".rept " STR(PROBE_MODEL_NOPS) "\n\tnop\n\t.endr" ::: "memory");
}

__attribute__((noinline)) void rnpu_osal_writel(void);
__attribute__((noinline)) void rnpu_osal_writel(void)
{
	__asm__ volatile(".rept " STR(PROBE_REG_NOPS) "\n\tnop\n\t.endr" ::: "memory");
	sim_probe_register();
}

__attribute__((noinline)) void rnpu_probe_lib(void);
__attribute__((noinline)) void rnpu_probe_lib(void)
{
	__asm__ volatile(".rept " STR(PROBE_LIB_NOPS) "\n\tnop\n\t.endr" ::: "memory");
	rknpu_probe_work();
	rnpu_osal_writel();
}

__attribute__((noinline)) int callcost_counted_run(void);
__attribute__((noinline)) int callcost_counted_run(void)
{
	long pid;

	rnpu_probe_lib();
	pid = syscall(SYS_getppid);
	__asm__ volatile("" ::: "memory");
	return pid > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 4, bad = 0;

	/* Warm-up: the same work and system calls, not counted. */
	for (int i = 0; i < 5; i++) {
		rnpu_probe_lib();
		bad |= syscall(SYS_getppid) <= 0;
	}
	for (int i = 0; i < runs; i++)
		bad |= callcost_counted_run();
	return bad;
}
