// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The register-program validator of the contiguous (no IOMMU) mode. There
 * the NPU reaches all of physical memory, so before a job runs every
 * address it will use is checked against the buffers of the submitting
 * session.
 *
 * Userspace can still write its task list and its programs (both are
 * mapped), so nothing is checked where it lives: at submit each core's
 * tasks are snapshotted (rknpu_job_snapshot) and each task's program is
 * copied into driver memory no session can map; the copy is what is
 * validated and what the PC fetches. The copies are chained like the
 * originals: every PC.BASE_ADDRESS word is re-pointed at the copy of the
 * next task, and the chunk starts the commit programs come from the
 * snapshot. The PC needs only each task's program contiguous, so the
 * copies go into segments (each program whole inside one) that never
 * move: a job's programs may add up to far more than the largest
 * contiguous allocation a kernel without CMA can give.
 *
 * What is checked, per task as the PC runs it:
 *  - each fetch (address and length) lies inside one session object;
 *  - every value written to an address register (addr="1" in
 *    hw/rk3588.xml), offset by TASK_DMA_BASE_ADDR, lies inside one;
 *  - for every engine the op-enable word starts, the whole range it reads
 *    or writes (from the dims, strides and precisions of the same task)
 *    lies inside the object its base address is in
 *    (docs/iommu.md lists the formulas and what is refused);
 *  - a base address of 0 ("unused") only where the task's configuration
 *    keeps that DMA from running: without a buffer check, dma base + 0 is
 *    physical memory of no session.
 *
 * A resident-weights matmul submits byte-identical programs on every
 * call, so each session remembers the tasks it accepted (the vcache
 * below) and takes a copy identical to one of them without decoding it
 * again.
 */
#include "rknpu_reg.h"

#define RKNPU_ATOM_BYTES 16u
/* Copies start where a PC.BASE_ADDRESS field can point. */
#define RKNPU_COPY_ALIGN (1u << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT)
#define RKNPU_COPY_MIN_BYTES 4096u
/* Segments double from RKNPU_COPY_MIN_BYTES up to this size (a small job
 * keeps a small copy); a program longer than that gets a segment of its
 * own. 256 KiB is an order-6 allocation, which a kernel without CMA
 * still gives when its memory is fragmented, and four of them fit the
 * session's cache. */
#define RKNPU_COPY_SEG_BYTES (256u << 10)
/* Free copy segments a session keeps for its next jobs, and the largest
 * one worth keeping. */
#define RKNPU_COPY_CACHE_MAX 4u
#define RKNPU_COPY_CACHE_MAX_BYTES (1u << 20)
/* Program bytes one job may have copied: tasks may all fetch the same
 * large program, so the fetches alone do not bound it. */
#define RKNPU_COPY_MAX_BYTES (64u << 20)
/* Link words of one task kept in the validator itself (a task has one;
 * more go to the heap). */
#define RKNPU_INLINE_LINKS 16u
/* Accepted tasks a session remembers: 2^SET_SHIFT sets, picked by a hash
 * of the fetch, of WAYS entries each (two tasks of one set then do not
 * evict each other at every call); the longest program remembered, and
 * the link words one entry replays. Worst case 256 x 2 KiB of words per
 * session. */
#define RKNPU_VCACHE_SET_SHIFT 7u
#define RKNPU_VCACHE_WAYS 2u
/* 2^64 / golden ratio: neighbouring fetch addresses land far apart. */
#define RKNPU_VCACHE_HASH_MUL 0x9e3779b97f4a7c15ull
#define RKNPU_VCACHE_ENTRIES ((1u << RKNPU_VCACHE_SET_SHIFT) * RKNPU_VCACHE_WAYS)
#define RKNPU_VCACHE_MAX_WORDS 256u
#define RKNPU_VCACHE_MAX_LINKS 4u

struct rknpu_range {
	uint64_t start, end;            /* [start, end) device addresses */
	const struct rknpu_gem_object *obj;
};

/* A PC.BASE_ADDRESS word of the copy, waiting for the next task's copy. */
struct rknpu_link {
	struct rknpu_regcmd_copy *seg;  /* the segment holding the word */
	uint64_t word_off;              /* bytes from the segment's start */
};

/* The registers the extents depend on, in ascending offset order (binary
 * searched). */
static const uint32_t rknpu_extent_regs[] = {
	REG_CNA_CONV_CON1,
	REG_CNA_DATA_SIZE0,
	REG_CNA_DATA_SIZE1,
	REG_CNA_WEIGHT_SIZE0,
	REG_CNA_WEIGHT_SIZE1,
	REG_CNA_WEIGHT_SIZE2,
	REG_CNA_FEATURE_DATA_ADDR,
	REG_CNA_DMA_CON1,
	REG_CNA_DMA_CON2,
	REG_CNA_DCOMP_CTRL,
	REG_CNA_DCOMP_ADDR0,
	REG_DPU_FEATURE_MODE_CFG,
	REG_DPU_DATA_FORMAT,
	REG_DPU_DST_BASE_ADDR,
	REG_DPU_DST_SURF_STRIDE,
	REG_DPU_DATA_CUBE_WIDTH,
	REG_DPU_DATA_CUBE_HEIGHT,
	REG_DPU_DATA_CUBE_NOTCH_ADDR,
	REG_DPU_DATA_CUBE_CHANNEL,
	REG_DPU_BS_CFG,
	REG_DPU_BS_OW_CFG,
	REG_DPU_BN_CFG,
	REG_DPU_EW_CFG,
	REG_DPU_SURFACE_ADD,
	REG_DPU_RDMA_RDMA_DATA_CUBE_WIDTH,
	REG_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT,
	REG_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL,
	REG_DPU_RDMA_RDMA_SRC_BASE_ADDR,
	REG_DPU_RDMA_RDMA_BRDMA_CFG,
	REG_DPU_RDMA_RDMA_BS_BASE_ADDR,
	REG_DPU_RDMA_RDMA_NRDMA_CFG,
	REG_DPU_RDMA_RDMA_BN_BASE_ADDR,
	REG_DPU_RDMA_RDMA_ERDMA_CFG,
	REG_DPU_RDMA_RDMA_EW_BASE_ADDR,
	REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG,
	REG_DPU_RDMA_RDMA_SRC_DMA_CFG,
	REG_DPU_RDMA_RDMA_SURF_NOTCH,
	REG_DPU_RDMA_RDMA_EW_SURF_NOTCH,
	REG_PPU_DATA_CUBE_IN_CHANNEL,
	REG_PPU_DATA_CUBE_OUT_WIDTH,
	REG_PPU_DATA_CUBE_OUT_HEIGHT,
	REG_PPU_DATA_CUBE_OUT_CHANNEL,
	REG_PPU_OPERATION_MODE_CFG,
	REG_PPU_DST_BASE_ADDR,
	REG_PPU_DST_SURF_STRIDE,
	REG_PPU_DATA_FORMAT,
	REG_PPU_MISC_CTRL,
	REG_PPU_RDMA_RDMA_CUBE_IN_WIDTH,
	REG_PPU_RDMA_RDMA_CUBE_IN_HEIGHT,
	REG_PPU_RDMA_RDMA_CUBE_IN_CHANNEL,
	REG_PPU_RDMA_RDMA_SRC_BASE_ADDR,
	REG_PPU_RDMA_RDMA_SRC_LINE_STRIDE,
	REG_PPU_RDMA_RDMA_SRC_SURF_STRIDE,
	REG_PPU_RDMA_RDMA_DATA_FORMAT,
};

#define RKNPU_EXTENT_REGS (sizeof(rknpu_extent_regs) / sizeof(rknpu_extent_regs[0]))
_Static_assert(RKNPU_EXTENT_REGS <= 64, "the written mask is one uint64_t");

struct rknpu_validator {
	struct rknpu_job *job;
	const struct rknpu_range *ranges; /* sorted by start: file->range_index's */
	uint32_t count;
	uint64_t dma_base;              /* TASK_DMA_BASE_ADDR as the NPU applies it */

	/* The job's copy segments, newest (the one being filled) first,
	 * chained by next; copy->used bytes of it are in use. */
	struct rknpu_regcmd_copy *copy;
	uint64_t total;                 /* program bytes copied, all segments */
	uint64_t seg_bytes;             /* the next segment's size */
	struct rknpu_link *links;       /* inline_links, or the heap when longer */
	uint32_t nlinks, links_cap;     /* links of the last task copied */
	struct rknpu_link inline_links[RKNPU_INLINE_LINKS];

