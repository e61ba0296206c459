// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diff_util.h"
#include "rk3588_regs.h"

#ifndef DIFF_LONG_DEFAULT
#define DIFF_LONG_DEFAULT 0
#endif

#define SENTINEL 0xa5
#define REPORT_MAX 5u

bool diff_long(void)
{
	const char *env = getenv("RNPU_LONG_TESTS");

	return DIFF_LONG_DEFAULT || (env && env[0] == '1');
}

static struct diff_ctx *g_ctx;

struct diff_ctx *diff_global(void)
{
	return g_ctx;
}

int diff_group_setup(void **state)
{
	struct diff_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	fb_init(&c->fb, DIFF_MEM_BYTES);
	if (!c->fb.mem)
		return -1;
	c->sim = test_sim_create(&c->fb, false, 1);
	if (!c->sim)
		return -1;
	/* Not handed to cmocka: a group state would replace each case's
	 * initial state. */
	(void)state;
	g_ctx = c;
	return 0;
}

int diff_group_teardown(void **state)
{
	struct diff_ctx *c = g_ctx;

	(void)state;
	rk3588_sim_destroy(c->sim);
	fb_fini(&c->fb);
	free(c);
	g_ctx = NULL;
	return 0;
}

void diff_case_begin(struct diff_ctx *c)
{
	/* Each case starts from reset registers and an empty address space. */
	rk3588_sim_reset_assert(c->sim, 0);
	rk3588_sim_reset_deassert(c->sim, 0);
	c->fb.next = FB_BASE;
}

uint32_t diff_alloc(struct diff_ctx *c, size_t bytes)
{
	uint32_t a;

	if (c->fb.next + bytes + 64 > FB_BASE + c->fb.size)
		fail_msg("case needs more than %u MiB of device memory", DIFF_MEM_BYTES >> 20);
	a = fb_alloc(&c->fb, bytes ? bytes : 1, 64);
	/* A sentinel makes any byte the hardware should have written but did
	 * not stand out. */
	memset(fb_ptr(&c->fb, a), SENTINEL, bytes);
	return a;
}

void *diff_ptr(struct diff_ctx *c, uint32_t addr)
{
	return fb_ptr(&c->fb, addr);
}

uint64_t *diff_task(struct diff_list *l, uint32_t op_en)
{
	if (l->n >= DIFF_MAX_TASKS)
		fail_msg("more than %u tasks in one list", DIFF_MAX_TASKS);
	l->op_en[l->n] = op_en;
	l->words[l->n] = 0;
	return l->body[l->n++];
}

void diff_task_words(struct diff_list *l, size_t words)
{
	l->words[l->n - 1] += words;
	if (l->words[l->n - 1] > DIFF_MAX_WORDS)
		fail_msg("task body of %zu words overflows the list", l->words[l->n - 1]);
}

uint32_t diff_run(struct diff_ctx *c, struct diff_list *l)
{
	uint32_t addr[DIFF_MAX_TASKS];
	size_t total[DIFF_MAX_TASKS];
	uint64_t buf[DIFF_MAX_WORDS + TAIL_WORDS];
	uint32_t raw;
	char msg[256];

	for (unsigned int i = 0; i < l->n; i++) {
		if (l->words[i] > DIFF_MAX_WORDS)
			fail_msg("task %u has %zu words", i, l->words[i]);
		total[i] = l->words[i] + TAIL_WORDS;
		addr[i] = diff_alloc(c, total[i] * 8);
	}
	for (unsigned int i = 0; i < l->n; i++) {
		bool last = i + 1 == l->n;

		memcpy(buf, l->body[i], l->words[i] * 8);
		task_tail(buf + l->words[i], last ? 0 : addr[i + 1],
			  last ? 0 : amount_for(total[i + 1]), l->op_en[i]);
		fb_put_words(&c->fb, addr[i], buf, total[i]);
	}
	test_commit(c->sim, 0, addr[0], amount_for(total[0]), l->n, DIFF_INT_MASK);
	rk3588_sim_wait_idle(c->sim, 0);
	raw = rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_RAW_STATUS);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	if (raw & (RK3588_INT_DMA_READ_ERROR | RK3588_INT_DMA_WRITE_ERROR)) {
		if (!rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "(no message)");
		fail_msg("the software NPU reported an error (raw 0x%x): %s", raw, msg);
	}
	if (!raw)
		fail_msg("the task list ended without an interrupt");
	return raw;
}

void diff_put(void *base, size_t idx, unsigned int eb, uint32_t bits)
{
	uint8_t *p = (uint8_t *)base + idx * eb;

	for (unsigned int i = 0; i < eb; i++)
		p[i] = (uint8_t)(bits >> (8 * i));
}

uint32_t diff_get(const void *base, size_t idx, unsigned int eb)
{
	const uint8_t *p = (const uint8_t *)base + idx * eb;
	uint32_t v = 0;

	for (unsigned int i = 0; i < eb; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

int64_t diff_sext(uint32_t bits, unsigned int eb)
{
	if (eb == 1)
		return (int8_t)bits;
	if (eb == 2)
		return (int16_t)bits;
	return (int32_t)bits;
}

void diff_pack_i(void *dst, const int32_t *x, unsigned int c, unsigned int h, unsigned int w,
		 unsigned int eb)
{
	unsigned int c2 = 16 / eb, c_al = (c + c2 - 1) / c2 * c2;

	for (unsigned int ch = 0; ch < c_al; ch++)
		for (unsigned int y = 0; y < h; y++)
			for (unsigned int xx = 0; xx < w; xx++) {
				int32_t v = ch < c ? x[((size_t)ch * h + y) * w + xx] : 0;

				diff_put(dst, cube_index(w, h, eb, ch, y, xx), eb, (uint32_t)v);
			}
}

void diff_pack_h(void *dst, const uint16_t *x, unsigned int c, unsigned int h, unsigned int w)
{
	unsigned int c_al = (c + 7) / 8 * 8;

	for (unsigned int ch = 0; ch < c_al; ch++)
		for (unsigned int y = 0; y < h; y++)
			for (unsigned int xx = 0; xx < w; xx++)
				diff_put(dst, cube_index(w, h, 2, ch, y, xx), 2,
					 ch < c ? x[((size_t)ch * h + y) * w + xx] : 0);
}

void diff_fill_i(struct ref_rng *r, int32_t *x, size_t n, int32_t lo, int32_t hi)
{
	for (size_t i = 0; i < n; i++)
		x[i] = ref_rng_range(r, lo, hi);
}

void diff_fill_h(struct ref_rng *r, uint16_t *x, size_t n, int lo_exp, int hi_exp)
{
	ref_fill_f16(r, x, n, lo_exp, hi_exp);
}

void diff_expect_eq(struct diff_check *k, size_t idx, int64_t got, int64_t want)
{
	k->total++;
	if (got == want)
		return;
	if (k->bad++ < REPORT_MAX)
		print_error("%s[%zu]: got %lld, want %lld\n", k->what, idx, (long long)got,
			    (long long)want);
}

void diff_expect_close(struct diff_check *k, size_t idx, double got, double want, double tol)
{
	double d = got - want;

	k->total++;
	if (d <= tol && -d <= tol)
		return;
	if (k->bad++ < REPORT_MAX)
		print_error("%s[%zu]: got %.9g, want %.9g (tolerance %.3g)\n", k->what, idx, got,
			    want, tol);
}

void diff_done(struct diff_check *k)
{
	if (k->bad)
		fail_msg("%s: %u of %zu elements differ", k->what, k->bad, k->total);
}
