// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * One task: register access to the executing groups, failure reporting,
 * working-memory accounting, and the order in which blocks run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim_internal.h"

uint32_t sim_task_reg(struct sim_task *t, uint32_t offset)
{
	uint32_t idx = offset / 4;

	if (t->core->sim->trace && sim_regfile_is_banked(offset) &&
	    !(t->written[idx / 8] & (1u << (idx % 8)))) {
		const char *name = rk3588_reg_name(offset);

		sim_trace(t->core, "warning: %s read but never written in the executing group",
			  name ? name : "register");
	}
	return t->regs[idx];
}

int sim_task_fail(struct sim_task *t, uint32_t bit, const char *fmt, ...)
{
	struct sim_core *c = t->core;
	char msg[SIM_ERRMSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* The first failure is the cause; later ones are consequences. */
	if (!t->err) {
		pthread_mutex_lock(&c->lock);
		snprintf(c->last_error, sizeof(c->last_error), "%s", msg);
		pthread_mutex_unlock(&c->lock);
		sim_trace(c, "error: %s", msg);
	}
	t->err |= bit;
	return -EIO;
}

bool sim_task_aborted(const struct sim_task *t)
{
	return atomic_load_explicit(&t->core->abort, memory_order_relaxed);
}

/* Charges @bytes to the task's budget; false (task failed) when over. */
static bool charge(struct sim_task *t, uint64_t bytes, const char *what)
{
	uint64_t limit = atomic_load(&t->core->sim->alloc_limit);

	if (bytes > limit || t->alloc_used > limit - bytes) {
		sim_task_fail(t, SIM_ASSUME_ERR_CONFIG_BIT,
			      "%s needs %llu bytes, over the model's %llu-byte task limit", what,
			      (unsigned long long)bytes, (unsigned long long)limit);
		return false;
	}
	return true;
}

void *sim_task_alloc(struct sim_task *t, size_t count, size_t size, const char *what)
{
	void *p;

	if (count && size > (SIZE_MAX / count)) {
		sim_task_fail(t, SIM_ASSUME_ERR_CONFIG_BIT, "%s: size overflows", what);
		return NULL;
	}
	uint64_t bytes = (uint64_t)count * size;

	if (!charge(t, bytes, what))
		return NULL;
	/* Cache-line aligned, so that the fast datapath's 32-byte vector
	 * loads of rows starting at a multiple of 64 bytes (and of the
	 * cubes' own starts) never straddle two lines. */
	p = aligned_alloc(SIM_TASK_ALLOC_ALIGN,
			  bytes ? (bytes + SIM_TASK_ALLOC_ALIGN - 1) & ~(uint64_t)(SIM_TASK_ALLOC_ALIGN - 1)
				: SIM_TASK_ALLOC_ALIGN);
	if (!p) {
		sim_task_fail(t, SIM_ASSUME_ERR_CONFIG_BIT, "%s: host out of memory", what);
		return NULL;
	}
	t->alloc_used += bytes;
	return p;
}

void sim_task_free(struct sim_task *t, void *p, size_t count, size_t size)
{
	if (!p)
		return;
	free(p);
	t->alloc_used -= (uint64_t)count * size;
}

void *sim_task_alloc_kept(struct sim_task *t, size_t bytes, const char *what)
{
	struct sim_core *c = t->core;
	unsigned int i = 0;
	void *p;

	while (i < SIM_KEPT_SLOTS && !(c->kept[i] && c->kept_bytes[i] == bytes))
		i++;
	if (i == SIM_KEPT_SLOTS)
		return sim_task_alloc(t, bytes, 1, what);
	if (!charge(t, bytes, what))
		return NULL;
	p = c->kept[i];
	c->kept[i] = NULL;
	t->alloc_used += bytes;
	return p;
}

void sim_task_free_kept(struct sim_task *t, void *p, size_t bytes)
{
	struct sim_core *c = t->core;
	unsigned int i = 0;

	if (!p)
		return;
	t->alloc_used -= bytes;
	if (bytes > SIM_KEPT_MAX_BYTES) {
		free(p);
		return;
	}
	while (i < SIM_KEPT_SLOTS && c->kept[i])
		i++;
	if (i == SIM_KEPT_SLOTS) {
		/* All taken: the oldest goes. */
		free(c->kept[0]);
		for (i = 1; i < SIM_KEPT_SLOTS; i++) {
			c->kept[i - 1] = c->kept[i];
			c->kept_bytes[i - 1] = c->kept_bytes[i];
		}
		i = SIM_KEPT_SLOTS - 1;
	}
	c->kept[i] = p;
	c->kept_bytes[i] = bytes;
}

/* Which block combinations form a task the hardware can run. */
static int check_op_en(struct sim_task *t)
{
	const uint32_t known = RK3588_OP_EN_CNA | RK3588_OP_EN_CORE | RK3588_OP_EN_DPU |
			       RK3588_OP_EN_DPU_RDMA | RK3588_OP_EN_PPU | RK3588_OP_EN_PPU_RDMA;
	uint32_t en = t->op_en;
	const char *why = NULL;

	if (en & ~known)
		why = "starts no compute block";
	else if (!(en & RK3588_OP_EN_CNA) != !(en & RK3588_OP_EN_CORE))
		why = "runs one of CNA and CORE without the other";
	else if ((en & RK3588_OP_EN_CORE) && !(en & RK3588_OP_EN_DPU))
		why = "runs the CORE without the DPU to take its output";
	else if ((en & RK3588_OP_EN_DPU_RDMA) && !(en & RK3588_OP_EN_DPU))
		why = "runs DPU_RDMA without the DPU";
	else if ((en & RK3588_OP_EN_PPU_RDMA) && !(en & RK3588_OP_EN_PPU))
		why = "runs PPU_RDMA without the PPU";
	if (why)
		return sim_task_fail(t, SIM_ASSUME_ERR_CONFIG_BIT, "op-enable 0x%02x %s", en, why);
	return 0;
}

int sim_exec_task(struct sim_task *t)
{
	bool conv = t->op_en & RK3588_OP_EN_CNA;
	bool dpu_on = t->op_en & RK3588_OP_EN_DPU;
	bool ppu_on = t->op_en & RK3588_OP_EN_PPU;
	struct sim_conv cv = { 0 };
	struct sim_dpu dpu = { 0 };
	struct sim_ppu ppu = { 0 };
	int rc;

	if (t->op_en == 0)
		return 0;
	/* Validate everything before moving data, so misprogramming is cheap
	 * to report and leaves memory untouched. */
	rc = check_op_en(t);
	if (!rc && conv)
		rc = sim_cna_setup(t, &cv);
	if (!rc && dpu_on)
		rc = sim_dpu_setup(t, conv ? &cv : NULL, &dpu);
	if (!rc && ppu_on)
		rc = sim_ppu_setup(t, dpu_on ? &dpu : NULL, &ppu);
	if (!rc && conv)
		rc = sim_cna_fetch(t, &cv);
	if (!rc && conv)
		rc = sim_mac_run(t, &cv);
	/* An abandoned task must not write partial results. */
	if (!rc && sim_task_aborted(t))
		rc = -ECANCELED;
	if (!rc && dpu_on)
		rc = sim_dpu_run(t, conv ? &cv : NULL, &dpu);
	if (!rc && sim_task_aborted(t))
		rc = -ECANCELED;
	if (!rc && ppu_on)
		rc = sim_ppu_run(t, dpu_on ? &dpu : NULL, &ppu);
	sim_ppu_release(t, &ppu);
	sim_dpu_release(t, &dpu);
	sim_conv_release(t, &cv);
	return rc;
}
