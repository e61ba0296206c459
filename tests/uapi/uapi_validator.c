// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The regcmd validator of the contiguous mode: every address register of
 * the register description (rk3588_addr_regs[], generated from the addr
 * attribute of hw/rk3588.xml), pointed at another session's buffer, makes
 * the submit fail with EINVAL and a log line naming the register and the
 * address; the victim's memory is untouched and the unmodified job still
 * runs correctly. Regcmd fetches outside the session's buffers, or running
 * past the end of one, are refused the same way. For every DMA engine, a
 * program whose base address is inside a buffer but whose extent (from
 * the dims, strides and precision it programs, worked out by hand below)
 * runs past its end is refused with the register, the length and the
 * address in the log. An address register holding 0 is refused when its
 * engine would DMA at it (enabled, its reader not disabled, the DPU stage
 * it feeds not bypassed) and accepted, with the product still checked
 * against the CPU, when the configuration keeps the DMA from running.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rk3588_regs.h"
#include "rnpu/matmul_job.h"
#include "uapi_regcmd.h"
#include "uapi_util.h"

#define MM_M 16u
#define MM_K 64u
#define MM_N 32u
#define VICTIM_SIZE (64u * 1024u)

struct fixture {
	struct rnpu_dev *dev, *other;
	struct rnpu_bo *victim;
	uint8_t *victim_map;
	struct rnpu_matmul_job *job;
	int8_t a[MM_M * MM_K], b[MM_K * MM_N];
	uint64_t *words;
	size_t nwords;
	uint64_t *saved;        /* the program as built, for the cases to restore */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || rnpu_open(uapi_device(), &f->dev) || rnpu_open(uapi_device(), &f->other))
		return -1;
	if (rnpu_bo_create(f->other, VICTIM_SIZE, 0, &f->victim) ||
	    rnpu_bo_map(f->victim, (void **)&f->victim_map))
		return -1;
	for (size_t i = 0; i < VICTIM_SIZE; i++)
		f->victim_map[i] = (uint8_t)(i * 29 + 3);
	for (size_t i = 0; i < sizeof(f->a); i++)
		f->a[i] = (int8_t)((int)(i * 7) % 251 - 125);
	for (size_t i = 0; i < sizeof(f->b); i++)
		f->b[i] = (int8_t)((int)(i * 3 + 11) % 241 - 120);
	/* Two tasks of 8 rows: the program chains through PC.BASE_ADDRESS. */
	if (rnpu_matmul_job_create(f->dev, RNPU_MM_INT8_INT32, MM_M, MM_K, MM_N, 8, &f->job) ||
	    rnpu_matmul_job_set_inputs(f->job, f->a, f->b) ||
	    rnpu_bo_map(f->job->regcmd, (void **)&f->words))
		return -1;
	f->nwords = rnpu_bo_size(f->job->regcmd) / 8;
	f->saved = malloc(f->nwords * 8);
	if (!f->saved)
		return -1;
	memcpy(f->saved, f->words, f->nwords * 8);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->saved);
	rnpu_matmul_job_destroy(f->job);
	rnpu_bo_free(f->victim);
	rnpu_close(f->other);
	rnpu_close(f->dev);
	free(f);
	return 0;
}

static void run_and_check(struct fixture *f)
{
	int32_t c[MM_M * MM_N];

	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), 0);
	if (uapi_on_kernel())
		return; /* accepted and completed; the product needs a computing NPU */
	assert_int_equal(rnpu_matmul_job_get_output(f->job, c), 0);
	for (uint32_t r = 0; r < MM_M; r++)
		for (uint32_t col = 0; col < MM_N; col++) {
			int32_t ref = 0;

			for (uint32_t l = 0; l < MM_K; l++)
				ref += f->a[r * MM_K + l] * f->b[l * MM_N + col];
			assert_int_equal(c[r * MM_N + col], ref);
		}
}

static bool victim_intact(const struct fixture *f)
{
	for (size_t i = 0; i < VICTIM_SIZE; i++)
		if (f->victim_map[i] != (uint8_t)(i * 29 + 3))
			return false;
	return true;
}

static void validator_every_address_register(void **state)
{
	struct fixture *f = *state;
	uint32_t victim = (uint32_t)rnpu_bo_dma_addr(f->victim);
	char value[64];

	assert_true(rk3588_num_addr_regs >= 10);
	run_and_check(f);
	for (unsigned int i = 0; i < rk3588_num_addr_regs; i++) {
		uint32_t reg = rk3588_addr_regs[i];
		long w = uapi_regcmd_find(f->words, f->nwords, reg, false);
		uint64_t saved;

		print_message("# %s\n", rk3588_reg_name(reg));
		assert_true(w >= 0);
		saved = f->words[w];
		f->words[w] = uapi_regcmd_write(reg, victim);
		log_capture_start();
		assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
		if (reg == REG_PC_BASE_ADDRESS) {
			/* The next fetch is what lands outside. */
			snprintf(value, sizeof(value), "at 0x%llx is outside",
				 (unsigned long long)victim);
			assert_true(log_has("regcmd validator", value));
		} else {
			snprintf(value, sizeof(value), "%s = 0x%08x", rk3588_reg_name(reg), victim);
			assert_true(log_has("regcmd validator", value));
		}
		log_capture_stop();
		f->words[w] = saved;
		assert_true(victim_intact(f));
	}
	/* Nothing was left behind: the job still runs. */
	run_and_check(f);
}

