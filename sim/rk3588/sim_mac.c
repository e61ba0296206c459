// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * CORE: the MAC array and accumulator. Works on the dense cubes the CNA
 * built: every kernel tap is one contiguous dot product over channels,
 * computed for a block of kernels at once so each feature load is reused.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"

/* Kernels per inner block: enough independent sums to fill vector units,
 * few enough that the weight rows stay in L1 for long dot products. */
#define KB SIM_MAC_KB
#define TKB SIM_MAC_TILE_KB
#define LANES SIM_ASSUME_FP_ACC_LANES

/* One tap of KB kernels against one input pixel (int8 values held in
 * int16). int32 cannot overflow here: a tap has at most 65535 channels of
 * |x*w| <= 2^14. */
static void dot_i16_kb(const int16_t *restrict f, const int16_t *restrict w, size_t stride,
		       size_t n, int32_t out[KB])
{
	const int16_t *w0 = w, *w1 = w + stride, *w2 = w + 2 * stride, *w3 = w + 3 * stride;
	int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (size_t i = 0; i < n; i++) {
		int32_t x = f[i];

		s0 += x * w0[i];
		s1 += x * w1[i];
		s2 += x * w2[i];
		s3 += x * w3[i];
	}
	out[0] = s0;
	out[1] = s1;
	out[2] = s2;
	out[3] = s3;
}

static int32_t dot_i16(const int16_t *restrict f, const int16_t *restrict w, size_t n)
{
	int32_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += (int32_t)f[i] * w[i];
	return s;
}

/* The documented fp32 order: partial sum l collects channels c with
 * c % LANES == l, for every tap in turn. Products of two halves are exact
 * in fp32, so fused multiply-add cannot change the result. */
static void dot_f_lanes(const float *restrict f, const float *restrict w, size_t n,
			float lanes[LANES])
{
	size_t i = 0;

	for (; i + LANES <= n; i += LANES)
		for (unsigned int l = 0; l < LANES; l++)
			lanes[l] += f[i + l] * w[i + l];
	for (unsigned int l = 0; i < n; i++, l++)
		lanes[l] += f[i] * w[i];
}

static float combine_lanes(const float lanes[LANES])
{
	float tmp[LANES];

	memcpy(tmp, lanes, sizeof(tmp));
	for (unsigned int width = LANES / 2; width; width /= 2)
		for (unsigned int l = 0; l < width; l++)
			tmp[l] = tmp[2 * l] + tmp[2 * l + 1];
	return tmp[0];
}

/* Runs once per accumulator cell: the common unshifted case and the
 * clamp stay inline. */
static inline int32_t finish_int(const struct sim_conv *cv, int64_t acc)
{
	int64_t v = cv->clip_shift ? sim_shift_round(acc, cv->clip_shift, cv->clip_half_up) : acc;

	_Static_assert(SIM_ASSUME_INT16_ACC_LIKE_INT8, "int16 sums end like int8 ones");
	if (SIM_ASSUME_ACC_SATURATE_INT32)
		v = v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
	return (int32_t)v;
}

/* First channel of the input pixel that tap (ky, kx) of output (oy, ox)
 * reads in the padded plane. */
static size_t feat_at(const struct sim_conv *cv, unsigned int oy, unsigned int ox,
		      unsigned int ky, unsigned int kx)
{
	size_t y = (size_t)oy * cv->sy + (size_t)ky * cv->dy;
	size_t x = (size_t)ox * cv->sx + (size_t)kx * cv->dx;

	return (y * cv->fp_w + x) * cv->wc;
}

/* int16 x int16 products reach 2^30: sum in 64 bits. */
static int64_t dot_i16_wide(const int16_t *restrict f, const int16_t *restrict w, size_t n)
{
	int64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += (int32_t)f[i] * w[i];
	return s;
}

/* All taps of one output pixel for kernels n0 .. n0+nb-1. */
static void mac_pixel_int8(const struct sim_conv *cv, const int16_t *wbase, unsigned int nb,
			   unsigned int oy, unsigned int ox, int64_t sum[KB])
{
	size_t per_kernel = (size_t)cv->kw * cv->kh * cv->wc;

	for (unsigned int ky = 0; ky < cv->kh; ky++)
		for (unsigned int kx = 0; kx < cv->kw; kx++) {
			const int16_t *f = cv->feat_i16 + feat_at(cv, oy, ox, ky, kx);
			const int16_t *w = wbase + ((size_t)ky * cv->kw + kx) * cv->wc;
			int32_t part[KB];

			if (cv->prec == SIM_PREC_INT16) {
				for (unsigned int j = 0; j < nb; j++)
					sum[j] += dot_i16_wide(f, w + j * per_kernel, cv->wc);
				continue;
			}
			if (nb == KB) {
				cv->dot_kb(f, w, per_kernel, cv->wc, part);
			} else {
				for (unsigned int j = 0; j < nb; j++)
					part[j] = dot_i16(f, w + j * per_kernel, cv->wc);
			}
			for (unsigned int j = 0; j < nb; j++)
				sum[j] += part[j];
		}
}

/* Both loops poll the abort flag once per output row, so a reset stops
 * even a single huge kernel block quickly. int8 and int16 share it. */
