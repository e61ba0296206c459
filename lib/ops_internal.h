/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* What every operation of ops.h shares: its buffers, its task list, and
 * how its inputs and output move between NHWC and native layout. */
#ifndef RNPU_OPS_INTERNAL_H
#define RNPU_OPS_INTERNAL_H

#include "rnpu/ops.h"
#include "rnpu/regcmd.h"

#define OPS_ATOM_BYTES 16u
#define OPS_MAX_INPUTS 2u

enum ops_kind {
	OPS_CONV2D,
	OPS_ELTWISE,
	OPS_POOL,
};

struct rnpu_op {
	struct rnpu_dev *dev;
	enum ops_kind kind;
	const char *name;               /* for messages */
	enum rnpu_dtype in_dt, out_dt;
	uint32_t in_h, in_w, in_c;      /* eltwise: count, 1, 1 */
	uint32_t out_h, out_w, out_c;
	unsigned int num_inputs;
	struct rnpu_bo *in[OPS_MAX_INPUTS], *out, *consts, *regcmd, *task;
	void *in_map[OPS_MAX_INPUTS], *out_map, *consts_map;
	uint32_t num_tasks;
	uint32_t tasks_per_unit;        /* a core split keeps runs of this many together (0: 1) */
	struct rnpu_bo *scratch[2];     /* the op's own device-only buffers (partial sums) */
	uint64_t macs;                  /* work estimate for the core choice */
	size_t in_bytes[OPS_MAX_INPUTS], out_bytes; /* native sizes the program reads/writes */
	bool borrowed[OPS_MAX_INPUTS + 1]; /* caller's BO bound (inputs, then output) */
	void *plan;                     /* the op's geometry, for rebuilding */
	int *fences;                    /* dups of the fences of async runs not yet seen done */
	struct ops_deferred *deferred;  /* runs waiting for an input fence (ops_async.c) */
	size_t nfences, fences_cap;
	/* Builds the program for the buffers now in in[]/out/consts. */
	int (*build)(struct rnpu_op *op, struct rnpu_regcmd_prog *prog, uint64_t regcmd_dma,
		     char *err, size_t len);
};

/* Allocates a data buffer object (cacheable; non-contiguous where an IOMMU
 * can honour it) and maps it when @map is not NULL. */
int ops_bo_alloc(struct rnpu_op *op, size_t size, struct rnpu_bo **bo, void **map);
/* Allocates the regcmd buffer for @prog_words words (the program must then
 * be built for its address). */
int ops_alloc_regcmd(struct rnpu_op *op, size_t prog_words);
/* Copies the linked program into the regcmd buffer and writes the task
 * list. */
int ops_install_program(struct rnpu_op *op, const struct rnpu_regcmd_prog *prog);
/* Keeps a copy of @plan (@size bytes) and @build (which reads the op's
 * buffer addresses and the kept plan), then builds the program for the
 * regcmd buffer and installs it: the one path for creation and for
 * rnpu_op_bind_*. On failure @err holds the builder's message. */
int ops_program(struct rnpu_op *op, const void *plan, size_t size,
		int (*build)(struct rnpu_op *, struct rnpu_regcmd_prog *, uint64_t, char *, size_t),
		char *err, size_t len);
/* The submit request of a run on @core_mask (RNPU_OPS_CORES_WHERE_IT_PAYS
 * resolved, tasks split in whole units between cores). */
int ops_fill_req(struct rnpu_op *op, uint32_t core_mask, struct rnpu_submit_req *r);
/* Keeps a duplicate of fence @fd for rnpu_op_destroy to wait on. */
int ops_track_fence(struct rnpu_op *op, int fd);
/* Joins the threads of deferred runs (rnpu_op_run_after), each bounded. */
void ops_deferred_join(struct rnpu_op *op);
/* Writes the message of a refusal into @err and returns @ret. */
int ops_refuse(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Records @ret for rnpu_last_error() as "<op name>: <msg>". */
int ops_fail(struct rnpu_op *op, int ret, const char *msg);

/*
 * The DPU of an op without CNA/CORE (flying mode: the input comes through
 * DPU_RDMA): ping-pong pointers, the output cube (@width x @rows, @c2
 * channels per atom, precision code @prec throughout) written to @out_dma
 * with surface stride @plane, BS and BN bypassed. The caller emits EW,
 * OUT_CVT and DPU_RDMA.
 */
void ops_emit_dpu_flying_head(struct rnpu_regcmd_prog *p, uint64_t out_dma, uint64_t plane,
			      uint32_t width, uint32_t rows, uint32_t c2, uint32_t prec);

/*
 * The program of an op that runs in bands of @band rows out of @total:
 * @emit(@p, @plan, first row, rows) writes one band's task; then the
 * tasks are linked for @regcmd_dma. On failure the message is in @err
 * and @p is freed.
 */
int ops_build_bands(struct rnpu_regcmd_prog *p, uint32_t total, uint32_t band,
		    void (*emit)(struct rnpu_regcmd_prog *p, const void *plan, uint32_t first,
				 uint32_t rows),
		    const void *plan, uint64_t regcmd_dma, char *err, size_t len);

/* DPU_RDMA of the same op: the input cube (@width x @rows, @c2 channels
 * per atom) read from @src_dma, no BS/BN operands. The caller then sets
 * ERDMA (an EW operand or none). */
void ops_emit_rdma_flying_input(struct rnpu_regcmd_prog *p, uint64_t src_dma, uint32_t width,
				uint32_t rows, uint32_t c2);
/* DPU_RDMA's feature mode (flying, precision code @prec, fp16 widened to
 * fp32 on read if @fp16_to_fp32) and unit weights. */
void ops_emit_rdma_flying_mode(struct rnpu_regcmd_prog *p, uint32_t prec, bool fp16_to_fp32);

uint32_t ops_div_up(uint64_t a, uint32_t b);
uint32_t ops_min(uint32_t a, uint32_t b);

/* Register-building shorthands over the generated packers (regcmd.h). */
#define SET(BLK, R, F, val) RNPU_REGCMD_FIELD(p, &v, BLK, R, F, (val))
#define SET_S(BLK, R, F, val) RNPU_REGCMD_FIELD_S(p, &v, BLK, R, F, (val))
#define SET_ADDR(BLK, R, F, addr) RNPU_REGCMD_FIELD_ADDR(p, &v, BLK, R, F, (addr))
#define PUT(BLK, R)                                                                      \
	do {                                                                             \
		rnpu_regcmd_emit(p, RK3588_TARGET_##BLK, REG_##BLK##_##R, v);            \
		v = 0;                                                                   \
	} while (0)
#define ZERO(BLK, R) rnpu_regcmd_emit(p, RK3588_TARGET_##BLK, REG_##BLK##_##R, 0)

#endif
