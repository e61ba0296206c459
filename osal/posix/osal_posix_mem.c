// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* OS services on POSIX: memory and "user" copies (same address space). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "osal.h"

/* Addresses in the first page are never valid user pointers. */
#define RNPU_POSIX_LOWEST_USER_ADDR 4096u

void *rnpu_osal_zalloc(size_t size)
{
	return size ? calloc(1, size) : NULL;
}

void *rnpu_osal_zalloc_array(size_t n, size_t size)
{
	if (!n || !size || n > SIZE_MAX / size)
		return NULL;
	return calloc(n, size);
}

void rnpu_osal_free(void *p)
{
	free(p);
}

int rnpu_osal_copy_from_user(void *dst, const void __rnpu_user *src, size_t n)
{
	if (n && (uintptr_t)src < RNPU_POSIX_LOWEST_USER_ADDR)
		return -EFAULT;
	if (n)
		memcpy(dst, src, n);
	return 0;
}

int rnpu_osal_copy_to_user(void __rnpu_user *dst, const void *src, size_t n)
{
	if (n && (uintptr_t)dst < RNPU_POSIX_LOWEST_USER_ADDR)
		return -EFAULT;
	if (n)
		memcpy(dst, src, n);
	return 0;
}