static void run_int(const struct sim_task *t, const struct sim_conv *cv, unsigned int n0,
		     unsigned int nb)
{
	const int16_t *wbase = cv->wt_i16 + n0 * (size_t)cv->kw * cv->kh * cv->wc;

	for (unsigned int oy = 0; oy < cv->out_h && !sim_task_aborted(t); oy++)
		for (unsigned int ox = 0; ox < cv->out_w; ox++) {
			int32_t *out = cv->acc_i + ((size_t)oy * cv->out_w + ox) * cv->out_c + n0;
			int64_t sum[KB] = { 0 };

			mac_pixel_int8(cv, wbase, nb, oy, ox, sum);
			for (unsigned int j = 0; j < nb; j++)
				out[j] = finish_int(cv, sum[j]);
		}
}

static void run_fp16(const struct sim_task *t, const struct sim_conv *cv, unsigned int n0,
		     unsigned int nb)
{
	size_t per_kernel = (size_t)cv->kw * cv->kh * cv->wc;

	for (unsigned int oy = 0; oy < cv->out_h && !sim_task_aborted(t); oy++)
		for (unsigned int ox = 0; ox < cv->out_w; ox++) {
			float *out = cv->acc_f + ((size_t)oy * cv->out_w + ox) * cv->out_c + n0;

			for (unsigned int j = 0; j < nb; j++) {
				const float *w = cv->wt_f + (n0 + j) * per_kernel;
				float lanes[LANES] = { 0 };

				for (unsigned int ky = 0; ky < cv->kh; ky++)
					for (unsigned int kx = 0; kx < cv->kw; kx++) {
						size_t tap = ((size_t)ky * cv->kw + kx) * cv->wc;
						size_t f = feat_at(cv, oy, ox, ky, kx);

						dot_f_lanes(cv->feat_f + f, w + tap, cv->wc, lanes);
					}
				out[j] = combine_lanes(lanes);
			}
		}
}

const struct sim_mac_fast *sim_mac_fast_for(const struct sim_task *t, const struct sim_conv *cv)
{
	const struct sim_mac_fast *fk = sim_mac_fast_kernels();
	size_t per_kernel = (size_t)cv->kh * cv->kw * cv->wc;

	if (!fk || atomic_load(&t->core->sim->plain) || cv->dw)
		return NULL;
	/* int4 runs the int8 tiles on weights widened to a byte each. */
	if ((cv->prec == SIM_PREC_INT8 || cv->prec == SIM_PREC_INT4) && fk->tile_i8 &&
	    per_kernel <= SIM_MAC_TILE_MAX_K)
		return fk;
	return cv->prec == SIM_PREC_FP16 && fk->tile_f ? fk : NULL;
}

/* Kernels [n_begin, n_end) of a convolution on the int8 tile kernels. */
struct fast_share {
	struct sim_task *t;
	const struct sim_conv *cv;
	const size_t *tap_off;
	unsigned int n_begin, n_end;
};

/* The fp16 tiles walk the channels in chunks of FP_CHUNK_BLOCKS blocks
 * (256 channels), so that a tile's six pixels' features (6 KiB of fp32)
 * and the chunk of a block of FP_KBLOCK kernels (16 KiB of binary16) stay
 * in L1 while the kernels pass the pixels; the lanes'
 * partial sums wait in memory between chunks. Unchunked, every kernel
 * pair streamed all features from L2 (2 bytes per MAC) and that bounded
 * the tile. FP_PX_TILES tiles of pixels share one pass over the weights. */
#define FP_CHUNK_BLOCKS 8u
#define FP_KBLOCK 32u
#define FP_PX_TILES 6u
#define FP_PART_FLOATS ((size_t)FP_PX_TILES * (FP_KBLOCK / TKB) * SIM_MAC_TILE_PX * TKB * LANES)
/* The chunk's weights of a block's kernel pairs in fp32, converted once
 * for all the pixel tiles of a unit. A thread's partial sums and panel
 * keep the allocation's 64-byte alignment: the panel's loads are aligned. */
#define FP_PANEL_PAIR_FLOATS ((size_t)FP_CHUNK_BLOCKS * SIM_CB * TKB)
#define FP_PANEL_FLOATS ((FP_KBLOCK / TKB) * FP_PANEL_PAIR_FLOATS)
_Static_assert(FP_PART_FLOATS % 16 == 0 && FP_PANEL_PAIR_FLOATS % 16 == 0,
	       "64-byte multiples");
/* With several MAC threads a kernel block is cut into at least this many
 * units per thread (pixel groups, then parts of the kernels when there
 * are too few pixels). More units balance the fetching thread's load
 * finer but read the features and weights more often: one took the
 * least CPU time for the benchmark's matmul on two threads (two units of
 * 16 pixels x 32 kernels a block); two or four took 7 to 16 % more (one
 * run each, at load 12 on two CPUs). */
#define FP_UNITS_PER_THREAD 1u
/* Bound of one sleep of a waiting MAC thread before it checks for an
 * abort again. */
#define FP_WAIT_NS 2000000L

/* First feature of output pixel @q. */
static size_t pixel_at(const struct sim_conv *cv, size_t q)
{
	return feat_at(cv, (unsigned int)(q / cv->out_w), (unsigned int)(q % cv->out_w), 0, 0);
}

