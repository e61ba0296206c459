/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Buffer pool: recycles buffer objects so that repeated operations do not
 * pay MEM_CREATE, MEM_MAP and mmap on every call.
 *
 * Requests are rounded up to a size class (four classes per power of two,
 * in whole 4 KiB pages, so at most a quarter or one page is wasted); a freed object goes back to the
 * free list of its class and flags and is handed out again, mapped, with
 * its old contents (ask for RKNPU_MEM_ZEROING semantics by clearing it
 * yourself). The cache is bounded: freeing past @max_cached_bytes releases
 * the least recently freed objects first. Objects that were exported as a
 * dma-buf are never recycled: another process may still hold them.
 *
 * All calls are thread-safe. Every object the pool holds is released by
 * rnpu_pool_destroy(); objects still lent out belong to their users (and
 * are released by rnpu_close() at the latest).
 */
#ifndef RNPU_POOL_H
#define RNPU_POOL_H

#include <stdint.h>

#include "rnpu/rnpu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rnpu_pool;

struct rnpu_pool_stats {
	uint64_t allocs;        /* rnpu_pool_alloc() calls that succeeded */
	uint64_t hits;          /* ... served from the cache */
	uint64_t misses;        /* ... that created an object */
	uint64_t puts;          /* objects given back */
	uint64_t released;      /* objects freed by trimming, the limit or destroy */
	uint64_t in_use_bos;    /* lent out now */
	uint64_t in_use_bytes;
	uint64_t cached_bos;    /* waiting in the cache now */
	uint64_t cached_bytes;
};

#define RNPU_POOL_DEFAULT_MAX_CACHED (256ull << 20)

/* @max_cached_bytes: cache bound (0 = RNPU_POOL_DEFAULT_MAX_CACHED). */
int rnpu_pool_create(struct rnpu_dev *dev, uint64_t max_cached_bytes, struct rnpu_pool **out);
/* Frees the cached objects and the pool. */
void rnpu_pool_destroy(struct rnpu_pool *pool);

/* The device's own pool, created on first use, destroyed by rnpu_close().
 * NULL only when out of memory. */
struct rnpu_pool *rnpu_dev_pool(struct rnpu_dev *dev);

/* An object of at least @size bytes (its class size) with RKNPU_MEM_*
 * @flags, mapped (rnpu_bo_map() returns at once). -EINVAL for size 0 or
 * above 4 GiB, or the MEM_CREATE error. */
int rnpu_pool_alloc(struct rnpu_pool *pool, uint64_t size, uint32_t flags, struct rnpu_bo **out);
/* Gives @bo back (NULL is ignored). Objects not made by this pool are
 * freed instead, with a log line. */
void rnpu_pool_put(struct rnpu_pool *pool, struct rnpu_bo *bo);
/* Releases cached objects, least recently freed first, until at most
 * @keep_bytes stay cached (0: empty the cache). */
void rnpu_pool_trim(struct rnpu_pool *pool, uint64_t keep_bytes);
void rnpu_pool_get_stats(struct rnpu_pool *pool, struct rnpu_pool_stats *out);

/* The class size a request of @size bytes is rounded up to (0 for 0). */
uint64_t rnpu_pool_class_size(uint64_t size);

#ifdef __cplusplus
}
#endif
#endif
