// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * OS services on an RTOS: memory, "user" copies (one address space, see
 * rtos_port.h) and logging through the port's line sink.
 */
#include "osal_rtos_internal.h"

static int rnpu_rtos_log_threshold = RNPU_LOG_WARN;

void *rnpu_osal_zalloc(size_t size)
{
	void *p;

	if (!size)
		return NULL;
	p = rnpu_port_heap_alloc(size);
	if (p)
		rnpu_memset(p, 0, size);
	return p;
}

void *rnpu_osal_zalloc_array(size_t n, size_t size)
{
	if (!n || !size || n > (size_t)-1 / size)
		return NULL;
	return rnpu_osal_zalloc(n * size);
}

void rnpu_osal_free(void *p)
{
	if (p)
		rnpu_port_heap_free(p);
}

int rnpu_osal_copy_from_user(void *dst, const void __rnpu_user *src, size_t n)
{
	if (!n)
		return 0;
	if ((uintptr_t)src < RNPU_RTOS_LOWEST_ADDR || (uintptr_t)src + n < (uintptr_t)src)
		return -EFAULT;
	rnpu_memcpy(dst, src, n);
	return 0;
}

int rnpu_osal_copy_to_user(void __rnpu_user *dst, const void *src, size_t n)
{
	if (!n)
		return 0;
	if ((uintptr_t)dst < RNPU_RTOS_LOWEST_ADDR || (uintptr_t)dst + n < (uintptr_t)dst)
		return -EFAULT;
	rnpu_memcpy(dst, src, n);
	return 0;
}

void rnpu_rtos_set_log_level(int level)
{
	__atomic_store_n(&rnpu_rtos_log_threshold, level, __ATOMIC_RELAXED);
}

void rnpu_osal_log(enum rnpu_log_level level, const char *fmt, ...)
{
	char line[RNPU_RTOS_LOG_LINE];
	va_list ap;

	/* Filtered before formatting: debug traces cost nothing when off. */
	if ((int)level > __atomic_load_n(&rnpu_rtos_log_threshold, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	rnpu_osal_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rnpu_port_log_write(level, line);
}