/* Tile @ti of @tiles over @pixels: the pixels spread evenly (32 pixels:
 * five or six a tile), so that no tile computes padding. */
static void fp_tile_pixels(const struct sim_conv *cv, struct sim_tile *tl, size_t pixels,
			   size_t tiles, size_t ti, size_t *q0)
{
	size_t q1 = pixels * (ti + 1) / tiles;

	*q0 = pixels * ti / tiles;
	tl->np = (unsigned int)(q1 - *q0);
	for (unsigned int p = 0; p < SIM_MAC_TILE_PX; p++)
		tl->f[p] = cv->feat_f + pixel_at(cv, *q0 + (p < tl->np ? p : tl->np - 1));
}

/*
 * An fp16 convolution on the tiles. The kernels go in blocks of FP_KBLOCK
 * whose weights the task's thread alone fetches from the bus (the bus
 * callbacks never run elsewhere) into one of two buffers (one for one
 * thread): block b + 2 reuses block b's buffer once every unit of b is
 * done. A block is cut
 * into units (a group of up to FP_PX_TILES pixel tiles x a part of its
 * kernel pairs) that the threads claim in order from one counter, so that the
 * task's thread computes units between fetches and the others never wait
 * while a fetched block has units left. With one thread the block is
 * fetched just before its first unit, and is still in cache when the
 * tiles read it.
 */
struct fp_job {
	struct sim_task *t;
	const struct sim_conv *cv;
	const size_t *tap_off;
	unsigned int nthreads;
	unsigned int nblocks;   /* kernel blocks */
	unsigned int gtiles;    /* pixel tiles per group, at most FP_PX_TILES */
	unsigned int kparts;    /* parts of a block's kernel pairs */
	unsigned int upb;       /* units per block: pixel groups x kparts */
	size_t tiles, pixels, per_kernel;
	size_t block_bytes;
	uint8_t *buf[2];
	const uint8_t *map;     /* all weights in place on the bus: no fetches */
	/* Taken only around @wake, so that a change of the atomics below
	 * made before a broadcast is seen by a waiter that tests them under
	 * it (no lost wake-ups). */
	pthread_mutex_t lock;
	pthread_cond_t wake;    /* a block fetched or finished, or a fetch failed */
	_Atomic unsigned int fetched;     /* block b may be computed once fetched > b */
	_Atomic unsigned int claimed;     /* units handed out, in order */
	_Atomic unsigned int finished[2]; /* units done of the block in each buffer */
	_Atomic bool failed;              /* a fetch failed: every thread stops */
};

/* One MAC thread of @job, with its own partial-sum and panel scratch. */
struct fp_thread {
	struct fp_job *job;
	float (*part)[TKB][LANES];
	float *panel; /* 64-byte aligned */
};

static bool fp_stopped(const struct fp_job *j)
{
	return atomic_load(&j->failed) || sim_task_aborted(j->t);
}

/* Block @b's buffer is free: b < 2 or every unit of block b - 2 is done. */
static bool fp_buffer_free(struct fp_job *j, unsigned int b)
{
	return b < 2 || atomic_load(&j->finished[b % 2]) == j->upb;
}

static void fp_wake(struct fp_job *j)
{
	pthread_mutex_lock(&j->lock);
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->lock);
}

/* Sleeps until block @b is fetched (@for_fetch false) or its buffer is
 * free, or the job stops; each sleep is bounded so that an abort is seen
 * within FP_WAIT_NS. False when the job stopped. */
static bool fp_wait(struct fp_job *j, unsigned int b, bool for_fetch)
{
	bool ok;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		struct timespec ts;

		ok = for_fetch ? fp_buffer_free(j, b) : atomic_load(&j->fetched) > b;
		if (ok || fp_stopped(j))
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += FP_WAIT_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&j->wake, &j->lock, &ts);
	}
	pthread_mutex_unlock(&j->lock);
	return ok;
}

/* Task's thread only: reads the next block's weights into its buffer
 * (free: checked by the caller). A fault stops the job. */
static int fp_fetch_next(struct fp_job *j)
{
	const struct sim_conv *cv = j->cv;
	unsigned int b = atomic_load(&j->fetched);
	unsigned int k0 = b * FP_KBLOCK;
	unsigned int k1 = cv->kernels - k0 < FP_KBLOCK ? cv->kernels : k0 + FP_KBLOCK;

	if (sim_dma_read(j->t, cv->wt_dma + (uint64_t)k0 * j->per_kernel * cv->eb, j->buf[b % 2],
			 (size_t)(k1 - k0) * j->per_kernel * cv->eb, "weights")) {
		atomic_store(&j->failed, true);
		fp_wake(j);
		return -1;
	}
	/* Block b - 2 is all done: nobody counts into this slot until the
	 * store below publishes block b. */
	atomic_store(&j->finished[b % 2], 0);
	atomic_store(&j->fetched, b + 1);
	if (j->nthreads > 1)
		fp_wake(j);
	return 0;
}

/* The weights of the next chunk, asked for into L2 a few lines per tile
 * call while the tiles compute this chunk, so that the next chunk's
 * converting tile reads them from cache: a task streams its weights from
 * memory (32 MiB a task in the benchmark's fp16 matmul), and without this
 * the matmul ran at 0.60 of sgemm instead of 0.78. Ranges: one per kernel
 * group and channel block. */
