// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Small buffers of the userspace host share "slab" memfds: one 2 MiB memfd,
 * mapped once, holds up to 512 one-page buffers. A buffer per memfd would
 * cost a file descriptor and a mapping each, and hosts limit both (open
 * files, vm.max_map_count = 65530 by default), so a session could not hold
 * a million buffers. Freed pages are punched out of the memfd, which
 * returns their memory and makes them read zero for the next owner.
 *
 * Slabs are kept when they empty: their count is bounded by the peak use,
 * and a create/destroy loop does not pay for memfd creation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host_internal.h"

void rnpu_slabs_init(struct rnpu_slabs *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
}

void rnpu_slabs_fini(struct rnpu_slabs *s)
{
	for (uint32_t i = 0; i < s->count; i++) {
		munmap(s->slab[i]->addr, (size_t)RNPU_SLAB_PAGES * RNPU_HOST_PAGE_SIZE);
		close(s->slab[i]->fd);
		free(s->slab[i]);
	}
	free(s->slab);
	pthread_mutex_destroy(&s->lock);
}

static bool slab_used(const struct rnpu_slab *sl, uint32_t i)
{
	return (sl->used[i / 64u] >> (i % 64u)) & 1u;
}

static void slab_mark(struct rnpu_slab *sl, uint32_t first, uint32_t n, bool used)
{
	for (uint32_t i = first; i < first + n; i++) {
		if (used)
			sl->used[i / 64u] |= 1ull << (i % 64u);
		else
			sl->used[i / 64u] &= ~(1ull << (i % 64u));
	}
}

/* First page of a free run of @n in @sl, or RNPU_SLAB_PAGES. */
static uint32_t slab_find(const struct rnpu_slab *sl, uint32_t n)
{
	uint32_t run = 0;

	if (RNPU_SLAB_PAGES - sl->used_pages < n)
		return RNPU_SLAB_PAGES;
	for (uint32_t i = 0; i < RNPU_SLAB_PAGES; i++) {
		run = slab_used(sl, i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return RNPU_SLAB_PAGES;
}

static int slab_new(struct rnpu_slabs *s, struct rnpu_slab **out)
{
	size_t bytes = (size_t)RNPU_SLAB_PAGES * RNPU_HOST_PAGE_SIZE;
	struct rnpu_slab *sl;

	if (s->count == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 16;
		struct rnpu_slab **v = realloc(s->slab, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->slab = v;
		s->cap = cap;
	}
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	sl->fd = memfd_create("rnpu-slab", MFD_CLOEXEC);
	if (sl->fd < 0 || ftruncate(sl->fd, (off_t)bytes) < 0)
		goto err;
	sl->addr = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, sl->fd, 0);
	if (sl->addr == MAP_FAILED)
		goto err;
	s->slab[s->count++] = sl;
	*out = sl;
	return 0;
err:
	if (sl->fd >= 0)
		close(sl->fd);
	free(sl);
	return -errno ? -errno : -ENOMEM;
}

int rnpu_slab_alloc(struct rnpu_slabs *s, uint32_t npages, struct rnpu_slab **slab,
		    uint32_t *first)
{
	struct rnpu_slab *sl = NULL;
	uint32_t i, at = RNPU_SLAB_PAGES;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	for (i = s->hint; i < s->count; i++) {
		at = slab_find(s->slab[i], npages);
		if (at != RNPU_SLAB_PAGES) {
			sl = s->slab[i];
			break;
		}
	}
	s->hint = i; /* slabs before it had no room */
	if (!sl) {
		ret = slab_new(s, &sl);
		at = 0;
	}
	if (!ret) {
		slab_mark(sl, at, npages, true);
		sl->used_pages += npages;
		*slab = sl;
		*first = at;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void rnpu_slab_free(struct rnpu_slabs *s, struct rnpu_slab *sl, uint32_t first, uint32_t npages)
{
	off_t off = (off_t)first * RNPU_HOST_PAGE_SIZE;
	size_t len = (size_t)npages * RNPU_HOST_PAGE_SIZE;

	/* The next owner must not see this one's data. */
	if (fallocate(sl->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, (off_t)len) < 0)
		memset(sl->addr + off, 0, len);
	pthread_mutex_lock(&s->lock);
	slab_mark(sl, first, npages, false);
	sl->used_pages -= npages;
	/* Search from the first slab with room again. */
	for (uint32_t i = 0; i < s->hint && i < s->count; i++) {
		if (s->slab[i] == sl) {
			s->hint = i;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
}