	/* Values of rknpu_extent_regs written by the current task. */
	uint32_t val[RKNPU_EXTENT_REGS];
	uint64_t written;
	uint32_t extent_hint;           /* lower bound of the last offset written */
	uint32_t task;                  /* task index, for logs */
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

/* The session's objects sorted by address. Rebuilt only when a handle
 * came or went since the last build: a model keeps hundreds of weight
 * objects resident, and sorting them all on every submit cost more than
 * the rest of the submit (bench_llm --layers). */
struct rknpu_range_index {
	struct rknpu_range *ranges;
	uint32_t count, capacity;
	uint64_t generation;            /* of the handle table it was built from */
	bool built;
};

/* Points @v at the session's sorted objects. Caller holds file->lock,
 * which also keeps every indexed object alive while the job is checked. */
static int rknpu_validator_ranges(struct rknpu_validator *v, struct rknpu_file *file)
{
	const struct rknpu_handle_table *t = &file->handles;
	struct rknpu_range_index *idx = file->range_index;
	uint32_t i, n = 0;

	if (!idx) {
		idx = rnpu_osal_zalloc(sizeof(*idx));
		if (!idx)
			return -ENOMEM;
		file->range_index = idx;
	}
	if (!idx->built || idx->generation != t->generation) {
		if (t->live > idx->capacity) {
			/* Room to grow, so loading a model does not reallocate
			 * at every submit between its handles. */
			uint32_t cap = t->live > 0x7fffffffu ? t->live : t->live * 2;
			struct rknpu_range *r = rnpu_osal_zalloc_array(cap, sizeof(*r));

			if (!r)
				return -ENOMEM;
			rnpu_osal_free(idx->ranges);
			idx->ranges = r;
			idx->capacity = cap;
		}
		for (i = 0; i < t->used && n < t->live; i++) {
			const struct rknpu_gem_object *obj = t->entries[i];

			if (!obj)
				continue;
			idx->ranges[n].start = obj->info.dma_addr;
			idx->ranges[n].end = obj->info.dma_addr + obj->info.size;
			idx->ranges[n].obj = obj;
			n++;
		}
		idx->count = n;
		rknpu_ranges_sort(idx->ranges, n);
		idx->generation = t->generation;
		idx->built = true;
	}
	v->ranges = idx->ranges;
	v->count = idx->count;
	return 0;
}

static void rknpu_range_index_free(struct rknpu_file *file)
{
	if (!file->range_index)
		return;
	rnpu_osal_free(file->range_index->ranges);
	rnpu_osal_free(file->range_index);
	file->range_index = NULL;
}

/* ------------------------------------------------- accepted programs
 *
 * Why a hit may skip rknpu_validate_words: its outcome for one task is a
 * function of the task's words, dma_base, the fetch address and length
 * (the defaults of the next fetch) and the session's objects, and of
 * nothing else. The register shadow is cleared at the start of every
 * task (v->written; val[] is read only through it), extent_hint only
 * says where a search starts, and the task index is for logs. The
 * objects are the range index, which changes only with
 * file->handles.generation (an object's address and size are fixed
 * while its handle lives). So an entry is keyed by (fetch address,
 * words, dma_base, generation) and its words are compared in full with
 * the copy in driver memory, which is what runs: the user's mapping is
 * never read again, so rewriting it after the copy changes nothing.
 * Only tasks that passed are stored; a hit replays what the walk
 * produced: the next fetch, whether a link word was seen, and the link
 * words' offsets within the task's copy. file->lock (held by
 * rknpu_validate_job throughout) protects all of it. */

struct rknpu_vcache_entry {
	uint64_t *words;                /* the accepted program; NULL = empty */
	uint32_t words_cap;             /* words allocated */
	uint32_t nwords;
	uint64_t addr;                  /* where it was fetched from */
	uint64_t dma_base;
	uint64_t generation;            /* file->handles.generation then */
	uint64_t next_addr;             /* what the walk gave */
	uint32_t next_amount;
	bool linked;
	uint32_t nlinks;
	uint32_t link_off[RKNPU_VCACHE_MAX_LINKS]; /* bytes from the task's copy */
	uint64_t used;                  /* vcache->clock at its last hit or store */
};

struct rknpu_vcache {
	struct rknpu_vcache_entry e[RKNPU_VCACHE_ENTRIES];
	uint64_t clock;                 /* ticks at every hit and store */
};

/* The first way of the set of (@addr, @nwords, @dma_base). */
static struct rknpu_vcache_entry *rknpu_vcache_set(struct rknpu_vcache *vc, uint64_t addr,
						   uint64_t nwords, uint64_t dma_base)
{
	uint64_t h = ((addr >> PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT) ^ (nwords << 40) ^ dma_base) *
		     RKNPU_VCACHE_HASH_MUL;

	return &vc->e[(h >> (64u - RKNPU_VCACHE_SET_SHIFT)) * RKNPU_VCACHE_WAYS];
}

static bool rknpu_vcache_key_is(const struct rknpu_vcache_entry *e, uint64_t addr,
				uint64_t nwords, uint64_t dma_base)
{
	return e->words && e->nwords == nwords && e->addr == addr && e->dma_base == dma_base;
}

static void rknpu_vcache_free(struct rknpu_file *file)
{
	uint32_t i;

	if (!file->vcache)
		return;
	for (i = 0; i < RKNPU_VCACHE_ENTRIES; i++)
		rnpu_osal_free(file->vcache->e[i].words);
	rnpu_osal_free(file->vcache);
	file->vcache = NULL;
}

/* The entry accepting the @nwords copied at @off, fetched from @addr,
 * or NULL. */
static const struct rknpu_vcache_entry *rknpu_vcache_find(const struct rknpu_validator *v,
							   uint64_t addr, uint64_t off,
							   uint64_t nwords)
{
	struct rknpu_file *file = v->job->file;
	struct rknpu_vcache_entry *set;
	uint32_t w;

	if (!file->vcache || nwords > RKNPU_VCACHE_MAX_WORDS)
		return NULL;
	set = rknpu_vcache_set(file->vcache, addr, nwords, v->dma_base);
	for (w = 0; w < RKNPU_VCACHE_WAYS; w++) {
		struct rknpu_vcache_entry *e = &set[w];

		if (!rknpu_vcache_key_is(e, addr, nwords, v->dma_base) ||
		    e->generation != file->handles.generation)
			continue;
		/* The copy, never the user's mapping. */
		if (rnpu_memcmp(e->words, (const uint8_t *)v->copy->info.vaddr + off,
				(size_t)nwords * 8u))
			continue;
		e->used = ++file->vcache->clock;
		return e;
	}
	return NULL;
}

/* Remembers the task just accepted: @nwords copied at @off from @addr,
 * whose walk gave the next fetch, @linked and links[first_link..). Not
 * remembering (no memory, too long) only costs a later walk. */
static void rknpu_vcache_store(struct rknpu_validator *v, uint64_t addr, uint64_t off,
			       uint64_t nwords, uint64_t next_addr, uint32_t next_amount,
			       bool linked, uint32_t first_link)
{
	struct rknpu_file *file = v->job->file;
	struct rknpu_vcache_entry *set, *e;
	uint32_t i;

	if (nwords > RKNPU_VCACHE_MAX_WORDS || v->nlinks - first_link > RKNPU_VCACHE_MAX_LINKS)
		return;
	if (!file->vcache) {
		file->vcache = rnpu_osal_zalloc(sizeof(*file->vcache));
		if (!file->vcache)
			return;
	}
	/* The same fetch's older program, else the least recently used way
	 * (an empty one has never been used). */
	set = rknpu_vcache_set(file->vcache, addr, nwords, v->dma_base);
	e = &set[0];
	for (i = 0; i < RKNPU_VCACHE_WAYS; i++) {
		if (rknpu_vcache_key_is(&set[i], addr, nwords, v->dma_base)) {
			e = &set[i];
			break;
		}
		if (set[i].used < e->used)
			e = &set[i];
	}
	if (e->words_cap < nwords) {
		rnpu_osal_free(e->words);
		e->words_cap = 0;
		e->words = rnpu_osal_zalloc_array((size_t)nwords, sizeof(*e->words));
		if (!e->words)
			return;
		e->words_cap = (uint32_t)nwords;
	}
	rnpu_memcpy(e->words, (const uint8_t *)v->copy->info.vaddr + off, (size_t)nwords * 8u);
	e->nwords = (uint32_t)nwords;
	e->addr = addr;
	e->dma_base = v->dma_base;
	e->generation = file->handles.generation;
	e->next_addr = next_addr;
	e->next_amount = next_amount;
	e->linked = linked;
	e->nlinks = v->nlinks - first_link;
	for (i = 0; i < e->nlinks; i++)
		e->link_off[i] = (uint32_t)(v->links[first_link + i].word_off - off);
	e->used = ++file->vcache->clock;
}

/* ------------------------------------------------------ the copy buffers */

static void rknpu_copy_free(struct rknpu_regcmd_copy *c)
{
	rnpu_osal_dma_put(c->buf);
	rnpu_osal_free(c);
}

/* A copy buffer of at least @bytes: the session's cached one if it is big
 * enough, else a new one. Caller holds file->lock. */
static struct rknpu_regcmd_copy *rknpu_copy_get(struct rknpu_file *file, uint64_t bytes)
{
	struct rknpu_regcmd_copy **pp, *c;
	uint64_t size = RKNPU_COPY_MIN_BYTES;
	int ret;