struct fp_ahead {
	const uint8_t *at[(FP_KBLOCK / SIM_KG_16BIT) * FP_CHUNK_BLOCKS];
	size_t len[(FP_KBLOCK / SIM_KG_16BIT) * FP_CHUNK_BLOCKS];
	unsigned int n, r;
	size_t off, per_call;
};

#define FP_LINE 64u

/* Plans @a over kernels [@n0, @n1) of the block at @wbuf (kernel @k0
 * first), channel blocks [@c0, @c0 + FP_CHUNK_BLOCKS) of tap @t, spread
 * over @calls tile calls. */
static void fp_ahead_plan(struct fp_ahead *a, const struct fp_job *j, const uint8_t *wbuf,
			  unsigned int k0, unsigned int n0, unsigned int n1, size_t t, size_t c0,
			  size_t calls)
{
	const struct sim_conv *cv = j->cv;
	size_t taps = (size_t)cv->kh * cv->kw, blocks = (cv->wc + SIM_CB - 1) / SIM_CB;
	size_t c1 = blocks - c0 < FP_CHUNK_BLOCKS ? blocks : c0 + FP_CHUNK_BLOCKS, lines = 0;

	a->n = a->r = 0;
	a->off = 0;
	for (unsigned int g0 = n0 / SIM_KG_16BIT * SIM_KG_16BIT; g0 < n1; g0 += SIM_KG_16BIT) {
		size_t ng = cv->kernels - g0 < SIM_KG_16BIT ? cv->kernels - g0 : SIM_KG_16BIT;
		const uint8_t *group = wbuf + (size_t)(g0 - k0) * j->per_kernel * cv->eb;

		for (size_t c = c0; c < c1 && a->n < sizeof(a->at) / sizeof(a->at[0]); c++) {
			size_t cb = cv->wc - c * SIM_CB < SIM_CB ? cv->wc - c * SIM_CB : SIM_CB;

			a->at[a->n] = group + (c * SIM_CB * taps * ng + t * ng * cb) * cv->eb;
			a->len[a->n] = ng * cb * cv->eb;
			lines += (a->len[a->n] + FP_LINE - 1) / FP_LINE;
			a->n++;
		}
	}
	a->per_call = calls ? (lines + calls - 1) / calls : 0;
}

static void fp_ahead_step(struct fp_ahead *a)
{
	for (size_t i = 0; i < a->per_call && a->r < a->n; i++) {
		__builtin_prefetch(a->at[a->r] + a->off, 0, 2);
		a->off += FP_LINE;
		if (a->off >= a->len[a->r]) {
			a->r++;
			a->off = 0;
		}
	}
}

/* Plans @a for what follows tap @t, chunk @c0 of unit @u (kernels [@n0,
 * @n1) of its block, whose weights are at @wbuf): the next chunk, else
 * the next unit's first, when its weights are in place or in the same
 * buffer. */
static void fp_ahead_next(struct fp_ahead *a, const struct fp_job *j, unsigned int u,
			  const uint8_t *wbuf, unsigned int n0, unsigned int n1, size_t t,
			  size_t c0, size_t calls)
{
	const struct sim_conv *cv = j->cv;
	size_t taps = (size_t)cv->kh * cv->kw, blocks = (cv->wc + SIM_CB - 1) / SIM_CB;
	unsigned int b = u / j->upb, k0 = b * FP_KBLOCK, nb;

	a->n = a->r = 0;
	a->per_call = 0;
	if (c0 + FP_CHUNK_BLOCKS < blocks) {
		fp_ahead_plan(a, j, wbuf, k0, n0, n1, t, c0 + FP_CHUNK_BLOCKS, calls);
	} else if (t + 1 < taps) {
		fp_ahead_plan(a, j, wbuf, k0, n0, n1, t + 1, 0, calls);
	} else if (u + 1 < j->nblocks * j->upb) {
		nb = (u + 1) / j->upb;
		if (nb != b && !j->map)
			return;
		k0 = nb * FP_KBLOCK;
		if (nb != b)
			wbuf = j->map + (size_t)k0 * j->per_kernel * cv->eb;
		n1 = cv->kernels - k0 < FP_KBLOCK ? cv->kernels : k0 + FP_KBLOCK;
		fp_ahead_plan(a, j, wbuf, k0, k0, n1, 0, 0, calls);
	}
}

/* Unit @u: kernel part @u % kparts of pixel group (@u % upb) / kparts
 * of kernel block @u / upb, whose weights are in its buffer. */
