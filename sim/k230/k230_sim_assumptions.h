/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Every choice the software K230 KPU makes that public sources do not
 * confirm. Each name has an entry in docs/hw-assumptions.md ("K230 KPU")
 * giving the reason; the model asks this file instead of hard-coding.
 */
#ifndef K230_SIM_ASSUMPTIONS_H
#define K230_SIM_ASSUMPTIONS_H

#include <stdint.h>

/* A run with no programmed duration takes a fixed overhead plus a cost per
 * byte of instructions between PC_START and PC_END (the GNNE instruction
 * set is not public, so the model does not execute the program). */
#define K230_SIM_ASSUME_RUN_OVERHEAD_NS 20000ull
#define K230_SIM_ASSUME_NS_PER_INSN_BYTE 2ull

/* PC_END <= PC_START ends the run at once with exception_status 1
 * (illegal instruction), kpu_work_status 3 (error) and the interrupt. */
#define K230_SIM_ASSUME_EMPTY_PROGRAM_IS_ILLEGAL 1

/* Only a 64-bit store to CTRL (offset 0x128) updates the control fields;
 * a lone 32-bit write to either half is kept as data and changes nothing
 * (every known driver and the runtime use the 64-bit store). */
#define K230_SIM_ASSUME_CTRL_NEEDS_64BIT_STORE 1

/* GNNE_ENABLE set while a run is in progress is ignored (and counted). */
#define K230_SIM_ASSUME_ENABLE_WHILE_RUNNING_IGNORED 1

/* GNNE_ENABLE cleared stops any run and walks reset_status through 1
 * (flushing the bus interface) for this long before it reads 0 again; a
 * pending interrupt stays pending until CPU_INTR_CLR. */
#define K230_SIM_ASSUME_RESET_NS 50000ull

/* STATUS.intr_status (bit 31) is set exactly while the completion
 * interrupt is pending, so a handler can tell a real interrupt from a
 * spurious one. */
#define K230_SIM_ASSUME_INTR_STATUS_TRACKS_LINE 1

/* The completion interrupt goes to the CPU whose store started the run:
 * each OS unmasks the PLIC source only while it owns the KPU. */
#define K230_SIM_ASSUME_IRQ_TO_STARTING_CPU 1

/* AI2D: programming is not public. A run is started by the model's
 * k230_sim_ai2d_start() (a stand-in for the AI2D registers); writing 1
 * to INTR_CLEAR (AI2D + 0xA0) acknowledges its interrupt, the other three
 * words are stored and ignored. */
#define K230_SIM_ASSUME_AI2D_ACK_VALUE 1u

/* Hardware locks: a non-zero write is ignored (only 0 releases); a taken
 * lock reads back as the taking CPU's number plus one. */
#define K230_SIM_ASSUME_HARDLOCK_NONZERO_WRITE_IGNORED 1

#endif