	for (pp = &file->copy_cache; *pp; pp = &(*pp)->next) {
		if ((*pp)->info.size >= bytes) {
			c = *pp;
			*pp = c->next;
			file->copy_cached--;
			c->next = NULL;
			c->used = 0;
			return c;
		}
	}
	while (size < bytes)
		size *= 2;
	c = rnpu_osal_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	/* Reached by the PC through a 32-bit address; never mapped to
	 * userspace. */
	ret = rnpu_osal_dma_alloc(file->rdev->plat.dev, (size_t)size,
				  RNPU_OSAL_DMA_CONTIGUOUS | RNPU_OSAL_DMA_DMA32 | RNPU_OSAL_DMA_KMAP,
				  &c->buf, &c->info);
	if (ret || !c->info.vaddr || c->info.dma_addr + c->info.size > (1ull << 32)) {
		if (!ret)
			rnpu_osal_dma_put(c->buf);
		rnpu_osal_free(c);
		return NULL;
	}
	return c;
}

/* Back to the session's cache (or freed when it is full). Caller holds
 * file->lock. */
static void rknpu_copy_put(struct rknpu_file *file, struct rknpu_regcmd_copy *c)
{
	if (!c)
		return;
	if (file->copy_cached >= RKNPU_COPY_CACHE_MAX ||
	    c->info.size > RKNPU_COPY_CACHE_MAX_BYTES) {
		rknpu_copy_free(c);
		return;
	}
	c->next = file->copy_cache;
	file->copy_cache = c;
	file->copy_cached++;
}

/* A job's chain of segments back to the cache. Caller holds file->lock. */
static void rknpu_copy_put_all(struct rknpu_file *file, struct rknpu_regcmd_copy *c)
{
	while (c) {
		struct rknpu_regcmd_copy *next = c->next;

		rknpu_copy_put(file, c);
		c = next;
	}
}

/* The program copies and the object index (rebuilt on the next submit). */
static void rknpu_copy_cache_free(struct rknpu_file *file)
{
	rknpu_range_index_free(file);
	while (file->copy_cache) {
		struct rknpu_regcmd_copy *c = file->copy_cache;

		file->copy_cache = c->next;
		rknpu_copy_free(c);
	}
	file->copy_cached = 0;
}

/* Frees the session's cached copy buffers (an idle session keeps none).
 * The accepted programs stay: they are bounded heap, not DMA memory, and
 * a model called again after a pause would otherwise be checked afresh. */
void rknpu_regcmd_copy_cache_trim(struct rknpu_file *file)
{
	rnpu_osal_mutex_lock(file->lock);
	rknpu_copy_cache_free(file);
	rnpu_osal_mutex_unlock(file->lock);
}

/* Frees the validator's per-session caches: the program copies, the
 * object index and the accepted programs. */
void rknpu_regcmd_copy_cache_fini(struct rknpu_file *file)
{
	rknpu_copy_cache_free(file);
	rknpu_vcache_free(file);
}

/* Room for a program of @bytes: at *@off of v->copy, the current
 * segment, or at 0 of a new one when it does not fit there. Segments
 * never move, so a copy's device address is final at once. */
static int rknpu_copy_reserve(struct rknpu_validator *v, uint64_t bytes, uint64_t *off)
{
	struct rknpu_regcmd_copy *c = v->copy;
	uint64_t at = 0, total;

	if (c)
		at = (c->used + RKNPU_COPY_ALIGN - 1) & ~(uint64_t)(RKNPU_COPY_ALIGN - 1);
	if (c && at + bytes <= c->info.size)
		total = v->total + (at - c->used) + bytes;
	else
		total = v->total + bytes;
	if (total > RKNPU_COPY_MAX_BYTES) {
		rknpu_err(v->job->rdev,
			  "regcmd validator: session %u, task %u: the job's programs exceed %u "
			  "bytes",
			  v->job->file->id, v->task, RKNPU_COPY_MAX_BYTES);
		return -EINVAL;
	}
	if (!c || at + bytes > c->info.size) {
		uint64_t size = bytes > v->seg_bytes ? bytes : v->seg_bytes;

		c = rknpu_copy_get(v->job->file, size);
		if (!c) {
			rknpu_err(v->job->rdev,
				  "regcmd validator: session %u: no memory for a %llu-byte "
				  "program copy",
				  v->job->file->id, (unsigned long long)size);
			return -ENOMEM;
		}
		c->next = v->copy;
		v->copy = c;
		at = 0;
		if (v->seg_bytes < RKNPU_COPY_SEG_BYTES)
			v->seg_bytes *= 2;
	}
	c->used = at + bytes;
	v->total = total;
	*off = at;
	return 0;
}

static int rknpu_link_add(struct rknpu_validator *v, uint64_t word_off)
{
	if (v->nlinks == v->links_cap) {
		uint32_t cap = 2 * v->links_cap;
		struct rknpu_link *n = rnpu_osal_zalloc_array(cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		rnpu_memcpy(n, v->links, v->nlinks * sizeof(*n));
		if (v->links != v->inline_links)
			rnpu_osal_free(v->links);
		v->links = n;
		v->links_cap = cap;
	}
	v->links[v->nlinks].seg = v->copy;
	v->links[v->nlinks].word_off = word_off;
	v->nlinks++;
	return 0;
}

/* Points the last task's link words at the copy at device address
 * @target (the next task's, or its own for the last of a chain). */
static void rknpu_links_resolve(struct rknpu_validator *v, uint64_t target)
{
	uint32_t i;

	for (i = 0; i < v->nlinks; i++) {
		uint8_t *p = (uint8_t *)v->links[i].seg->info.vaddr + v->links[i].word_off;
		uint64_t word;
		uint32_t value;

		rnpu_memcpy(&word, p, sizeof(word));
		value = rk3588_regcmd_value(word);
		rk3588_set_PC_BASE_ADDRESS_PC_SOURCE_ADDR(
			&value, (uint32_t)(target >> PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT));
		word = rk3588_regcmd(rk3588_regcmd_target(word), rk3588_regcmd_offset(word), value);
		rnpu_memcpy(p, &word, sizeof(word));
	}
	v->nlinks = 0;
}

/* ---------------------------------------------------- register shadow */

/* Position of the first extent register at or above @offset. */
static uint32_t rknpu_extent_lower_bound(uint32_t offset)
{
	uint32_t lo = 0, hi = RKNPU_EXTENT_REGS;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (rknpu_extent_regs[mid] < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether @pos is the lower bound of @offset. */
static bool rknpu_extent_bound_is(uint32_t pos, uint32_t offset)
{
	return pos <= RKNPU_EXTENT_REGS && (pos == 0 || rknpu_extent_regs[pos - 1] < offset) &&
	       (pos == RKNPU_EXTENT_REGS || offset <= rknpu_extent_regs[pos]);
}

static int rknpu_extent_index(uint32_t offset)
{
	uint32_t pos = rknpu_extent_lower_bound(offset);

	return pos < RKNPU_EXTENT_REGS && rknpu_extent_regs[pos] == offset ? (int)pos : -1;
}

/* Programs write their registers mostly in ascending order, so the search
 * starts where the previous word's ended: a word then costs a compare or
 * two rather than a binary search with its mispredicted branches (half
 * of the validator's time). */
static void rknpu_shadow_write(struct rknpu_validator *v, uint32_t offset, uint32_t value)
{
	uint32_t pos = v->extent_hint;

	if (!rknpu_extent_bound_is(pos, offset)) {
		pos++;
		if (!rknpu_extent_bound_is(pos, offset))
			pos = rknpu_extent_lower_bound(offset);
	}
	v->extent_hint = pos;
	if (pos == RKNPU_EXTENT_REGS || rknpu_extent_regs[pos] != offset)
		return;
	v->val[pos] = value;
	v->written |= 1ull << pos;
}

/* The value the current task wrote to @offset; false if it wrote none
 * (the register then keeps whatever an earlier job left). */
static bool rknpu_shadow(const struct rknpu_validator *v, uint32_t offset, uint32_t *value)
{
	int i = rknpu_extent_index(offset);

	if (i < 0 || !(v->written & (1ull << i)))
		return false;
	*value = v->val[i];
	return true;
}

/* ------------------------------------------------------------- extents */

/* Element bytes of the CNA precision codes (fact sheet section 4:
 * 0 int8, 1 int16, 2 fp16); 0 = not known. */
static unsigned int rknpu_cna_elem_bytes(uint32_t code)
{
	static const uint8_t bytes[] = { 1, 2, 2 };

	return code < sizeof(bytes) ? bytes[code] : 0;
}

/* Channels per 16-byte atom of a CNA precision code: 16 / element bytes,
 * or 32 for int4 (code 6, two per byte, docs/hw-facts-int4.md); 0 = not
 * known. */
static unsigned int rknpu_cna_atom_channels(uint32_t code)
{
	unsigned int eb = rknpu_cna_elem_bytes(code);

	if (code == 6)
		return 2 * RKNPU_ATOM_BYTES;
	return eb ? RKNPU_ATOM_BYTES / eb : 0;
}

/* Element bytes of the DPU/PPU precision codes (0 int8, 1 int16, 2 fp16,
 * 4 int32, 5 fp32; 3 is not described); 0 = not known. */
static unsigned int rknpu_dpu_elem_bytes(uint32_t code)
{
	static const uint8_t bytes[] = { 1, 2, 2, 0, 4, 4 };

	return code < sizeof(bytes) ? bytes[code] : 0;
}

static uint64_t rknpu_div_up64(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

struct rknpu_extent {
	uint32_t addr_reg;              /* the base address register */
	uint64_t base;                  /* its address, dma base applied */
	int64_t lo;                     /* first byte touched, from base */
	uint64_t len;                   /* bytes from base + lo */
	const char *what;               /* for logs */
};

/* Reads register @off for an extent of the engine whose base is
 * @addr_reg; refuses when the task did not write it. */
static int rknpu_need(const struct rknpu_validator *v, uint32_t addr_reg, uint32_t off,
		      uint32_t *value)
{
	if (rknpu_shadow(v, off, value))
		return 0;
	rknpu_err(v->job->rdev,
		  "regcmd validator: session %u, task %u: %s is used but %s is not written by the "
		  "task, so the extent cannot be bounded",
		  v->job->file->id, v->task, rknpu_reg_name(addr_reg), rknpu_reg_name(off));
	return -EINVAL;
}

static int rknpu_refuse_mode(const struct rknpu_validator *v, uint32_t reg, uint32_t value,
			     const char *why)
{
	rknpu_err(v->job->rdev,
		  "regcmd validator: session %u, task %u: %s = 0x%08x: %s; the extent of its DMA "
		  "is not known, refused",
		  v->job->file->id, v->task, rknpu_reg_name(reg), value, why);
	return -EINVAL;
}

static int rknpu_extent_check(const struct rknpu_validator *v, const struct rknpu_extent *e)
{
	/* A range starting below address 0 is never inside. */
	bool below_zero = e->lo < 0 && (uint64_t)(-e->lo) > e->base;
	uint64_t start = e->base + (uint64_t)e->lo;

	if (!below_zero && e->len <= ~(uint64_t)0 - start &&
	    rknpu_range_find(v, start, e->len ? e->len : 1))
		return 0;
	rknpu_err(v->job->rdev,
		  "regcmd validator: session %u, task %u: %s: %s of %llu bytes at 0x%llx (base "
		  "0x%llx) leaves the session's buffer",
		  v->job->file->id, v->task, rknpu_reg_name(e->addr_reg), e->what,
		  (unsigned long long)e->len, (unsigned long long)(e->base + (uint64_t)e->lo),
		  (unsigned long long)e->base);
	return -EINVAL;
}

/* Whether the task wrote @reg with the bit(s) of @mask set. A register
 * it did not write keeps an earlier job's value, so it never counts as
 * set: every caller asks about a bit that stops a DMA. */
static bool rknpu_wrote_bits(const struct rknpu_validator *v, uint32_t reg, uint32_t mask)
{
	uint32_t value;

	return rknpu_shadow(v, reg, &value) && (value & mask) == mask;
}

/* Who DMAs, from the task's own configuration (docs/iommu.md, "Null
 * bases"). Only bits documented to stop the transfer count; anything
 * else, or a register the task does not write, means it runs. */
static const char *rknpu_dpu_write_runs(const struct rknpu_validator *v)
{
	uint32_t fm;

	if (rknpu_shadow(v, REG_DPU_FEATURE_MODE_CFG, &fm) &&
	    !(rk3588_get_DPU_FEATURE_MODE_CFG_OUTPUT_MODE(fm) & 2u))
		return NULL; /* OUTPUT_MODE bit 1 clear: nothing goes to memory */
	return "DPU.FEATURE_MODE_CFG.OUTPUT_MODE bit 1 (to memory) is set or not written";
}

static const char *rknpu_mrdma_runs(const struct rknpu_validator *v)
{
	if (rknpu_wrote_bits(v, REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG,
			     DPU_RDMA_RDMA_FEATURE_MODE_CFG_MRDMA_DISABLE__MASK))
		return NULL;
	/* Not gated by FLYING_MODE: combined reads (COMB_USE) feed the EW
	 * operand through MRDMA outside flying mode. */
	return "DPU_RDMA.RDMA_FEATURE_MODE_CFG.MRDMA_DISABLE is clear";
}

static const char *rknpu_erdma_runs(const struct rknpu_validator *v)
{
	if (rknpu_wrote_bits(v, REG_DPU_RDMA_RDMA_ERDMA_CFG,
			     DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DISABLE__MASK) ||
	    rknpu_wrote_bits(v, REG_DPU_EW_CFG, DPU_EW_CFG_EW_BYPASS__MASK))
		return NULL;
	return "DPU_RDMA.RDMA_ERDMA_CFG.ERDMA_DISABLE and DPU.EW_CFG.EW_BYPASS are clear";
}

static const char *rknpu_brdma_runs(const struct rknpu_validator *v)
{
	if (rknpu_wrote_bits(v, REG_DPU_RDMA_RDMA_BRDMA_CFG,
			     DPU_RDMA_RDMA_BRDMA_CFG_BRDMA_DISABLE__MASK) ||
	    rknpu_wrote_bits(v, REG_DPU_BS_CFG, DPU_BS_CFG_BS_BYPASS__MASK))
		return NULL;
	return "DPU_RDMA.RDMA_BRDMA_CFG.BRDMA_DISABLE and DPU.BS_CFG.BS_BYPASS are clear";
}

static const char *rknpu_nrdma_runs(const struct rknpu_validator *v)
{
	if (rknpu_wrote_bits(v, REG_DPU_RDMA_RDMA_NRDMA_CFG,
			     DPU_RDMA_RDMA_NRDMA_CFG_NRDMA_DISABLE__MASK) ||
	    rknpu_wrote_bits(v, REG_DPU_BN_CFG, DPU_BN_CFG_BN_BYPASS__MASK))
		return NULL;
	return "DPU_RDMA.RDMA_NRDMA_CFG.NRDMA_DISABLE and DPU.BN_CFG.BN_BYPASS are clear";
}

/* The base of an engine: false when the task leaves it unused (0) and
 * @runs is NULL (the configuration keeps the DMA from running); a 0 the
 * engine would DMA at, or an address register the task does not write at
 * all, is refused. */
static int rknpu_engine_base(const struct rknpu_validator *v, uint32_t addr_reg, uint32_t mask,
			     const char *engine, const char *runs, bool *used,
			     struct rknpu_extent *e, const char *what)
{
	uint32_t value;
	int ret = rknpu_need(v, addr_reg, addr_reg, &value);

	*used = false;
	if (ret)
		return ret;
	value &= mask;
	if (value == 0 && runs) {
		rknpu_err(v->job->rdev,
			  "regcmd validator: session %u, task %u: %s = 0, but the %s DMAs (%s): "
			  "a null base is refused",
			  v->job->file->id, v->task, rknpu_reg_name(addr_reg), engine, runs);
		return -EINVAL;
	}
	if (value == 0)
		return 0;
	*used = true;
	e->addr_reg = addr_reg;
	e->base = (uint64_t)value + v->dma_base;
	e->lo = 0;
	e->len = 0;
	e->what = what;
	return 0;
}

/* CNA feature fetch: rows of W atoms at
 * 16 * (c1 * (SURF_STRIDE + W) + h * LINE_STRIDE) with GROUP_LINE_OFF, else
 * 16 * c1 * (SURF_STRIDE + 4W) + 4 * h * LINE_STRIDE (fact sheet 5.2);
 * SURF_STRIDE is signed, so the extremes are at the corners. */
static int rknpu_extent_cna_feature(const struct rknpu_validator *v)
{
	uint32_t con1, ds0, ds1, dma1, dma2, mode;
	struct rknpu_extent e;
	int64_t w, h, c1n, ls, ss, off_c, off_h, lo = 0, hi = 0;
	unsigned int c2;
	bool used;
	int ret;

	ret = rknpu_engine_base(v, REG_CNA_FEATURE_DATA_ADDR, 0xffffffffu, "CNA feature fetch",
				"the op-enable word starts CNA", &used, &e, "feature fetch");
	if (ret || !used)
		return ret;
	if (rknpu_need(v, e.addr_reg, REG_CNA_CONV_CON1, &con1))
		return -EINVAL;
	c2 = rknpu_cna_atom_channels(rk3588_get_CNA_CONV_CON1_IN_PRECISION(con1));
	mode = rk3588_get_CNA_CONV_CON1_CONV_MODE(con1);
	/* Only direct and depthwise (0, 3) convolution of aligned input
	 * fetch whole atoms row by row. */
	if ((mode != 0 && mode != 3) || rk3588_get_CNA_CONV_CON1_DECONV(con1) ||
	    rk3588_get_CNA_CONV_CON1_ARGB_IN(con1) || rk3588_get_CNA_CONV_CON1_NONALIGN_DMA(con1))
		return rknpu_refuse_mode(v, REG_CNA_CONV_CON1, con1,
					 "only direct or depthwise convolution of aligned input");
	if (!c2)
		return rknpu_refuse_mode(v, REG_CNA_CONV_CON1, con1, "unknown input precision");
	if (rknpu_need(v, e.addr_reg, REG_CNA_DATA_SIZE0, &ds0) ||
	    rknpu_need(v, e.addr_reg, REG_CNA_DATA_SIZE1, &ds1) ||
	    rknpu_need(v, e.addr_reg, REG_CNA_DMA_CON1, &dma1) ||
	    rknpu_need(v, e.addr_reg, REG_CNA_DMA_CON2, &dma2))
		return -EINVAL;
	w = rk3588_get_CNA_DATA_SIZE0_DATAIN_WIDTH(ds0);
	h = rk3588_get_CNA_DATA_SIZE0_DATAIN_HEIGHT(ds0);
	c1n = (int64_t)rknpu_div_up64(rk3588_get_CNA_DATA_SIZE1_DATAIN_CHANNEL(ds1),
				      c2);
	if (!w || !h || !c1n)
		return rknpu_extent_check(v, &e); /* nothing fetched: the base alone */
	ls = rk3588_get_CNA_DMA_CON1_LINE_STRIDE(dma1);
	ss = rk3588_get_CNA_DMA_CON2_SURF_STRIDE(dma2);
	if (rk3588_get_CNA_CONV_CON1_GROUP_LINE_OFF(con1)) {
		off_c = (int64_t)RKNPU_ATOM_BYTES * (ss + w);
		off_h = (int64_t)RKNPU_ATOM_BYTES * ls;
	} else {
		off_c = (int64_t)RKNPU_ATOM_BYTES * (ss + 4 * w);
		off_h = 4 * ls;
	}
	/* Linear in c1 and h: each term is extreme at one end. */
	if (off_c < 0)
		lo += off_c * (c1n - 1);
	else
		hi += off_c * (c1n - 1);
	if (off_h < 0)
		lo += off_h * (h - 1);
	else
		hi += off_h * (h - 1);
	e.lo = lo;
	e.len = (uint64_t)(hi - lo) + (uint64_t)w * RKNPU_ATOM_BYTES;
	return rknpu_extent_check(v, &e);
}

/* CNA weight fetch: kernels x bytes per kernel, or WEIGHT_BYTES if larger. */
static int rknpu_extent_cna_weight(const struct rknpu_validator *v)
{
	uint32_t ctrl, ws0, ws1, ws2;
	struct rknpu_extent e;
	uint64_t a, b;
	bool used;
	int ret;

	ret = rknpu_engine_base(v, REG_CNA_DCOMP_ADDR0, CNA_DCOMP_ADDR0_VALUE__MASK,
				"CNA weight fetch", "the op-enable word starts CNA", &used, &e,
				"weight fetch");
	if (ret || !used)
		return ret;
	if (rknpu_shadow(v, REG_CNA_DCOMP_CTRL, &ctrl) && ctrl)
		return rknpu_refuse_mode(v, REG_CNA_DCOMP_CTRL, ctrl,
					 "compressed weights have no known length");
	if (rknpu_need(v, e.addr_reg, REG_CNA_WEIGHT_SIZE0, &ws0) ||
	    rknpu_need(v, e.addr_reg, REG_CNA_WEIGHT_SIZE1, &ws1) ||
	    rknpu_need(v, e.addr_reg, REG_CNA_WEIGHT_SIZE2, &ws2))
		return -EINVAL;
	a = rk3588_get_CNA_WEIGHT_SIZE0_WEIGHT_BYTES(ws0);
	b = (uint64_t)rk3588_get_CNA_WEIGHT_SIZE1_WEIGHT_BYTES_PER_KERNEL(ws1) *
	    rk3588_get_CNA_WEIGHT_SIZE2_WEIGHT_KERNELS(ws2);
	e.len = a > b ? a : b;
	return rknpu_extent_check(v, &e);
}

/* DPU write DMA (fact sheet 5.4): channel atom a of C2 channels goes to
 * surface (a / E) * SURF_ADD + (a % E) * SURF_STRIDE, line h at
 * h * (W + notch) atoms, W atoms per line. E is taken as the largest of
 * SIZE_E_0..2 and the smallest, whichever reaches further. */
static int rknpu_extent_dpu_write(const struct rknpu_validator *v)
{
	uint32_t fmt, cw, ch, cc, ow, sa, ss, notch;
	struct rknpu_extent e;
	uint64_t w, h, atoms, sadd, sstr, pitch, hi = 0;
	unsigned int eb, k;
	bool used;
	int ret;

	ret = rknpu_engine_base(v, REG_DPU_DST_BASE_ADDR, DPU_DST_BASE_ADDR_VALUE__MASK & ~0xfu,
				"DPU output write", rknpu_dpu_write_runs(v), &used, &e,
				"output write");
	if (ret || !used)
		return ret;
	if (rknpu_need(v, e.addr_reg, REG_DPU_DATA_FORMAT, &fmt) ||
	    rknpu_need(v, e.addr_reg, REG_DPU_DATA_CUBE_WIDTH, &cw) ||
	    rknpu_need(v, e.addr_reg, REG_DPU_DATA_CUBE_HEIGHT, &ch) ||
	    rknpu_need(v, e.addr_reg, REG_DPU_DATA_CUBE_CHANNEL, &cc) ||
	    rknpu_need(v, e.addr_reg, REG_DPU_BS_OW_CFG, &ow) ||
	    rknpu_need(v, e.addr_reg, REG_DPU_SURFACE_ADD, &sa) ||
	    rknpu_need(v, e.addr_reg, REG_DPU_DST_SURF_STRIDE, &ss) ||
	    rknpu_need(v, e.addr_reg, REG_DPU_DATA_CUBE_NOTCH_ADDR, &notch))
		return -EINVAL;
	eb = rknpu_dpu_elem_bytes(rk3588_get_DPU_DATA_FORMAT_OUT_PRECISION(fmt));
	if (!eb)
		return rknpu_refuse_mode(v, REG_DPU_DATA_FORMAT, fmt, "unknown output precision");
	w = (uint64_t)rk3588_get_DPU_DATA_CUBE_WIDTH_VALUE(cw) + 1;
	h = (uint64_t)rk3588_get_DPU_DATA_CUBE_HEIGHT_HEIGHT(ch) + 1;
	atoms = rknpu_div_up64((uint64_t)rk3588_get_DPU_DATA_CUBE_CHANNEL_CHANNEL(cc) + 1,
			       RKNPU_ATOM_BYTES / eb);
	sadd = rk3588_get_DPU_SURFACE_ADD_SURF_ADD(sa);
	sstr = rk3588_get_DPU_DST_SURF_STRIDE_VALUE(ss);
	pitch = w + rk3588_get_DPU_DATA_CUBE_NOTCH_ADDR_NOTCH_ADDR_0(notch);
	for (k = 0; k < 3; k++) {
		uint32_t ek = k == 0 ? rk3588_get_DPU_BS_OW_CFG_SIZE_E_0(ow)
			      : k == 1 ? rk3588_get_DPU_BS_OW_CFG_SIZE_E_1(ow)
				       : rk3588_get_DPU_BS_OW_CFG_SIZE_E_2(ow);
		uint64_t ge = (uint64_t)ek + 1, last = atoms - 1;
		uint64_t q = last / ge, surf = q * sadd + (last % ge) * sstr;

		/* The last atom, or the last one of the previous full group. */
		if (q > 0 && (q - 1) * sadd + (ge - 1) * sstr > surf)
			surf = (q - 1) * sadd + (ge - 1) * sstr;
		if (surf > hi)
			hi = surf;
	}
	e.len = (hi + (h - 1) * pitch + w) * RKNPU_ATOM_BYTES;
	return rknpu_extent_check(v, &e);
}

/* An NC1HWC2 cube read of W x H x C elements of @eb bytes with line and
 * surface pitches in atoms. */
static uint64_t rknpu_cube_bytes(uint64_t w, uint64_t h, uint64_t c, unsigned int eb,
				 uint64_t line, uint64_t surf)
{
	uint64_t c1n = rknpu_div_up64(c, RKNPU_ATOM_BYTES / eb);

	return ((c1n - 1) * surf + (h - 1) * line + w) * RKNPU_ATOM_BYTES;
}

static unsigned int rknpu_popcount4(uint32_t v)
{
	return (v & 1u) + ((v >> 1) & 1u) + ((v >> 2) & 1u) + ((v >> 3) & 1u);
}

/* BRDMA/NRDMA: one record per channel, a 32-bit slot per DATA_USE bit. */
static int rknpu_extent_operands(const struct rknpu_validator *v, uint32_t addr_reg,
				 uint32_t mask, const char *engine, const char *runs,
				 uint32_t cfg_reg, uint32_t use, uint64_t channels)
{
	struct rknpu_extent e;
	uint32_t cfg;
	bool used;
	int ret;

	ret = rknpu_engine_base(v, addr_reg, mask, engine, runs, &used, &e, "operand read");
	if (ret || !used)
		return ret;
	if (rknpu_need(v, addr_reg, cfg_reg, &cfg))
		return -EINVAL;
	e.len = channels * rknpu_popcount4(use) * 4u;
	return rknpu_extent_check(v, &e);
}

static int rknpu_extent_dpu_rdma(const struct rknpu_validator *v)
{
	uint32_t cw, ch, cc, fm, dma, sn, ecfg, esn, bcfg = 0, ncfg = 0, dcc;
	uint64_t w, h, c, c_dpu = 0;
	struct rknpu_extent e;
	unsigned int eb;
	bool used;
	int ret;

	ret = rknpu_engine_base(v, REG_DPU_RDMA_RDMA_SRC_BASE_ADDR, 0xffffffffu,
				"DPU_RDMA main input read (MRDMA)", rknpu_mrdma_runs(v), &used, &e,
				"MRDMA read");
	if (ret)
		return ret;
	if (used) {
		if (rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_DATA_CUBE_WIDTH, &cw) ||
		    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT, &ch) ||
		    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL, &cc) ||
		    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG, &fm) ||
		    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_SRC_DMA_CFG, &dma) ||
		    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_SURF_NOTCH, &sn))
			return -EINVAL;
		if (rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_COMB_USE(fm))
			return rknpu_refuse_mode(v, REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG, fm,
						 "combined reads");
		if (rk3588_get_DPU_RDMA_RDMA_SRC_DMA_CFG_UNPOOLING_EN(dma))
			return rknpu_refuse_mode(v, REG_DPU_RDMA_RDMA_SRC_DMA_CFG, dma,
						 "unpooling");
		eb = rknpu_dpu_elem_bytes(rk3588_get_DPU_RDMA_RDMA_FEATURE_MODE_CFG_IN_PRECISION(fm));
		if (!eb)
			return rknpu_refuse_mode(v, REG_DPU_RDMA_RDMA_FEATURE_MODE_CFG, fm,
						 "unknown input precision");
		w = (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_WIDTH_VALUE(cw) + 1;
		h = (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT_HEIGHT(ch) + 1;
		c = (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL_VALUE(cc) + 1;
		e.len = rknpu_cube_bytes(
			w, h, c, eb, w + rk3588_get_DPU_RDMA_RDMA_SRC_DMA_CFG_LINE_NOTCH_ADDR(dma),
			(w + rk3588_get_DPU_RDMA_RDMA_SRC_DMA_CFG_LINE_NOTCH_ADDR(dma)) * h +
				rk3588_get_DPU_RDMA_RDMA_SURF_NOTCH_SURF_NOTCH_ADDR(sn));
		ret = rknpu_extent_check(v, &e);
		if (ret)
			return ret;
	}

	ret = rknpu_engine_base(v, REG_DPU_RDMA_RDMA_EW_BASE_ADDR, 0xffffffffu,
				"DPU_RDMA EW operand read (ERDMA)", rknpu_erdma_runs(v), &used, &e,
				"ERDMA read");
	if (ret)
		return ret;
	if (used) {
		uint32_t size;

		if (rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_ERDMA_CFG, &ecfg))
			return -EINVAL;
		if (!rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DISABLE(ecfg)) {
			if (rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_ERDMA_DATA_MODE(ecfg) != 1 ||
			    rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_SURF_MODE(ecfg) ||
			    rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_NONALIGN(ecfg))
				return rknpu_refuse_mode(v, REG_DPU_RDMA_RDMA_ERDMA_CFG, ecfg,
							 "only per-pixel, aligned, single-series "
							 "operands");
			if (rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_DATA_CUBE_WIDTH, &cw) ||
			    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT, &ch) ||
			    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL, &cc) ||
			    rknpu_need(v, e.addr_reg, REG_DPU_RDMA_RDMA_EW_SURF_NOTCH, &esn))
				return -EINVAL;
			size = rk3588_get_DPU_RDMA_RDMA_ERDMA_CFG_DATA_SIZE(ecfg);
			/* Code 0 is 4-bit data: a byte per element bounds it. */
			eb = size == 0 ? 1u : 1u << (size - 1);
			w = (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_WIDTH_VALUE(cw) + 1;
			h = (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT_HEIGHT(ch) + 1;
			c = (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL_VALUE(cc) + 1;
			{
				uint64_t line =
					w + rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_HEIGHT_EW_LINE_NOTCH_ADDR(ch);

				e.len = rknpu_cube_bytes(
					w, h, c, eb, line,
					line * h + rk3588_get_DPU_RDMA_RDMA_EW_SURF_NOTCH_EW_SURF_NOTCH(esn));
			}
			ret = rknpu_extent_check(v, &e);
			if (ret)
				return ret;
		}
	}

	/* The operand records follow the channels of the DPU cube (and of
	 * the RDMA cube, should they differ: the larger). */
	if (rknpu_shadow(v, REG_DPU_DATA_CUBE_CHANNEL, &dcc))
		c_dpu = (uint64_t)rk3588_get_DPU_DATA_CUBE_CHANNEL_CHANNEL(dcc) + 1;
	if (rknpu_shadow(v, REG_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL, &cc) &&
	    (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL_VALUE(cc) + 1 > c_dpu)
		c_dpu = (uint64_t)rk3588_get_DPU_RDMA_RDMA_DATA_CUBE_CHANNEL_VALUE(cc) + 1;
	rknpu_shadow(v, REG_DPU_RDMA_RDMA_BRDMA_CFG, &bcfg);
	rknpu_shadow(v, REG_DPU_RDMA_RDMA_NRDMA_CFG, &ncfg);
	if (!c_dpu) {
		/* Operands in use need a channel count to be bounded. */
		uint32_t tmp;

		if (rknpu_shadow(v, REG_DPU_RDMA_RDMA_BS_BASE_ADDR, &tmp) && tmp)
			return rknpu_need(v, REG_DPU_RDMA_RDMA_BS_BASE_ADDR,
					  REG_DPU_DATA_CUBE_CHANNEL, &tmp);
		if (rknpu_shadow(v, REG_DPU_RDMA_RDMA_BN_BASE_ADDR, &tmp) && tmp)
			return rknpu_need(v, REG_DPU_RDMA_RDMA_BN_BASE_ADDR,
					  REG_DPU_DATA_CUBE_CHANNEL, &tmp);
	}
	ret = rknpu_extent_operands(v, REG_DPU_RDMA_RDMA_BS_BASE_ADDR, 0xffffffffu,
				    "DPU_RDMA BS operand read (BRDMA)", rknpu_brdma_runs(v),
				    REG_DPU_RDMA_RDMA_BRDMA_CFG,
				    rk3588_get_DPU_RDMA_RDMA_BRDMA_CFG_BRDMA_DATA_USE(bcfg), c_dpu);
	if (ret)
		return ret;
	return rknpu_extent_operands(v, REG_DPU_RDMA_RDMA_BN_BASE_ADDR, 0xffffffffu,
				     "DPU_RDMA BN operand read (NRDMA)", rknpu_nrdma_runs(v),
				     REG_DPU_RDMA_RDMA_NRDMA_CFG,
				     rk3588_get_DPU_RDMA_RDMA_NRDMA_CFG_NRDMA_DATA_USE(ncfg), c_dpu);
}

/* PPU write: line oy of surface c1 at c1 * DST_SURF_STRIDE +
 * oy * (OUT_W + NOTCH) atoms, OUT_W atoms per line. */
static int rknpu_extent_ppu_write(const struct rknpu_validator *v)
{
	uint32_t fmt, ow, oh, ic, oc, mode, ss, misc;
	struct rknpu_extent e;
	uint64_t w, h, c;
	unsigned int eb;
	bool used;
	int ret;

	ret = rknpu_engine_base(v, REG_PPU_DST_BASE_ADDR, PPU_DST_BASE_ADDR_VALUE__MASK,
				"PPU output write", "the op-enable word starts PPU", &used, &e,
				"output write");
	if (ret || !used)
		return ret;
	if (rknpu_need(v, e.addr_reg, REG_PPU_DATA_FORMAT, &fmt) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_DATA_CUBE_OUT_WIDTH, &ow) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_DATA_CUBE_OUT_HEIGHT, &oh) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_DATA_CUBE_IN_CHANNEL, &ic) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_DATA_CUBE_OUT_CHANNEL, &oc) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_OPERATION_MODE_CFG, &mode) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_DST_SURF_STRIDE, &ss))
		return -EINVAL;
	if (rk3588_get_PPU_OPERATION_MODE_CFG_INDEX_EN(mode))
		return rknpu_refuse_mode(v, REG_PPU_OPERATION_MODE_CFG, mode,
					 "index output (INDEX_EN)");
	if (rknpu_shadow(v, REG_PPU_MISC_CTRL, &misc) &&
	    (rk3588_get_PPU_MISC_CTRL_MC_SURF_OUT(misc) || rk3588_get_PPU_MISC_CTRL_NONALIGN(misc)))
		return rknpu_refuse_mode(v, REG_PPU_MISC_CTRL, misc, "MC_SURF_OUT or NONALIGN");
	eb = rknpu_dpu_elem_bytes(rk3588_get_PPU_DATA_FORMAT_PROC_PRECISION(fmt));
	if (!eb)
		return rknpu_refuse_mode(v, REG_PPU_DATA_FORMAT, fmt, "unknown precision");
	w = (uint64_t)rk3588_get_PPU_DATA_CUBE_OUT_WIDTH_VALUE(ow) + 1;
	h = (uint64_t)rk3588_get_PPU_DATA_CUBE_OUT_HEIGHT_VALUE(oh) + 1;
	c = (uint64_t)rk3588_get_PPU_DATA_CUBE_IN_CHANNEL_VALUE(ic) + 1;
	if ((uint64_t)rk3588_get_PPU_DATA_CUBE_OUT_CHANNEL_VALUE(oc) + 1 > c)
		c = (uint64_t)rk3588_get_PPU_DATA_CUBE_OUT_CHANNEL_VALUE(oc) + 1;
	e.len = rknpu_cube_bytes(w, h, c, eb, w + rk3588_get_PPU_OPERATION_MODE_CFG_NOTCH_ADDR(mode),
				 rk3588_get_PPU_DST_SURF_STRIDE_VALUE(ss));
	return rknpu_extent_check(v, &e);
}

