/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Every choice the software NPU makes that public sources do not confirm.
 *
 * Each name here has an entry of the same name in docs/hw-assumptions.md
 * giving the reason. Code elsewhere in the model must not hard-code an
 * unconfirmed behaviour; it asks this file. Switches that only have one
 * implemented setting are checked with static assertions where used.
 */
#ifndef RNPU_SIM_ASSUMPTIONS_H
#define RNPU_SIM_ASSUMPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "rk3588_regs.h"

/* ---- register file ---------------------------------------------------- */

/* 1: collapse both ping-pong groups into group 0 (comparison switch). */
#define SIM_ASSUME_SINGLE_BANK 0

/* After a block executes, its write pointer flips only with POINTER_PP_EN
 * and POINTER_PP_MODE both set. */
static inline bool sim_assume_pointer_toggles(uint32_t s_pointer)
{
	return rk3588_get_CNA_S_POINTER_POINTER_PP_EN(s_pointer) &&
	       rk3588_get_CNA_S_POINTER_POINTER_PP_MODE(s_pointer);
}

/* INTERRUPT_MASK keeps only the documented event bits. */
#define SIM_ASSUME_INT_MASK_BITS RK3588_INT_ALL

/* While the reset lines are asserted, MMIO writes are dropped and reads
 * return reset values. */
#define SIM_ASSUME_RESET_IGNORES_WRITES 1

/* ---- program control ---------------------------------------------------- */

/* TASK_DMA_BASE_ADDR is not added to the PC's own regcmd fetch. */
#define SIM_ASSUME_FETCH_USES_TASK_DMA_BASE 0

/* PC.OPERATION_ENABLE := 1 while a task list runs is ignored. */
#define SIM_ASSUME_IGNORE_OP_EN_WHILE_BUSY 1

/* Slave mode (BASE_ADDRESS.PC_SEL = 1) and GLOBAL.OPERATION_ENABLE start
 * nothing: the registers are stored, no block runs. */
#define SIM_ASSUME_SLAVE_MODE_INERT 1

/* A task may write only PC.BASE_ADDRESS and PC.REGISTER_AMOUNTS (its tail);
 * any other PC-target word ends the task with an error. */
#define SIM_ASSUME_PC_WRITES_TAIL_ONLY 1

/* TASK_NUMBER = 0 runs nothing and raises no interrupt. */
#define SIM_ASSUME_TASK_NUMBER_ZERO_SILENT 1

/* No op-enable word among the fetched words: the list ends without an
 * interrupt (the hardware would wait forever; the driver's timeout fires). */
#define SIM_ASSUME_MISSING_OP_EN_HANGS 1

/* Misprogramming the model detects (unknown target, CBUF overflow, a stage
 * not modelled yet, size limits) is reported with this RAW bit. */
#define SIM_ASSUME_ERR_CONFIG_BIT RK3588_INT_DMA_READ_ERROR

/* Error bits obey INTERRUPT_MASK like completion bits. */
#define SIM_ASSUME_ERRORS_MASKABLE 1

/* Only the last task of a start sets completion RAW bits. */
#define SIM_ASSUME_RAW_ONLY_LAST_TASK 1

/* A conv task also reports its CNA (feature, weight, CSC) and CORE events. */
#define SIM_ASSUME_RAW_CNA_CORE_BITS 1

/* TASK_STATUS bits 12/13 flag the first/last task while it runs; when idle
 * the bits above the counter read as the register's reset value. */
#define SIM_ASSUME_TASK_STATUS_FLAGS 1

/* Without TASK_COUNT_CLEAR the 12-bit counter keeps counting across starts. */
#define SIM_ASSUME_COUNTER_PERSISTS 1

/* A task that ends with an error status is not counted in TASK_STATUS. */
#define SIM_ASSUME_ERROR_TASK_NOT_COUNTED 1

/* ---- convolution front end ---------------------------------------------- */

/* In group-line mode (GROUP_LINE_OFF = 0) LINE_STRIDE counts 4-byte units,
 * so the usual 4*W' setting gives a line pitch of W' atoms. */
#define SIM_ASSUME_GROUP_LINE_UNIT_BYTES 4u

/* The fetched cube is DATAIN_WIDTH x DATAIN_HEIGHT x DATAIN_CHANNEL;
 * FC_DATA_SIZE0/1 are not consulted (traced when they differ). */
#define SIM_ASSUME_DATAIN_DEFINES_FETCH 1

/* All DATAIN_CHANNEL channels take part; DATAIN_CHANNEL_REAL is ignored
 * (padding channels hold whatever memory holds). */
