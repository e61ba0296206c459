/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Private state of the software NPU, shared by its translation units.
 */
#ifndef RNPU_SIM_INTERNAL_H
#define RNPU_SIM_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_assumptions.h"

#define SIM_WORDS (RK3588_SIM_WINDOW_SIZE / 4u)
#define SIM_NUM_BLOCKS RK3588_BLOCK_COUNT
#define SIM_DEFAULT_CLOCK_HZ 1000000000ull
#define SIM_ERRMSG_LEN 256

struct sim_task;

/* ---- register file (sim_regfile.c) ------------------------------------- */

/* The DPU's two lookup tables and their access port (sim_dpu_lut.c); one
 * RAM per core, not banked. */
struct sim_lut_ram {
	int16_t table[2][SIM_ASSUME_LUT_ENTRIES]; /* [0] LE, [1] LO */
	unsigned int id;       /* table the port points at */
	uint32_t addr;         /* next entry the port reads or writes */
	bool writing;          /* LUT_ACCESS_TYPE of the last CFG write */
	bool bad;              /* a malformed access was dropped ... */
	uint32_t bad_reg;      /* ... at this register offset */
	uint32_t bad_value;    /* ... with this value */
	uint32_t bad_addr;     /* ... at this entry (DATA writes) */
};

/* Register writes to the access port (LUT_ACCESS_CFG / LUT_ACCESS_DATA). */
void sim_lut_port_write(struct sim_lut_ram *l, uint32_t offset, uint32_t value);
/* LUT_ACCESS_DATA as a bus read sees it: the entry, then the next. */
uint32_t sim_lut_port_read(struct sim_lut_ram *l);

struct sim_regfile {
	struct sim_lut_ram lut;
	/* Group 0 also holds every register that is not banked. */
	uint32_t word[2][SIM_WORDS];
	uint8_t written[2][SIM_WORDS / 8];
	uint8_t pointer[SIM_NUM_BLOCKS];
	uint8_t executer[SIM_NUM_BLOCKS];
	int8_t running[SIM_NUM_BLOCKS]; /* group executing, -1 when idle */
};

void sim_regfile_reset(struct sim_regfile *rf);
/* Register write as seen by a block: banked registers go to the group the
 * block's pointer selects; S_POINTER updates the pointer. */
void sim_regfile_write(struct sim_regfile *rf, uint32_t offset, uint32_t value);
/* A register write through MMIO: sim_regfile_write(), except that
 * read-only registers ignore it. */
void sim_regfile_mmio_write(struct sim_regfile *rf, uint32_t offset, uint32_t value);
/* What a write to the word at @offset does: SIM_WORD_* flags, and in
 * SIM_WORD_BLOCK_MASK the compute block it belongs to (SIM_WORD_NO_BLOCK
 * for offsets of no compute block). */
#define SIM_WORD_BLOCK_MASK 0x1fu
#define SIM_WORD_NO_BLOCK SIM_WORD_BLOCK_MASK
#define SIM_WORD_BANKED 0x20u      /* one copy per ping-pong group */
#define SIM_WORD_SIDE_EFFECT 0x40u /* S_STATUS, S_POINTER, the LUT port */
#define SIM_WORD_READ_ONLY 0x80u   /* MMIO writes are ignored */
_Static_assert(SIM_NUM_BLOCKS < SIM_WORD_NO_BLOCK, "block index must fit the kind");
uint8_t sim_regfile_word_kind(uint32_t offset);
/* Readback of a stored register (no PC side effects). */
uint32_t sim_regfile_read(const struct sim_regfile *rf, uint32_t offset);
/* Group a banked offset currently resolves to; 0 for unbanked offsets. */
unsigned int sim_regfile_group(const struct sim_regfile *rf, uint32_t offset);
bool sim_regfile_is_banked(uint32_t offset);
/* End of @blk's last defined register: tasks read nothing beyond it. */
uint32_t sim_regfile_extent(enum rk3588_block blk);
/* Op-enable for @blk: returns the group it executes and flips the pointer
 * when the block's S_POINTER asks for it. */
unsigned int sim_regfile_execute(struct sim_regfile *rf, enum rk3588_block blk);
uint32_t sim_regfile_s_status(const struct sim_regfile *rf, enum rk3588_block blk);
uint32_t sim_regfile_s_pointer(const struct sim_regfile *rf, enum rk3588_block blk);