static void validator_accepts_own_buffers(void **state)
{
	struct fixture *f = *state;
	uint32_t own = (uint32_t)rnpu_bo_dma_addr(f->job->c);
	long w = uapi_regcmd_find(f->words, f->nwords, REG_PPU_DST_BASE_ADDR, false);
	uint64_t saved;

	/* The PPU is not enabled by the matmul: pointing its output at one of
	 * the session's own buffers is accepted and changes nothing. */
	assert_true(w >= 0);
	saved = f->words[w];
	f->words[w] = uapi_regcmd_write(REG_PPU_DST_BASE_ADDR, own);
	run_and_check(f);
	f->words[w] = saved;
}

/* The validator keeps the session's objects indexed between submits: the
 * index must follow every handle that comes or goes. A buffer of the
 * session is accepted; once freed, the same program is refused (its
 * address is no longer the session's); a buffer created after the index
 * was built is accepted. */
static void validator_index_follows_handles(void **state)
{
	struct fixture *f = *state;
	long w = uapi_regcmd_find(f->words, f->nwords, REG_PPU_DST_BASE_ADDR, false);
	struct rnpu_bo *own, *later;
	uint32_t addr;
	char value[64];
	uint64_t saved;

	assert_true(w >= 0);
	saved = f->words[w];
	assert_int_equal(rnpu_bo_create(f->dev, 4096, 0, &own), 0);
	addr = (uint32_t)rnpu_bo_dma_addr(own);
	f->words[w] = uapi_regcmd_write(REG_PPU_DST_BASE_ADDR, addr);
	run_and_check(f);
	run_and_check(f); /* the second submit uses the index unchanged */
	rnpu_bo_free(own);
	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
	snprintf(value, sizeof(value), "%s = 0x%08x", rk3588_reg_name(REG_PPU_DST_BASE_ADDR), addr);
	assert_true(log_has("regcmd validator", value));
	log_capture_stop();
	assert_int_equal(rnpu_bo_create(f->dev, 4096, 0, &later), 0);
	f->words[w] =
		uapi_regcmd_write(REG_PPU_DST_BASE_ADDR, (uint32_t)rnpu_bo_dma_addr(later));
	run_and_check(f);
	rnpu_bo_free(later);
	f->words[w] = saved;
	run_and_check(f);
}

static void validator_dma_base_counts(void **state)
{
	struct fixture *f = *state;
	struct rnpu_bo *task = f->job->task;
	struct rknpu_submit s;
	char line[96];

	/* TASK_DMA_BASE_ADDR moves every data address: a base that shifts
	 * the (valid) addresses onto the other session's buffer is refused. */
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 6000;
	s.task_number = f->job->num_tasks;
	s.task_obj_addr = rnpu_bo_obj_addr(task);
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	s.task_base_addr = 0x40000000u;
	for (unsigned int i = 0; i < 3; i++)
		s.subcore_task[i].task_number = f->job->num_tasks;
	log_capture_start();
	assert_int_equal(rnpu_ioctl(f->dev, DRM_IOCTL_RKNPU_SUBMIT, &s), -EINVAL);
	snprintf(line, sizeof(line), "(dma base 0x%llx)", (unsigned long long)s.task_base_addr);
	assert_true(log_has("regcmd validator", line));
	log_capture_stop();
}

static void validator_fetch_past_end(void **state)
{
	struct fixture *f = *state;
	struct rknpu_task *t;
	uint64_t saved;

	/* The first task's fetch starts inside the regcmd buffer but runs
	 * past its end. */
	assert_int_equal(rnpu_bo_map(f->job->task, (void **)&t), 0);
	saved = t[0].regcmd_addr;
	t[0].regcmd_addr = rnpu_bo_dma_addr(f->job->regcmd) + rnpu_bo_size(f->job->regcmd) - 16;
	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
	assert_true(log_has("regcmd validator", "regcmd fetch"));
	log_capture_stop();
	t[0].regcmd_addr = saved;
	run_and_check(f);
}


/* ------------------------------------------------------------ extents */

#define EXT_DATA_SIZE (64u * 1024u)
#define EXT_TAIL 64u /* the base sits this far before the buffer's end */

struct reg_write {
	uint32_t reg, value;
};

struct extent_case {
	const char *name;
	uint32_t op_en;
	uint32_t base_reg;
	int64_t base_off;       /* from the data buffer's start */
	int64_t start_off;      /* of the refused range, from the base */
	uint32_t len;           /* bytes the engine touches, by hand */
	struct reg_write regs[24];
};

static uint32_t field(bool (*set)(uint32_t *, uint32_t), uint32_t reg, uint32_t v)
{
	assert_true(set(&reg, v));
	return reg;
}

static uint32_t sfield(bool (*set)(uint32_t *, int32_t), int32_t v)
{
	uint32_t reg = 0;

	assert_true(set(&reg, v));
	return reg;
}

#define SET(reg, fld, v) field(rk3588_set_##reg##_##fld, 0, (v))
#define SSET(reg, fld, v) sfield(rk3588_set_##reg##_##fld, (v))
#define TAIL ((int64_t)EXT_DATA_SIZE - EXT_TAIL)

/* Base registers of the engines a case enables but does not test: written
 * with 0 (unused), as programs do, with the readers disabled and the DPU
 * writing nothing to memory, so that no DMA runs at 0. A case's own
 * configuration, written after these, overrides them. */
#define DPU_RDMA_UNUSED_BASES                                                  \
	{ REG_DPU_FEATURE_MODE_CFG, 0 },                                      \
	{ REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG,                                 \
	  DPU_RDMA_RDMA_FEATURE_MODE_CFG_MRDMA_DISABLE__MASK },              \
	{ REG_DPU_RDMA_RDMA_ERDMA_CFG, DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DISABLE__MASK }, \
	{ REG_DPU_RDMA_RDMA_BRDMA_CFG, DPU_RDMA_RDMA_BRDMA_CFG_BRDMA_DISABLE__MASK }, \
	{ REG_DPU_RDMA_RDMA_NRDMA_CFG, DPU_RDMA_RDMA_NRDMA_CFG_NRDMA_DISABLE__MASK }, \
	{ REG_DPU_RDMA_RDMA_SRC_BASE_ADDR, 0 }, { REG_DPU_RDMA_RDMA_EW_BASE_ADDR, 0 }, \
	{ REG_DPU_RDMA_RDMA_BS_BASE_ADDR, 0 }, { REG_DPU_RDMA_RDMA_BN_BASE_ADDR, 0 }
