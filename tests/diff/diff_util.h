/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Differential tests: the software NPU, driven through a fake bus by
 * register streams from the test-side generator, against the independent
 * CPU reference in tests/ref. Helpers shared by every diff executable.
 */
#ifndef RNPU_DIFF_UTIL_H
#define RNPU_DIFF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rk3588_sim.h"
#include "rnpu_ref.h"
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#define DIFF_MEM_BYTES (96u << 20)
#define DIFF_MAX_TASKS 64u
#define DIFF_MAX_WORDS 256u
#define DIFF_NAME_LEN 112u
/* Every completion and error bit the tests look at. */
#define DIFF_INT_MASK 0x3f00u

struct diff_ctx {
	struct fake_bus fb;
	struct rk3588_sim *sim;
};

/* One task list being built: bodies and op-enables, chained on run. */
struct diff_list {
	uint64_t body[DIFF_MAX_TASKS][DIFF_MAX_WORDS];
	size_t words[DIFF_MAX_TASKS];
	uint32_t op_en[DIFF_MAX_TASKS];
	unsigned int n;
};

/* Whether the full sweep runs (build option long_tests or
 * RNPU_LONG_TESTS=1). */
bool diff_long(void);

/* Group setup/teardown: one synchronous single-core sim per executable,
 * reachable through diff_global() (cases get their parameters as state). */
int diff_group_setup(void **state);
struct diff_ctx *diff_global(void);
int diff_group_teardown(void **state);
/* Fresh device memory and core registers for a case. */
void diff_case_begin(struct diff_ctx *c);

/* Starts a new task in @l; returns its body to fill. */
uint64_t *diff_task(struct diff_list *l, uint32_t op_en);
/* Adds @words to the body length of the last task started. */
void diff_task_words(struct diff_list *l, size_t words);
/* Writes the list to memory with tail links, commits it as one PC start,
 * waits, and returns RAW status (also cleared). Fails the test if the model
 * reports an error, quoting its message. */
uint32_t diff_run(struct diff_ctx *c, struct diff_list *l);

/* Device memory helpers. */
uint32_t diff_alloc(struct diff_ctx *c, size_t bytes);
void *diff_ptr(struct diff_ctx *c, uint32_t addr);

/* Little-endian element access in device memory. */
void diff_put(void *base, size_t idx, unsigned int eb, uint32_t bits);
uint32_t diff_get(const void *base, size_t idx, unsigned int eb);
/* Sign-extends @bits of an @eb-byte integer. */
int64_t diff_sext(uint32_t bits, unsigned int eb);

/* NCHW int32 values -> NC1HWC2 cube of @eb-byte integers (pad channels 0). */
void diff_pack_i(void *dst, const int32_t *x, unsigned int c, unsigned int h, unsigned int w,
		 unsigned int eb);
/* NCHW binary16 bits -> NC1HWC2 fp16 cube. */
void diff_pack_h(void *dst, const uint16_t *x, unsigned int c, unsigned int h, unsigned int w);

/* Random integers in [lo, hi] / random halves with |v| in [2^lo_exp,
 * 2^(hi_exp+1)). */
void diff_fill_i(struct ref_rng *r, int32_t *x, size_t n, int32_t lo, int32_t hi);
void diff_fill_h(struct ref_rng *r, uint16_t *x, size_t n, int lo_exp, int hi_exp);

/* Mismatch reporting: counts, prints the first few. */
struct diff_check {
	const char *what;
	unsigned int bad;
	size_t total;
};
void diff_expect_eq(struct diff_check *k, size_t idx, int64_t got, int64_t want);
void diff_expect_close(struct diff_check *k, size_t idx, double got, double want, double tol);
/* Fails the test when any mismatch was recorded. */
void diff_done(struct diff_check *k);

#endif