#define SIM_ASSUME_CHANNEL_REAL_IGNORED 1

/* PAD_CON1 in the stored input domain: its low 8 bits as int8, or its low
 * 16 bits as fp16. */
static inline int16_t sim_assume_pad_int8(uint32_t pad_con1)
{
	return (int8_t)(pad_con1 & 0xffu);
}

static inline uint16_t sim_assume_pad_fp16_bits(uint32_t pad_con1)
{
	return (uint16_t)(pad_con1 & 0xffffu);
}

/* Per-kernel weight channels must equal DATAIN_CHANNEL. */
#define SIM_ASSUME_WEIGHT_CHANNELS_MATCH 1

/* The weights fetched are WEIGHT_KERNELS x WEIGHT_BYTES_PER_KERNEL; a
 * smaller WEIGHT_SIZE0 is an error. */
#define SIM_ASSUME_WEIGHT_BYTES_FROM_KERNELS 1

/* WEIGHT_REUSE / DATA_REUSE refetch from memory (same result while the
 * memory is unchanged). */
#define SIM_ASSUME_REUSE_REFETCHES 1

/* CBUF_CON1.DATA_ENTRIES counts 64-byte entries. */
#define SIM_ASSUME_CBUF_ENTRY_BYTES 64u

/* The whole input cube stays resident: CBUF data rows = DATAIN_HEIGHT. */
#define SIM_ASSUME_CBUF_ROWS_ALL 1

/* ---- MAC array -------------------------------------------------------- */

/* Integer accumulation is exact (64-bit here; 34 bits on hardware), then
 * CLIP_TRUNCATE shifts with rounding and the result saturates to int32. */
#define SIM_ASSUME_ACC_SATURATE_INT32 1

/* fp16 products (exact in fp32) go into this many fp32 partial sums,
 * selected by channel index modulo the count, continued across kernel
 * taps in (ky, kx) order, then added pairwise (0+1, 2+3, ...). */
#define SIM_ASSUME_FP_ACC_LANES 8u

/* CLIP_TRUNCATE does not apply to the fp32 accumulator. */
#define SIM_ASSUME_FP_IGNORES_CLIP 1

/* ---- DPU ---------------------------------------------------------------- */

/* "Round half up" means ties go toward +infinity. */
#define SIM_ASSUME_HALF_UP_TOWARD_POS_INF 1

/* OUT_CVT on integers: y = ((x * SCALE) >> SHIFT) + OFFSET (CVT_TYPE 0) or
 * ((x + OFFSET) * SCALE) >> SHIFT (CVT_TYPE 1), SCALE unsigned 16-bit,
 * rounding per CVT_ROUND, then saturation to the output type. */
#define SIM_ASSUME_OUT_CVT_SCALE_UNSIGNED 1

/* Float pipelines ignore OUT_CVT_SCALE[15:0] (0 and 1 both seen working). */
#define SIM_ASSUME_FP_IGNORES_CVT_SCALE 1

/* The DPU cube must match the CORE output in width and height and may not
 * have more channels. */
#define SIM_ASSUME_DPU_CUBE_MATCHES_CORE 1

/* OUTPUT_MODE without bit 1 writes nothing to memory (not an error). */
#define SIM_ASSUME_NO_MEMORY_OUTPUT_OK 1

/* WDMA writes whole 16-byte atoms; channels above ORIG_CHANNEL inside an
 * atom get OFFSET_PEND (int: sign-extended; fp16: raw bits; fp32: the
 * fp16 value of those bits). */
#define SIM_ASSUME_WDMA_WHOLE_ATOMS 1

/* SIZE_E_1 / SIZE_E_2 are ignored: SIZE_E_0 sets the kernel-group size. */
#define SIM_ASSUME_SIZE_E0_ONLY 1

/* DST_BASE_ADDR low bits the WDMA ignores ([31:4] per the TRM). */
#define SIM_ASSUME_DST_BASE_IGNORED_BITS 0xfu

/* An active OW/CPEND stage with OW_OP = 0 adds nothing, so it is accepted. */
#define SIM_ASSUME_OW_ZERO_OK 1

/* ---- timing ------------------------------------------------------------- */

#define SIM_ASSUME_DMA_BYTES_PER_CYCLE 16u
#define SIM_ASSUME_TASK_OVERHEAD_CYCLES 2000u

/* ---- resource limits ---------------------------------------------------- */

/* Host memory one task may allocate for its working buffers. */
#define SIM_ASSUME_MAX_TASK_BYTES (1ull << 30)

#endif
