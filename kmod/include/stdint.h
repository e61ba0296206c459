/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* The kernel defines the fixed-width types (uint32_t, uintptr_t, ...). */
#include <linux/types.h>
#include <linux/limits.h>