static void fp_unit(struct fp_job *j, const struct fp_thread *th, unsigned int u)
{
	const struct sim_conv *cv = j->cv;
	unsigned int b = u / j->upb, r = u % j->upb;
	unsigned int k0 = b * FP_KBLOCK;
	unsigned int k1 = cv->kernels - k0 < FP_KBLOCK ? cv->kernels : k0 + FP_KBLOCK;
	unsigned int block_pairs = (k1 - k0 + TKB - 1) / TKB, kp = r % j->kparts;
	unsigned int p0 = block_pairs * kp / j->kparts, p1 = block_pairs * (kp + 1) / j->kparts;
	unsigned int pairs = p1 - p0;
	size_t blocks = (cv->wc + SIM_CB - 1) / SIM_CB; /* the last may be partial */
	size_t ti0 = (size_t)(r / j->kparts) * j->gtiles, q0;
	size_t ti1 = j->tiles - ti0 < j->gtiles ? j->tiles : ti0 + j->gtiles;
	const uint8_t *wbuf = j->map ? j->map + (size_t)k0 * j->per_kernel * cv->eb : j->buf[b % 2];
	struct sim_tile tl = { .taps = (size_t)cv->kh * cv->kw, .wc = cv->wc,
			       .tap_off = j->tap_off };
	float (*part)[TKB][LANES] = th->part;
	struct fp_ahead ahead;

	if (!pairs)
		return;
	memset(part, 0, (ti1 - ti0) * pairs * SIM_MAC_TILE_PX * sizeof(*part));
	for (size_t t = 0; t < tl.taps; t++)
		for (size_t c0 = 0; c0 < blocks; c0 += FP_CHUNK_BLOCKS) {
			size_t c1 = blocks - c0 < FP_CHUNK_BLOCKS ? blocks : c0 + FP_CHUNK_BLOCKS;

			fp_ahead_next(&ahead, j, u, wbuf, k0 + p0 * TKB,
				      k0 + p1 * TKB < k1 ? k0 + p1 * TKB : k1, t, c0,
				      (ti1 - ti0) * pairs);
			/* The first tile converts the weights into the panels
			 * (each pair's over the chunk), the others read them. */
			fp_tile_pixels(cv, &tl, j->pixels, j->tiles, ti0, &q0);
			for (unsigned int i = 0; i < pairs; i++) {
				unsigned int n0 = k0 + (p0 + i) * TKB;
				unsigned int nb = k1 - n0 < TKB ? k1 - n0 : TKB;
				unsigned int g0 = n0 / SIM_KG_16BIT * SIM_KG_16BIT;

				/* A block starts at a whole kernel group, and
				 * groups lie one after the other. */
				tl.wg = wbuf + (size_t)(g0 - k0) * j->per_kernel * cv->eb;
				tl.ng = cv->kernels - g0 < SIM_KG_16BIT ? cv->kernels - g0
									: SIM_KG_16BIT;
				for (unsigned int jj = 0; jj < TKB; jj++)
					tl.k[jj] = n0 - g0 + (jj < nb ? jj : nb - 1);
				fp_ahead_step(&ahead);
				cv->fast->tile_f_cvt(&tl, th->panel + i * FP_PANEL_PAIR_FLOATS, t,
						     c0, c1, part + i * SIM_MAC_TILE_PX);
			}
			for (size_t ti = ti0 + 1; ti < ti1; ti++) {
				fp_tile_pixels(cv, &tl, j->pixels, j->tiles, ti, &q0);
				for (unsigned int i = 0; i < pairs; i++)
					fp_ahead_step(&ahead);
				cv->fast->tile_f(&tl, th->panel, FP_PANEL_PAIR_FLOATS, pairs, t, c0,
						 c1, part + (ti - ti0) * pairs * SIM_MAC_TILE_PX);
			}
		}
	for (size_t ti = ti0; ti < ti1; ti++) {
		fp_tile_pixels(cv, &tl, j->pixels, j->tiles, ti, &q0);
		for (unsigned int i = 0; i < pairs; i++) {
			unsigned int n0 = k0 + (p0 + i) * TKB;
			unsigned int nb = k1 - n0 < TKB ? k1 - n0 : TKB;
			float (*pp)[TKB][LANES] = part + ((ti - ti0) * pairs + i) * SIM_MAC_TILE_PX;

			for (unsigned int p = 0; p < tl.np; p++)
				for (unsigned int jj = 0; jj < nb; jj++)
					cv->acc_f[(q0 + p) * cv->out_c + n0 + jj] =
						combine_lanes(pp[p][jj]);
		}
	}
}

/* Claims and computes units until none are left or the job stops. The
 * task's thread (@fetcher) also fetches: ahead, whenever a buffer is free
 * and other threads compute, and otherwise when its own unit's block is
 * not yet in. -1 when a fetch failed. */
static int fp_run(struct fp_job *j, const struct fp_thread *th, bool fetcher)
{
	unsigned int total = j->nblocks * j->upb;

	while (!fp_stopped(j)) {
		unsigned int u, b;

		while (fetcher && j->nthreads > 1 && atomic_load(&j->fetched) < j->nblocks &&
		       fp_buffer_free(j, atomic_load(&j->fetched)))
			if (fp_fetch_next(j))
				return -1;
		u = atomic_fetch_add(&j->claimed, 1);
		if (u >= total) {
			/* Others may still wait for the blocks of their
			 * last units. */
			while (fetcher && atomic_load(&j->fetched) < j->nblocks)
				if (!fp_wait(j, atomic_load(&j->fetched), true) ||
				    fp_fetch_next(j))
					break;
			break;
		}
		b = u / j->upb;
		if (fetcher) {
			while (atomic_load(&j->fetched) <= b) {
				if (!fp_wait(j, atomic_load(&j->fetched), true))
					return atomic_load(&j->failed) ? -1 : 0;
				if (fp_fetch_next(j))
					return -1;
			}
		} else if (!fp_wait(j, b, false)) {
			break;
		}
		fp_unit(j, th, u);
		if (atomic_fetch_add(&j->finished[b % 2], 1) + 1 == j->upb && j->nthreads > 1)
			fp_wake(j);
	}
	return atomic_load(&j->failed) ? -1 : 0;
}