/* TASK_STATUS bits above the counter while idle (the table's reset value,
 * observed on hardware). */
uint32_t sim_task_status_idle_flags(void);

/* ---- device ------------------------------------------------------------- */

struct sim_job {
	uint64_t addr;
	uint32_t amount;
	uint32_t task_number;
	uint64_t dma_base;
};

/* ---- IOMMU (sim_iommu.c) ------------------------------------------------ */

#define SIM_MMU_MAX_PER_CORE 2
#define RK_IOMMU_WINDOW_SIZE 0x100u
/* COMMAND register codes (Linux rockchip-iommu.c). */
#define SIM_MMU_CMD_ENABLE_PAGING 0u
#define SIM_MMU_CMD_DISABLE_PAGING 1u
#define SIM_MMU_CMD_ENABLE_STALL 2u
#define SIM_MMU_CMD_DISABLE_STALL 3u
#define SIM_MMU_CMD_ZAP_CACHE 4u
#define SIM_MMU_CMD_PAGE_FAULT_DONE 5u
#define SIM_MMU_CMD_FORCE_RESET 6u

struct sim_mmu {
	pthread_mutex_t lock;   /* protects every field below */
	uint32_t dte_addr;
	uint32_t fault_addr;
	uint32_t rawstat;
	uint32_t mask;
	uint32_t auto_gating;
	bool paging;
	bool stall;
	bool fault_active;
	bool fault_write;
	/* Mirrors paging for the DMA path, which checks it without the lock
	 * (contiguous mode pays one load per access). */
	atomic_bool paging_on;
	/* Mirrors (rawstat & mask) != 0 for the interrupt line's level, which
	 * is read under the core's lock on every interrupt register write. */
	atomic_bool irq_on;
};

struct sim_core;
void sim_iommu_init(struct sim_core *c);
void sim_iommu_fini(struct sim_core *c);
/* Reset lines: every instance of the core back to its reset state. */
void sim_iommu_reset(struct sim_core *c);
/* Whether @offset of the core's window is an IOMMU register. */
bool sim_iommu_owns(struct sim_core *c, uint32_t offset);
uint32_t sim_iommu_mmio_read(struct sim_core *c, uint32_t offset);
/* True when the write may have moved the interrupt line. */
bool sim_iommu_mmio_write(struct sim_core *c, uint32_t offset, uint32_t value);
/* An unmasked IOMMU interrupt is pending (it shares the core's line). */
bool sim_iommu_irq_pending(struct sim_core *c);
/* DMA of the core, translated when paging is on. 0, or -EFAULT; a failed
 * translation is latched as the IOMMU's fault (for reads: with @report;
 * a peek that must leave no trace passes false). */
int sim_iommu_read(struct sim_core *c, uint64_t addr, void *dst, size_t len, bool report);
/* Host pointer to the @len bytes at device address @addr when the bus maps
 * them in place and, through the IOMMU, every page translates to the next
 * physical page; NULL otherwise (nothing reported). */
const void *sim_iommu_map(struct sim_core *c, uint64_t addr, size_t len);
void sim_iommu_unmap(struct sim_core *c, const void *ptr, size_t len);
int sim_iommu_write(struct sim_core *c, uint64_t addr, const void *src, size_t len);

#define SIM_KEPT_SLOTS 3u /* see sim_task_alloc_kept */

struct sim_core {
	struct rk3588_sim *sim;
	unsigned int index;

	pthread_mutex_t lock;
	pthread_cond_t cond;      /* the worker's: has_job, stop, abort changed */
	pthread_cond_t idle_cond; /* busy, completing changed: for the waiters
				   * on a list's end, so finishing a list does
				   * not wake the idle worker */
	pthread_t thread;
	bool thread_started;

	/* Everything below is protected by @lock unless noted. */
	struct sim_regfile rf;
	uint32_t raw;
	uint32_t task_counter;
	uint32_t task_flags;
	bool busy;          /* a task list is executing */
	bool has_job;       /* a start is queued */
	bool completing;    /* the worker is delivering the end-of-list IRQ */
	bool sync_running;  /* a caller is draining jobs (synchronous mode) */
	bool stop;
	bool in_reset;
	bool powered_off;   /* power domain off (sim_power.c) */
	struct sim_job job;
	uint32_t relay;     /* cores whose workers this worker wakes before
			     * taking its own list: the rest of a ganged
			     * start (sim_wake.c) */
	bool irq_delivering;
	bool irq_level;     /* level last handed to bus->irq */
	bool irq_fell;      /* the line went low during a callback */
	bool irq_forced;    /* BAD_STATUS: line high until INTERRUPT_CLEAR */
	enum rk3588_sim_fault fault; /* armed fault (sim_fault.c) */
	unsigned int fault_count;
	unsigned int fault_slow_ms;
	struct rk3588_sim_core_stats stats;
	char last_error[SIM_ERRMSG_LEN];

