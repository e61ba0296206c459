// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The frame table: device-physical memory of the userspace host. Each
 * frame maps to one page of some buffer's memfd mapping, so buffers can be
 * shared with other processes while the software NPU reaches them by
 * physical address. Contiguous buffers get contiguous frames (next-fit
 * over a bitmap).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host_internal.h"

#define BITS_PER_WORD 64u

int rnpu_frames_init(struct rnpu_frames *f)
{
	memset(f, 0, sizeof(*f));
	f->bitmap = calloc(RNPU_HOST_PHYS_FRAMES / BITS_PER_WORD, sizeof(uint64_t));
	f->page = calloc(RNPU_HOST_PHYS_FRAMES, sizeof(uint8_t *));
	if (!f->bitmap || !f->page) {
		free(f->bitmap);
		free(f->page);
		return -ENOMEM;
	}
	/* The low frames are reserved: address 0 and its neighbours fault. */
	for (uint32_t i = 0; i < RNPU_HOST_FIRST_FRAME; i++)
		f->bitmap[i / BITS_PER_WORD] |= 1ull << (i % BITS_PER_WORD);
	f->hint = RNPU_HOST_FIRST_FRAME;
	pthread_rwlock_init(&f->lock, NULL);
	pthread_mutex_init(&f->pin_lock, NULL);
	pthread_cond_init(&f->unpinned, NULL);
	return 0;
}

void rnpu_frames_fini(struct rnpu_frames *f)
{
	pthread_cond_destroy(&f->unpinned);
	pthread_mutex_destroy(&f->pin_lock);
	pthread_rwlock_destroy(&f->lock);
	free(f->bitmap);
	free(f->page);
}

static bool frame_used(const struct rnpu_frames *f, uint32_t i)
{
	return f->bitmap[i / BITS_PER_WORD] & (1ull << (i % BITS_PER_WORD));
}

/* First run of @n free frames at or after @start, or UINT32_MAX. */
static uint32_t frames_find(const struct rnpu_frames *f, uint32_t start, uint32_t n)
{
	uint32_t i = start, run = 0;

	while (i < RNPU_HOST_PHYS_FRAMES) {
		/* Skip whole used words quickly when no run is open. */
		if (run == 0 && i % BITS_PER_WORD == 0 && f->bitmap[i / BITS_PER_WORD] == ~0ull) {
			i += BITS_PER_WORD;
			continue;
		}
		if (frame_used(f, i)) {
			run = 0;
		} else if (++run == n) {
			return i + 1 - n;
		}
		i++;
	}
	return UINT32_MAX;
}

int rnpu_frames_map(struct rnpu_frames *f, uint8_t *host_addr, uint32_t npages, uint32_t *pfn)
{
	uint32_t first, i;

	if (npages == 0 || npages > RNPU_HOST_PHYS_FRAMES - RNPU_HOST_FIRST_FRAME)
		return -ENOMEM;
	pthread_rwlock_wrlock(&f->lock);
	first = frames_find(f, f->hint, npages);
	if (first == UINT32_MAX)
		first = frames_find(f, RNPU_HOST_FIRST_FRAME, npages);
	if (first == UINT32_MAX) {
		pthread_rwlock_unlock(&f->lock);
		return -ENOMEM;
	}
	for (i = 0; i < npages; i++) {
		f->bitmap[(first + i) / BITS_PER_WORD] |= 1ull << ((first + i) % BITS_PER_WORD);
		f->page[first + i] = host_addr + (size_t)i * RNPU_HOST_PAGE_SIZE;
	}
	f->hint = first + npages;
	if (f->hint >= RNPU_HOST_PHYS_FRAMES)
		f->hint = RNPU_HOST_FIRST_FRAME;
	f->used_frames += npages;
	f->buffers++;
	pthread_rwlock_unlock(&f->lock);
	*pfn = first;
	return 0;
}

/* A pin still covers one of frames [@pfn, @pfn + @npages); pin_lock held. */
static bool frames_pinned(const struct rnpu_frames *f, uint32_t pfn, uint32_t npages)
{
	for (unsigned int i = 0; i < RNPU_HOST_MAX_PINS; i++) {
		const struct rnpu_frame_pin *p = &f->pins[i];

		if (p->count && p->first < pfn + npages && pfn < p->first + p->count)
			return true;
	}
	return false;
}

