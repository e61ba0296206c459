// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The register-program validator of the contiguous (no IOMMU) mode. There
 * the NPU reaches all of physical memory, so before a job runs every
 * address it will use is checked against the buffers of the submitting
 * session: each regcmd fetch (address and length) must lie inside one of
 * its objects, and so must every value written to an address register
 * (the registers marked addr="1" in hw/rk3588.xml), offset by the job's
 * TASK_DMA_BASE_ADDR as the hardware offsets them. The vendor driver
 * checks none of this.
 *
 * The walk follows the task chain as the PC does: a chunk starts at the
 * address and amount the driver programs from its first task; each task's
 * PC.BASE_ADDRESS / PC.REGISTER_AMOUNTS writes give the next fetch; words
 * after the op-enable word are not decoded.
 */
#include "rknpu_reg.h"

struct rknpu_range {
	uint64_t start, end;            /* [start, end) device addresses */
	const struct rknpu_gem_object *obj;
};

struct rknpu_validator {
	struct rknpu_job *job;
	struct rknpu_range *ranges;     /* sorted by start */
	uint32_t count;
	uint64_t dma_base;              /* TASK_DMA_BASE_ADDR as the NPU applies it */
};

static void rknpu_range_sift(struct rknpu_range *r, uint32_t i, uint32_t n)
{
	for (;;) {
		uint32_t big = i, l = 2 * i + 1, rr = 2 * i + 2;
		struct rknpu_range tmp;

		if (l < n && r[l].start > r[big].start)
			big = l;
		if (rr < n && r[rr].start > r[big].start)
			big = rr;
		if (big == i)
			return;
		tmp = r[i];
		r[i] = r[big];
		r[big] = tmp;
		i = big;
	}
}

/* Heapsort: no libc, bounded time whatever the input. */
static void rknpu_ranges_sort(struct rknpu_range *r, uint32_t n)
{
	uint32_t i;

	for (i = n / 2; i-- > 0;)
		rknpu_range_sift(r, i, n);
	for (i = n; i-- > 1;) {
		struct rknpu_range tmp = r[0];

		r[0] = r[i];
		r[i] = tmp;
		rknpu_range_sift(r, 0, i);
	}
}

