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

/* ---- IOMMU ---------------------------------------------------------------- */

/* Core 0 has two IOMMU instances (+0x9000, +0xa000); which bus master uses
 * which is unknown. The model translates core 0's reads through the first
 * and its writes through the second, so both must be programmed. */
#define SIM_ASSUME_MMU_READ_INSTANCE 0u
#define SIM_ASSUME_MMU_WRITE_INSTANCE 1u

/* A failed translation drops the access and fails the task with the DMA
 * read/write error bit; the task list ends there. The IOMMU's page-fault
 * interrupt is latched at once but, sharing the core's line, is seen
 * together with the end of the list. */
#define SIM_ASSUME_MMU_FAULT_ENDS_LIST 1

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

/* PAD_CON1 for int16 input: its low 16 bits as int16. */
static inline int16_t sim_assume_pad_int16(uint32_t pad_con1)
{
	return (int16_t)(pad_con1 & 0xffffu);
}

/* CNA input converter (fact sheet 6.2: y = round(x * SCALE / 2^TRUNCATE) +
 * OFFSET, or round((x + OFFSET) * SCALE / 2^TRUNCATE) with CVT_TYPE 1).
 * Unconfirmed: the result saturates to the input precision (int8/int16)
 * before the MACs; PAD_VALUE is inserted after the converter, i.e. it is
 * already in the converted domain (Mesa-derived streams write
 * zero_point - 128 while converting uint8 with offset -128); a scale of
 * 0x8000 or more (sign unknown) and a channel above 3 enabled in CVT_CON5
 * (no parameters for it) are refused; so is the converter on fp16 data. */
#define SIM_ASSUME_CNA_CVT_SATURATES 1
#define SIM_ASSUME_CNA_CVT_PAD_AFTER 1
#define SIM_ASSUME_CNA_CVT_CHANNELS 4u

/* ATROUS_X/Y_DILATION = d puts kernel taps d + 1 input pixels apart
 * (0 = ordinary convolution). */
#define SIM_ASSUME_DILATION_PLUS_ONE 1

/* Depthwise weights come in channel blocks of this many bytes per tap
 * (64 int8 / 32 int16-fp16 channels): [block][ky][kx][channels of block],
 * the last block holding the remaining channels. */
#define SIM_ASSUME_DW_BLOCK_BYTES 64u

/* Depthwise output channel c is input channel c; output channels without
 * an input channel accumulate nothing. */
#define SIM_ASSUME_DW_EXTRA_OUT_ZERO 1

/* QD_EN: the CORE also sums, per output pixel, every input value the
 * window reads (padding included) over all channels (depthwise: over the
 * pixel's own channel). CLIP_TRUNCATE does not apply to it. */
#define SIM_ASSUME_QD_WINDOW_SUM 1

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

/* int16 products accumulate exactly too (64-bit); the DPU sees the same
 * CLIP_TRUNCATE-shifted, int32-saturated value as for int8. */
#define SIM_ASSUME_INT16_ACC_LIKE_INT8 1

/* int4 x int4 products accumulate exactly too; the only int4 output the
 * public int4 programs use is int16, and sums outside int16 saturate at the
 * DPU's output like any int16 result (those programs keep every sum inside
 * int16, so what the hardware does beyond it is unknown). */
#define SIM_ASSUME_INT4_SUM_SATURATES_INT16 1

/* int4 is modelled for what the public int4 programs run, a 1x1 direct
 * convolution (matmul) with the converter off, no padding, whole 32-channel
 * blocks, whole 64-kernel groups, int16 output through bypassed DPU stages
 * and an identity OUT_CVT; any other int4 setting is refused. */
#define SIM_ASSUME_INT4_MATMUL_ONLY 1

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

/* An active OW/CPEND stage with a zero register operand adds nothing, so it
 * is accepted without QD_EN. */
#define SIM_ASSUME_OW_ZERO_OK 1

/* Every integer operation inside the DPU (ALU, multiply-shift, EW
 * converter, EW operation) saturates its result to int32. */
#define SIM_ASSUME_DPU_INT_SAT32 1

/* ALU "minus" computes data - operand (allbilly's SUB is main - EW). */
#define SIM_ASSUME_ALU_MINUS_DATA_FIRST 1

/* BS/BN ALU algorithms other than add (2) and minus (4) are refused. */
#define SIM_ASSUME_BS_BN_ADD_MINUS_ONLY 1

/* Multiplier right shifts (BS/BN MUL, EW MUL) round half up. */
#define SIM_ASSUME_MUL_SHIFT_HALF_UP 1

/* The *_NEG shift applies when the stage input is negative. */
#define SIM_ASSUME_NEG_SHIFT_BY_INPUT_SIGN 1

