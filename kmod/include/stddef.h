/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* size_t, NULL and offsetof from the kernel's headers. */
#include <linux/types.h>
#include <linux/stddef.h>