	/* Read without the lock by the compute loops. */
	atomic_bool abort;

	/* IOMMU instances; each has its own lock, taken after @lock. */
	struct sim_mmu mmu[SIM_MMU_MAX_PER_CORE];
	unsigned int num_mmu;
	uint32_t mmu_first; /* lowest offset of any instance; set at creation */

	/* Owned by whoever runs the task list. */
	uint8_t *fetch_buf;
	size_t fetch_cap;
	/* A task's large buffers kept for the next task, newest last. */
	void *kept[SIM_KEPT_SLOTS];
	size_t kept_bytes[SIM_KEPT_SLOTS];
	struct sim_task *task;
	pthread_t completing_thread;
};

/* Whether @offset may be an IOMMU register (sim_iommu_owns()), answered
 * inline for the offsets below every instance. */
static inline bool sim_iommu_may_own(const struct sim_core *c, uint32_t offset)
{
	return offset >= c->mmu_first;
}

/* sim_fault.c: the armed fault for the list starting now (consumed). */
enum rk3588_sim_fault sim_fault_take_locked(struct sim_core *c);

/* sim_inline.c: whether @job may run in the thread that started it. */
bool sim_start_runs_inline(struct sim_core *c, const struct sim_job *job);

/* sim_wake.c: @c's worker must take a start queued on it; wakes it now,
 * or with the other starts of the starter's atomic section. No lock held. */
void sim_wake_started(struct sim_core *c);
/* sim_wake.c: a worker passes a ganged start on to the cores of @mask.
 * No lock held. */
void sim_wake_relay(struct rk3588_sim *sim, uint32_t mask);
/* sim_wake.c: called by each worker as it starts. */
void sim_wake_worker_policy(void);

/* sim_cpus.c: RNPU_SIM_CPUS, read when the model is created, and given to
 * the worker of core @core when it is started (unpinned when unset).
 * pthread_create's result. */
#define SIM_MAX_HOST_CPUS 64
void sim_cpus_from_env(struct rk3588_sim *sim);
int sim_cpus_start_thread(const struct rk3588_sim *sim, unsigned int core, pthread_t *thread,
			  void *(*fn)(void *), void *arg);

struct rk3588_sim {
	struct rk3588_sim_bus bus;
	unsigned int num_cores;
	bool threaded;
	bool trace;
	_Atomic uint64_t clock_hz;
	_Atomic uint64_t alloc_limit;
	atomic_bool plain;      /* RK3588_SIM_DATAPATH_PLAIN */
	_Atomic unsigned int mac_threads; /* 0: mac_threads_env */
	unsigned int mac_threads_env;     /* RNPU_SIM_MAC_THREADS at create, else 1 */
	uint64_t worker_cpus;             /* RNPU_SIM_CPUS at create; 0 = unpinned */
	/* Cores with a start whose worker nobody has woken yet (sim_wake.c). */
	_Atomic uint32_t wake_pending;
	struct sim_core core[RK3588_SIM_MAX_CORES];
	/* Thermal model (sim_thermal.c); protects the fields below. */
	pthread_mutex_t thermal_lock;
	_Atomic int volt_uv;
	uint64_t thermal_last_ns;
	uint64_t thermal_last_cycles[RK3588_SIM_MAX_CORES];
	double thermal_mc;
};

/* sim_power.c: counts an access to a powered-off core; true if so.
 * Caller holds the core's lock. */
bool sim_power_blocked_locked(struct sim_core *c);
void sim_thermal_init(struct rk3588_sim *sim);

/* Brings the IRQ line in line with RAW & MASK; never called with the lock. */
void sim_irq_sync(struct sim_core *c);

/* ---- trace (sim_trace.c) ------------------------------------------------ */