static void *fp_thread_main(void *arg)
{
	struct fp_thread *th = arg;

	fp_run(th->job, th, false);
	return NULL;
}

/* fp16 weights were left to this stage or mapped in place (sim_cna.c);
 * see struct fp_job. */
static int run_fast_fp16(struct sim_task *t, struct sim_conv *cv, const size_t *tap_off,
			 unsigned int nthreads)
{
	size_t taps = (size_t)cv->kh * cv->kw, pixels = (size_t)cv->out_h * cv->out_w;
	size_t tiles = (pixels + SIM_MAC_TILE_PX - 1) / SIM_MAC_TILE_PX;
	unsigned int groups = (unsigned int)((tiles + FP_PX_TILES - 1) / FP_PX_TILES);
	unsigned int want = FP_UNITS_PER_THREAD * nthreads;
	struct fp_job j = { .t = t, .cv = cv, .tap_off = tap_off, .nthreads = nthreads,
			    .nblocks = (cv->kernels + FP_KBLOCK - 1) / FP_KBLOCK,
			    .kparts = 1, .tiles = tiles, .pixels = pixels,
			    .per_kernel = taps * cv->wc };
	struct fp_thread th[RK3588_SIM_MAX_MAC_THREADS];
	pthread_t tid[RK3588_SIM_MAX_MAC_THREADS];
	bool started[RK3588_SIM_MAX_MAC_THREADS] = { false };
	float *scratch;
	size_t part_floats = nthreads * (FP_PART_FLOATS + FP_PANEL_FLOATS);
	unsigned int kernels = cv->kernels < FP_KBLOCK ? cv->kernels : FP_KBLOCK;
	bool double_buf;
	int rc;

	_Static_assert(FP_KBLOCK % SIM_KG_16BIT == 0, "kernel blocks hold whole kernel groups");
	_Static_assert(SIM_KG_16BIT % TKB == 0, "a tile never straddles two kernel groups");
	/* Pixels split first: a kernel part would read all the pixels'
	 * features for a fraction of the block's weights. */
	j.gtiles = FP_PX_TILES;
	if (nthreads > 1 && groups < want) {
		j.gtiles = (unsigned int)((tiles + want - 1) / want);
		groups = (unsigned int)((tiles + j.gtiles - 1) / j.gtiles);
	}
	if (nthreads > 1 && groups < want)
		j.kparts = (want + groups - 1) / groups;
	if (j.kparts > FP_KBLOCK / TKB)
		j.kparts = FP_KBLOCK / TKB;
	j.upb = groups * j.kparts;
	j.block_bytes = kernels * j.per_kernel * cv->eb;
	/* Weights read in place are all there: nothing to fetch or wait for. */
	j.map = cv->wt_map;
	if (j.map)
		atomic_store(&j.fetched, j.nblocks);
	/* One thread finishes a block before it fetches the next: one buffer,
	 * which stays in cache. */
	double_buf = nthreads > 1 && j.nblocks > 1;
	if (!j.map) {
		cv->wt_raw_bytes = (double_buf ? 2 : 1) * j.block_bytes;
		cv->wt_raw = sim_task_alloc_kept(t, cv->wt_raw_bytes, "packed weights");
		if (!cv->wt_raw)
			return -1; /* wt_raw goes with the convolution (sim_conv_release) */
		j.buf[0] = cv->wt_raw;
		j.buf[1] = cv->wt_raw + (double_buf ? j.block_bytes : 0);
	}
	scratch = sim_task_alloc(t, part_floats, sizeof(float), "fp16 partial sums");
	if (!scratch)
		return -1;
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.wake, NULL);
	for (unsigned int i = 0; i < nthreads; i++) {
		float *mine = scratch + i * (FP_PART_FLOATS + FP_PANEL_FLOATS);

		th[i] = (struct fp_thread){ .job = &j,
					    .part = (float (*)[TKB][LANES])mine,
					    .panel = mine + FP_PART_FLOATS };
	}
	/* A thread that cannot be started leaves its units to the others. */
	for (unsigned int i = 1; i < nthreads; i++)
		started[i] = pthread_create(&tid[i], NULL, fp_thread_main, &th[i]) == 0;
	rc = fp_run(&j, &th[0], true);
	for (unsigned int i = 1; i < nthreads; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
	pthread_cond_destroy(&j.wake);
	pthread_mutex_destroy(&j.lock);
	sim_task_free(t, scratch, part_floats, sizeof(float));
	return rc;
}

/* Every kernel block of @sh against every pixel, six pixels at a time;
 * taps are offsets from a pixel's first tap. Shares write disjoint
 * channels of the accumulator cube. */