/* PPU_RDMA: an NC1HWC2 cube with explicit line and surface pitches. */
static int rknpu_extent_ppu_rdma(const struct rknpu_validator *v)
{
	uint32_t iw, ih, ic, fmt, ls, ss, size;
	struct rknpu_extent e;
	bool used;
	int ret;

	ret = rknpu_engine_base(v, REG_PPU_RDMA_RDMA_SRC_BASE_ADDR, 0xffffffffu,
				"PPU_RDMA input read", "the op-enable word starts PPU_RDMA", &used, &e,
				"input read");
	if (ret || !used)
		return ret;
	if (rknpu_need(v, e.addr_reg, REG_PPU_RDMA_RDMA_CUBE_IN_WIDTH, &iw) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_RDMA_RDMA_CUBE_IN_HEIGHT, &ih) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_RDMA_RDMA_CUBE_IN_CHANNEL, &ic) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_RDMA_RDMA_DATA_FORMAT, &fmt) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_RDMA_RDMA_SRC_LINE_STRIDE, &ls) ||
	    rknpu_need(v, e.addr_reg, REG_PPU_RDMA_RDMA_SRC_SURF_STRIDE, &ss))
		return -EINVAL;
	/* 1 8-bit, 2 16-bit, 3 32-bit elements. */
	size = rk3588_get_PPU_RDMA_RDMA_DATA_FORMAT_IN_PRECISION(fmt);
	if (size == 0 || size > 3)
		return rknpu_refuse_mode(v, REG_PPU_RDMA_RDMA_DATA_FORMAT, fmt,
					 "unknown element size");
	e.len = rknpu_cube_bytes((uint64_t)rk3588_get_PPU_RDMA_RDMA_CUBE_IN_WIDTH_VALUE(iw) + 1,
				 (uint64_t)rk3588_get_PPU_RDMA_RDMA_CUBE_IN_HEIGHT_VALUE(ih) + 1,
				 (uint64_t)rk3588_get_PPU_RDMA_RDMA_CUBE_IN_CHANNEL_VALUE(ic) + 1,
				 1u << (size - 1),
				 rk3588_get_PPU_RDMA_RDMA_SRC_LINE_STRIDE_VALUE(ls),
				 rk3588_get_PPU_RDMA_RDMA_SRC_SURF_STRIDE_VALUE(ss));
	return rknpu_extent_check(v, &e);
}