/* In a case's register list: the data buffer's start. */
#define AT_DATA 0xfffffff0u

static const struct extent_case *extent_cases(size_t *n)
{
	/* Values are built at run time: the field setters are functions. */
	static struct extent_case c[10];
	size_t i = 0;

	/* CNA feature, int8 (C2 16), W 4, H 2, C 32: 2 surfaces. GROUP_LINE_OFF
	 * 0: surface step 16 * (SURF_STRIDE 4 + 4W) = 320, line step
	 * 4 * LINE_STRIDE 16 = 64; last line at 320 + 64, 16W = 64 bytes long:
	 * 448 bytes. */
	c[i++] = (struct extent_case){
		"cna-feature", RK3588_OP_EN_CNA | RK3588_OP_EN_CORE | RK3588_OP_EN_DPU,
		REG_CNA_FEATURE_DATA_ADDR, TAIL, 0, 448,
		{ { REG_CNA_CONV_CON1, 0 },
		  { REG_CNA_DATA_SIZE0, SET(CNA_DATA_SIZE0, DATAIN_WIDTH, 4) |
					SET(CNA_DATA_SIZE0, DATAIN_HEIGHT, 2) },
		  { REG_CNA_DATA_SIZE1, SET(CNA_DATA_SIZE1, DATAIN_CHANNEL, 32) },
		  { REG_CNA_DMA_CON1, SET(CNA_DMA_CON1, LINE_STRIDE, 16) },
		  { REG_CNA_DMA_CON2, SSET(CNA_DMA_CON2, SURF_STRIDE, 4) },
		  { REG_CNA_DCOMP_ADDR0, 0 }, { REG_DPU_DST_BASE_ADDR, 0 } } };
	/* The same with SURF_STRIDE -20: surface step 16 * (-20 + 16) = -64,
	 * so the fetch starts 64 bytes below the base: at the buffer's start
	 * it begins outside. 64 below + 64 above + 64 long = 192 bytes. */
	c[i++] = (struct extent_case){
		"cna-feature-negative-stride",
		RK3588_OP_EN_CNA | RK3588_OP_EN_CORE | RK3588_OP_EN_DPU,
		REG_CNA_FEATURE_DATA_ADDR, 0, -64, 192,
		{ { REG_CNA_CONV_CON1, 0 },
		  { REG_CNA_DATA_SIZE0, SET(CNA_DATA_SIZE0, DATAIN_WIDTH, 4) |
					SET(CNA_DATA_SIZE0, DATAIN_HEIGHT, 2) },
		  { REG_CNA_DATA_SIZE1, SET(CNA_DATA_SIZE1, DATAIN_CHANNEL, 32) },
		  { REG_CNA_DMA_CON1, SET(CNA_DMA_CON1, LINE_STRIDE, 16) },
		  { REG_CNA_DMA_CON2, SSET(CNA_DMA_CON2, SURF_STRIDE, -20) },
		  { REG_CNA_DCOMP_ADDR0, 0 }, { REG_DPU_DST_BASE_ADDR, 0 } } };
	/* Weights: 32 kernels of 64 bytes = 2048 (more than WEIGHT_BYTES). The
	 * feature fetch (of nothing: width 0) starts at the buffer. */
	c[i++] = (struct extent_case){
		"cna-weight", RK3588_OP_EN_CNA | RK3588_OP_EN_CORE | RK3588_OP_EN_DPU,
		REG_CNA_DCOMP_ADDR0, TAIL, 0, 2048,
		{ { REG_CNA_FEATURE_DATA_ADDR, AT_DATA }, { REG_CNA_CONV_CON1, 0 },
		  { REG_CNA_DATA_SIZE0, 0 }, { REG_CNA_DATA_SIZE1, 0 }, { REG_CNA_DMA_CON1, 0 },
		  { REG_CNA_DMA_CON2, 0 }, { REG_CNA_DCOMP_CTRL, 0 },
		  { REG_CNA_WEIGHT_SIZE0, SET(CNA_WEIGHT_SIZE0, WEIGHT_BYTES, 1000) },
		  { REG_CNA_WEIGHT_SIZE1, SET(CNA_WEIGHT_SIZE1, WEIGHT_BYTES_PER_KERNEL, 64) },
		  { REG_CNA_WEIGHT_SIZE2, SET(CNA_WEIGHT_SIZE2, WEIGHT_KERNELS, 32) },
		  { REG_DPU_DST_BASE_ADDR, 0 } } };
	/* DPU output, int8 (C2 16), W 4, H 2, C 32: atoms 0 and 1; E 1, so
	 * atom 1 starts a new group at SURF_ADD 16 atoms; its last line at
	 * 16 + 1 * 4 atoms, 4 atoms long: 24 atoms = 384 bytes. */
	c[i++] = (struct extent_case){
		"dpu-write", RK3588_OP_EN_DPU, REG_DPU_DST_BASE_ADDR, TAIL, 0, 384,
		{ { REG_DPU_DATA_FORMAT, 0 },
		  { REG_DPU_DATA_CUBE_WIDTH, 3 }, { REG_DPU_DATA_CUBE_HEIGHT, 1 },
		  { REG_DPU_DATA_CUBE_CHANNEL, SET(DPU_DATA_CUBE_CHANNEL, CHANNEL, 31) },
		  { REG_DPU_BS_OW_CFG, 0 },
		  { REG_DPU_SURFACE_ADD, SET(DPU_SURFACE_ADD, SURF_ADD, 16) },
		  { REG_DPU_DST_SURF_STRIDE, SET(DPU_DST_SURF_STRIDE, VALUE, 8) },
		  { REG_DPU_DATA_CUBE_NOTCH_ADDR, 0 } } };
	/* MRDMA, int8, W 4, H 2, C 32, no notches: surface 8 atoms; last line
	 * at 8 + 4, 4 atoms: 16 atoms = 256 bytes. */
	c[i++] = (struct extent_case){
		"dpu-rdma-mrdma", RK3588_OP_EN_DPU | RK3588_OP_EN_DPU_RDMA,
		REG_DPU_RDMA_RDMA_SRC_BASE_ADDR, TAIL, 0, 256,
		{ { REG_DPU_DST_BASE_ADDR, 0 }, DPU_RDMA_UNUSED_BASES,
		  { REG_DPU_RDMA_RDMA_DATA_CUBE_WIDTH, 3 }, { REG_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT, 1 },
		  { REG_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL, 31 },
		  { REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG, 0 }, { REG_DPU_RDMA_RDMA_SRC_DMA_CFG, 0 },
		  { REG_DPU_RDMA_RDMA_SURF_NOTCH, 0 } } };
	/* ERDMA, 16-bit operands (C2 8), W 4, H 2, C 32: 4 surfaces of 8
	 * atoms; last line at 24 + 4, 4 atoms: 32 atoms = 512 bytes. */
	c[i++] = (struct extent_case){
		"dpu-rdma-erdma", RK3588_OP_EN_DPU | RK3588_OP_EN_DPU_RDMA,
		REG_DPU_RDMA_RDMA_EW_BASE_ADDR, TAIL, 0, 512,
		{ { REG_DPU_DST_BASE_ADDR, 0 }, DPU_RDMA_UNUSED_BASES,
		  { REG_DPU_RDMA_RDMA_DATA_CUBE_WIDTH, 3 }, { REG_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT, 1 },
		  { REG_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL, 31 },
		  { REG_DPU_RDMA_RDMA_ERDMA_CFG, SET(DPU_RDMA_RDMA_ERDMA_CFG, ERDMA_DATA_MODE, 1) |
						 SET(DPU_RDMA_RDMA_ERDMA_CFG, DATA_SIZE, 2) },
		  { REG_DPU_RDMA_RDMA_EW_SURF_NOTCH, 0 } } };
	/* BRDMA: 32 channels, DATA_USE 0x5 = 2 slots of 4 bytes: 256 bytes. */
	c[i++] = (struct extent_case){
		"dpu-rdma-brdma", RK3588_OP_EN_DPU | RK3588_OP_EN_DPU_RDMA,
		REG_DPU_RDMA_RDMA_BS_BASE_ADDR, TAIL, 0, 256,
		{ { REG_DPU_DST_BASE_ADDR, 0 }, DPU_RDMA_UNUSED_BASES,
		  { REG_DPU_DATA_CUBE_CHANNEL, SET(DPU_DATA_CUBE_CHANNEL, CHANNEL, 31) },
		  { REG_DPU_RDMA_RDMA_BRDMA_CFG, SET(DPU_RDMA_RDMA_BRDMA_CFG, BRDMA_DATA_USE, 5) } } };
	/* NRDMA: 64 channels, DATA_USE 0x1 = one 4-byte slot: 256 bytes. */
	c[i++] = (struct extent_case){
		"dpu-rdma-nrdma", RK3588_OP_EN_DPU | RK3588_OP_EN_DPU_RDMA,
		REG_DPU_RDMA_RDMA_BN_BASE_ADDR, TAIL, 0, 256,
		{ { REG_DPU_DST_BASE_ADDR, 0 }, DPU_RDMA_UNUSED_BASES,
		  { REG_DPU_DATA_CUBE_CHANNEL, SET(DPU_DATA_CUBE_CHANNEL, CHANNEL, 63) },
		  { REG_DPU_RDMA_RDMA_NRDMA_CFG, SET(DPU_RDMA_RDMA_NRDMA_CFG, NRDMA_DATA_USE, 1) } } };
	/* PPU output, fp16 (C2 8), 4 x 2 x 16: 2 surfaces of DST_SURF_STRIDE
	 * 8 atoms; last line at 8 + 4, 4 atoms: 16 atoms = 256 bytes. */
	c[i++] = (struct extent_case){
		"ppu-write", RK3588_OP_EN_PPU, REG_PPU_DST_BASE_ADDR, TAIL, 0, 256,
		{ { REG_PPU_DATA_FORMAT, SET(PPU_DATA_FORMAT, PROC_PRECISION, 2) },
		  { REG_PPU_DATA_CUBE_OUT_WIDTH, 3 }, { REG_PPU_DATA_CUBE_OUT_HEIGHT, 1 },
		  { REG_PPU_DATA_CUBE_IN_CHANNEL, 15 }, { REG_PPU_DATA_CUBE_OUT_CHANNEL, 15 },
		  { REG_PPU_OPERATION_MODE_CFG, 0 },
		  { REG_PPU_DST_SURF_STRIDE, SET(PPU_DST_SURF_STRIDE, VALUE, 8) } } };
	/* PPU_RDMA, 16-bit (C2 8), 4 x 2 x 16, line pitch 4, surface pitch 8
	 * atoms: 16 atoms = 256 bytes. Started without the PPU, whose write
	 * would be checked (and refused at base 0) first. */
	c[i++] = (struct extent_case){
		"ppu-rdma", RK3588_OP_EN_PPU_RDMA,
		REG_PPU_RDMA_RDMA_SRC_BASE_ADDR, TAIL, 0, 256,
		{ { REG_PPU_DST_BASE_ADDR, 0 },
		  { REG_PPU_RDMA_RDMA_CUBE_IN_WIDTH, 3 }, { REG_PPU_RDMA_RDMA_CUBE_IN_HEIGHT, 1 },
		  { REG_PPU_RDMA_RDMA_CUBE_IN_CHANNEL, 15 },
		  { REG_PPU_RDMA_RDMA_DATA_FORMAT, SET(PPU_RDMA_RDMA_DATA_FORMAT, IN_PRECISION, 2) },
		  { REG_PPU_RDMA_RDMA_SRC_LINE_STRIDE, SET(PPU_RDMA_RDMA_SRC_LINE_STRIDE, VALUE, 4) },
		  { REG_PPU_RDMA_RDMA_SRC_SURF_STRIDE,
		    SET(PPU_RDMA_RDMA_SRC_SURF_STRIDE, VALUE, 8) } } };
	*n = i;
	return c;
}

