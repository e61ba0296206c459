/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* Internal structures of the RKNPU driver core, shared by its files. */
#ifndef RKNPU_INTERNAL_H
#define RKNPU_INTERNAL_H

#include "drm/rknpu_ioctl.h"
#include "rknpu_device.h"
#include "rknpu_list.h"
#include "rknpu_soc.h"

#define RKNPU_DRIVER_NAME "rknpu"
#define RKNPU_DRIVER_DESC "RKNPU driver"
#define RKNPU_DRIVER_DATE "20240828"
#define RKNPU_DRIVER_MAJOR 0
#define RKNPU_DRIVER_MINOR 9
#define RKNPU_DRIVER_PATCHLEVEL 8

#define RKNPU_PAGE_SIZE 4096u
#define RKNPU_MAX_IOMMU_DOMAINS 16
/* First fake mmap offset, as DRM hands out on 64-bit kernels. */
#define RKNPU_MMAP_OFFSET_START 0x100000000ull
/* Each object owns a 4 GiB window of the fake offset space (see gem). */
#define RKNPU_MMAP_SLOT_SHIFT 32
/* The vendor's blocking submit waits at most this many times. */
#define RKNPU_JOB_MAX_WAITS 3
/* Longest an ended async job of an idle session waits to be freed (and
 * to drop its power reference): a batch per period instead of a thread
 * switch per job. */
#define RKNPU_JOB_REAP_DELAY_MS 2
/* Sleeps of the vendor's abort and soft-reset paths. */
#define RKNPU_ABORT_SLEEP_MS 100
#define RKNPU_RESET_SLEEP_MS 100
#define RKNPU_RESET_HOLD_US 10

/* ------------------------------------------------------------ atomics */

static inline uint32_t rknpu_atomic_inc(uint32_t *v)
{
	return __atomic_add_fetch(v, 1, __ATOMIC_ACQ_REL);
}

static inline uint32_t rknpu_atomic_dec(uint32_t *v)
{
	return __atomic_sub_fetch(v, 1, __ATOMIC_ACQ_REL);
}

