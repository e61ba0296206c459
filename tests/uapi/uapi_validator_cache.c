// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The contiguous-mode validator's memory of accepted programs: a task
 * whose copied words are byte-identical to ones it accepted under the same
 * dma base and the same set of session objects is not decoded again. Each
 * case reads the session's fdinfo counters (rknpu-regcmd-validated,
 * rknpu-regcmd-reused) and checks the product against the CPU: a repeated
 * job is reused; a program rewritten to point outside the session is
 * refused with the validator's usual line, a benign rewrite is checked
 * afresh and runs; a referenced buffer freed (or any handle coming or
 * going) makes the same bytes be checked afresh; another session running
 * the very same programs (imported buffers, same addresses) keeps its own
 * counts; a session closed with remembered programs frees them (LSan).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_job.h"
#include "uapi_regcmd.h"
#include "uapi_util.h"

#define MM_M 16u
#define MM_K 64u
#define MM_N 32u
#define MM_TILE_M 8u
#define MM_TASKS (MM_M / MM_TILE_M) /* tasks the job has: one per tile */
#define VICTIM_SIZE (64u * 1024u)

struct fixture {
	struct rnpu_dev *dev, *other;
	struct rnpu_bo *victim;         /* the other session's */
	struct rnpu_matmul_job *job;
	int8_t a[MM_M * MM_K], b[MM_K * MM_N];
	uint64_t *words;                /* the job's mapped program */
	size_t nwords;
};

struct counts {
	uint64_t validated, reused;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || rnpu_open(uapi_device(), &f->dev) || rnpu_open(uapi_device(), &f->other))
		return -1;
	if (rnpu_bo_create(f->other, VICTIM_SIZE, 0, &f->victim))
		return -1;
	for (size_t i = 0; i < sizeof(f->a); i++)
		f->a[i] = (int8_t)((int)(i * 5) % 247 - 123);
	for (size_t i = 0; i < sizeof(f->b); i++)
		f->b[i] = (int8_t)((int)(i * 13 + 7) % 239 - 119);
	if (rnpu_matmul_job_create(f->dev, RNPU_MM_INT8_INT32, MM_M, MM_K, MM_N, MM_TILE_M,
				   &f->job) ||
	    rnpu_matmul_job_set_inputs(f->job, f->a, f->b) ||
	    rnpu_bo_map(f->job->regcmd, (void **)&f->words))
		return -1;
	f->nwords = rnpu_bo_size(f->job->regcmd) / 8;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rnpu_matmul_job_destroy(f->job);
	rnpu_bo_free(f->victim);
	rnpu_close(f->other);
	rnpu_close(f->dev);
	free(f);
	return 0;
}

/* The value of fdinfo key @key ("name:\tvalue"). */
static uint64_t fdinfo_value(const char *text, const char *key)
{
	char want[64];
	const char *at;

	snprintf(want, sizeof(want), "%s:\t", key);
	at = strstr(text, want);
	if (!at) {
		print_message("# no \"%s\" in:\n# %s\n", key, text);
		fail();
	}
	return strtoull(at + strlen(want), NULL, 10);
}

static struct counts counts_of(struct rnpu_dev *dev)
{
	char text[2048];
	struct counts c;

	assert_true(rnpu_fdinfo_read(dev, text, sizeof(text)) > 0);
	c.validated = fdinfo_value(text, "rknpu-regcmd-validated");
	c.reused = fdinfo_value(text, "rknpu-regcmd-reused");
	return c;
}

/* The counters moved by exactly @validated and @reused since @before. */
static void expect_moved(struct rnpu_dev *dev, struct counts *before, uint64_t validated,
			 uint64_t reused)
{
	struct counts now = counts_of(dev);

	assert_int_equal(now.validated - before->validated, validated);
	assert_int_equal(now.reused - before->reused, reused);
	*before = now;
}

/* Skips where the session's fdinfo has no validator counters: the
 * vendor's driver, or a kernel whose NPU is behind its IOMMU (nothing is
 * validated there). */
static void need_counters(struct fixture *f)
{
	char text[2048];

	if (rnpu_fdinfo_read(f->dev, text, sizeof(text)) <= 0 ||
	    !strstr(text, "rknpu-regcmd-validated:")) {
		printf("# no validator counters in this session's fdinfo\n");
		skip();
	}
}

static void check_product(struct fixture *f)
{
	int32_t c[MM_M * MM_N];

	if (uapi_on_kernel())
		return; /* accepted and completed; the product needs a computing NPU */
	memset(c, 0x5a, sizeof(c));
	assert_int_equal(rnpu_matmul_job_get_output(f->job, c), 0);
	for (uint32_t r = 0; r < MM_M; r++)
		for (uint32_t col = 0; col < MM_N; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < MM_K; l++)
				ref += f->a[r * MM_K + l] * f->b[l * MM_N + col];
			assert_int_equal(c[r * MM_N + col], ref);
		}
}

