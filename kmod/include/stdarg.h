/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* The kernel has no C library headers: osal.h's <stdarg.h> is the kernel's. */
#include <linux/stdarg.h>