struct crafted {
	struct rnpu_dev *dev;
	struct rnpu_bo *data, *regcmd, *task;
	uint64_t *words;
	struct rknpu_task *tasks;
};

static void crafted_open(struct crafted *k)
{
	assert_int_equal(rnpu_open(uapi_device(), &k->dev), 0);
	assert_int_equal(rnpu_bo_create(k->dev, EXT_DATA_SIZE, 0, &k->data), 0);
	assert_int_equal(rnpu_bo_create(k->dev, 4096, 0, &k->regcmd), 0);
	assert_int_equal(rnpu_bo_create(k->dev, 4096, RKNPU_MEM_KERNEL_MAPPING, &k->task), 0);
	assert_int_equal(rnpu_bo_map(k->regcmd, (void **)&k->words), 0);
	assert_int_equal(rnpu_bo_map(k->task, (void **)&k->tasks), 0);
}

static void crafted_close(struct crafted *k)
{
	rnpu_bo_free(k->task);
	rnpu_bo_free(k->regcmd);
	rnpu_bo_free(k->data);
	rnpu_close(k->dev);
}

/* One task: @regs, then @base_reg = @base, then the op-enable word, then
 * @after (0: nothing) among the words the PC fetches with it. */
static int crafted_submit_tail(struct crafted *k, const struct reg_write *regs, uint32_t base_reg,
			       uint32_t base, uint32_t op_en, uint64_t after)
{
	struct rknpu_submit s;
	uint32_t n = 0;

	memset(k->words, 0, 4096);
	for (; regs[n].reg; n++)
		k->words[n] = uapi_regcmd_write(regs[n].reg,
						regs[n].value == AT_DATA
							? (uint32_t)rnpu_bo_dma_addr(k->data)
							: regs[n].value);
	if (base_reg)
		k->words[n++] = uapi_regcmd_write(base_reg, base);
	k->words[n++] = rk3588_regcmd(RK3588_TARGET_OP_EN, 0x0008, op_en);
	k->words[n] = after; /* regcfg_amount stops before it; the fetch does not */
	memset(k->tasks, 0, sizeof(*k->tasks));
	k->tasks[0].regcmd_addr = rnpu_bo_dma_addr(k->regcmd);
	k->tasks[0].regcfg_amount = n;
	k->tasks[0].int_mask = RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1;
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 2000;
	s.task_number = 1;
	s.task_obj_addr = rnpu_bo_obj_addr(k->task);
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	for (unsigned int i = 0; i < 3; i++)
		s.subcore_task[i].task_number = 1;
	return rnpu_ioctl(k->dev, DRM_IOCTL_RKNPU_SUBMIT, &s);
}

