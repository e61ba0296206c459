/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
#ifndef RNPU_RKNN_INTERNAL_H
#define RNPU_RKNN_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "rknn/rknn_matmul_api.h"
#include "rknn/rknn_rnpu.h"
#include "rnpu/matmul.h"
#include "rnpu/pool.h"
#include "rnpu/rnpu.h"

/* What librknn_rnpu keeps behind an rknn_tensor_mem's priv_data. */
struct rknn_mem_priv {
	uint32_t magic;
	rknn_tensor_mem *mem;        /* the struct handed out */
	struct rnpu_bo *bo;          /* NPU buffer holding the memory */
	bool from_pool;              /* ALLOC_INSIDE: give bo back to the pool */
	bool own_bo;                 /* FROM_FD: free the imported handle */
	uint64_t base_dma;           /* device address of virt_addr's byte 0 */
	/* Identity of the dma-buf behind bo (from_pool and own_bo), so that
	 * wrapping the same buffer again shares bo instead of importing it a
	 * second time: an import into the same session returns the same
	 * handle, which must be closed only once. */
	bool has_id;
	uint64_t dev_id, ino;
	struct rknn_mem_priv *next;  /* in the registry */
};

#define RKNN_MEM_MAGIC 0x6d6e6e72u /* "rnnm" */

/* One bound operand of a matmul context. */
struct mm_binding {
	struct rknn_mem_priv *mem;   /* NULL: not bound */
};

/* One shape of a matmul context (a static one has exactly one). */
struct mm_shape {
	rknn_matmul_shape shape;
	rknn_matmul_io_attr attr;
	struct rnpu_matmul *mm;      /* created on first use */
};

struct rknn_mm_ctx {
	/* Protects everything below; taken with rknn_lock held (lock order:
	 * rknn_lock, then a context's lock), held across a run. */
	pthread_mutex_t lock;
	struct rnpu_dev *dev;        /* the shared device (a reference is held) */
	rknn_matmul_info info;
	enum rnpu_mm_type type;
	uint32_t core_mask;          /* librnpu mask: 0 AUTO, 1/2/4, 3, 7 */
	struct mm_shape *shapes;
	int nshapes, cur;
	struct mm_binding bind[3];   /* A, B, C */
	float scale[3];              /* per-layer scales of A, B, C */
	int32_t zp[3];
	/* B_quant_type PER_CHANNEL_SYM: B's n scales (all 1.0 until set). */
	float *b_scales;
	int nb_scales;
	bool dynamic;
};

/* The registry: contexts, memory and the shared device, under one lock. */
struct rknn_ctx_slot {
	uint32_t gen;
	struct rknn_mm_ctx *mm;      /* NULL: free slot */
};

extern pthread_mutex_t rknn_lock; /* protects the registry and every context */

/* Logs "E RKNN: ..." on stderr (unless RNPU_RKNN_LOG=0) and keeps it for
 * rknn_rnpu_last_error(); returns @ret. */
int rknn_log(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The process-wide device (RNPU_DEVICE, default "sim"); a reference is
 * taken per context and per memory object. NULL on failure (logged). */
struct rnpu_dev *rknn_dev_get(void);
void rknn_dev_put(void);

/* Registry lookups; call with rknn_lock held. */
struct rknn_mm_ctx *rknn_ctx_lookup(rknn_context ctx);
/* Looks @ctx up and returns it with its lock held (NULL, logged, if it
 * is not a live matmul context); takes and drops rknn_lock. */
struct rknn_mm_ctx *rknn_ctx_get_locked(const char *fn, rknn_context ctx);
int rknn_ctx_add(struct rknn_mm_ctx *c, rknn_context *out);
void rknn_ctx_remove(rknn_context ctx);
struct rknn_mem_priv *rknn_mem_lookup(const rknn_tensor_mem *mem);
/* Drops every context's binding of @m (memory being destroyed). */
void rknn_mm_unbind_mem(struct rknn_mem_priv *m);

#endif
