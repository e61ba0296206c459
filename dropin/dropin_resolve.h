/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* The next definition of an intercepted libc function. */
#ifndef RNPU_DROPIN_RESOLVE_H
#define RNPU_DROPIN_RESOLVE_H

#include <dlfcn.h>

/* @table.@field, looked up once as @name with RTLD_NEXT; threads may race
 * to look it up, and all store the same pointer. */
#define DROPIN_RESOLVE(table, field, name)                                             \
	({                                                                             \
		__typeof__(table.field) fn_ = __atomic_load_n(&table.field, __ATOMIC_ACQUIRE); \
		if (!fn_) {                                                            \
			fn_ = (__typeof__(table.field))dlsym(RTLD_NEXT, name);          \
			__atomic_store_n(&table.field, fn_, __ATOMIC_RELEASE);          \
		}                                                                      \
		fn_;                                                                   \
	})

#endif