/* Every engine the op-enable word @en starts. */
static int rknpu_validate_extents(const struct rknpu_validator *v, uint32_t en)
{
	int ret = 0;

	if (en & RK3588_OP_EN_CNA) {
		ret = rknpu_extent_cna_feature(v);
		if (!ret)
			ret = rknpu_extent_cna_weight(v);
	}
	if (!ret && (en & RK3588_OP_EN_DPU))
		ret = rknpu_extent_dpu_write(v);
	if (!ret && (en & RK3588_OP_EN_DPU_RDMA))
		ret = rknpu_extent_dpu_rdma(v);
	if (!ret && (en & RK3588_OP_EN_PPU))
		ret = rknpu_extent_ppu_write(v);
	if (!ret && (en & RK3588_OP_EN_PPU_RDMA))
		ret = rknpu_extent_ppu_rdma(v);
	return ret;
}

/* --------------------------------------------------------------- walk */

static int rknpu_validate_addr_reg(const struct rknpu_validator *v, uint32_t word,
				   uint32_t offset, uint32_t value)
{
	uint64_t addr = (uint64_t)value + v->dma_base;

	/* Programs write 0 to the address registers of stages they bypass
	 * (vendor streams do too); whether the engine then DMAs anyway is
	 * decided with the extents, once the task's configuration is known. */
	if (value == 0)
		return 0;
	if (rknpu_range_find(v, addr, 1))
		return 0;
	rknpu_err(v->job->rdev,
		  "regcmd validator: session %u, task %u word %u: %s = 0x%08x (dma base 0x%llx) "
		  "is outside the session's buffers",
		  v->job->file->id, v->task, word, rknpu_reg_name(offset), value,
		  (unsigned long long)v->dma_base);
	return -EINVAL;
}