static void *run_fast_share(void *arg)
{
	struct fast_share *sh = arg;
	const struct sim_conv *cv = sh->cv;
	size_t taps = (size_t)cv->kh * cv->kw, per_kernel = taps * cv->wc;
	size_t pixels = (size_t)cv->out_h * cv->out_w;
	struct sim_tile tl = { .taps = taps, .wc = cv->wc, .tap_off = sh->tap_off };
	unsigned int kg = sim_kernel_group(cv->prec);

	_Static_assert(SIM_KG_INT8 % TKB == 0 && SIM_KG_INT4 % TKB == 0,
		       "a kernel block never straddles two kernel groups");
	for (unsigned int n0 = sh->n_begin; n0 < sh->n_end && !sim_task_aborted(sh->t);
	     n0 += TKB) {
		unsigned int nb = sh->n_end - n0 < TKB ? sh->n_end - n0 : TKB;
		unsigned int g0 = n0 / kg * kg;

		/* int4 weights were widened to one byte each (eb 1), never
		 * read in place. */
		tl.wg = (cv->wt_map ? cv->wt_map : cv->wt_raw) + (size_t)g0 * per_kernel * cv->eb;
		tl.ng = cv->kernels - g0 < kg ? cv->kernels - g0 : kg;
		for (unsigned int j = 0; j < TKB; j++)
			tl.k[j] = n0 - g0 + (j < nb ? j : nb - 1);
		for (size_t q0 = 0; q0 < pixels; q0 += SIM_MAC_TILE_PX) {
			size_t np = pixels - q0 < SIM_MAC_TILE_PX ? pixels - q0 : SIM_MAC_TILE_PX;
			int64_t o[SIM_MAC_TILE_PX][TKB];

			for (unsigned int p = 0; p < SIM_MAC_TILE_PX; p++)
				tl.f[p] = cv->feat_i16 + pixel_at(cv, q0 + (p < np ? p : np - 1));
			cv->fast->tile_i8(&tl, o);
			for (unsigned int p = 0; p < np; p++)
				for (unsigned int j = 0; j < nb; j++)
					cv->acc_i[(q0 + p) * cv->out_c + n0 + j] =
						finish_int(cv, o[p][j]);
		}
	}
	return NULL;
}

/* Below this many MACs a task stays on its own thread: starting another
 * costs tens of microseconds. */
#define MAC_THREAD_MIN_MACS (8u << 20)

/* Read once: a task must not scan the environment. */
void sim_mac_threads_from_env(struct rk3588_sim *sim)
{
	const char *env = getenv("RNPU_SIM_MAC_THREADS");

	sim->mac_threads_env = env ? (unsigned int)strtoul(env, NULL, 10) : 1;
}

static unsigned int mac_threads(const struct rk3588_sim *sim)
{
	unsigned int n = atomic_load(&sim->mac_threads);

	if (!n)
		n = sim->mac_threads_env;
	if (n < 1)
		n = 1;
	return n > RK3588_SIM_MAX_MAC_THREADS ? RK3588_SIM_MAX_MAC_THREADS : n;
}

void rk3588_sim_set_mac_threads(struct rk3588_sim *sim, unsigned int threads)
{
	if (sim)
		atomic_store(&sim->mac_threads, threads);
}

/* The kernels split in contiguous shares of whole kernel blocks, one per
 * thread; a thread that cannot be started leaves its share to the task's
 * own thread. */
static int run_fast(struct sim_task *t, struct sim_conv *cv)
{
	size_t taps = (size_t)cv->kh * cv->kw;
	uint64_t macs = (uint64_t)cv->out_h * cv->out_w * cv->kernels * taps * cv->wc;
	unsigned int blocks = (cv->kernels + TKB - 1) / TKB;
	unsigned int nthreads = mac_threads(t->core->sim);
	struct fast_share sh[RK3588_SIM_MAX_MAC_THREADS];
	pthread_t tid[RK3588_SIM_MAX_MAC_THREADS];
	bool started[RK3588_SIM_MAX_MAC_THREADS] = { false };
	size_t *tap_off;

	tap_off = sim_task_alloc(t, taps, sizeof(*tap_off), "tap offsets");
	if (!tap_off)
		return -1;
	for (unsigned int ky = 0; ky < cv->kh; ky++)
		for (unsigned int kx = 0; kx < cv->kw; kx++)
			tap_off[ky * cv->kw + kx] = feat_at(cv, 0, 0, ky, kx);
	if (macs < MAC_THREAD_MIN_MACS)
		nthreads = 1;
	if (nthreads > blocks)
		nthreads = blocks;
	if (cv->prec == SIM_PREC_FP16) {
		int rc = run_fast_fp16(t, cv, tap_off, nthreads);

		sim_task_free(t, tap_off, taps, sizeof(*tap_off));
		return rc;
	}
	for (unsigned int i = 0; i < nthreads; i++) {
		unsigned int b0 = (unsigned int)((uint64_t)blocks * i / nthreads);
		unsigned int b1 = (unsigned int)((uint64_t)blocks * (i + 1) / nthreads);

		sh[i] = (struct fast_share){ .t = t, .cv = cv, .tap_off = tap_off,
					     .n_begin = b0 * TKB,
					     .n_end = b1 * TKB < cv->kernels ? b1 * TKB : cv->kernels };
	}
	for (unsigned int i = 1; i < nthreads; i++)
		started[i] = pthread_create(&tid[i], NULL, run_fast_share, &sh[i]) == 0;
	run_fast_share(&sh[0]);
	for (unsigned int i = 1; i < nthreads; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			run_fast_share(&sh[i]);
	}
	sim_task_free(t, tap_off, taps, sizeof(*tap_off));
	return 0;
}

