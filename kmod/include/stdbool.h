/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* bool, true and false come from the kernel's types. */
#include <linux/types.h>
#include <linux/stddef.h>
