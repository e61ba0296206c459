// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Per-session GEM handle table. Handles are small integers starting at 1
 * (0 is never valid, so a zeroed mem_create allocates). Freed handles are
 * reused, most recent first, like DRM's IDR hands out the lowest free id
 * in practice for LIFO patterns; growth doubles the arrays.
 */
#include "rknpu_internal.h"

#define RKNPU_HANDLES_INITIAL 64u
#define RKNPU_HANDLES_MAX 0x7fffffffu

void rknpu_handles_init(struct rknpu_handle_table *t)
{
	rnpu_memset(t, 0, sizeof(*t));
}

void rknpu_handles_fini(struct rknpu_handle_table *t)
{
	rnpu_osal_free(t->entries);
	rnpu_osal_free(t->free_stack);
	rnpu_memset(t, 0, sizeof(*t));
}

static int rknpu_handles_grow(struct rknpu_handle_table *t)
{
	uint32_t cap = t->capacity ? t->capacity * 2 : RKNPU_HANDLES_INITIAL;
	struct rknpu_gem_object **entries;
	uint32_t *stack;

	if (t->capacity >= RKNPU_HANDLES_MAX / 2)
		return -ENOSPC;
	entries = rnpu_osal_zalloc_array(cap, sizeof(*entries));
	stack = rnpu_osal_zalloc_array(cap, sizeof(*stack));
	if (!entries || !stack) {
		rnpu_osal_free(entries);
		rnpu_osal_free(stack);
		return -ENOMEM;
	}
	if (t->capacity) {
		rnpu_memcpy(entries, t->entries, t->capacity * sizeof(*entries));
		rnpu_memcpy(stack, t->free_stack, t->free_count * sizeof(*stack));
	}
	rnpu_osal_free(t->entries);
	rnpu_osal_free(t->free_stack);
	t->entries = entries;
	t->free_stack = stack;
	t->capacity = cap;
	return 0;
}

int rknpu_handles_alloc(struct rknpu_handle_table *t, struct rknpu_gem_object *obj,
			uint32_t *handle)
{
	uint32_t idx;
	int ret;

	if (t->free_count) {
		idx = t->free_stack[--t->free_count];
	} else {
		if (t->used == t->capacity) {
			ret = rknpu_handles_grow(t);
			if (ret)
				return ret;
		}
		idx = t->used++;
	}
	t->entries[idx] = obj;
	t->live++;
	t->generation++;
	*handle = idx + 1;
	return 0;
}

struct rknpu_gem_object *rknpu_handles_get(const struct rknpu_handle_table *t, uint32_t handle)
{
	if (handle == 0 || handle > t->used)
		return NULL;
	return t->entries[handle - 1];
}

struct rknpu_gem_object *rknpu_handles_remove(struct rknpu_handle_table *t, uint32_t handle)
{
	struct rknpu_gem_object *obj = rknpu_handles_get(t, handle);

	if (!obj)
		return NULL;
	t->entries[handle - 1] = NULL;
	t->free_stack[t->free_count++] = handle - 1;
	t->live--;
	t->generation++;
	return obj;
}

uint32_t rknpu_handles_find(const struct rknpu_handle_table *t,
			    const struct rknpu_gem_object *obj)
{
	uint32_t i;

	for (i = 0; i < t->used; i++)
		if (t->entries[i] == obj)
			return i + 1;
	return 0;
}