/* Clears the output so that a run that does nothing cannot pass. */
static void clear_output(struct fixture *f)
{
	memset(f->job->c_map, 0, rnpu_bo_size(f->job->c));
	assert_int_equal(rnpu_bo_sync(f->job->c, 0, rnpu_bo_size(f->job->c),
				      RKNPU_MEM_SYNC_TO_DEVICE),
			 0);
}

static void run_and_check(struct fixture *f)
{
	clear_output(f);
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), 0);
	check_product(f);
}

/* The program's words change under the driver only through the user's
 * mapping; the copy the driver reads is taken at submit. */
static void set_word(struct fixture *f, long w, uint64_t word)
{
	f->words[w] = word;
	assert_int_equal(rnpu_bo_sync(f->job->regcmd, 0, rnpu_bo_size(f->job->regcmd),
				      RKNPU_MEM_SYNC_TO_DEVICE),
			 0);
}

static void validator_cache_reuses_identical(void **state)
{
	struct fixture *f = *state;
	struct counts c;

	need_counters(f);
	c = counts_of(f->dev);
	assert_int_equal(f->job->num_tasks, MM_TASKS);
	assert_int_equal(c.validated, 0);
	assert_int_equal(c.reused, 0);
	run_and_check(f);
	expect_moved(f->dev, &c, MM_TASKS, 0);
	run_and_check(f);
	expect_moved(f->dev, &c, 0, MM_TASKS);
	run_and_check(f);
	expect_moved(f->dev, &c, 0, MM_TASKS);
}

static void validator_cache_program_rewritten(void **state)
{
	struct fixture *f = *state;
	uint32_t victim = (uint32_t)rnpu_bo_dma_addr(f->victim);
	long out = uapi_regcmd_find(f->words, f->nwords, REG_DPU_DST_BASE_ADDR, true);
	long ppu = uapi_regcmd_find(f->words, f->nwords, REG_PPU_DST_BASE_ADDR, true);
	struct counts c;
	struct rnpu_bo *own;
	uint64_t saved_out, saved_ppu;
	char line[96];

	need_counters(f);
	c = counts_of(f->dev);
	assert_true(out >= 0);
	assert_true(ppu >= 0);
	saved_out = f->words[out];
	saved_ppu = f->words[ppu];
	run_and_check(f);
	run_and_check(f);
	expect_moved(f->dev, &c, MM_TASKS, MM_TASKS);

	/* The first task's output now goes to the other session's buffer:
	 * same fetch, same length, same objects, different bytes. */
	set_word(f, out, uapi_regcmd_write(REG_DPU_DST_BASE_ADDR, victim));
	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
	snprintf(line, sizeof(line), "%s = 0x%08x", rk3588_reg_name(REG_DPU_DST_BASE_ADDR),
		 victim);
	assert_true(log_has("regcmd validator", line));
	log_capture_stop();
	expect_moved(f->dev, &c, 0, 0); /* refused at the first task */

	/* Restored: the remembered bytes again. */
	set_word(f, out, saved_out);
	run_and_check(f);
	expect_moved(f->dev, &c, 0, MM_TASKS);

	/* A benign rewrite (the PPU, not enabled, pointed at one of the
	 * session's buffers): the first task is checked afresh and runs,
	 * the second is unchanged. */
	assert_int_equal(rnpu_bo_create(f->dev, 4096, 0, &own), 0);
	run_and_check(f); /* a handle came: everything is checked afresh */
	expect_moved(f->dev, &c, MM_TASKS, 0);
	set_word(f, ppu,
		 uapi_regcmd_write(REG_PPU_DST_BASE_ADDR, (uint32_t)rnpu_bo_dma_addr(own)));
	run_and_check(f);
	expect_moved(f->dev, &c, 1, MM_TASKS - 1);
	run_and_check(f);
	expect_moved(f->dev, &c, 0, MM_TASKS);
	set_word(f, ppu, saved_ppu);
	rnpu_bo_free(own);
}

