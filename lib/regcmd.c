// SPDX-License-Identifier: MIT OR GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drm/rknpu_ioctl.h"
#include "rk3588_regs.h"
#include "rnpu/regcmd.h"

#define WORD_BYTES sizeof(uint64_t)
#define ALIGN_WORDS (RNPU_REGCMD_TASK_ALIGN / WORD_BYTES)
/* Section 2.1: an all-zero word is a NOP; the reference streams use it for
 * the last task's first tail word, so padding uses it too. */
#define NOP_WORD UINT64_C(0)

void rnpu_regcmd_init(struct rnpu_regcmd_prog *p)
{
	memset(p, 0, sizeof(*p));
}

void rnpu_regcmd_fini(struct rnpu_regcmd_prog *p)
{
	free(p->words);
	free(p->tasks);
	rnpu_regcmd_init(p);
}

int rnpu_regcmd_fail(struct rnpu_regcmd_prog *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->err)
		return p->err;
	p->err = err;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* Room for at least @want elements; doubling keeps appends amortised O(1).
 * Returns the (possibly moved) array, or NULL with the error recorded and
 * @arr untouched. */
static void *grow(struct rnpu_regcmd_prog *p, void *arr, size_t *cap, size_t want, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *n;

	if (want <= *cap)
		return arr;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2 / elem) {
			rnpu_regcmd_fail(p, -ENOMEM, "regcmd buffer size overflow");
			return NULL;
		}
		ncap *= 2;
	}
	n = realloc(arr, ncap * elem);
	if (!n) {
		rnpu_regcmd_fail(p, -ENOMEM, "out of memory for %zu regcmd entries", ncap);
		return NULL;
	}
	*cap = ncap;
	return n;
}

static void push(struct rnpu_regcmd_prog *p, uint64_t word)
{
	uint64_t *w;

	if (p->err)
		return;
	w = grow(p, p->words, &p->words_cap, p->nwords + 1, WORD_BYTES);
	if (!w)
		return;
	p->words = w;
	p->words[p->nwords++] = word;
}

void rnpu_regcmd_task_begin(struct rnpu_regcmd_prog *p)
{
	struct rnpu_regcmd_task *t;

	if (p->err)
		return;
	if (p->open) {
		rnpu_regcmd_fail(p, -EINVAL, "task_begin: task %zu is still open", p->ntasks - 1);
		return;
	}
	/* task_end already padded the buffer to a task boundary. */
	if (p->nwords > UINT32_MAX) {
		rnpu_regcmd_fail(p, -ERANGE, "regcmd buffer beyond 2^32 words");
		return;
	}
	t = grow(p, p->tasks, &p->tasks_cap, p->ntasks + 1, sizeof(*p->tasks));
	if (!t)
		return;
	p->tasks = t;
	t = &p->tasks[p->ntasks++];
	memset(t, 0, sizeof(*t));
	t->word_offset = (uint32_t)p->nwords;
	p->open = true;
}

void rnpu_regcmd_emit(struct rnpu_regcmd_prog *p, uint32_t target, uint32_t reg, uint32_t value)
{
	if (p->err)
		return;
	if (!p->open) {
		rnpu_regcmd_fail(p, -EINVAL, "emit of 0x%04" PRIx32 " outside a task", reg);
		return;
	}
	if (target > UINT16_MAX || reg > UINT16_MAX) {
		rnpu_regcmd_fail(p, -EINVAL, "emit: target 0x%" PRIx32 " / offset 0x%" PRIx32
				 " is not a 16-bit regcmd field", target, reg);
		return;
	}
	push(p, rk3588_regcmd((uint16_t)target, (uint16_t)reg, value));
}

uint32_t rnpu_regcmd_fetch_amount(uint32_t body_words)
{
	/* The PC fetches pairs of words; the count is stored minus one. */
	uint64_t words = (uint64_t)body_words + RNPU_REGCMD_TAIL_WORDS;

	return (uint32_t)((words + 1) / 2 - 1);
}

static uint64_t amounts_word(struct rnpu_regcmd_prog *p, uint32_t amount)
{
	uint32_t v = 0;

	RNPU_REGCMD_FIELD(p, &v, PC, REGISTER_AMOUNTS, PC_DATA_AMOUNT, amount);
	return rk3588_regcmd(RK3588_TARGET_PC, REG_PC_REGISTER_AMOUNTS, v);
}

void rnpu_regcmd_task_end(struct rnpu_regcmd_prog *p, uint32_t enable_mask, uint32_t int_mask)
{
	struct rnpu_regcmd_task *t;
	uint32_t scratch = 0;

	if (p->err)
		return;
	if (!p->open) {
		rnpu_regcmd_fail(p, -EINVAL, "task_end without task_begin");
		return;
	}
	t = &p->tasks[p->ntasks - 1];
	if (p->nwords - t->word_offset > UINT32_MAX) {
		rnpu_regcmd_fail(p, -ERANGE, "task %zu body beyond 2^32 words", p->ntasks - 1);
		return;
	}
	t->body_words = (uint32_t)(p->nwords - t->word_offset);
	t->enable_mask = enable_mask;
	t->int_mask = int_mask;
	/* The driver (first task) or the previous tail (others) writes this
	 * amount; refuse a body the field cannot describe. */
	if (!RNPU_REGCMD_FIELD(p, &scratch, PC, REGISTER_AMOUNTS, PC_DATA_AMOUNT,
			       rnpu_regcmd_fetch_amount(t->body_words)))
		return;

	/* Written as a last task; rnpu_regcmd_link() rewrites the first two
	 * words when another task follows. */
	push(p, NOP_WORD);
	push(p, amounts_word(p, 0));
	push(p, rk3588_regcmd(RK3588_TARGET_PRE_OP, 0, 0));
	push(p, rk3588_regcmd(RK3588_TARGET_OP_EN, REG_PC_OPERATION_ENABLE, enable_mask));
	/* Pad so the next task is aligned and so the PC's pairwise fetch of an
	 * odd word count stays inside the buffer. */
	while (!p->err && p->nwords % ALIGN_WORDS)
		push(p, NOP_WORD);
	p->open = false;
}