/* Words fetched after the op-enable word are not decoded (as the model
 * does); a PC word there could redirect the chain on hardware that reads
 * on, past what was validated, so none is allowed. */
static int rknpu_validate_tail(const struct rknpu_validator *v, uint64_t off, uint64_t from,
			       uint64_t nwords)
{
	uint64_t w;

	for (w = from; w < nwords; w++) {
		uint64_t word;

		rnpu_memcpy(&word, (const uint8_t *)v->copy->info.vaddr + off + w * 8u,
			    sizeof(word));
		if (rk3588_regcmd_target(word) != RK3588_TARGET_PC)
			continue;
		rknpu_err(v->job->rdev,
			  "regcmd validator: session %u, task %u word %llu: PC word after the "
			  "op-enable word",
			  v->job->file->id, v->task, (unsigned long long)w);
		return -EINVAL;
	}
	return 0;
}

/* Validates the copied words of one task at @off; returns the next fetch
 * from its link words and records those for re-pointing. */
static int rknpu_validate_words(struct rknpu_validator *v, uint64_t off, uint64_t nwords,
				uint64_t *next_addr, uint32_t *next_amount, bool *linked)
{
	uint64_t w;
	int ret;

	v->written = 0;
	*linked = false;
	for (w = 0; w < nwords; w++) {
		uint64_t word;
		uint32_t target, offset, value;

		rnpu_memcpy(&word, (const uint8_t *)v->copy->info.vaddr + off + w * 8u,
			    sizeof(word));
		target = rk3588_regcmd_target(word);
		offset = rk3588_regcmd_offset(word);
		value = rk3588_regcmd_value(word);
		if (target == RK3588_TARGET_OP_EN) {
			ret = rknpu_validate_tail(v, off, w + 1, nwords);
			return ret ? ret : rknpu_validate_extents(v, value);
		}
		if (word == 0 || target == RK3588_TARGET_NOP || target == RK3588_TARGET_PRE_OP)
			continue;
		if (target == RK3588_TARGET_PC) {
			if (offset == REG_PC_BASE_ADDRESS) {
				*next_addr = (uint64_t)rk3588_get_PC_BASE_ADDRESS_PC_SOURCE_ADDR(value)
					     << PC_BASE_ADDRESS_PC_SOURCE_ADDR__SHIFT;
				*linked = true;
				ret = rknpu_link_add(v, off + w * 8u);
				if (ret)
					return ret;
			} else if (offset == REG_PC_REGISTER_AMOUNTS) {
				*next_amount = rk3588_get_PC_REGISTER_AMOUNTS_PC_DATA_AMOUNT(value);
			}
			continue;
		}
		rknpu_shadow_write(v, offset, value);
		if (!rk3588_reg_is_addr(offset))
			continue;
		ret = rknpu_validate_addr_reg(v, (uint32_t)w, offset, value);
		if (ret)
			return ret;
	}
	/* No op-enable: the hardware waits for one; nothing runs. */
	return 0;
}