/* A per-channel shift from memory (TRUNCATE_SRC = 1) replaces both the
 * positive and the negative shift. */
#define SIM_ASSUME_MEM_SHIFT_BOTH_SIGNS 1

/* ReLUX (RELUX_EN) clamps to [0, RELUX_CMP_VALUE]; with RELU_BYPASS no
 * activation applies at all. */
#define SIM_ASSUME_RELUX_NEEDS_RELU 1

/* OW/CPEND adds OW_OP x window sum to the BS input, before the ALU.
 * OW_OP is signed 16-bit; it needs CORE.MISC_CFG.QD_EN. */
#define SIM_ASSUME_OW_BEFORE_ALU 1

/* BRDMA/NRDMA per-channel records: one 32-bit slot per DATA_USE bit set,
 * in the order ALU, CPEND, MUL, TRT; records of all channels contiguous.
 * MUL and CPEND use the low 16 bits (signed), TRT the low 6 bits. */
#define SIM_ASSUME_RDMA_OPERAND_SLOTS 1

/* Memory operands (BRDMA/NRDMA/ERDMA) need DPU_RDMA in the op-enable. */
#define SIM_ASSUME_MEM_OPERAND_NEEDS_RDMA 1

/* The EW register operand is EW_OP_VALUE_0 (VALUE_1..7 unused). */
#define SIM_ASSUME_EW_REG_OPERAND_VALUE0 1

/* EW operand converter: EW_OP_CVT_SCALE unsigned 16-bit, rounding per
 * EW_CVT_ROUND. */
#define SIM_ASSUME_EW_CVT_SCALE_UNSIGNED 1

/* EW MUL multiplies by the low 16 bits of the (converted) operand, signed
 * (allbilly's int32 probe). */
#define SIM_ASSUME_EW_MUL_OPERAND_INT16 1

/* DIV, FLOOR and CEIL on integer pipelines are refused (the hardware gives
 * float results there). EW_EQUAL_EN is accepted and ignored (RKNN sets it
 * for min/max); EW_BINARY_EN is refused. */
#define SIM_ASSUME_EW_INT_FLOAT_OPS_REFUSED 1

/* Float pipelines accept the EW operand converter only as the identity:
 * scale 0 or 1, shift 0, offset 0. */
#define SIM_ASSUME_FP_EW_CVT_IDENTITY 1

/* Float operand encodings: ALU, ReLUX and EW register operands and
 * memory ALU slots are fp32 bits; MUL operands (register or slot) are
 * fp16 bits. Multiplier shifts are ignored for floats. */
#define SIM_ASSUME_FP_OPERAND_ENCODING 1

/* fp16 data that is not widened (MRDMA_FP16TOFP32_EN = 0 in flying mode)
 * is processed in fp16: every stage result rounds to fp16. */
#define SIM_ASSUME_FP16_PIPELINE_ROUNDS 1

/* ERDMA supports the per-pixel data mode (1) only. */
#define SIM_ASSUME_ERDMA_PER_PIXEL_ONLY 1

/* DPU_RDMA readers: line pitch W + LINE_NOTCH atoms, surface pitch
 * (W + LINE_NOTCH) x H + SURF_NOTCH atoms; EW_SURF_STRIDE is not used. */
#define SIM_ASSUME_RDMA_NOTCH_PITCH 1

/* ---- PPU ---------------------------------------------------------------- */

/* RECIP_KERNEL_WIDTH/HEIGHT hold a 17-bit float (sign 16, exponent 15:10
 * biased by 31, fraction 9:0) for every precision; the average is
 * window sum x recip_w x recip_h. */
#define SIM_ASSUME_PPU_RECIP_FP17 1

/* Integer average: the exact product rounds half up, then saturates. */
#define SIM_ASSUME_PPU_AVG_INT_HALF_UP 1

/* fp16 average: fp32 window sum in row-major order, times recip_w, times
 * recip_h, each rounded to fp32, then rounded to fp16. */
#define SIM_ASSUME_PPU_AVG_FP_ORDER 1

/* Padded cells hold PADDING_VALUE_1 (integers: its 32 bits signed; fp16:
 * its low 16 bits) and take part in max, min and average alike;
 * PADDING_VALUE_2 is ignored. */
#define SIM_ASSUME_PPU_PAD_VALUE 1

/* The PPU pools int8, int16 and fp16; int32/fp32 are refused (hardware was
 * seen writing zeros). */
#define SIM_ASSUME_PPU_NO_32BIT 1

/* Every channel of the input atoms is pooled, padding channels included. */
#define SIM_ASSUME_PPU_WHOLE_ATOMS 1

