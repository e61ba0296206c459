/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * Register-program builder: a growable buffer of 64-bit regcmd words split
 * into tasks, each a body of register writes followed by the 4-word tail the
 * PC needs to find the next task and start the blocks.
 *
 * Errors are sticky: the first failure (allocation, a field value that does
 * not fit, misuse) is recorded with a message, later calls become no-ops, and
 * rnpu_regcmd_link() returns it. Callers therefore build a whole program and
 * check once before submitting.
 */
#ifndef RNPU_REGCMD_H
#define RNPU_REGCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Words after each body: next BASE_ADDRESS, next REGISTER_AMOUNTS, the
 * pre-op marker and the op-enable word (vendor RKNPU_PC_DATA_EXTRA_AMOUNT). */
#define RNPU_REGCMD_TAIL_WORDS 4u
/* Every task starts on this byte boundary of the buffer. */
#define RNPU_REGCMD_TASK_ALIGN 64u
#define RNPU_REGCMD_MSG_LEN 160

struct rnpu_regcmd_task {
	uint32_t word_offset;  /* index of the task's first word in words[] */
	uint32_t body_words;   /* register writes before the tail (vendor regcfg_amount) */
	uint32_t enable_mask;  /* blocks started (op-enable value, RK3588_OP_EN_*) */
	uint32_t int_mask;     /* interrupt bits that signal this task done */
};

struct rnpu_regcmd_prog {
	uint64_t *words;
	size_t nwords;
	size_t words_cap;
	struct rnpu_regcmd_task *tasks;
	size_t ntasks;
	size_t tasks_cap;
	bool open;             /* between task_begin and task_end */
	int err;               /* first error (negative errno), 0 if none */
	char msg[RNPU_REGCMD_MSG_LEN];
};

void rnpu_regcmd_init(struct rnpu_regcmd_prog *p);
/* Frees the buffers and returns @p to the state rnpu_regcmd_init() leaves. */
void rnpu_regcmd_fini(struct rnpu_regcmd_prog *p);

void rnpu_regcmd_task_begin(struct rnpu_regcmd_prog *p);
/* Append one register write to the open task's body. @target is a block's
 * regcmd target (RK3588_TARGET_*), @reg the absolute register offset. */
void rnpu_regcmd_emit(struct rnpu_regcmd_prog *p, uint32_t target, uint32_t reg, uint32_t value);
/* Close the task: append its tail as a last task (NOP, zero amount, marker,
 * op-enable @enable_mask) and pad the buffer to the next task boundary. */
void rnpu_regcmd_task_end(struct rnpu_regcmd_prog *p, uint32_t enable_mask, uint32_t int_mask);

/*
 * Chain the tasks for a buffer the caller will place at device address
 * @regcmd_dma (16-byte aligned, below 4 GiB): task i's tail gets task i+1's
 * address and fetch amount. Returns the sticky error, 0 when the program is
 * ready to copy out (nwords words).
 */
int rnpu_regcmd_link(struct rnpu_regcmd_prog *p, uint64_t regcmd_dma);

struct rknpu_task;
/*
 * The SUBMIT task descriptors of a linked program whose words sit at
 * device address @regcmd_dma: one per task, in order, with the task's
 * op-enable, interrupt mask, register amount and address.
 */
void rnpu_regcmd_fill_tasks(const struct rnpu_regcmd_prog *p, uint64_t regcmd_dma,
			    struct rknpu_task *tasks);

/* PC.REGISTER_AMOUNTS for a task of @body_words: 128-bit units covering
 * body + tail, minus one. */
uint32_t rnpu_regcmd_fetch_amount(uint32_t body_words);

/* Record @err with a printf-style message unless an error is already
 * recorded. Returns the recorded (first) error. */
int rnpu_regcmd_fail(struct rnpu_regcmd_prog *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Field packing through the generated rk3588_set_* packers. A value that
 * does not fit records -ERANGE with "<name>: <value> does not fit in <width>
 * bits" and returns false; *reg keeps its old field contents.
 */
bool rnpu_regcmd_field_u(struct rnpu_regcmd_prog *p, uint32_t *reg,
			 bool (*set)(uint32_t *, uint32_t), const char *name, unsigned int width,
			 uint64_t value);
bool rnpu_regcmd_field_s(struct rnpu_regcmd_prog *p, uint32_t *reg,
			 bool (*set)(uint32_t *, int32_t), const char *name, unsigned int width,
			 int64_t value);
/* A byte address into a field whose lowest bit is @shift (address fields
 * at [31:4] hold addr / 16): refuses (-EINVAL) an address with any of the
 * low @shift bits set and (-ERANGE) one beyond the field. */
bool rnpu_regcmd_field_addr(struct rnpu_regcmd_prog *p, uint32_t *reg,
			    bool (*set)(uint32_t *, uint32_t), const char *name, unsigned int width,
			    unsigned int shift, uint64_t addr);

/* The same, naming the field "BLOCK.REG.FIELD"; need hw/rk3588_regs.h. */
#define RNPU_REGCMD_FIELD(p, reg, BLOCK, REG, FIELD, value)                               \
	rnpu_regcmd_field_u((p), (reg), rk3588_set_##BLOCK##_##REG##_##FIELD,               \
			    #BLOCK "." #REG "." #FIELD, BLOCK##_##REG##_##FIELD##__WIDTH, (value))
#define RNPU_REGCMD_FIELD_S(p, reg, BLOCK, REG, FIELD, value)                             \
	rnpu_regcmd_field_s((p), (reg), rk3588_set_##BLOCK##_##REG##_##FIELD,               \
			    #BLOCK "." #REG "." #FIELD, BLOCK##_##REG##_##FIELD##__WIDTH, (value))
#define RNPU_REGCMD_FIELD_ADDR(p, reg, BLOCK, REG, FIELD, addr)                           \
	rnpu_regcmd_field_addr((p), (reg), rk3588_set_##BLOCK##_##REG##_##FIELD,            \
			       #BLOCK "." #REG "." #FIELD, BLOCK##_##REG##_##FIELD##__WIDTH,        \
			       BLOCK##_##REG##_##FIELD##__SHIFT, (addr))

#ifdef __cplusplus
}
#endif
#endif