/* Copies and validates the @n tasks of one chunk, starting at @snap,
 * whose first program is at @addr/@amount in the session's objects. */
static int rknpu_validate_chain(struct rknpu_validator *v, uint32_t first_task,
				struct rknpu_task *snap, uint32_t n, uint64_t addr, uint32_t amount)
{
	const struct rknpu_soc_data *soc = v->job->rdev->soc;
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++) {
		uint64_t nwords = ((uint64_t)amount + 1) * soc->pc_data_amount_scale;
		const struct rknpu_range *r = rknpu_range_find(v, addr, nwords * 8u);
		uint64_t off, dev_addr;
		uint64_t next_addr = addr;
		uint32_t next_amount = amount;
		const struct rknpu_vcache_entry *hit;
		bool linked;

		v->task = first_task + i;
		if (!r || !r->obj->info.vaddr) {
			rknpu_err(v->job->rdev,
				  "regcmd validator: session %u, task %u: regcmd fetch of %llu words "
				  "at 0x%llx is outside the session's buffers",
				  v->job->file->id, v->task, (unsigned long long)nwords,
				  (unsigned long long)addr);
			return -EINVAL;
		}
		ret = rknpu_copy_reserve(v, nwords * 8u, &off);
		if (ret)
			return ret;
		dev_addr = v->copy->info.dma_addr + off;
		/* The one read of the user's program; everything after works
		 * on the copy. */
		rnpu_memcpy((uint8_t *)v->copy->info.vaddr + off,
			    (const uint8_t *)r->obj->info.vaddr + (addr - r->start),
			    (size_t)(nwords * 8u));
		rknpu_links_resolve(v, dev_addr); /* the previous task's links */
		snap[i].regcmd_addr = dev_addr;
		hit = rknpu_vcache_find(v, addr, off, nwords);
		if (hit) {
			uint32_t k;

			for (k = 0; k < hit->nlinks; k++) {
				ret = rknpu_link_add(v, off + hit->link_off[k]);
				if (ret)
					return ret;
			}
			next_addr = hit->next_addr;
			next_amount = hit->next_amount;
			linked = hit->linked;
			v->job->file->regcmd_reused++;
		} else {
			uint32_t first_link = v->nlinks;

			ret = rknpu_validate_words(v, off, nwords, &next_addr, &next_amount,
						   &linked);
			if (ret)
				return ret;
			v->job->file->regcmd_validated++;
			rknpu_vcache_store(v, addr, off, nwords, next_addr, next_amount, linked,
					   first_link);
		}
		if (i + 1 < n && !linked) {
			/* The PC would fetch the same words again, maybe with
			 * another amount: not expressible in the copy. */
			rknpu_err(v->job->rdev,
				  "regcmd validator: session %u, task %u: no PC.BASE_ADDRESS word "
				  "links the next task",
				  v->job->file->id, v->task);
			return -EINVAL;
		}
		if (i + 1 == n)
			rknpu_links_resolve(v, dev_addr); /* never followed */
		addr = next_addr;
		amount = next_amount;
	}
	return 0;
}

