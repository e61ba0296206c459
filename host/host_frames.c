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
	return 0;
}

void rnpu_frames_fini(struct rnpu_frames *f)
{
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

void rnpu_frames_unmap(struct rnpu_frames *f, uint32_t pfn, uint32_t npages)
{
	uint32_t i;

	pthread_rwlock_wrlock(&f->lock);
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

int rnpu_frames_write(struct rnpu_frames *f, uint64_t addr, const void *src, size_t len)
{
	int ret;

	pthread_rwlock_rdlock(&f->lock);
	ret = frames_walk(f, addr, (uint8_t *)src, len, true);
	pthread_rwlock_unlock(&f->lock);
	return ret;
}