static inline bool rknpu_atomic_read_bool(const bool *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

static inline void rknpu_atomic_set_bool(bool *v, bool x)
{
	__atomic_store_n(v, x, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- GEM */

struct rknpu_gem_object {
	uint32_t refcount;              /* atomic; handles, jobs, lookups */
	struct rknpu_device *rdev;
	struct rnpu_osal_dma_buf *buf;
	struct rnpu_osal_dma_info info; /* size, dma_addr, host vaddr */
	void *kvaddr;                   /* set only with KERNEL_MAPPING */
	uint32_t flags;                 /* as requested (vendor: not updated) */
	uint32_t osal_flags;            /* what was actually allocated */
	uint32_t slot;                  /* index in rdev->objs */
	uint64_t cookie;                /* obj_addr handed to userspace */
	uint64_t identity;              /* dma-buf identity (prime) */
	bool imported;
	bool flinked;                   /* a flink name (slot + 1) exists */
	bool exported;
	int32_t iommu_domain_id;
	/* The session that created the object and its handle there, set once
	 * before the cookie is handed out: the O(1) path of
	 * rknpu_gem_file_holds(). */
	uint32_t creator_id;
	uint32_t creator_handle;
	/* On-chip SRAM in front of the memory (IOMMU mode only): the
	 * object's device range is sram_size bytes of SRAM, then info.size
	 * bytes of memory. */
	uint64_t sram_phys;
	uint64_t sram_size;
};

/* Per-session handle table: handle n lives at entries[n - 1]. */
struct rknpu_handle_table {
	struct rknpu_gem_object **entries;
	uint32_t *free_stack;           /* freed slots, reused LIFO */
	uint32_t capacity;
	uint32_t used;                  /* high-water mark of entries */
	uint32_t free_count;
	uint32_t live;                  /* handles currently valid */
	uint64_t generation;            /* bumped by every alloc and remove */
};

/* A segment of driver memory holding validated program copies of a job
 * (contiguous mode); cached per session between jobs. */
struct rknpu_regcmd_copy {
	struct rnpu_osal_dma_buf *buf;
	struct rnpu_osal_dma_info info;
	uint64_t used;                  /* bytes the job holding it wrote */
	struct rknpu_regcmd_copy *next; /* in the job's chain or the session's cache */
};

struct rknpu_file {
	struct rknpu_device *rdev;
	/* Protects handles and the copy cache. Never held while taking rdev->obj_lock's users
	 * in the other order: order is file->lock then rdev->obj_lock. */
	struct rnpu_osal_mutex *lock;
	struct rknpu_handle_table handles;
	uint64_t mem_bytes;             /* bytes of the objects it holds (lock) */
	uint32_t id;                    /* for logs */
	void *os_file;                  /* the host's file, for the handle hooks */
	uint32_t jobs_in_flight;        /* atomic: async jobs not yet freed */
	uint64_t sched_last_tag;        /* fair-queue tag of its last job (irq_lock) */
	struct rnpu_osal_waitq *idle_wq;/* woken when jobs_in_flight drops */
	/* Ended async jobs not yet freed (irq_lock): reaped by the session's
	 * next submit, its close, or reap_work, whichever comes first. */
	struct rknpu_list_node done_jobs;
	struct rnpu_osal_work *reap_work;
	struct rknpu_iommu_domain *iommu; /* IOMMU mode: the session's domain */
	uint64_t engine_ns[RKNPU_MAX_CORES]; /* finished busy time per core (irq_lock) */
	struct rknpu_list_node node;    /* in rdev->files (files_lock) */
	struct rknpu_regcmd_copy *copy_cache; /* free program copies (lock) */
	uint32_t copy_cached;
	/* The validator's address-sorted index of the session's objects,
	 * valid while handles.generation matches (lock). */
	struct rknpu_range_index *range_index;
	/* Programs the validator accepted, to skip checking byte-identical
	 * ones again (rknpu_validate.c; lock). */
	struct rknpu_vcache *vcache;
	uint64_t regcmd_validated;      /* tasks checked word by word (lock) */
	uint64_t regcmd_reused;         /* tasks accepted from vcache (lock) */
};

/* ---------------------------------------------------------------- jobs */

#define RKNPU_JOB_DONE (1u << 0)

struct rknpu_job;

struct rknpu_job_core {
	struct rknpu_job *job;          /* back-pointer for the todo list */
	struct rknpu_list_node todo;    /* in rdev->cores[i].todo_list */
	uint32_t task_start;            /* this core's range in the task BO */
	uint32_t task_number;
	uint32_t next_task;             /* first task of the next chunk */
	uint32_t remaining;             /* tasks not yet committed */
	uint32_t last_task;             /* last task of the current chunk */
	uint32_t int_mask;              /* expected (fuzzed) status */
	uint32_t int_status;            /* INTERRUPT_STATUS at completion */
	bool queued;                    /* on the todo list */
	bool irq_entered;
	uint64_t start_time;            /* this core took the job (irq_lock) */
	uint64_t recorder_time;         /* load accounted up to here (irq_lock) */
	/* Private copy of tasks task_start.. taken at submit: what the
	 * validator and the commit use (userspace can still write the BO). */
	struct rknpu_task *snap;
};

struct rknpu_job {
	struct rknpu_device *rdev;
	struct rknpu_file *file;
	struct rknpu_gem_object *task_obj; /* reference held for the job's life */
	struct rknpu_task *tasks;       /* task_obj's kernel mapping */
	uint32_t num_tasks_in_bo;
	struct rknpu_submit args;       /* private copy of the submit */
	uint32_t core_mask;             /* resolved (AUTO -> one core) */
	uint32_t use_core_num;
	uint32_t run_count;             /* cores still to dequeue (irq_lock) */
	uint32_t interrupt_count;       /* cores still to finish (irq_lock) */
	uint32_t flags;                 /* RKNPU_JOB_DONE (irq_lock + atomic) */
	bool done;                      /* mirrors RKNPU_JOB_DONE for waiters */
	bool async;                     /* NONBLOCK: freed by the session's reap */
	int ret;
	struct rnpu_osal_fence *fence;  /* FENCE_OUT, signalled once */
	struct rknpu_list_node done_node; /* in file->done_jobs once ended (async) */
	struct rnpu_osal_work *watchdog;/* aborts an async job at its timeout */
	uint64_t tag;                   /* fair-queue order (rknpu_sched.c) */
	uint64_t seq;                   /* submission order, breaks tag ties */
	uint64_t create_time;
	uint64_t hw_commit_time;
	uint64_t hw_recorder_time;
	uint64_t hw_elapse_time;
	uint32_t iommu_dte;             /* DTE_ADDR of the job's address space */
	bool mmu_fault;                 /* a DMA faulted (irq_lock) */
	struct rknpu_regcmd_copy *regcmd_copy; /* the programs the PC runs (segments) */
	struct rknpu_job_core core[RKNPU_MAX_CORES];
};

struct rknpu_subcore {
	struct rknpu_device *rdev;
	unsigned int index;
	struct rknpu_list_node todo_list; /* protected by rdev->irq_lock */
	struct rknpu_job *job;          /* running job (irq_lock) */
	int64_t task_num;               /* tasks queued or running (irq_lock) */
	uint64_t busy_time;             /* ns of the current load window (irq_lock) */
	uint64_t total_busy_time;       /* ns of the last whole window (irq_lock) */
	struct rnpu_osal_waitq *wq;     /* blocking submitters of this core */
};

/* ---------------------------------------------------------------- SRAM */

struct rknpu_sram {
	/* Protects bitmap and free_chunks. Sleeps allowed. */
	struct rnpu_osal_mutex *lock;
	uint64_t base;                  /* physical address of chunk 0 */
	uint32_t chunk_size;
	uint32_t total_chunks;
	uint32_t free_chunks;
	uint64_t *bitmap;               /* 1 = chunk in use */
};

static inline bool rknpu_sram_chunk_used(const struct rknpu_sram *s, uint32_t i)
{
	return (s->bitmap[i / 64u] >> (i % 64u)) & 1u;
}

/* ------------------------------------------------------------- devfreq */

enum rknpu_governor {
	RKNPU_GOV_VENDOR,       /* "rknpu_ondemand": the debugfs freq value */
	RKNPU_GOV_LOAD,         /* "simple_ondemand": follows the load */
	RKNPU_GOV_COUNT,
};

struct rknpu_devfreq {
	/* Protects every field below; held across clock/voltage changes
	 * (they may sleep). */
	struct rnpu_osal_mutex *lock;
	bool present;                   /* the SoC has an OPP table */
	unsigned int bin;               /* voltage column of the OPP table */
	uint64_t cur_hz;
	int cur_uv;
	uint64_t ondemand_hz;           /* target of the vendor governor */
	enum rknpu_governor governor;
	bool thermal_capped;
	int temp_mc;                    /* last reading; valid if temp_valid */
	bool temp_valid;
	uint64_t window_busy_ns;        /* busiest core in the last load window */
	bool pinned;                    /* host loop: a debugfs freq write holds ondemand_hz */
};

/* -------------------------------------------------------------- device */

struct rknpu_device {
	const struct rknpu_soc_data *soc;
	struct rknpu_platform plat;
	unsigned int num_cores;
	unsigned int debug;             /* RKNPU_DBG_* mask */
	uint32_t hw_version;

	/* Protects cores[].todo_list, .job, .task_num, the scheduler's
	 * clock and tags, and every job's run_count/interrupt_count/flags/
	 * core[] state. Taken in the IRQ
	 * handler; never held across a sleep. */
	struct rnpu_osal_spinlock *irq_lock;
	struct rknpu_subcore cores[RKNPU_MAX_CORES];
	uint64_t sched_vtime;           /* tag of the last started job (irq_lock) */
	uint64_t sched_seq;             /* jobs queued so far (irq_lock) */

	/* Serialises soft resets (they sleep). */
	struct rnpu_osal_mutex *reset_lock;
	uint32_t resetting_mask;        /* atomic; no job starts on these cores */
	bool bypass_soft_reset;         /* atomic */

	/* Protects objs[], obj_capacity, free slots, cookie generation,
	 * the exported list and flink names. Sleeps allowed. */
	struct rnpu_osal_mutex *obj_lock;
	struct rknpu_gem_object **objs;
	uint32_t *obj_generation;       /* per slot, bumps on reuse */
	uint32_t obj_capacity;
	uint32_t obj_used;
	uint32_t *obj_free;
	uint32_t obj_free_count;
	uint64_t cookie_salt;
	uint32_t next_file_id;          /* atomic */
	bool warned_noncontig;          /* one warning per device, not per call */
	struct rknpu_sram *sram;        /* NULL: no SRAM manager */
	int32_t iommu_domain_id;        /* current domain (no IOMMU: stays 0) */

	/* Power (rknpu_power.c). power_lock protects cmdline_refcount,
	 * domains_on, suspended, and power_refcount's transitions to and
	 * from 0; sleeps allowed. */
	struct rnpu_osal_mutex *power_lock;
	int power_refcount;             /* atomic; above 1 moved without the lock */
	int cmdline_refcount;           /* references taken by debugfs "power" */
	bool domains_on;
	bool suspended;                 /* atomic reads, written under power_lock */
	uint32_t power_put_delay_ms;    /* atomic; debugfs delayms */
	struct rnpu_osal_work *power_off_work;

	/* Load window (rknpu_load.c): re-armed every interval. */
	struct rnpu_osal_work *load_work;
	bool load_stopping;             /* atomic; fini stops the re-arming */

	struct rknpu_devfreq devfreq;

	/* Protects files (open sessions, for fdinfo listings). */
	struct rnpu_osal_mutex *files_lock;
	struct rknpu_list_node files;
};

/* ------------------------------------------------------------- logging */

/* The device is an argument so that a host with several NPUs can prefix
 * lines per device later; today every line is "RKNPU: ...". */
#define rknpu_log(rdev, level, fmt, ...)                                       \
	do {                                                                   \
		(void)(rdev);                                                  \
		rnpu_osal_log(level, "RKNPU: " fmt, ##__VA_ARGS__);            \
	} while (0)
#define rknpu_err(rdev, fmt, ...) rknpu_log(rdev, RNPU_LOG_ERR, fmt, ##__VA_ARGS__)
#define rknpu_warn(rdev, fmt, ...) rknpu_log(rdev, RNPU_LOG_WARN, fmt, ##__VA_ARGS__)
#define rknpu_info(rdev, fmt, ...) rknpu_log(rdev, RNPU_LOG_INFO, fmt, ##__VA_ARGS__)
#define rknpu_dbg(rdev, cat, fmt, ...)                                                   \
	do {                                                                             \
		if ((rdev)->debug & (cat))                                               \
			rnpu_osal_log(RNPU_LOG_DEBUG, "RKNPU: " fmt, ##__VA_ARGS__);     \
	} while (0)

/* --------------------------------------------------------- cross-file API */

/* gem */
int rknpu_gem_init(struct rknpu_device *rdev);
void rknpu_gem_fini(struct rknpu_device *rdev);
void rknpu_gem_get(struct rknpu_gem_object *obj);
void rknpu_gem_put(struct rknpu_gem_object *obj);
/* Looks up an obj_addr cookie; returns a new reference or NULL. */
struct rknpu_gem_object *rknpu_gem_lookup_cookie(struct rknpu_device *rdev, uint64_t cookie);
/* Whether @file holds a handle for @obj (the DRM rule for using an object
 * named by a global cookie). Takes file->lock. */
bool rknpu_gem_file_holds(struct rknpu_file *file, const struct rknpu_gem_object *obj);
/* Looks up a handle of @file; returns a new reference or NULL. */
struct rknpu_gem_object *rknpu_gem_lookup_handle(struct rknpu_file *file, uint32_t handle);
void rknpu_gem_release_handles(struct rknpu_file *file);
int rknpu_gem_create_ioctl(struct rknpu_file *file, void *data);
int rknpu_gem_map_ioctl(struct rknpu_file *file, void *data);
int rknpu_gem_destroy_ioctl(struct rknpu_file *file, void *data);
int rknpu_gem_sync_ioctl(struct rknpu_file *file, void *data);
int rknpu_gem_close_ioctl(struct rknpu_file *file, void *data);
int rknpu_gem_flink_ioctl(struct rknpu_file *file, void *data);
int rknpu_gem_open_ioctl(struct rknpu_file *file, void *data);
int rknpu_prime_handle_to_fd_ioctl(struct rknpu_file *file, void *data);
int rknpu_prime_fd_to_handle_ioctl(struct rknpu_file *file, void *data);

/* handle table (pure data structure; callers hold file->lock) */
void rknpu_handles_init(struct rknpu_handle_table *t);
void rknpu_handles_fini(struct rknpu_handle_table *t);
int rknpu_handles_alloc(struct rknpu_handle_table *t, struct rknpu_gem_object *obj,
			uint32_t *handle);
struct rknpu_gem_object *rknpu_handles_get(const struct rknpu_handle_table *t, uint32_t handle);
struct rknpu_gem_object *rknpu_handles_remove(struct rknpu_handle_table *t, uint32_t handle);
/* Finds a handle that refers to @obj; 0 if none. */
uint32_t rknpu_handles_find(const struct rknpu_handle_table *t,
			    const struct rknpu_gem_object *obj);

/* iommu (rknpu_iommu.c): a session's address spaces. Without an IOMMU
 * every function is a no-op and addresses are physical. */
struct rknpu_iommu_domain;
int rknpu_iommu_check_soc(struct rknpu_device *rdev);
int rknpu_iommu_file_init(struct rknpu_file *file);
void rknpu_iommu_file_fini(struct rknpu_file *file);
/* Gives @obj an IOVA in @file's space for its domain id (counted: one per
 * handle). May sleep; no lock held. */
int rknpu_iommu_map_obj(struct rknpu_file *file, struct rknpu_gem_object *obj);
void rknpu_iommu_unmap_obj(struct rknpu_file *file, struct rknpu_gem_object *obj);
/* The address the NPU uses for @obj in @file's jobs. */
uint64_t rknpu_iommu_obj_addr(struct rknpu_file *file, const struct rknpu_gem_object *obj);
/* DTE_ADDR value for jobs of @file in @domain_id (created if needed). */
int rknpu_iommu_job_space(struct rknpu_file *file, int32_t domain_id, uint32_t *dte);
/* Points @core's IOMMUs at @dte and enables paging. Caller holds irq_lock. */
void rknpu_iommu_attach_locked(struct rknpu_device *rdev, unsigned int core, uint32_t dte);
/* Acknowledges a pending IOMMU interrupt of @core; true if there was one,
 * with the first faulting IOVA. Caller holds irq_lock. */
bool rknpu_iommu_irq_locked(struct rknpu_device *rdev, unsigned int core, uint32_t *fault_addr,
			    bool *is_write);

/* validate (rknpu_validate.c): contiguous mode only; 0 or -EINVAL with a
 * log line naming the register and the address. May sleep. */
int rknpu_validate_job(struct rknpu_job *job);
/* Snapshots @jc's tasks into jc->snap. 0 or -ENOMEM. */
int rknpu_job_snapshot(struct rknpu_job *job, struct rknpu_job_core *jc);
/* Frees the snapshots and gives the program copy back to the session. */
void rknpu_job_release_copies(struct rknpu_job *job);
/* Frees the session's cached program copies (session close). */
void rknpu_regcmd_copy_cache_fini(struct rknpu_file *file);
void rknpu_regcmd_copy_cache_trim(struct rknpu_file *file);

/* sram (rknpu_sram.c) */
int rknpu_sram_init(struct rknpu_device *rdev);
void rknpu_sram_fini(struct rknpu_device *rdev);
/* First-fit run of whole chunks: 0 and *phys, -EINVAL (size 0), -ENOMEM
 * (no run that long), -ENODEV (no SRAM manager). May sleep. */
int rknpu_sram_alloc(struct rknpu_device *rdev, uint64_t size, uint64_t *phys);
void rknpu_sram_free(struct rknpu_device *rdev, uint64_t phys, uint64_t size);
uint64_t rknpu_sram_total_bytes(struct rknpu_device *rdev);
uint64_t rknpu_sram_free_bytes(struct rknpu_device *rdev);

/* action */
int rknpu_action_ioctl(struct rknpu_file *file, void *data);

/* job */
int rknpu_job_init(struct rknpu_device *rdev);
void rknpu_job_fini(struct rknpu_device *rdev);
int rknpu_submit_ioctl(struct rknpu_file *file, void *data);

/* core hardware */
void rknpu_core_commit(struct rknpu_device *rdev, unsigned int core, struct rknpu_job *job);
void rknpu_core_irq_handler(void *data);
/* Resets the cores of @mask (and the other cores of any gang job running
 * on them). Jobs running there end with -EINVAL; queued jobs stay queued
 * and start afterwards. May sleep. */
int rknpu_soft_reset_cores(struct rknpu_device *rdev, uint32_t mask);
/* ACT_RESET and the like: every core, as the vendor does. */
int rknpu_soft_reset(struct rknpu_device *rdev);
uint32_t rknpu_fuzz_status(uint32_t status);
/* PC_DATA_AMOUNT for a task of @regcfg_amount body words (+ 4 tail words). */
uint32_t rknpu_pc_data_amount(const struct rknpu_soc_data *soc, uint32_t regcfg_amount);
/* Starts the next queued job on @core if it is idle. Caller holds irq_lock. */
void rknpu_job_next_locked(struct rknpu_device *rdev, unsigned int core);
/* Waits (bounded by each job's own watchdog) until @file has no
 * asynchronous job in flight. */
void rknpu_job_wait_file_idle(struct rknpu_file *file);
/* A session's reap of its ended async jobs (rknpu_file_open/close). */
int rknpu_job_file_init(struct rknpu_file *file);
void rknpu_job_file_fini(struct rknpu_file *file);
/* Ends @job with @ret exactly once: signals its fence, wakes its waiter
 * or hands it to its session's reap. Caller holds irq_lock. */
void rknpu_job_end_locked(struct rknpu_job *job, int ret);
/* Takes @job off every core it has not finished on; returns the cores
 * whose hardware may still run it. Caller holds irq_lock. */
uint32_t rknpu_job_detach_locked(struct rknpu_job *job);
/* sched: queues @job on every core of its mask in fair order; notes that
 * it started. Caller holds irq_lock. */
void rknpu_sched_enqueue_locked(struct rknpu_device *rdev, struct rknpu_job *job);
void rknpu_sched_started_locked(struct rknpu_device *rdev, const struct rknpu_job *job);
/* Starts queued jobs on the idle cores of @mask (takes irq_lock). */
void rknpu_job_kick(struct rknpu_device *rdev, uint32_t mask);
/* Completion of @core's share of its current job. Caller holds irq_lock. */
void rknpu_job_core_done_locked(struct rknpu_device *rdev, unsigned int core);

/* Text of a show function: appends with printf rules, truncating. */
struct rknpu_text {
	char *buf;
	size_t len;
	size_t pos;                     /* full length so far */
};
void rknpu_text_printf(struct rknpu_text *t, const char *fmt, ...) RNPU_PRINTF(2, 3);
/* Length stored in the buffer (the full length truncated to len - 1). */
int rknpu_text_len(const struct rknpu_text *t);

/* power: reference counted, delayed off (the vendor's semantics) */
#define RKNPU_POWER_PUT_DELAY_MS 3000
int rknpu_power_init(struct rknpu_device *rdev);
void rknpu_power_fini(struct rknpu_device *rdev);
int rknpu_power_get(struct rknpu_device *rdev);
void rknpu_power_put(struct rknpu_device *rdev);
/* Drops a reference after power_put_delay ms; the delay is not extended
 * by later calls while a delayed put is pending. */
void rknpu_power_put_delay(struct rknpu_device *rdev);
bool rknpu_power_is_on(struct rknpu_device *rdev);
/* debugfs "power" writes "on"/"off". */
void rknpu_power_cmdline(struct rknpu_device *rdev, bool on);

/* load window */
#define RKNPU_LOAD_INTERVAL_NS 1000000000ull
int rknpu_load_init(struct rknpu_device *rdev);
void rknpu_load_fini(struct rknpu_device *rdev);
/* Percent busy of @core in the last complete window, capped at 100. */
unsigned int rknpu_load_percent(struct rknpu_device *rdev, unsigned int core);

/* devfreq */
int rknpu_devfreq_init(struct rknpu_device *rdev);
void rknpu_devfreq_fini(struct rknpu_device *rdev);
/* The operating point for @hz by rule @pick. NULL without an OPP table. */
const struct rknpu_opp_row *rknpu_opp_recommend(const struct rknpu_soc_data *soc, uint64_t hz,
						enum rknpu_opp_pick pick);
/* What @gov asks for, given the current frequency, the vendor governor's
 * target and the busiest core's busy ns in a window of @window_ns. */
uint64_t rknpu_governor_target(enum rknpu_governor gov, uint64_t cur_hz, uint64_t ondemand_hz,
			       uint64_t busy_ns, uint64_t window_ns, uint64_t max_hz);
const char *rknpu_governor_name(enum rknpu_governor gov);
/* Re-reads the temperature, applies the thermal rule and the governor. */
int rknpu_devfreq_update(struct rknpu_device *rdev);
/* debugfs freq write: the vendor governor's new target. */
int rknpu_devfreq_request(struct rknpu_device *rdev, uint64_t hz);

#endif