int rnpu_regcmd_link(struct rnpu_regcmd_prog *p, uint64_t regcmd_dma)
{
	const uint64_t addr_limit =
		UINT64_C(1) << (PC_BASE_ADDRESS_PC_SOURCE_ADDR__WIDTH + PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT);

	if (p->err)
		return p->err;
	if (p->open)
		return rnpu_regcmd_fail(p, -EINVAL, "link: task %zu is still open", p->ntasks - 1);
	if (!p->ntasks)
		return rnpu_regcmd_fail(p, -EINVAL, "link: program has no task");
	if (regcmd_dma & ((UINT64_C(1) << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT) - 1))
		return rnpu_regcmd_fail(p, -EINVAL, "regcmd: device address 0x%" PRIx64
					" is not %u-byte aligned", regcmd_dma,
					1u << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT);
	if (regcmd_dma >= addr_limit || p->nwords * WORD_BYTES > addr_limit - regcmd_dma)
		return rnpu_regcmd_fail(p, -ERANGE, "regcmd: 0x%" PRIx64 " + %zu bytes ends beyond"
					" the 32-bit device address space", regcmd_dma,
					p->nwords * WORD_BYTES);

	for (size_t i = 0; i + 1 < p->ntasks; i++) {
		const struct rnpu_regcmd_task *t = &p->tasks[i], *next = &p->tasks[i + 1];
		uint64_t *tail = &p->words[t->word_offset + t->body_words];
		uint32_t base = 0;

		RNPU_REGCMD_FIELD_ADDR(p, &base, PC, BASE_ADDRESS, PC_SOURCE_ADDR,
				       regcmd_dma + (uint64_t)next->word_offset * WORD_BYTES);
		tail[0] = rk3588_regcmd(RK3588_TARGET_PC, REG_PC_BASE_ADDRESS, base);
		tail[1] = amounts_word(p, rnpu_regcmd_fetch_amount(next->body_words));
	}
	return p->err;
}

bool rnpu_regcmd_field_u(struct rnpu_regcmd_prog *p, uint32_t *reg,
			 bool (*set)(uint32_t *, uint32_t), const char *name, unsigned int width,
			 uint64_t value)
{
	if (value <= UINT32_MAX && set(reg, (uint32_t)value))
		return true;
	rnpu_regcmd_fail(p, -ERANGE, "%s: %" PRIu64 " does not fit in %u bits", name, value, width);
	return false;
}

bool rnpu_regcmd_field_s(struct rnpu_regcmd_prog *p, uint32_t *reg,
			 bool (*set)(uint32_t *, int32_t), const char *name, unsigned int width,
			 int64_t value)
{
	if (value >= INT32_MIN && value <= INT32_MAX && set(reg, (int32_t)value))
		return true;
	rnpu_regcmd_fail(p, -ERANGE, "%s: %" PRId64 " does not fit in %u bits (signed)", name,
			 value, width);
	return false;
}

bool rnpu_regcmd_field_addr(struct rnpu_regcmd_prog *p, uint32_t *reg,
			    bool (*set)(uint32_t *, uint32_t), const char *name, unsigned int width,
			    unsigned int shift, uint64_t addr)
{
	uint64_t field = addr >> shift;

	if (addr & ((UINT64_C(1) << shift) - 1)) {
		rnpu_regcmd_fail(p, -EINVAL, "%s: address 0x%" PRIx64 " is not %u-byte aligned",
				 name, addr, 1u << shift);
		return false;
	}
	if (field <= UINT32_MAX && set(reg, (uint32_t)field))
		return true;
	rnpu_regcmd_fail(p, -ERANGE, "%s: address 0x%" PRIx64 " does not fit in %u bits", name,
			 addr, width + shift);
	return false;
}

void rnpu_regcmd_fill_tasks(const struct rnpu_regcmd_prog *p, uint64_t regcmd_dma,
			    struct rknpu_task *tasks)
{
	for (size_t i = 0; i < p->ntasks; i++) {
		memset(&tasks[i], 0, sizeof(tasks[i]));
		tasks[i].op_idx = (uint32_t)i;
		tasks[i].enable_mask = p->tasks[i].enable_mask;
		tasks[i].int_mask = p->tasks[i].int_mask;
		tasks[i].int_clear = RKNPU_INT_CLEAR;
		tasks[i].regcfg_amount = p->tasks[i].body_words;
		tasks[i].regcmd_addr = regcmd_dma + (uint64_t)p->tasks[i].word_offset * sizeof(uint64_t);
	}
}