static void validator_cache_buffer_replaced(void **state)
{
	struct fixture *f = *state;
	long ppu = uapi_regcmd_find(f->words, f->nwords, REG_PPU_DST_BASE_ADDR, true);
	struct counts c;
	struct rnpu_bo *own, *later, *extra;
	uint64_t later_start, saved;
	uint32_t addr;
	char line[96];

	need_counters(f);
	c = counts_of(f->dev);
	assert_true(ppu >= 0);
	saved = f->words[ppu];
	assert_int_equal(rnpu_bo_create(f->dev, 4096, 0, &own), 0);
	addr = (uint32_t)rnpu_bo_dma_addr(own);
	set_word(f, ppu, uapi_regcmd_write(REG_PPU_DST_BASE_ADDR, addr));
	run_and_check(f);
	run_and_check(f);
	expect_moved(f->dev, &c, MM_TASKS, MM_TASKS);

	/* Freed, another created: the bytes are the same, the objects are
	 * not. Refused unless the new buffer happens to hold the address. */
	rnpu_bo_free(own);
	assert_int_equal(rnpu_bo_create(f->dev, 8192, 0, &later), 0);
	later_start = rnpu_bo_dma_addr(later);
	if (addr >= later_start && addr < later_start + rnpu_bo_size(later)) {
		print_message("# the new buffer took the freed address\n");
		run_and_check(f);
		expect_moved(f->dev, &c, MM_TASKS, 0);
	} else {
		log_capture_start();
		assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
		snprintf(line, sizeof(line), "%s = 0x%08x",
			 rk3588_reg_name(REG_PPU_DST_BASE_ADDR), addr);
		assert_true(log_has("regcmd validator", line));
		log_capture_stop();
		expect_moved(f->dev, &c, 0, 0);
		set_word(f, ppu,
			 uapi_regcmd_write(REG_PPU_DST_BASE_ADDR, (uint32_t)later_start));
		run_and_check(f);
		expect_moved(f->dev, &c, MM_TASKS, 0);
		run_and_check(f);
		expect_moved(f->dev, &c, 0, MM_TASKS);
	}

	/* Nothing the program uses changed, but a handle came: the same
	 * bytes are checked afresh, then remembered again. */
	assert_int_equal(rnpu_bo_create(f->dev, 4096, 0, &extra), 0);
	run_and_check(f);
	expect_moved(f->dev, &c, MM_TASKS, 0);
	run_and_check(f);
	expect_moved(f->dev, &c, 0, MM_TASKS);
	rnpu_bo_free(extra);
	set_word(f, ppu, saved);
	rnpu_bo_free(later);
}

static struct rnpu_bo *import_into(struct rnpu_dev *dev, struct rnpu_bo *bo)
{
	struct rnpu_bo *imp;
	int fd;

	assert_int_equal(rnpu_bo_export(bo, &fd), 0);
	assert_int_equal(rnpu_bo_import(dev, fd, &imp), 0);
	close(fd);
	assert_int_equal(rnpu_bo_dma_addr(imp), rnpu_bo_dma_addr(bo));
	return imp;
}

static void validator_cache_per_session(void **state)
{
	struct fixture *f = *state;
	struct rnpu_bo *imp[5], *mine[5] = { f->job->a, f->job->b, f->job->c, f->job->regcmd,
					      f->job->task };
	struct counts c, o;
	struct rnpu_submit_req req;

	need_counters(f);
	c = counts_of(f->dev);
	run_and_check(f);
	run_and_check(f);
	expect_moved(f->dev, &c, MM_TASKS, MM_TASKS);

	/* The other session holds the same buffers (same addresses) and runs
	 * the very same task list and programs. */
	for (size_t i = 0; i < 5; i++)
		imp[i] = import_into(f->other, mine[i]);
	o = counts_of(f->other);
	for (int round = 0; round < 2; round++) {
		clear_output(f);
		memset(&req, 0, sizeof(req));
		req.task_bo = imp[4];
		req.task_count = f->job->num_tasks;
		req.core_mask = RKNPU_CORE0_MASK;
		assert_int_equal(rnpu_submit(f->other, &req), 0);
		check_product(f);
		/* Its first run checks every task; this session's memory is
		 * not its own. */
		expect_moved(f->other, &o, round == 0 ? MM_TASKS : 0, round == 0 ? 0 : MM_TASKS);
	}
	expect_moved(f->dev, &c, 0, 0); /* untouched by the other's submits */
	for (size_t i = 0; i < 5; i++)
		rnpu_bo_free(imp[i]);
	/* The import's handles came and went there, not here. */
	run_and_check(f);
	expect_moved(f->dev, &c, 0, MM_TASKS);
}

/* Closed with programs remembered (and a job just finished, its copy back
 * in the session's cache): LeakSanitizer checks everything went. */
static void validator_cache_freed_at_close(void **state)
{
	struct fixture *f = *state;
	struct counts c;
	int fence;

	need_counters(f);
	c = counts_of(f->dev);
	run_and_check(f);
	run_and_check(f);
	expect_moved(f->dev, &c, MM_TASKS, MM_TASKS);
	assert_int_equal(rnpu_matmul_job_run_async(f->job, RKNPU_CORE0_MASK, &fence), 0);
	assert_int_equal(rnpu_fence_wait(fence, RNPU_DEFAULT_TIMEOUT_MS), 0);
	close(fence);
	expect_moved(f->dev, &c, 0, MM_TASKS);
	/* An idle session's trim drops the copy buffers, not what it
	 * accepted: reused once more after a pause. */
	usleep(50 * 1000);
	run_and_check(f);
	expect_moved(f->dev, &c, 0, MM_TASKS);
	/* Closing with everything still held is teardown's job. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(validator_cache_reuses_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_cache_program_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_cache_buffer_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_cache_per_session, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_cache_freed_at_close, setup, teardown),
	};

	unsetenv("RNPU_IOMMU");
	return cmocka_run_group_tests_name("validator-cache", tests, NULL, NULL);
}