static int crafted_submit(struct crafted *k, const struct reg_write *regs, uint32_t base_reg,
			  uint32_t base, uint32_t op_en)
{
	return crafted_submit_tail(k, regs, base_reg, base, op_en, 0);
}

static void validator_extent_per_engine(void **state)
{
	struct crafted k;
	size_t n;
	const struct extent_case *c = extent_cases(&n);

	(void)state;
	crafted_open(&k);
	for (size_t i = 0; i < n; i++) {
		uint64_t base = rnpu_bo_dma_addr(k.data) + (uint64_t)c[i].base_off;
		char line[128];

		print_message("# %s\n", c[i].name);
		snprintf(line, sizeof(line), "of %u bytes at 0x%llx", c[i].len,
			 (unsigned long long)(base + (uint64_t)c[i].start_off));
		log_capture_start();
		assert_int_equal(crafted_submit(&k, c[i].regs, c[i].base_reg, (uint32_t)base,
						c[i].op_en),
				 -EINVAL);
		assert_true(log_has(rk3588_reg_name(c[i].base_reg), line));
		assert_true(log_has("regcmd validator", "leaves the session's buffer"));
		log_capture_stop();
	}
	crafted_close(&k);
}

static void validator_extent_needs_sizes(void **state)
{
	struct crafted k;
	size_t n;
	const struct extent_case *c = extent_cases(&n);
	struct reg_write regs[24];
	size_t i = 3; /* dpu-write */

	(void)state;
	crafted_open(&k);
	assert_string_equal(c[i].name, "dpu-write");
	/* Without DATA_CUBE_WIDTH the register keeps what an earlier job left:
	 * the extent cannot be bounded, so the task is refused. */
	memcpy(regs, c[i].regs, sizeof(regs));
	for (size_t r = 0; regs[r].reg; r++)
		if (regs[r].reg == REG_DPU_DATA_CUBE_WIDTH)
			regs[r].reg = REG_DPU_DATA_CUBE_HEIGHT;
	log_capture_start();
	assert_int_equal(crafted_submit(&k, regs, REG_DPU_DST_BASE_ADDR,
					(uint32_t)rnpu_bo_dma_addr(k.data), RK3588_OP_EN_DPU),
			 -EINVAL);
	assert_true(log_has("DPU.DST_BASE_ADDR is used but DPU.DATA_CUBE_WIDTH is not written", NULL));
	/* Nor may an enabled engine's base register be left unwritten. */
	assert_int_equal(crafted_submit(&k, c[i].regs, 0, 0, RK3588_OP_EN_DPU), -EINVAL);
	assert_true(log_has("DPU.DST_BASE_ADDR is used but DPU.DST_BASE_ADDR is not written",
			    NULL));
	log_capture_stop();
	crafted_close(&k);
}