void rnpu_frames_unmap(struct rnpu_frames *f, uint32_t pfn, uint32_t npages)
{
	uint32_t i;

	/* A task reading the buffer in place holds it until its MAC stage
	 * ends; new pins need the read lock, so none can start once the
	 * check passes under the write lock. */
	for (;;) {
		pthread_rwlock_wrlock(&f->lock);
		pthread_mutex_lock(&f->pin_lock);
		if (!frames_pinned(f, pfn, npages)) {
			pthread_mutex_unlock(&f->pin_lock);
			break;
		}
		pthread_rwlock_unlock(&f->lock);
		pthread_cond_wait(&f->unpinned, &f->pin_lock);
		pthread_mutex_unlock(&f->pin_lock);
	}
	for (i = 0; i < npages; i++) {
		f->page[pfn + i] = NULL;
		f->bitmap[(pfn + i) / BITS_PER_WORD] &= ~(1ull << ((pfn + i) % BITS_PER_WORD));
	}
	f->used_frames -= npages;
	f->buffers--;
	pthread_rwlock_unlock(&f->lock);
}

/* Walks [addr, addr+len) page by page; copy(page_ptr, buf, n). */
static int frames_walk(struct rnpu_frames *f, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	while (len) {
		uint64_t frame = addr >> RNPU_HOST_PAGE_SHIFT;
		size_t in_page = RNPU_HOST_PAGE_SIZE - (addr & (RNPU_HOST_PAGE_SIZE - 1));
		size_t n = len < in_page ? len : in_page;
		uint8_t *page;

		if (frame >= RNPU_HOST_PHYS_FRAMES)
			return -EFAULT;
		page = f->page[frame];
		if (!page)
			return -EFAULT;
		page += addr & (RNPU_HOST_PAGE_SIZE - 1);
		if (write)
			memcpy(page, buf, n);
		else
			memcpy(buf, page, n);
		addr += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int rnpu_frames_read(struct rnpu_frames *f, uint64_t addr, void *dst, size_t len)
{
	int ret;

	pthread_rwlock_rdlock(&f->lock);
	ret = frames_walk(f, addr, dst, len, false);
	pthread_rwlock_unlock(&f->lock);
	return ret;
}

const void *rnpu_frames_pin(struct rnpu_frames *f, uint64_t addr, size_t len)
{
	uint64_t first = addr >> RNPU_HOST_PAGE_SHIFT, last;
	const uint8_t *p = NULL;

	if (len == 0 || addr > UINT64_MAX - len)
		return NULL;
	last = (addr + len - 1) >> RNPU_HOST_PAGE_SHIFT;
	if (last >= RNPU_HOST_PHYS_FRAMES)
		return NULL;
	pthread_rwlock_rdlock(&f->lock);
	for (uint64_t i = first; i <= last; i++)
		if (!f->page[i] ||
		    f->page[i] != f->page[first] + (i - first) * RNPU_HOST_PAGE_SIZE)
			goto out;
	pthread_mutex_lock(&f->pin_lock);
	for (unsigned int i = 0; i < RNPU_HOST_MAX_PINS; i++)
		if (!f->pins[i].count) {
			p = f->page[first] + (addr & (RNPU_HOST_PAGE_SIZE - 1));
			f->pins[i] = (struct rnpu_frame_pin){ .ptr = p, .first = (uint32_t)first,
							      .count = (uint32_t)(last - first + 1) };
			break;
		}
	pthread_mutex_unlock(&f->pin_lock);
out:
	pthread_rwlock_unlock(&f->lock);
	return p;
}

void rnpu_frames_unpin(struct rnpu_frames *f, const void *ptr, size_t len)
{
	(void)len;
	pthread_mutex_lock(&f->pin_lock);
	for (unsigned int i = 0; i < RNPU_HOST_MAX_PINS; i++)
		if (f->pins[i].count && f->pins[i].ptr == ptr) {
			f->pins[i].count = 0;
			break;
		}
	pthread_cond_broadcast(&f->unpinned);
	pthread_mutex_unlock(&f->pin_lock);
}

int rnpu_frames_write(struct rnpu_frames *f, uint64_t addr, const void *src, size_t len)
{
	int ret;

	pthread_rwlock_rdlock(&f->lock);
	ret = frames_walk(f, addr, (uint8_t *)src, len, true);
	pthread_rwlock_unlock(&f->lock);
	return ret;
}
