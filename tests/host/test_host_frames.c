// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu_frames_pin: the software NPU reads a buffer in place. A pin must
 * give the buffer's own bytes, refuse what is not one run of host memory,
 * and hold off the buffer's unmapping until it is released.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "host_internal.h"

#define PAGES 4u

struct buffer {
	uint8_t *mem;
	uint32_t pfn;
};

/* @mem: PAGES pages of host memory, or NULL for a fresh allocation. */
static void buffer_map_at(struct rnpu_frames *f, struct buffer *b, uint8_t *mem, uint8_t fill)
{
	b->mem = mem ? mem : aligned_alloc(RNPU_HOST_PAGE_SIZE, PAGES * RNPU_HOST_PAGE_SIZE);
	assert_non_null(b->mem);
	for (size_t i = 0; i < PAGES * RNPU_HOST_PAGE_SIZE; i++)
		b->mem[i] = (uint8_t)(fill + i);
	assert_int_equal(rnpu_frames_map(f, b->mem, PAGES, &b->pfn), 0);
}

static void buffer_map(struct rnpu_frames *f, struct buffer *b, uint8_t fill)
{
	buffer_map_at(f, b, NULL, fill);
}

static uint64_t phys(const struct buffer *b, size_t off)
{
	return ((uint64_t)b->pfn << RNPU_HOST_PAGE_SHIFT) + off;
}

static void test_pin_is_the_buffer(void **state)
{
	struct rnpu_frames f;
	struct buffer b;
	const uint8_t *p;

	(void)state;
	assert_int_equal(rnpu_frames_init(&f), 0);
	buffer_map(&f, &b, 7);
	/* Across page boundaries, from an unaligned start. */
	p = rnpu_frames_pin(&f, phys(&b, 100), 3 * RNPU_HOST_PAGE_SIZE);
	assert_ptr_equal(p, b.mem + 100);
	rnpu_frames_unpin(&f, p, 3 * RNPU_HOST_PAGE_SIZE);
	/* One byte past the buffer, nothing mapped, an empty range. */
	assert_null(rnpu_frames_pin(&f, phys(&b, 1), PAGES * RNPU_HOST_PAGE_SIZE));
	assert_null(rnpu_frames_pin(&f, (uint64_t)RNPU_HOST_FIRST_FRAME << RNPU_HOST_PAGE_SHIFT >> 1,
				    16));
	assert_null(rnpu_frames_pin(&f, phys(&b, 0), 0));
	assert_null(rnpu_frames_pin(&f, UINT64_MAX - 8, 16));
	rnpu_frames_unmap(&f, b.pfn, PAGES);
	assert_null(rnpu_frames_pin(&f, phys(&b, 0), 16));
	free(b.mem);
	rnpu_frames_fini(&f);
}

/* Two buffers in adjacent frames whose host memory has a page between
 * them: no single pointer reaches both. */
static void test_pin_refuses_split_memory(void **state)
{
	uint8_t *mem = aligned_alloc(RNPU_HOST_PAGE_SIZE, (2 * PAGES + 1) * RNPU_HOST_PAGE_SIZE);
	struct rnpu_frames f;
	struct buffer a, b;
	const void *p;

	(void)state;
	assert_non_null(mem);
	assert_int_equal(rnpu_frames_init(&f), 0);
	buffer_map_at(&f, &a, mem, 1);
	buffer_map_at(&f, &b, mem + (PAGES + 1) * RNPU_HOST_PAGE_SIZE, 2);
	assert_int_equal(b.pfn, a.pfn + PAGES);
	assert_null(rnpu_frames_pin(&f, phys(&a, PAGES * RNPU_HOST_PAGE_SIZE - 8), 16));
	/* Each on its own still maps. */
	p = rnpu_frames_pin(&f, phys(&b, 0), 16);
	assert_ptr_equal(p, b.mem);
	rnpu_frames_unpin(&f, p, 16);
	rnpu_frames_unmap(&f, a.pfn, PAGES);
	rnpu_frames_unmap(&f, b.pfn, PAGES);
	free(mem);
	rnpu_frames_fini(&f);
}

static void test_pins_run_out(void **state)
{
	struct rnpu_frames f;
	struct buffer b;
	const void *p[RNPU_HOST_MAX_PINS];

	(void)state;
	assert_int_equal(rnpu_frames_init(&f), 0);
	buffer_map(&f, &b, 3);
	for (unsigned int i = 0; i < RNPU_HOST_MAX_PINS; i++) {
		p[i] = rnpu_frames_pin(&f, phys(&b, i), 64);
		assert_ptr_equal(p[i], b.mem + i);
	}
	assert_null(rnpu_frames_pin(&f, phys(&b, 0), 64));
	rnpu_frames_unpin(&f, p[3], 64);
	assert_ptr_equal(rnpu_frames_pin(&f, phys(&b, 0), 64), b.mem);
	rnpu_frames_unpin(&f, b.mem, 64);
	for (unsigned int i = 0; i < RNPU_HOST_MAX_PINS; i++)
		if (i != 3)
			rnpu_frames_unpin(&f, p[i], 64);
	rnpu_frames_unmap(&f, b.pfn, PAGES);
	free(b.mem);
	rnpu_frames_fini(&f);
}

struct unmapper {
	struct rnpu_frames *f;
	struct buffer *b;
	atomic_bool done;
};

static void *unmap_thread(void *arg)
{
	struct unmapper *u = arg;

	rnpu_frames_unmap(u->f, u->b->pfn, PAGES);
	atomic_store(&u->done, true);
	return NULL;
}

/* Unmapping a pinned buffer waits for the unpin; other buffers' frames
 * stay usable meanwhile (reads take the table lock that the waiting unmap
 * must not hold). */
static void test_unmap_waits_for_pin(void **state)
{
	struct rnpu_frames f;
	struct buffer b, other;
	struct unmapper u = { .f = &f, .b = &b };
	struct timespec ms50 = { 0, 50 * 1000 * 1000 };
	pthread_t tid;
	const uint8_t *p;
	uint8_t byte;

	(void)state;
	assert_int_equal(rnpu_frames_init(&f), 0);
	buffer_map(&f, &b, 5);
	buffer_map(&f, &other, 9);
	p = rnpu_frames_pin(&f, phys(&b, 0), PAGES * RNPU_HOST_PAGE_SIZE);
	assert_ptr_equal(p, b.mem);
	assert_int_equal(pthread_create(&tid, NULL, unmap_thread, &u), 0);
	nanosleep(&ms50, NULL);
	assert_false(atomic_load(&u.done));
	assert_int_equal(rnpu_frames_read(&f, phys(&other, 1), &byte, 1), 0);
	assert_int_equal(byte, 10);
	assert_int_equal(p[PAGES * RNPU_HOST_PAGE_SIZE - 1], (uint8_t)(5 + PAGES * RNPU_HOST_PAGE_SIZE - 1));
	rnpu_frames_unpin(&f, p, PAGES * RNPU_HOST_PAGE_SIZE);
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_true(atomic_load(&u.done));
	assert_int_equal(rnpu_frames_read(&f, phys(&b, 0), &byte, 1), -EFAULT);
	rnpu_frames_unmap(&f, other.pfn, PAGES);
	free(b.mem);
	free(other.mem);
	rnpu_frames_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_is_the_buffer),
		cmocka_unit_test(test_pin_refuses_split_memory),
		cmocka_unit_test(test_pins_run_out),
		cmocka_unit_test(test_unmap_waits_for_pin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