static void validator_pc_word_after_op_enable(void **state)
{
	struct crafted k;
	size_t n;
	const struct extent_case *c = extent_cases(&n);
	uint32_t link = 0;

	(void)state;
	crafted_open(&k);
	assert_string_equal(c[3].name, "dpu-write");
	/* A link after the op-enable word is fetched but not decoded: a PC
	 * that read on would follow a chain nobody checked. */
	assert_true(rk3588_set_PC_BASE_ADDRESS_PC_SOURCE_ADDR(
		&link, (uint32_t)(rnpu_bo_dma_addr(k.regcmd) >> PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT)));
	log_capture_start();
	assert_int_equal(crafted_submit_tail(&k, c[3].regs, REG_DPU_DST_BASE_ADDR,
					     (uint32_t)rnpu_bo_dma_addr(k.data), RK3588_OP_EN_DPU,
					     rk3588_regcmd(RK3588_TARGET_PC, REG_PC_BASE_ADDRESS, link)),
			 -EINVAL);
	assert_true(log_has("regcmd validator", "PC word after the op-enable word"));
	log_capture_stop();
	crafted_close(&k);
}

static void validator_chain_needs_links(void **state)
{
	struct crafted k;
	struct rknpu_submit s;

	(void)state;
	crafted_open(&k);
	/* Two tasks, but the first program has no PC.BASE_ADDRESS word: the
	 * PC would fetch the same words again for the second. */
	k.words[0] = uapi_regcmd_write(REG_DPU_FEATURE_MODE_CFG, 0); /* no output to memory */
	k.words[1] = uapi_regcmd_write(REG_DPU_DST_BASE_ADDR, 0);
	k.words[2] = rk3588_regcmd(RK3588_TARGET_OP_EN, 0x0008, RK3588_OP_EN_DPU);
	memset(k.tasks, 0, 2 * sizeof(*k.tasks));
	for (unsigned int t = 0; t < 2; t++) {
		k.tasks[t].regcmd_addr = rnpu_bo_dma_addr(k.regcmd);
		k.tasks[t].regcfg_amount = 3;
		k.tasks[t].int_mask = RK3588_INT_DPU_GRP0 | RK3588_INT_DPU_GRP1;
	}
	memset(&s, 0, sizeof(s));
	s.flags = RKNPU_JOB_PC;
	s.timeout = 2000;
	s.task_number = 2;
	s.task_obj_addr = rnpu_bo_obj_addr(k.task);
	s.core_mask = RKNPU_CORE0_MASK;
	s.fence_fd = -1;
	for (unsigned int i = 0; i < 3; i++)
		s.subcore_task[i].task_number = 2;
	log_capture_start();
	assert_int_equal(rnpu_ioctl(k.dev, DRM_IOCTL_RKNPU_SUBMIT, &s), -EINVAL);
	assert_true(log_has("regcmd validator", "no PC.BASE_ADDRESS word links the next task"));
	log_capture_stop();
	crafted_close(&k);
}

static void validator_long_chain(void **state)
{
	enum { LM = 256, LK = 64, LN = 32 };
	static int8_t a[LM * LK], b[LK * LN];
	static int32_t c[LM * LN];
	struct rnpu_matmul_job *job;
	struct rnpu_dev *dev;

	(void)state;
	/* 32 tasks of 8 rows: more links and more program bytes than the
	 * validator's first buffers hold, so both grow while copying. */
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (int8_t)((int)(i * 13) % 247 - 123);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (int8_t)((int)(i * 17 + 5) % 233 - 116);
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	assert_int_equal(rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, LM, LK, LN, 8, &job), 0);
	assert_true(job->num_tasks >= 32);
	assert_true(rnpu_bo_size(job->regcmd) > 4096);
	assert_int_equal(rnpu_matmul_job_set_inputs(job, a, b), 0);
	for (unsigned int round = 0; round < 2; round++) {
		assert_int_equal(rnpu_matmul_job_run(job, RKNPU_CORE0_MASK, NULL), 0);
		if (uapi_on_kernel())
			continue; /* the product needs a computing NPU */
		assert_int_equal(rnpu_matmul_job_get_output(job, c), 0);
		for (uint32_t r = 0; r < LM; r++)
			for (uint32_t col = 0; col < LN; col++) {
				int32_t ref = 0;

				for (uint32_t l = 0; l < LK; l++)
					ref += a[r * LK + l] * b[l * LN + col];
				assert_int_equal(c[r * LN + col], ref);
			}
	}
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
}

static void validator_copy_bounded(void **state)
{
	struct rnpu_dev *dev;

	(void)state;
	assert_int_equal(rnpu_open(uapi_device(), &dev), 0);
	uapi_submit_past_copy_limit(dev);
	rnpu_close(dev);
}


/* ------------------------------------------------------------ null bases */

/* Registers the matmul program writes with 0 and no configuration of it
 * reads (EW bypassed, LUT unused): replaced by the words a case adds. */