/* Depthwise: output channel k reads input channel k only, taps in (ky, kx)
 * order (one fp32 partial sum per channel, see SIM_ASSUME_FP_ACC_LANES). */
static void run_dw(const struct sim_task *t, const struct sim_conv *cv)
{
	unsigned int nc = cv->wc < cv->out_c ? cv->wc : cv->out_c;

	_Static_assert(SIM_ASSUME_DW_EXTRA_OUT_ZERO, "extra output channels stay zero");
	for (unsigned int oy = 0; oy < cv->out_h && !sim_task_aborted(t); oy++)
		for (unsigned int ox = 0; ox < cv->out_w; ox++) {
			size_t o = ((size_t)oy * cv->out_w + ox) * cv->out_c;

			for (unsigned int k = 0; k < nc; k++) {
				int64_t si = 0;
				float sf = 0.0f;

				for (unsigned int ky = 0; ky < cv->kh; ky++)
					for (unsigned int kx = 0; kx < cv->kw; kx++) {
						size_t f = feat_at(cv, oy, ox, ky, kx) + k;
						size_t w = ((size_t)ky * cv->kw + kx) * cv->wc + k;

						if (cv->prec == SIM_PREC_FP16)
							sf += cv->feat_f[f] * cv->wt_f[w];
						else
							si += (int32_t)cv->feat_i16[f] * cv->wt_i16[w];
					}
				if (cv->prec == SIM_PREC_FP16)
					cv->acc_f[o + k] = sf;
				else
					cv->acc_i[o + k] = finish_int(cv, si);
			}
		}
}

/* QD_EN: the sum of every input value each output's window reads. */
static int window_sums(struct sim_task *t, struct sim_conv *cv)
{
	size_t pixels = (size_t)cv->out_h * cv->out_w;
	unsigned int per = cv->dw ? cv->out_c : 1;
	unsigned int nc = cv->dw ? (cv->wc < cv->out_c ? cv->wc : cv->out_c) : cv->wc;

	_Static_assert(SIM_ASSUME_QD_WINDOW_SUM, "window sums include padding");
	cv->wsum_n = pixels * per;
	cv->wsum = sim_task_alloc(t, cv->wsum_n, sizeof(int64_t), "window sums");
	if (!cv->wsum)
		return -1;
	memset(cv->wsum, 0, cv->wsum_n * sizeof(int64_t));
	for (unsigned int oy = 0; oy < cv->out_h && !sim_task_aborted(t); oy++)
		for (unsigned int ox = 0; ox < cv->out_w; ox++) {
			int64_t *o = cv->wsum + ((size_t)oy * cv->out_w + ox) * per;

			for (unsigned int ky = 0; ky < cv->kh; ky++)
				for (unsigned int kx = 0; kx < cv->kw; kx++) {
					const int16_t *f = cv->feat_i16 + feat_at(cv, oy, ox, ky, kx);

					for (unsigned int k = 0; k < nc; k++)
						o[cv->dw ? k : 0] += f[k];
				}
		}
	return 0;
}

int sim_mac_run(struct sim_task *t, struct sim_conv *cv)
{
	size_t cells = (size_t)cv->out_h * cv->out_w * cv->out_c;
	unsigned int kernels = cv->dw ? (cv->wc < cv->out_c ? cv->wc : cv->out_c) : cv->kernels;

	if (cv->prec != SIM_PREC_FP16) {
		cv->acc_i = sim_task_alloc_kept(t, cells * sizeof(int32_t), "accumulator cube");
		if (!cv->acc_i)
			return -1;
		/* Channels without a kernel accumulate nothing. */
		memset(cv->acc_i, 0, cells * sizeof(int32_t));
	} else {
		cv->acc_f = sim_task_alloc_kept(t, cells * sizeof(float), "accumulator cube");
		if (!cv->acc_f)
			return -1;
		for (size_t i = 0; i < cells; i++)
			cv->acc_f[i] = 0.0f;
	}
	if (cv->qd && window_sums(t, cv))
		return -1;
	cv->dot_kb = dot_i16_kb;
	if (!atomic_load(&t->core->sim->plain) && sim_mac_simd_kernel())
		cv->dot_kb = sim_mac_simd_kernel();
	t->macs += (uint64_t)cv->out_h * cv->out_w * kernels * cv->kh * cv->kw *
		   (cv->dw ? 1 : cv->wc);
	if (cv->dw) {
		run_dw(t, cv);
		return 0;
	}

	/* Chosen when the weights were fetched (sim_cna.c). */
	if (cv->fast)
		return run_fast(t, cv);

	/* Kernel blocks outermost: a block's weights stay cached while every
	 * output pixel streams past them. */
	for (unsigned int n0 = 0; n0 < cv->kernels; n0 += KB) {
		unsigned int nb = cv->kernels - n0 < KB ? cv->kernels - n0 : KB;

		if (sim_task_aborted(t))
			return 0;
		if (cv->prec != SIM_PREC_FP16)
			run_int(t, cv, n0, nb);
		else
			run_fp16(t, cv, n0, nb);
	}
	return 0;
}
