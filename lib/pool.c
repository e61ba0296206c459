// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* Buffer pool: size classes, free lists, a bounded cache, statistics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu/pool.h"
#include "rnpu_internal.h"

#define MIN_CLASS_SHIFT 12u     /* 4 KiB */
#define STEPS_PER_OCTAVE 4u
#define MAX_OBJECT_BYTES (UINT64_C(1) << 32)

/* One cached object, on the pool's LRU list (oldest first). */
struct pool_entry {
	struct rnpu_bo *bo;
	uint64_t csize;              /* its class size (the object may be larger) */
	struct pool_entry *prev, *next;
};

struct rnpu_pool {
	struct rnpu_dev *dev;
	uint64_t max_cached;
	pthread_mutex_t lock;        /* protects the list and every counter */
	struct pool_entry *oldest, *newest;
	struct rnpu_pool_stats st;
};

uint64_t rnpu_pool_class_size(uint64_t size)
{
	uint64_t octave = UINT64_C(1) << MIN_CLASS_SHIFT, step;

	if (size == 0)
		return 0;
	if (size <= octave)
		return octave;
	while (octave * 2 < size && octave < (UINT64_C(1) << 62))
		octave *= 2;
	/* Between octave and 2 x octave in quarters of octave, but whole
	 * pages: the driver rounds every object to pages anyway. */
	step = octave / STEPS_PER_OCTAVE;
	if (step < (UINT64_C(1) << MIN_CLASS_SHIFT))
		step = UINT64_C(1) << MIN_CLASS_SHIFT;
	return (size + step - 1) / step * step;
}

int rnpu_pool_create(struct rnpu_dev *dev, uint64_t max_cached_bytes, struct rnpu_pool **out)
{
	struct rnpu_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return rnpu_set_error(dev, -ENOMEM, "pool: out of memory");
	pool->dev = dev;
	pool->max_cached = max_cached_bytes ? max_cached_bytes : RNPU_POOL_DEFAULT_MAX_CACHED;
	pthread_mutex_init(&pool->lock, NULL);
	*out = pool;
	return 0;
}

struct rnpu_pool *rnpu_dev_pool(struct rnpu_dev *dev)
{
	struct rnpu_pool *pool;

	pthread_mutex_lock(&dev->lock);
	if (!dev->pool && rnpu_pool_create(dev, 0, &pool) == 0)
		dev->pool = pool;
	pool = dev->pool;
	pthread_mutex_unlock(&dev->lock);
	return pool;
}

static void unlink_entry(struct rnpu_pool *pool, struct pool_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		pool->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		pool->newest = e->prev;
	pool->st.cached_bos--;
	pool->st.cached_bytes -= e->bo->size;
}

/* Takes entries off the cache until @keep bytes remain; returns them as a
 * list so the objects are freed outside the lock. */
static struct pool_entry *shrink_locked(struct rnpu_pool *pool, uint64_t keep)
{
	struct pool_entry *victims = NULL, *e;

	while (pool->st.cached_bytes > keep && (e = pool->oldest)) {
		unlink_entry(pool, e);
		pool->st.released++;
		e->next = victims;
		victims = e;
	}
	return victims;
}

static void free_entries(struct pool_entry *e)
{
	while (e) {
		struct pool_entry *next = e->next;

		rnpu_bo_free(e->bo);
		free(e);
		e = next;
	}
}

int rnpu_pool_alloc(struct rnpu_pool *pool, uint64_t size, uint32_t flags, struct rnpu_bo **out)
{
	uint64_t csize = rnpu_pool_class_size(size);
	struct pool_entry *e;
	struct rnpu_bo *bo;
	void *map;
	int ret;

	if (size == 0 || csize > MAX_OBJECT_BYTES)
		return rnpu_set_error(pool->dev, -EINVAL, "pool: size %llu is not in 1..4 GiB",
				      (unsigned long long)size);
	pthread_mutex_lock(&pool->lock);
	/* The most recently freed fitting object is the warmest in cache. */
	for (e = pool->newest; e; e = e->prev)
		if (e->csize == csize && e->bo->flags == flags)
			break;
	if (e) {
		unlink_entry(pool, e);
		pool->st.hits++;
		pool->st.allocs++;
		pool->st.in_use_bos++;
		pool->st.in_use_bytes += e->bo->size;
		pthread_mutex_unlock(&pool->lock);
		*out = e->bo;
		free(e);
		return 0;
	}
	pthread_mutex_unlock(&pool->lock);

	ret = rnpu_bo_create(pool->dev, csize, flags, &bo);
	if (ret)
		return ret;
	ret = rnpu_bo_map(bo, &map);
	if (ret) {
		rnpu_bo_free(bo);
		return ret;
	}
	bo->pool = pool;
	bo->pool_class = csize;
	pthread_mutex_lock(&pool->lock);
	pool->st.misses++;
	pool->st.allocs++;
	pool->st.in_use_bos++;
	pool->st.in_use_bytes += bo->size;
	pthread_mutex_unlock(&pool->lock);
	*out = bo;
	return 0;
}

void rnpu_pool_put(struct rnpu_pool *pool, struct rnpu_bo *bo)
{
	struct pool_entry *e, *victims;

	if (!bo)
		return;
	if (bo->pool != pool) {
		rnpu_set_error(pool->dev, -EINVAL, "pool: handle %u was not made by this pool;"
			       " freed", bo->handle);
		rnpu_bo_free(bo);
		return;
	}
	e = calloc(1, sizeof(*e));
	pthread_mutex_lock(&pool->lock);
	pool->st.puts++;
	pool->st.in_use_bos--;
	pool->st.in_use_bytes -= bo->size;
	if (!e || bo->shared || bo->size > pool->max_cached) {
		pool->st.released++;
		pthread_mutex_unlock(&pool->lock);
		free(e);
		rnpu_bo_free(bo);
		return;
	}
	e->bo = bo;
	e->csize = bo->pool_class;
	e->prev = pool->newest;
	if (pool->newest)
		pool->newest->next = e;
	else
		pool->oldest = e;
	pool->newest = e;
	pool->st.cached_bos++;
	pool->st.cached_bytes += bo->size;
	victims = shrink_locked(pool, pool->max_cached);
	pthread_mutex_unlock(&pool->lock);
	free_entries(victims);
}

void rnpu_pool_trim(struct rnpu_pool *pool, uint64_t keep_bytes)
{
	struct pool_entry *victims;

	pthread_mutex_lock(&pool->lock);
	victims = shrink_locked(pool, keep_bytes);
	pthread_mutex_unlock(&pool->lock);
	free_entries(victims);
}

void rnpu_pool_get_stats(struct rnpu_pool *pool, struct rnpu_pool_stats *out)
{
	pthread_mutex_lock(&pool->lock);
	*out = pool->st;
	pthread_mutex_unlock(&pool->lock);
}

void rnpu_pool_destroy(struct rnpu_pool *pool)
{
	if (!pool)
		return;
	rnpu_pool_trim(pool, 0);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}