static const uint32_t inert_regs[] = {
	REG_DPU_EW_OP_VALUE_0, REG_DPU_EW_OP_VALUE_1, REG_DPU_EW_OP_VALUE_2,
	REG_DPU_EW_OP_VALUE_3, REG_DPU_EW_OP_VALUE_4, REG_DPU_EW_OP_VALUE_5,
	REG_DPU_EW_OP_VALUE_6, REG_DPU_EW_OP_VALUE_7, REG_DPU_LUT_LE_START,
	REG_DPU_LUT_LE_END,    REG_DPU_LUT_LO_START,  REG_DPU_LUT_LO_END,
};

static bool is_inert(uint32_t reg)
{
	for (size_t i = 0; i < sizeof(inert_regs) / sizeof(inert_regs[0]); i++)
		if (inert_regs[i] == reg)
			return true;
	return false;
}

/* Index of the first task's op-enable word. */
static size_t first_op_en(const struct fixture *f)
{
	for (size_t i = 0; i < f->nwords; i++)
		if (rk3588_regcmd_target(f->words[i]) == RK3588_TARGET_OP_EN)
			return i;
	fail();
	return 0;
}

/* Makes the first task write @value to @reg: its own word, else an inert
 * one. */
static void first_task_writes(struct fixture *f, uint32_t reg, uint32_t value)
{
	size_t end = first_op_en(f);

	for (size_t i = 0; i < end; i++)
		if (rk3588_regcmd_offset(f->words[i]) == reg &&
		    rk3588_regcmd_target(f->words[i]) != RK3588_TARGET_OP_EN) {
			f->words[i] = uapi_regcmd_write(reg, value);
			return;
		}
	for (size_t i = 0; i < end; i++)
		if (is_inert(rk3588_regcmd_offset(f->words[i])) &&
		    rk3588_regcmd_value(f->words[i]) == 0) {
			f->words[i] = uapi_regcmd_write(reg, value);
			return;
		}
	fail_msg("no word left for %s", rk3588_reg_name(reg));
}

/* The value the first task writes to @reg (it must write it). */
static uint32_t first_task_value(const struct fixture *f, uint32_t reg)
{
	size_t end = first_op_en(f);

	for (size_t i = 0; i < end; i++)
		if (rk3588_regcmd_offset(f->words[i]) == reg &&
		    rk3588_regcmd_target(f->words[i]) != RK3588_TARGET_OP_EN)
			return rk3588_regcmd_value(f->words[i]);
	fail_msg("the matmul does not write %s", rk3588_reg_name(reg));
	return 0;
}

static void first_task_enables(struct fixture *f, uint32_t more)
{
	size_t i = first_op_en(f);
	uint64_t w = f->words[i];

	f->words[i] = rk3588_regcmd(RK3588_TARGET_OP_EN, rk3588_regcmd_offset(w),
				    rk3588_regcmd_value(w) | more);
}

static void expect_null_refused(struct fixture *f, uint32_t reg, const char *engine)
{
	char line[160];

	snprintf(line, sizeof(line), "%s = 0, but the %s DMAs", rk3588_reg_name(reg), engine);
	print_message("# refused: %s\n", line);
	log_capture_start();
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), -EINVAL);
	assert_true(log_has("regcmd validator: session", line));
	log_capture_stop();
}