/* The session object containing [addr, addr + len), or NULL. */
static const struct rknpu_range *rknpu_range_find(const struct rknpu_validator *v, uint64_t addr,
						  uint64_t len)
{
	uint32_t lo = 0, hi = v->count;

	/* Last range starting at or below addr. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->ranges[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	if (addr >= v->ranges[lo - 1].end || len > v->ranges[lo - 1].end - addr)
		return NULL;
	return &v->ranges[lo - 1];
}

/* Collects the session's objects. Caller holds file->lock. */
static int rknpu_validator_ranges(struct rknpu_validator *v, struct rknpu_file *file)
{
	const struct rknpu_handle_table *t = &file->handles;
	uint32_t i, n = 0;

	v->ranges = rnpu_osal_zalloc_array(t->live ? t->live : 1, sizeof(*v->ranges));
	if (!v->ranges)
		return -ENOMEM;
	for (i = 0; i < t->used && n < t->live; i++) {
		const struct rknpu_gem_object *obj = t->entries[i];

		if (!obj)
			continue;
		v->ranges[n].start = obj->info.dma_addr;
		v->ranges[n].end = obj->info.dma_addr + obj->info.size;
		v->ranges[n].obj = obj;
		n++;
	}
	v->count = n;
	rknpu_ranges_sort(v->ranges, n);
	return 0;
}

static int rknpu_validate_addr_reg(const struct rknpu_validator *v, uint32_t task, uint32_t word,
				   uint32_t offset, uint32_t value)
{
	uint64_t addr = (uint64_t)value + v->dma_base;

	if (offset == REG_PC_BASE_ADDRESS)
		return 0; /* the next fetch: checked with its length */
	/* Programs write 0 to the address registers of stages they bypass
	 * (vendor streams do too); a null address is "unused", not checked.
	 * Its limit is in docs/uapi.md. */
	if (value == 0)
		return 0;
	if (rknpu_range_find(v, addr, 1))
		return 0;
	rknpu_err(v->job->rdev,
		  "regcmd validator: session %u, task %u word %u: %s = 0x%08x (dma base 0x%llx) "
		  "is outside the session's buffers",
		  v->job->file->id, task, word, rknpu_reg_name(offset), value,
		  (unsigned long long)v->dma_base);
	return -EINVAL;
}

/* Walks @n tasks from @addr/@amount. */
static int rknpu_validate_chain(const struct rknpu_validator *v, uint32_t first_task, uint32_t n,
				uint64_t addr, uint32_t amount)
{
	const struct rknpu_soc_data *soc = v->job->rdev->soc;
	uint32_t i, w;

	for (i = 0; i < n; i++) {
		uint64_t nwords = ((uint64_t)amount + 1) * soc->pc_data_amount_scale;
		const struct rknpu_range *r = rknpu_range_find(v, addr, nwords * 8u);
		const uint8_t *words;
		uint64_t next_addr = addr;
		uint32_t next_amount = amount;

		if (!r || !r->obj->info.vaddr) {
			rknpu_err(v->job->rdev,
				  "regcmd validator: session %u, task %u: regcmd fetch of %llu words "
				  "at 0x%llx is outside the session's buffers",
				  v->job->file->id, first_task + i, (unsigned long long)nwords,
				  (unsigned long long)addr);
			return -EINVAL;
		}
		words = (const uint8_t *)r->obj->info.vaddr + (addr - r->start);
		for (w = 0; w < nwords; w++) {
			uint64_t word;
			uint32_t target, offset, value;
			int ret;

			/* Userspace shares this memory: read each word once. */
			rnpu_memcpy(&word, words + (uint64_t)w * 8u, sizeof(word));
			target = rk3588_regcmd_target(word);
			offset = rk3588_regcmd_offset(word);
			value = rk3588_regcmd_value(word);
			if (target == RK3588_TARGET_OP_EN)
				break;
			if (word == 0 || target == RK3588_TARGET_NOP || target == RK3588_TARGET_PRE_OP)
				continue;
			if (target == RK3588_TARGET_PC) {
				if (offset == REG_PC_BASE_ADDRESS)
					next_addr = (uint64_t)rk3588_get_PC_BASE_ADDRESS_PC_SOURCE_ADDR(value)
						    << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT;
				else if (offset == REG_PC_REGISTER_AMOUNTS)
					next_amount = rk3588_get_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(value);
				continue;
			}
			if (!rk3588_reg_is_addr(offset))
				continue;
			ret = rknpu_validate_addr_reg(v, first_task + i, w, offset, value);
			if (ret)
				return ret;
		}
		addr = next_addr;
		amount = next_amount;
	}
	return 0;
}

int rknpu_validate_job(struct rknpu_job *job)
{
	struct rknpu_device *rdev = job->rdev;
	struct rknpu_validator v = { .job = job };
	uint32_t base_reg = (uint32_t)job->args.task_base_addr;
	unsigned int core;
	int ret;

	if (rdev->plat.iommu)
		return 0; /* the IOMMU confines the job instead */
	v.dma_base = (uint64_t)rk3588_get_PC_TASK_DMA_BASE_ADDR_VALUE(base_reg)
		     << PC_TASK_DMA_BASE_ADDR_VALUE__SHIFT;
	/* Held throughout: no handle (and so no object) of the session can
	 * go while its memory is read. */
	rnpu_osal_mutex_lock(job->file->lock);
	ret = rknpu_validator_ranges(&v, job->file);
	for (core = 0; !ret && core < rdev->num_cores; core++) {
		const struct rknpu_job_core *jc = &job->core[core];
		uint32_t chunk;

		if (!(job->core_mask & (1u << core)))
			continue;
		for (chunk = 0; !ret && chunk < jc->task_number;
		     chunk += rdev->soc->max_submit_number) {
			uint32_t left = jc->task_number - chunk;
			uint32_t n = left < rdev->soc->max_submit_number ? left
									 : rdev->soc->max_submit_number;
			struct rknpu_task t;

			rnpu_memcpy(&t, &job->tasks[jc->task_start + chunk], sizeof(t));
			/* The driver programs BASE_ADDRESS (32 bits, as the
			 * commit writes it) and the amount from this task. */
			ret = rknpu_validate_chain(&v, jc->task_start + chunk, n,
						   (uint32_t)t.regcmd_addr,
						   rknpu_pc_data_amount(rdev->soc, t.regcfg_amount));
		}
	}
	rnpu_osal_mutex_unlock(job->file->lock);
	rnpu_osal_free(v.ranges);
	return ret;
}