/* Hands what was written to the device. */
static void rknpu_copy_finish(struct rknpu_validator *v)
{
	struct rknpu_regcmd_copy *c;

	for (c = v->copy; c; c = c->next)
		rnpu_osal_dma_sync(c->buf, 0, c->used, RNPU_OSAL_SYNC_TO_DEVICE);
}

int rknpu_job_snapshot(struct rknpu_job *job, struct rknpu_job_core *jc)
{
	jc->snap = rnpu_osal_zalloc_array(jc->task_number, sizeof(*jc->snap));
	if (!jc->snap) {
		rknpu_err(job->rdev, "no memory for a snapshot of %u tasks", jc->task_number);
		return -ENOMEM;
	}
	rnpu_memcpy(jc->snap, &job->tasks[jc->task_start],
		    (size_t)jc->task_number * sizeof(*jc->snap));
	return 0;
}

void rknpu_job_release_copies(struct rknpu_job *job)
{
	unsigned int i;

	for (i = 0; i < RKNPU_MAX_CORES; i++) {
		rnpu_osal_free(job->core[i].snap);
		job->core[i].snap = NULL;
	}
	if (job->regcmd_copy) {
		rnpu_osal_mutex_lock(job->file->lock);
		rknpu_copy_put_all(job->file, job->regcmd_copy);
		rnpu_osal_mutex_unlock(job->file->lock);
		job->regcmd_copy = NULL;
	}
}

int rknpu_validate_job(struct rknpu_job *job)
{
	struct rknpu_device *rdev = job->rdev;
	struct rknpu_validator *v;
	uint32_t base_reg = (uint32_t)job->args.task_base_addr;
	unsigned int core;
	int ret;

	if (rdev->plat.iommu)
		return 0; /* the IOMMU confines the job instead */
	v = rnpu_osal_zalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->job = job;
	v->links = v->inline_links;
	v->links_cap = RKNPU_INLINE_LINKS;
	v->seg_bytes = RKNPU_COPY_MIN_BYTES;
	v->dma_base = (uint64_t)rk3588_get_PC_TASK_DMA_BASE_ADDR_VALUE(base_reg)
		      << PC_TASK_DMA_BASE_ADDR_VALUE__SHIFT;
	/* Held throughout: no handle (and so no object) of the session can
	 * go while its memory is read; it also guards the copy cache. */
	rnpu_osal_mutex_lock(job->file->lock);
	ret = rknpu_validator_ranges(v, job->file);
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
			const struct rknpu_task *t = &jc->snap[chunk];

			/* The driver programs BASE_ADDRESS (32 bits, as the
			 * commit writes it) and the amount from this task. */
			ret = rknpu_validate_chain(v, jc->task_start + chunk, &jc->snap[chunk], n,
						   (uint32_t)t->regcmd_addr,
						   rknpu_pc_data_amount(rdev->soc, t->regcfg_amount));
		}
	}
	if (!ret) {
		rknpu_copy_finish(v);
		job->regcmd_copy = v->copy;
	} else {
		rknpu_copy_put_all(job->file, v->copy);
	}
	rnpu_osal_mutex_unlock(job->file->lock);
	if (v->links != v->inline_links)
		rnpu_osal_free(v->links);
	rnpu_osal_free(v); /* v->ranges is the session's index */
	return ret;
}