/* The always-DMAing engines of the matmul: a null base is refused. */
static void validator_null_base_enabled_engines(void **state)
{
	struct fixture *f = *state;
	const uint64_t *saved = f->saved;
	const struct {
		uint32_t reg;
		const char *engine;
	} c[] = {
		{ REG_CNA_FEATURE_DATA_ADDR, "CNA feature fetch" },
		{ REG_CNA_DCOMP_ADDR0, "CNA weight fetch" },
		{ REG_DPU_DST_BASE_ADDR, "DPU output write" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		first_task_writes(f, c[i].reg, 0);
		expect_null_refused(f, c[i].reg, c[i].engine);
		memcpy(f->words, saved, f->nwords * 8);
	}
	/* PPU and PPU_RDMA have no bypass: enabled, they DMA. */
	first_task_writes(f, REG_PPU_DST_BASE_ADDR, 0);
	first_task_enables(f, RK3588_OP_EN_PPU);
	expect_null_refused(f, REG_PPU_DST_BASE_ADDR, "PPU output write");
	memcpy(f->words, saved, f->nwords * 8);
	first_task_writes(f, REG_PPU_RDMA_RDMA_SRC_BASE_ADDR, 0);
	first_task_enables(f, RK3588_OP_EN_PPU_RDMA);
	expect_null_refused(f, REG_PPU_RDMA_RDMA_SRC_BASE_ADDR, "PPU_RDMA input read");
	memcpy(f->words, saved, f->nwords * 8);
	/* Not enabled, the same null bases are fine. */
	first_task_writes(f, REG_PPU_DST_BASE_ADDR, 0);
	first_task_writes(f, REG_PPU_RDMA_RDMA_SRC_BASE_ADDR, 0);
	run_and_check(f);
	memcpy(f->words, saved, f->nwords * 8);
}

/* The DPU output with OUTPUT_MODE bit 1 clear goes nowhere in memory: a
 * null base is accepted and C is left as it was. */
static void validator_null_base_dpu_no_memory_output(void **state)
{
	struct fixture *f = *state;
	uint32_t fm = first_task_value(f, REG_DPU_FEATURE_MODE_CFG);
	uint8_t *cmap;
	size_t csize = rnpu_bo_size(f->job->c);

	assert_int_equal(rk3588_get_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(fm), 2);
	assert_int_equal(rnpu_bo_map(f->job->c, (void **)&cmap), 0);
	assert_true(rk3588_set_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(&fm, 0));
	first_task_writes(f, REG_DPU_FEATURE_MODE_CFG, fm);
	first_task_writes(f, REG_DPU_DST_BASE_ADDR, 0);
	/* Only the first task: the second (the other 8 rows) stays intact
	 * and writes its rows. */
	memset(cmap, 0x5a, csize);
	assert_int_equal(rnpu_matmul_job_run(f->job, RKNPU_CORE0_MASK, NULL), 0);
	if (!uapi_on_kernel()) { /* the rows need a computing NPU */
		int32_t c[MM_M * MM_N];

		assert_int_equal(rnpu_matmul_job_get_output(f->job, c), 0);
		for (uint32_t r = 0; r < MM_M; r++)
			for (uint32_t col = 0; col < MM_N; col++) {
				int32_t ref = 0;

				for (uint32_t l = 0; l < MM_K; l++)
					ref += f->a[r * MM_K + l] * f->b[l * MM_N + col];
				if (r < 8)
					assert_int_equal(c[r * MM_N + col], 0x5a5a5a5a);
				else
					assert_int_equal(c[r * MM_N + col], ref);
			}
	}
}

/* One DPU_RDMA reader: its base register, the bit of its config register
 * that disables it, and the DPU stage (register and bypass bit) that reads
 * what it fetches (none for MRDMA). */
struct rdma_reader {
	const char *engine;
	uint32_t base_reg, cfg_reg, disable_bit, stage_reg, bypass_bit;
};

static const struct rdma_reader rdma_readers[] = {
	{ "DPU_RDMA main input read (MRDMA)", REG_DPU_RDMA_RDMA_SRC_BASE_ADDR,
	  REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG, DPU_RDMA_RDMA_FEATURE_MODE_CFG_MRDMA_DISABLE__MASK,
	  0, 0 },
	{ "DPU_RDMA EW operand read (ERDMA)", REG_DPU_RDMA_RDMA_EW_BASE_ADDR,
	  REG_DPU_RDMA_RDMA_ERDMA_CFG, DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DISABLE__MASK,
	  REG_DPU_EW_CFG, DPU_EW_CFG_EW_BYPASS__MASK },
	{ "DPU_RDMA BS operand read (BRDMA)", REG_DPU_RDMA_RDMA_BS_BASE_ADDR,
	  REG_DPU_RDMA_RDMA_BRDMA_CFG, DPU_RDMA_RDMA_BRDMA_CFG_BRDMA_DISABLE__MASK,
	  REG_DPU_BS_CFG, DPU_BS_CFG_BS_BYPASS__MASK },
	{ "DPU_RDMA BN operand read (NRDMA)", REG_DPU_RDMA_RDMA_BN_BASE_ADDR,
	  REG_DPU_RDMA_RDMA_NRDMA_CFG, DPU_RDMA_RDMA_NRDMA_CFG_NRDMA_DISABLE__MASK,
	  REG_DPU_BN_CFG, DPU_BN_CFG_BN_BYPASS__MASK },
};

#define NREADERS (sizeof(rdma_readers) / sizeof(rdma_readers[0]))

/* The matmul's first task with DPU_RDMA enabled, every reader's base 0
 * and every reader disabled except @live (NREADERS: none). The matmul
 * bypasses BS, BN and EW. */
static void rdma_program(struct fixture *f, size_t live)
{
	for (size_t i = 0; i < NREADERS; i++) {
		first_task_writes(f, rdma_readers[i].base_reg, 0);
		first_task_writes(f, rdma_readers[i].cfg_reg,
				  i == live ? 0 : rdma_readers[i].disable_bit);
	}
	first_task_enables(f, RK3588_OP_EN_DPU_RDMA);
}

static void validator_null_base_dpu_rdma(void **state)
{
	struct fixture *f = *state;
	const uint64_t *saved = f->saved;

	/* All readers disabled: accepted, and the product is right. */
	rdma_program(f, NREADERS);
	run_and_check(f);
	memcpy(f->words, saved, f->nwords * 8);
	for (size_t i = 0; i < NREADERS; i++) {
		const struct rdma_reader *r = &rdma_readers[i];

		print_message("# %s\n", r->engine);
		rdma_program(f, i);
		if (!r->stage_reg) {
			/* MRDMA: nothing but its disable bit stops it. */
			expect_null_refused(f, r->base_reg, r->engine);
		} else {
			uint32_t stage = first_task_value(f, r->stage_reg);

			/* Reader on, its stage bypassed (as the matmul has
			 * it): nothing is read; accepted and computed. */
			assert_true(stage & r->bypass_bit);
			run_and_check(f);
			/* The stage in use: the reader DMAs at 0. */
			first_task_writes(f, r->stage_reg, stage & ~r->bypass_bit);
			expect_null_refused(f, r->base_reg, r->engine);
		}
		memcpy(f->words, saved, f->nwords * 8);
	}
	/* Nothing was left behind. */
	run_and_check(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(validator_every_address_register, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_accepts_own_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_index_follows_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_dma_base_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_fetch_past_end, setup, teardown),
		cmocka_unit_test(validator_extent_per_engine),
		cmocka_unit_test(validator_extent_needs_sizes),
		cmocka_unit_test(validator_pc_word_after_op_enable),
		cmocka_unit_test(validator_chain_needs_links),
		cmocka_unit_test(validator_long_chain),
		cmocka_unit_test(validator_copy_bounded),
		cmocka_unit_test_setup_teardown(validator_null_base_enabled_engines, setup, teardown),
		cmocka_unit_test_setup_teardown(validator_null_base_dpu_no_memory_output, setup,
						teardown),
		cmocka_unit_test_setup_teardown(validator_null_base_dpu_rdma, setup, teardown),
	};

	unsetenv("RNPU_IOMMU");
	return cmocka_run_group_tests_name("validator", tests, NULL, NULL);
}