/* Output line pitch OUT_W + NOTCH_ADDR atoms, surface pitch DST_SURF_STRIDE;
 * DST_BASE_ADDR bits 3:0 are not address bits. */
#define SIM_ASSUME_PPU_OUT_PITCH 1

/* The output cube may not need windows beyond the padded input. */
#define SIM_ASSUME_PPU_WINDOWS_INSIDE 1

/* OPERATION_MODE_CFG.FLYING_MODE selects the input; DATA_FORMAT.DPU_FLYIN
 * is not consulted. */
#define SIM_ASSUME_PPU_FLYIN_IGNORED 1

/* ---- DPU lookup table (EW stage) ----------------------------------------- */

/* Entries per table (LE and LO): the RK3588 programs load 513 of each. */
#define SIM_ASSUME_LUT_ENTRIES 513u

/* The access port: LUT_ACCESS_CFG sets table, address and direction; each
 * LUT_ACCESS_DATA write (write direction) stores the low 16 bits and moves
 * to the next entry; each read returns the entry and moves on too. A DATA
 * write in the read direction changes nothing (every ordinary stream writes
 * CFG = 0, DATA = 0). A write past the last entry, or a CFG value with
 * reserved bits set, is dropped and remembered: the next task that uses the
 * LUT ends with the error status; a new CFG write in the write direction
 * forgets it. Reads past the last entry return 0. */
#define SIM_ASSUME_LUT_PORT_AUTO_INCREMENT 1

/* Index, interpolation, extrapolation and table choice follow the NVDLA
 * SDP LUT integer path: x <= START underflows; linear index = (x - START)
 * >> INDEX_SELECT, overflow when it reaches the last entry (END is used
 * only as the overflow extrapolation origin); 35-bit interpolation
 * fraction, floor; out-of-range: T[edge] + ((x - origin) * SCALE >> SHIFT),
 * floor, wrapped to 32 bits, then saturated to int32. */
#define SIM_ASSUME_LUT_NVDLA_ARITHMETIC 1

/* LUT_CFG.ROAD_SEL (bit 0, NVDLA's LE_FUNCTION position) = 1 makes LE an
 * exponent table indexed by floor(log2(x - START)) - LE_INDEX_OFFSET
 * (LUT_INFO[7:0], signed); 0 keeps LE linear, which is what every known
 * RK3588 program relies on. */
#define SIM_ASSUME_LUT_ROAD_SEL_EXPONENT 1

/* Slope scales are signed 16-bit; slope shifts are unsigned 5-bit right
 * shifts (a working RK3588 program uses 22, which NVDLA's signed field
 * would read as a left shift). */
#define SIM_ASSUME_LUT_SLOPE_SHIFT_UNSIGNED 1

/* LO_LE_MUX values 0 (reset) and 2 (observed) are accepted and change
 * nothing; 1 and 3, EXPAND_EN and CAL_SEL are refused. */
#define SIM_ASSUME_LUT_MUX_IGNORED 1

/* The LUT on float pipelines is refused: how the hardware turns the float
 * into a table index is unknown. */
#define SIM_ASSUME_LUT_INT_ONLY 1

/* ---- timing ------------------------------------------------------------- */

/* DMA throughput in thousandths of a byte per cycle, and a fixed cost per
 * task and per PC start, fitted to the public RK3588 timings with the MACs
 * at their peak rate (docs/sim.md, section Timing model). */
#define SIM_ASSUME_DMA_MILLIBYTES_PER_CYCLE 7555u
#define SIM_ASSUME_TASK_OVERHEAD_CYCLES 2000u
#define SIM_ASSUME_START_OVERHEAD_CYCLES 80300u

/* ---- power and thermal -------------------------------------------------- */

/* A powered-off core reads as 0 and drops writes (a real bus would hang or
 * fault; the model counts the access instead so tests can see it). */
#define SIM_ASSUME_UNPOWERED_READ_VALUE 0u
/* Thermal model: ambient, the steady rise of one fully busy core at 1 GHz
 * and 825 mV (scaled by f and V squared), and the time constant. Chosen so
 * three busy cores at 1 GHz pass the 85 C throttling point; not measured. */
#define SIM_ASSUME_THERMAL_AMBIENT_MC 40000
#define SIM_ASSUME_THERMAL_RISE_MC_PER_CORE 20000
#define SIM_ASSUME_THERMAL_TAU_MS 2000u

/* ---- resource limits ---------------------------------------------------- */

/* Host memory one task may allocate for its working buffers. */
#define SIM_ASSUME_MAX_TASK_BYTES (1ull << 30)

#endif