void sim_trace(const struct sim_core *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sim_trace_reg(const struct sim_core *c, uint32_t offset, uint32_t value);

/* ---- confirmed hardware constants ----------------------------------- */

/* Precision encodings: CNA/CORE enum and DPU enum. */
#define SIM_CNA_PREC_INT8 0u
#define SIM_CNA_PREC_INT16 1u
#define SIM_CNA_PREC_FP16 2u
#define SIM_CNA_PREC_INT4 6u
/* CONV_MODE of CNA, DPU and DPU_RDMA: 0 direct, 3 depthwise. */
#define SIM_CONV_MODE_DIRECT 0u
#define SIM_CONV_MODE_DEPTHWISE 3u
#define SIM_DPU_PREC_INT8 0u
#define SIM_DPU_PREC_INT16 1u
#define SIM_DPU_PREC_FP16 2u
#define SIM_DPU_PREC_INT32 4u
#define SIM_DPU_PREC_FP32 5u
#define SIM_DPU_PREC_INT4 6u

#define SIM_ATOM_BYTES 16u
#define SIM_CBUF_BANKS 12u
#define SIM_CBUF_BANK_BYTES (32u * 1024u)

/* Weight tiling: kernels per group and channels per block. */
#define SIM_KG_INT8 32u
#define SIM_KG_16BIT 16u /* int16, fp16 */
#define SIM_KG_FP16 SIM_KG_16BIT
#define SIM_KG_INT4 64u
#define SIM_CB 32u

/* Peak MACs per cycle per core. */
#define SIM_MACS_PER_CYCLE_INT8 1024u
#define SIM_MACS_PER_CYCLE_INT16 512u
#define SIM_MACS_PER_CYCLE_FP16 512u
#define SIM_MACS_PER_CYCLE_INT4 2048u

/* ALU algorithms (BS/BN/EW share the encoding; BS/BN use add/minus). */
#define SIM_ALU_MAX 0u
#define SIM_ALU_MIN 1u
#define SIM_ALU_ADD 2u
#define SIM_ALU_DIV 3u
#define SIM_ALU_MINUS 4u
#define SIM_ALU_ABS 5u
#define SIM_ALU_NEG 6u
#define SIM_ALU_FLOOR 7u
#define SIM_ALU_CEIL 8u

/* BRDMA/NRDMA DATA_USE bits (field value, not register bits). */
#define SIM_USE_ALU 1u
#define SIM_USE_CPEND 2u
#define SIM_USE_MUL 4u
#define SIM_USE_TRT 8u

/* PPU pooling methods. */
#define SIM_POOL_AVG 0u
#define SIM_POOL_MAX 1u
#define SIM_POOL_MIN 2u

/* ---- one task ----------------------------------------------------------- */

enum sim_prec {
	SIM_PREC_INT8,
	SIM_PREC_INT16,
	SIM_PREC_FP16,
	SIM_PREC_INT4,
};

/* Kernels per weight group of a direct convolution. */
static inline unsigned int sim_kernel_group(enum sim_prec p)
{
	return p == SIM_PREC_INT8 ? SIM_KG_INT8 : p == SIM_PREC_INT4 ? SIM_KG_INT4 : SIM_KG_16BIT;
}

struct sim_task {
	struct sim_core *core;
	uint32_t op_en;
	uint64_t dma_base;
	uint8_t group[SIM_NUM_BLOCKS];

	/* Executed groups of every block, indexed by offset / 4. */
	uint32_t regs[SIM_WORDS];
	uint8_t written[SIM_WORDS / 8];

	uint32_t err;          /* RAW bits of a failure, 0 when fine */
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t macs;
	uint64_t dpu_elems;    /* elements through the DPU pipeline */
	uint64_t ppu_elems;    /* window cells the PPU visited */
	uint64_t alloc_used;
	enum sim_prec prec;
};

/* Register of the executing group; traces reads of never-written ones. */
uint32_t sim_task_reg(struct sim_task *t, uint32_t offset);
/* Ends the task with @bit in RAW and a message naming the cause. */
int sim_task_fail(struct sim_task *t, uint32_t bit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool sim_task_aborted(const struct sim_task *t);

/* Host allocations charged against the per-task limit, aligned to: */
#define SIM_TASK_ALLOC_ALIGN 64u
void *sim_task_alloc(struct sim_task *t, size_t count, size_t size, const char *what);
void sim_task_free(struct sim_task *t, void *p, size_t count, size_t size);
/* The same for a large buffer whose contents the task overwrites: freeing
 * keeps it on the core (up to SIM_KEPT_SLOTS of them, each up to
 * SIM_KEPT_MAX_BYTES; the oldest goes first) for the next task asking for
 * the same size, sparing the page faults of a fresh mapping on every task
 * of a chained list: the feature cube, the packed weights and the
 * accumulator cube. */
#define SIM_KEPT_MAX_BYTES (64u << 20)
void *sim_task_alloc_kept(struct sim_task *t, size_t bytes, const char *what);
void sim_task_free_kept(struct sim_task *t, void *p, size_t bytes);

/* ---- DMA (sim_dma.c) ---------------------------------------------------- */

/* Reads/writes through the bus; a failure sets the DMA error bit. */
int sim_dma_read(struct sim_task *t, uint64_t addr, void *dst, size_t len, const char *what);
/* The bytes sim_dma_read would copy, read in place; NULL when the bus
 * cannot map them (the caller then copies, and a fault is reported). */
const void *sim_dma_map(struct sim_task *t, uint64_t addr, size_t len);
void sim_dma_unmap(struct sim_task *t, const void *ptr, size_t len);
int sim_dma_write(struct sim_task *t, uint64_t addr, const void *src, size_t len,
		  const char *what);
/* Address a block register holds, plus TASK_DMA_BASE_ADDR. */
uint64_t sim_dma_addr(const struct sim_task *t, uint64_t reg_addr);

/* ---- convolution pipeline ----------------------------------------------- */

/* Kernels per inner MAC block. */
#define SIM_MAC_KB 4u

/* int8 values held in int16: sums of @n products for SIM_MAC_KB kernels
 * whose weights are @stride elements apart. */
typedef void (*sim_dot_kb_fn)(const int16_t *restrict f, const int16_t *restrict w, size_t stride,
			      size_t n, int32_t out[SIM_MAC_KB]);
/* The SIMD kernel for this host, NULL when there is none (sim_mac_simd.c). */
sim_dot_kb_fn sim_mac_simd_kernel(void);

/* One register tile of the fast MAC kernels: SIM_MAC_TILE_PX pixels x
 * SIM_MAC_TILE_KB kernels, twelve accumulators, so that with the operands it
 * fits the 16 vector registers. */
#define SIM_MAC_TILE_PX 6u
#define SIM_MAC_TILE_KB 2u
/* Channels x taps per kernel the int8 tile sums in 32-bit lanes: a lane
 * takes at most 2 * 2^14 per 16 channels, so 2^19 keeps it below 2^30. */
#define SIM_MAC_TILE_MAX_K (1u << 19)

/* One tile: the sums over every tap and channel of pixel p's features
 * (dense, @f[p] its first tap; tap t is @tap_off[t] elements further)
 * times kernel @k[j] of the group whose weights, in the fetched
 * kernel-group tiling (int8 or binary16 bytes), start at @wg. Padding the
 * tile repeats a pixel or kernel. */
struct sim_tile {
	const void *f[SIM_MAC_TILE_PX];
	const size_t *tap_off;
	size_t taps, wc;
	const void *wg;
	size_t ng;                 /* kernels in the group */
	size_t k[SIM_MAC_TILE_KB];
	unsigned int np;           /* pixels the fp16 tile computes (1..6) */
};

/* int8 features held in int16, int8 weights: exact sums. */
typedef void (*sim_tile_i8_fn)(const struct sim_tile *tl,
			       int64_t out[SIM_MAC_TILE_PX][SIM_MAC_TILE_KB]);
/* fp16 features held in fp32, binary16 weights: adds channel blocks
 * [@b0, @b1) of tap @t (block wc / SIM_CB is the partial last one) of
 * kernels tl->k[] to the SIM_ASSUME_FP_ACC_LANES partial sums
 * @part[p][j][lane] of the tile's tl->np pixels, in the documented order
 * (the caller combines the lanes), and leaves the weights it converted in
 * @panel (32-byte aligned, room for the chunk's channels rounded up to
 * a multiple of 8, twice): per SIM_ASSUME_FP_ACC_LANES channels, kernel
 * 0's then kernel 1's, a short last step padded with zeros. */
typedef void (*sim_tile_f_cvt_fn)(const struct sim_tile *tl, float *panel, size_t t, size_t b0,
				  size_t b1,
				  float part[][SIM_MAC_TILE_KB][SIM_ASSUME_FP_ACC_LANES]);
/* The same for another tile of pixels and @pairs kernel pairs, whose
 * weights a converting tile left in the panels at @panel + i * @pstride:
 * pair i's sums are part[i * SIM_MAC_TILE_PX + p][j][lane]. */
typedef void (*sim_tile_f_fn)(const struct sim_tile *tl, const float *panel, size_t pstride,
			      size_t pairs, size_t t, size_t b0, size_t b1,
			      float part[][SIM_MAC_TILE_KB][SIM_ASSUME_FP_ACC_LANES]);

struct sim_mac_fast {
	sim_tile_i8_fn tile_i8;
	sim_tile_f_cvt_fn tile_f_cvt;
	sim_tile_f_fn tile_f;
};

/* The tile kernels for this host, NULL when there are none. */
const struct sim_mac_fast *sim_mac_fast_kernels(void);

struct sim_conv {
	enum sim_prec prec;
	unsigned int eb;        /* input element bytes (int4: 1, see ebits) */
	unsigned int ebits;     /* input element bits: 4, 8 or 16 */
	unsigned int in_w, in_h, in_c;
	unsigned int out_w, out_h, out_c;
	unsigned int kw, kh, kernels, wc; /* wc: channels per kernel */
	unsigned int sx, sy, pad_l, pad_t;
	unsigned int dx, dy;      /* distance between taps (1 = no dilation) */
	bool dw;                  /* depthwise: kernel k reads channel k only */
	bool qd;                  /* QD_EN: window sums for the DPU OW stage */
	unsigned int clip_shift;
	bool clip_half_up;
	/* CNA input converter (CVT_BYPASS = 0), parameters for channels 0..3. */
	bool cvt_on, in_unsigned, cvt_add_first, cvt_half_up;
	uint32_t cvt_mask;        /* CVT_CON5: channels it applies to */
	int32_t cvt_scale[4], cvt_offset[4];
	unsigned int cvt_shift[4];

	/* Dense copies made once per task. int8 data is widened to int16 so
	 * the dot products map onto 16-bit multiply-add instructions; int16
	 * data is stored as is. */
	unsigned int fp_w, fp_h;   /* padded input plane */
	int16_t *feat_i16;         /* [fp_h][fp_w][wc] */
	float *feat_f;
	int16_t *wt_i16;           /* [kernels][kh][kw][wc]; depthwise [kh][kw][wc] */
	float *wt_f;

	/* Accumulator cube [out_h][out_w][out_c] handed to the DPU. */
	int32_t *acc_i;
	float *acc_f;
	/* QD_EN window sums: [out_h][out_w], depthwise [out_h][out_w][out_c]. */
	int64_t *wsum;
	size_t wsum_n;
	/* Dot products of one tap for SIM_MAC_KB kernels (plain or SIMD). */
	sim_dot_kb_fn dot_kb;
	/* Fast datapath: the tile kernels read the fetched weights as they
	 * are (@wt_raw) instead of the dense copy. */
	const struct sim_mac_fast *fast;
	uint8_t *wt_raw;
	size_t wt_raw_bytes;
	/* The weights read in place on the bus (sim_dma_map), instead of
	 * @wt_raw (int8) or the fp16 block buffers; NULL when copied. */
	const uint8_t *wt_map;
	size_t wt_map_bytes;
	/* fp16 fast datapath: the weights at device address @wt_dma are not
	 * fetched with the features but by the MAC stage (sim_mac.c). */
	bool wt_deferred;
	uint64_t wt_dma;
};

/* A dense cube moving between blocks, [h][w][c]; exactly one of i/f is
 * set. Integer elements are held sign-extended in int32. */
struct sim_cube {
	unsigned int w, h, c;
	int32_t *i;
	float *f;
};

/* Where an NC1HWC2 cube lives and how its elements are encoded. */
struct sim_cube_src {
	uint64_t base;
	uint64_t line, surf;       /* pitches, in 16-byte atoms */
	unsigned int w, h, c;      /* c: channels to keep */
	unsigned int eb;           /* element bytes: 1, 2 or 4 */
	bool is_float;             /* 2 bytes: fp16, 4 bytes: fp32 */
};

/* BS or BN stage, decoded (BN never has OW). */
struct sim_dpu_stage {
	const char *name;
	bool on;
	bool alu_on, alu_mem;
	unsigned int alu_algo;
	uint32_t alu_reg;
	bool mul_on, mul_mem, shift_mem, prelu;
	uint32_t mul_reg;          /* 16-bit operand */
	unsigned int shift, shift_neg;
	bool relu_on, relux;
	uint32_t relux_cmp;
	bool ow_on, ow_mem;
	int32_t ow_reg;
	/* Per-channel operands from BRDMA/NRDMA. */
	unsigned int use;          /* DATA_USE field */
	uint64_t op_addr;
	uint32_t *op_alu, *op_cpend, *op_mul, *op_trt;
};

/* The LUT as one task uses it: registers decoded, tables copied. */
struct sim_lut_table {
	int64_t start, end;
	int64_t uflow_scale, oflow_scale;   /* signed 16-bit */
	unsigned int uflow_shift, oflow_shift;
	unsigned int index_select;
	const int16_t *entry;
};

struct sim_dpu_lut {
	struct sim_lut_table le, lo;
	bool le_exponent;
	int index_offset;                   /* LE exponent table, signed */
	bool uflow_lo, oflow_lo, hybrid_lo; /* priorities: true picks LO */
	int16_t table[2][SIM_ASSUME_LUT_ENTRIES];
};

struct sim_dpu_ew {
	bool on, op_on, op_mem, mul;
	unsigned int algo;
	uint32_t op_reg;
	bool cvt_on, cvt_add_first, cvt_half_up;
	int32_t cvt_offset;
	uint32_t cvt_scale;
	unsigned int cvt_shift;
	unsigned int trunc, trunc_neg;
	bool prelu, relu_on, relux;
	uint32_t relux_cmp;
	unsigned int esize;        /* operand element bytes */
	bool lut_on;               /* EW_LUT_BYPASS = 0 */
	struct sim_dpu_lut lut;
};

/* DPU_RDMA as one task uses it. */
struct sim_rdma {
	bool enabled;              /* in the op-enable */
	struct sim_cube_src mrdma;
	struct sim_cube_src erdma;
	bool erdma_on;
	bool widen;                /* MRDMA_FP16TOFP32_EN */
};

/* DPU + WDMA settings, decoded and checked before any data moves. */
struct sim_dpu {
	bool flying;               /* main input from MRDMA, not the CORE */
	bool dw;
	bool is_float;
	bool fp16_data;            /* float data held in fp16 between stages */
	unsigned int in_prec;      /* DPU precision enum */
	unsigned int out_prec;
	unsigned int bo;           /* output element bytes */
	unsigned int w, h, c, orig_c;
	unsigned int c_al;         /* channels in whole output atoms */
	unsigned int e;            /* 16-byte atoms per kernel group */
	uint64_t dst;
	uint64_t surf_add, surf_stride, notch; /* in 16-byte atoms */
	bool to_memory, to_ppu;
	uint32_t cvt_scale;
	unsigned int cvt_shift;
	int32_t cvt_offset;
	bool cvt_add_first;
	bool cvt_half_up;
	bool fp32_to_fp16;
	uint16_t pend;             /* OFFSET_PEND */

	struct sim_dpu_stage bs, bn;
	struct sim_dpu_ew ew;
	struct sim_rdma rdma;

	/* Data for one run. */
	struct sim_cube main;      /* MRDMA input (flying mode) */
	struct sim_cube eop;       /* ERDMA operand */
	uint32_t *obits;           /* output element bits [h][w][c_al] */
};

/* PPU + PPU_RDMA settings. */
struct sim_ppu {
	bool flying;               /* input from PPU_RDMA, not the DPU */
	unsigned int method;
	unsigned int prec;         /* DPU precision enum */
	unsigned int eb;
	bool is_float;
	unsigned int in_w, in_h, c, c_al;
	unsigned int out_w, out_h;
	unsigned int kw, kh, sx, sy, pad_l, pad_t;
	uint32_t recip_w, recip_h; /* fp17 bits */
	int32_t pad_i;
	float pad_f;
	uint64_t dst, surf_stride, notch;
	struct sim_cube_src src;   /* PPU_RDMA input */
	struct sim_cube in;
};

int sim_cna_setup(struct sim_task *t, struct sim_conv *cv);
int sim_cna_fetch(struct sim_task *t, struct sim_conv *cv);
int sim_mac_run(struct sim_task *t, struct sim_conv *cv);
/* The tile kernels that will run @cv, NULL for the plain loops. */
const struct sim_mac_fast *sim_mac_fast_for(const struct sim_task *t, const struct sim_conv *cv);
/* RNPU_SIM_MAC_THREADS, read when the model is created. */
void sim_mac_threads_from_env(struct rk3588_sim *sim);
void sim_conv_release(struct sim_task *t, struct sim_conv *cv);

/* DPU: @cv is the CORE output, NULL in flying mode. */
int sim_dpu_setup(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d);
int sim_dpu_run(struct sim_task *t, const struct sim_conv *cv, struct sim_dpu *d);
void sim_dpu_release(struct sim_task *t, struct sim_dpu *d);

/* DPU element arithmetic (sim_dpu_alu.c). @ch is the channel, @wsum the
 * window sum for OW. */
int64_t sim_dpu_stage_int(const struct sim_dpu_stage *s, int64_t x, unsigned int ch,
			  int64_t wsum);
float sim_dpu_stage_float(const struct sim_dpu_stage *s, float x, unsigned int ch, bool fp16);
int64_t sim_dpu_ew_int(const struct sim_dpu_ew *e, int64_t x, int64_t op);
/* sim_dpu_lut.c: decodes the LUT registers into @e (EW_CFG @cfg) */
int sim_dpu_lut_setup(struct sim_task *t, struct sim_dpu *d, uint32_t cfg);
/* The LUT applied to one integer value; the result fits int32. */
int64_t sim_dpu_lut_int(const struct sim_dpu_lut *l, int64_t x);
float sim_dpu_ew_float(const struct sim_dpu_ew *e, float x, float op, bool fp16);
int64_t sim_dpu_out_cvt(const struct sim_dpu *d, int64_t x);

/* DPU_RDMA (sim_dpu_rdma.c): decode, then read what the DPU needs. */
int sim_rdma_setup(struct sim_task *t, struct sim_dpu *d);
int sim_rdma_fetch(struct sim_task *t, struct sim_dpu *d);
void sim_rdma_release(struct sim_task *t, struct sim_dpu *d);

/* PPU + PPU_RDMA (sim_ppu.c). @d is the feeding DPU, NULL in flying mode. */
int sim_ppu_setup(struct sim_task *t, const struct sim_dpu *d, struct sim_ppu *p);
int sim_ppu_run(struct sim_task *t, const struct sim_dpu *d, struct sim_ppu *p);
void sim_ppu_release(struct sim_task *t, struct sim_ppu *p);

/* Cubes (sim_cube.c). */
int sim_cube_alloc(struct sim_task *t, struct sim_cube *cb, unsigned int w, unsigned int h,
		   unsigned int c, bool is_float, const char *what);
void sim_cube_free(struct sim_task *t, struct sim_cube *cb);
/* Reads an NC1HWC2 cube into @dst (allocated here). */
int sim_cube_read(struct sim_task *t, const struct sim_cube_src *src, struct sim_cube *dst,
		  const char *what);
/* Element bytes of a DPU precision; 0 for unknown codes. */
unsigned int sim_prec_bytes(unsigned int dpu_prec);
bool sim_prec_is_float(unsigned int dpu_prec);

/* Runs the blocks of @t->op_en; 0 or negative with t->err set. */
int sim_exec_task(struct sim_task *t);

/* ---- PC (sim_pc.c) ------------------------------------------------------ */

/* Executes one start's task list; returns the RAW bits its end sets (0
 * when it ends silently: abandoned, or a list that would hang). */
uint32_t sim_pc_run(struct sim_core *c, const struct sim_job *job);

/* ---- timing (sim_timing.c) ---------------------------------------------- */

uint64_t sim_timing_task_cycles(const struct sim_task *t);
/* Fixed cost of one PC start, charged to its first task. */
uint64_t sim_timing_start_cycles(void);

/* ---- arithmetic (sim_arith.c) ------------------------------------------- */

/* Arithmetic right shift of @v by @shift with the DPU/CORE rounding modes. */
int64_t sim_shift_round(int64_t v, unsigned int shift, bool half_up);
int64_t sim_saturate(int64_t v, int64_t lo, int64_t hi);

#endif
