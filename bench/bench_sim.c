// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * The software NPU's MAC datapath against OpenBLAS sgemm on the same MAC
 * count, measured side by side: each round times every contender once, in
 * turn, so that load from elsewhere on the machine hits them alike; the
 * table gives median times and the median of the per-round ratios.
 *
 * Workloads (the model alone on an in-memory bus, register streams from
 * the test generator, one NPU core):
 *   int8 matmul M x K x N (1x1 convolution, row tiles chained as tasks),
 *   fp16 matmul M x K x N -> fp32 (the same),
 *   int8 3x3 convolution 56x56x64 -> 64, padding 1, as one task.
 * sgemm runs the equivalent GEMM (for the convolution: pixels x 9*64 x 64)
 * on float copies of the same values. The convolution also runs on the
 * plain C datapath (the oracle) for the speed-up of the fast one. Every
 * result is checked: the convolution fully against a loop here, the
 * matmuls on a sample of outputs.
 */
#include <math.h>
#include <stdbool.h>
#include <unistd.h>

#include "bench_util.h"
#include "rk3588_regs.h"
#include "rk3588_sim.h"
#include "sim_internal.h" /* the int8 tile kernel, timed alone by the ceiling table */
#include "sim_test_bus.h"
#include "sim_test_stream.h"

#ifdef RNPU_BENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define MAX_TASKS 64u

/* CPU time of the whole process: unlike wall time it does not grow while
 * other programs hold the CPUs, so single-threaded ratios by CPU time
 * stay meaningful on a loaded machine. */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One timed run: wall and CPU seconds. */
struct timing {
	double wall, cpu;
};

static const char usage[] =
	"Usage: bench_sim [--runs=N] [--m=M] [--k=K] [--n=N] [--only=WHAT]\n"
	"\n"
	"Times the software NPU's fast MAC datapath with 1 and with all host threads\n"
	"(and, for the convolution, its plain C datapath) against OpenBLAS\n"
	"cblas_sgemm with 1 and with all threads, on the same number of\n"
	"multiply-adds, and prints a Markdown table.\n"
	"\n"
	"  --runs=N   rounds per workload; each round runs every contender once\n"
	"             (default 5). Times are medians over the rounds; ratios are\n"
	"             the median of the per-round ratios.\n"
	"  --m, --k, --n  matmul shape (default 512 x 4096 x 4096)\n"
	"  --only=W   1 = int8 matmul, 2 = fp16 matmul, 4 = int8 convolution,\n"
	"             8 = arithmetic ceiling (x86-64: the int8 multiply-add against\n"
	"             the fp32 FMA on registers only, then the int8 tile kernel\n"
	"             alone with its operands in L1 and on one matmul task's\n"
	"             data), 16 = int4 -> int16 matmul (also on the plain C\n"
	"             datapath); a sum selects several (default 31, all)\n"
	"  --help     this text\n"
	"\n"
	"GMAC/s counts multiply-adds (one sgemm FMA = one MAC) per wall second.\n"
	"Ratios compare with sgemm on as many threads as the row uses. OpenBLAS runs\n"
	"with OPENBLAS_THREAD_TIMEOUT=4 (set here unless given) so that its idle\n"
	"threads do not spin into the next row.\n"
	"CPU time is the whole process's; for single-threaded rows it does not\n"
	"grow while other programs hold the CPUs, so their CPU-time ratio is the\n"
	"steadier figure on a loaded machine. Exit status 1 if a result is wrong\n"
	"or a task fails.\n";

struct chain {
	struct fake_bus fb;
	struct rk3588_sim *sim;
	struct conv_desc d[MAX_TASKS];
	unsigned int tasks;
	uint32_t addr0, amount0;
};

/* Task list for conv descriptors d[0..tasks-1] (weights/in/out set). */
static void chain_build(struct chain *c)
{
	static uint64_t w[MAX_TASKS][256];
	size_t n[MAX_TASKS];
	uint32_t addr[MAX_TASKS], amount[MAX_TASKS];

	for (unsigned int t = 0; t < c->tasks; t++) {
		n[t] = conv_body(w[t], &c->d[t]);
		amount[t] = amount_for(n[t] + TAIL_WORDS);
		addr[t] = fb_alloc(&c->fb, 16 * ((size_t)amount[t] + 1), 64);
	}
	for (unsigned int t = 0; t < c->tasks; t++) {
		bool last = t + 1 == c->tasks;
		size_t m = n[t] + task_tail(w[t] + n[t], last ? 0 : addr[t + 1],
					    last ? 0 : amount[t + 1], CONV_OP_EN);

		fb_put_words(&c->fb, addr[t], w[t], m);
	}
	c->addr0 = addr[0];
	c->amount0 = amount[0];
}

/* One run of the chain on @dp with @threads MAC threads. */
static struct timing chain_run(struct chain *c, enum rk3588_sim_datapath dp, unsigned int threads)
{
	uint64_t t0, c0;
	struct timing tm;
	uint32_t st;

	rk3588_sim_set_datapath(c->sim, dp);
	rk3588_sim_set_mac_threads(c->sim, threads);
	t0 = bench_now_ns();
	c0 = cpu_now_ns();
	test_commit(c->sim, 0, c->addr0, c->amount0, c->tasks, 0x300);
	rk3588_sim_wait_idle(c->sim, 0);
	tm.cpu = (double)(cpu_now_ns() - c0) / 1e9;
	tm.wall = (double)(bench_now_ns() - t0) / 1e9;
	st = rk3588_sim_mmio_read(c->sim, 0, REG_PC_INTERRUPT_STATUS);
	rk3588_sim_mmio_write(c->sim, 0, REG_PC_INTERRUPT_CLEAR, RK3588_INT_ALL);
	if (st != 0x100) {
		char msg[256];

		rk3588_sim_last_error(c->sim, 0, msg, sizeof(msg));
		fprintf(stderr, "bench_sim: task list ended with 0x%x: %s\n", st, msg);
		exit(1);
	}
	return tm;
}

static uint32_t out_word(struct chain *c, unsigned int t, unsigned int ch, unsigned int y,
			 unsigned int x)
{
	const uint8_t *q = (const uint8_t *)fb_ptr(&c->fb, c->d[t].out) +
			   out_index(&c->d[t], ch, y, x) * 4;

	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

/* binary16 bits of a small integer: exact, so the fp16 sums can be checked. */
static uint16_t half_of_small(int v)
{
	unsigned int a = (unsigned int)abs(v), e = 0;

	if (!a)
		return 0;
	while ((a >> e) > 1)
		e++;
	return (uint16_t)((v < 0 ? 0x8000u : 0) | (e + 15) << 10 | ((a << (10 - e)) & 0x3ff));
}

/* Matmul A[M][K] x B[N][K]^T as row tiles of a 1x1 convolution. */
static void matmul_setup(struct chain *c, bool fp16, uint32_t m, uint32_t k, uint32_t n,
			 const int8_t *a, const int8_t *b)
{
	/* Rows per task: the CBUF's 8 data banks hold 64 rows of 4096 int8
	 * channels or 32 of fp16; smaller K allows more. */
	unsigned int eb = fp16 ? 2 : 1;
	uint32_t tile = (uint32_t)(8u * 32768u / ((size_t)k * eb));
	unsigned int kg = fp16 ? 16 : 32;
	uint8_t *pa, *pb;
	uint32_t wt;

	tile = tile > m ? m : tile ? tile : 1;
	c->tasks = (m + tile - 1) / tile;
	if (c->tasks > MAX_TASKS || (size_t)kg * k * eb > 4u * 32768u) {
		fprintf(stderr, "bench_sim: matmul %ux%ux%u does not fit the task list\n", m, k, n);
		exit(1);
	}
	pa = malloc((size_t)m * k * eb);
	pb = malloc((size_t)n * k * eb);
	if (!pa || !pb)
		exit(1);
	for (size_t i = 0; i < (size_t)m * k; i++) {
		if (fp16) {
			uint16_t h = half_of_small(a[i] % 8);

			memcpy(pa + 2 * i, &h, 2);
		} else {
			pa[i] = (uint8_t)a[i];
		}
	}
	for (size_t i = 0; i < (size_t)n * k; i++) {
		if (fp16) {
			uint16_t h = half_of_small(b[i] % 8);

			memcpy(pb + 2 * i, &h, 2);
		} else {
			pb[i] = (uint8_t)b[i];
		}
	}
	for (unsigned int t = 0; t < c->tasks; t++) {
		uint32_t rows = m - t * tile < tile ? m - t * tile : tile;

		c->d[t] = (struct conv_desc){
			.fp16 = fp16, .out_prec = fp16 ? TP_FP32 : TP_INT32, .w = 1, .h = rows,
			.c = k, .kw = 1, .kh = 1, .n = n, .sx = 1, .sy = 1, .out_w = 1,
			.out_h = rows,
		};
		c->d[t].in = fb_alloc(&c->fb, conv_in_bytes(&c->d[t]), 64);
		c->d[t].out = fb_alloc(&c->fb, conv_out_bytes(&c->d[t]), 64);
		pack_input(&c->d[t], pa + (size_t)t * tile * k * eb, fb_ptr(&c->fb, c->d[t].in));
	}
	wt = fb_alloc(&c->fb, conv_wt_bytes(&c->d[0]), 64);
	pack_weights(&c->d[0], pb, fb_ptr(&c->fb, wt));
	for (unsigned int t = 0; t < c->tasks; t++)
		c->d[t].wt = wt;
	chain_build(c);
	free(pa);
	free(pb);
}

/* A sample of outputs against exact dot products (the fp16 data are
 * small integers, so fp32 sums below 2^24 are exact too). */
static void matmul_check(struct chain *c, bool fp16, uint32_t k, const int8_t *a,
			 const int8_t *b)
{
	uint32_t seed = 99, tile = c->d[0].h;

	for (unsigned int s = 0; s < 64; s++) {
		unsigned int t = test_rand(&seed) % c->tasks, r = test_rand(&seed) % c->d[t].h;
		unsigned int col = test_rand(&seed) % c->d[t].n;
		size_t row = (size_t)t * tile + r;
		int64_t want = 0;
		uint32_t got = out_word(c, t, col, r, 0);

		for (uint32_t x = 0; x < k; x++)
			want += fp16 ? (int64_t)(a[row * k + x] % 8) * (b[(size_t)col * k + x] % 8)
				     : (int64_t)a[row * k + x] * b[(size_t)col * k + x];
		if (fp16) {
			float f;

			memcpy(&f, &got, 4);
			if ((double)f != (double)want)
				goto wrong;
		} else if ((int32_t)got != want) {
			goto wrong;
		}
		continue;
wrong:
		fprintf(stderr, "bench_sim: wrong matmul output at row %zu col %u\n", row, col);
		exit(1);
	}
}

/* int4 element @i of a packed run, the even one in the high nibble. */
static void put_nibble(uint8_t *p, size_t i, int v)
{
	if (i % 2)
		p[i / 2] = (uint8_t)((p[i / 2] & 0xf0) | (v & 0x0f));
	else
		p[i / 2] = (uint8_t)((p[i / 2] & 0x0f) | ((v & 0x0f) << 4));
}

/* The int4 value of int8 @v: its high nibble, -8..7. */
static int int4_of(int8_t v)
{
	return v >> 4;
}

/* int4 x int4 -> int16 as the public int4 program runs it: tiles of at
 * most 128 rows as the input width, A per tile [K/32][rows][16 bytes], B
 * [N/64][K/32][64][16 bytes], C per tile [N/8][rows][8 x int16]. */
static void int4_setup(struct chain *c, uint32_t m, uint32_t k, uint32_t n, const int8_t *a,
		       const int8_t *b)
{
	uint32_t tile = 128, row_bytes = (k + 127) / 128 * 64;
	uint32_t wbanks = (64u * k / 2 + 32767) / 32768, wt;
	uint8_t *pw;

	if (12 * 32768 / row_bytes - wbanks * 32768 / row_bytes < tile)
		tile = (12 - wbanks) * 32768 / row_bytes;
	tile = tile > m ? m : tile;
	c->tasks = tile ? (m + tile - 1) / tile : 0;
	if (!tile || c->tasks > MAX_TASKS || k % 32 || n % 64 || wbanks > 8) {
		fprintf(stderr, "bench_sim: int4 matmul %ux%ux%u does not fit the task list\n", m,
			k, n);
		exit(1);
	}
	for (unsigned int t = 0; t < c->tasks; t++) {
		uint32_t rows = m - t * tile < tile ? m - t * tile : tile;
		uint8_t *pa;

		c->d[t] = (struct conv_desc){
			.int4 = true, .out_prec = TP_INT16, .w = rows, .h = 1, .c = k, .kw = 1,
			.kh = 1, .n = n, .sx = 1, .sy = 1, .out_w = rows, .out_h = 1,
		};
		c->d[t].in = fb_alloc(&c->fb, conv_in_bytes(&c->d[t]), 64);
		c->d[t].out = fb_alloc(&c->fb, conv_out_bytes(&c->d[t]), 64);
		pa = fb_ptr(&c->fb, c->d[t].in);
		for (uint32_t r = 0; r < rows; r++)
			for (uint32_t x = 0; x < k; x++)
				put_nibble(pa, ((size_t)(x / 32) * rows + r) * 32 + x % 32,
					   int4_of(a[((size_t)t * tile + r) * k + x]));
	}
	wt = fb_alloc(&c->fb, conv_wt_bytes(&c->d[0]), 64);
	pw = fb_ptr(&c->fb, wt);
	for (uint32_t col = 0; col < n; col++)
		for (uint32_t x = 0; x < k; x++)
			put_nibble(pw, (((size_t)(col / 64) * (k / 32) + x / 32) * 64 + col % 64) * 32 +
					       x % 32,
				   int4_of(b[(size_t)col * k + x]));
	for (unsigned int t = 0; t < c->tasks; t++)
		c->d[t].wt = wt;
	chain_build(c);
}

/* A sample of int4 outputs against exact dot products saturated to int16. */
static void int4_check(struct chain *c, uint32_t k, const int8_t *a, const int8_t *b)
{
	uint32_t seed = 98, tile = c->d[0].w;

	for (unsigned int s = 0; s < 64; s++) {
		unsigned int t = test_rand(&seed) % c->tasks, r = test_rand(&seed) % c->d[t].w;
		unsigned int col = test_rand(&seed) % c->d[t].n;
		size_t row = (size_t)t * tile + r;
		const uint8_t *q = (const uint8_t *)fb_ptr(&c->fb, c->d[t].out) +
				   out_index(&c->d[t], col, 0, r) * 2;
		int64_t want = 0;

		for (uint32_t x = 0; x < k; x++)
			want += (int64_t)int4_of(a[row * k + x]) * int4_of(b[(size_t)col * k + x]);
		want = want > 32767 ? 32767 : want < -32768 ? -32768 : want;
		if ((int16_t)(q[0] | q[1] << 8) != want) {
			fprintf(stderr, "bench_sim: wrong int4 output at row %zu col %u\n", row, col);
			exit(1);
		}
	}
}

enum { CONV_W = 56, CONV_H = 56, CONV_C = 64, CONV_N = 64, CONV_K = 3 };

static void conv_setup(struct chain *c, const int8_t *x, const int8_t *wt)
{
	c->tasks = 1;
	c->d[0] = (struct conv_desc){
		.out_prec = TP_INT32, .w = CONV_W, .h = CONV_H, .c = CONV_C, .kw = CONV_K,
		.kh = CONV_K, .n = CONV_N, .sx = 1, .sy = 1, .pad_l = 1, .pad_t = 1,
		.out_w = CONV_W, .out_h = CONV_H,
	};
	c->d[0].in = fb_alloc(&c->fb, conv_in_bytes(&c->d[0]), 64);
	c->d[0].wt = fb_alloc(&c->fb, conv_wt_bytes(&c->d[0]), 64);
	c->d[0].out = fb_alloc(&c->fb, conv_out_bytes(&c->d[0]), 64);
	pack_input(&c->d[0], x, fb_ptr(&c->fb, c->d[0].in));
	pack_weights(&c->d[0], wt, fb_ptr(&c->fb, c->d[0].wt));
	chain_build(c);
}

/* Every output against the definition (zero padding). */
static void conv_check(struct chain *c, const int8_t *x, const int8_t *wt)
{
	for (unsigned int oc = 0; oc < CONV_N; oc++)
		for (int oy = 0; oy < CONV_H; oy++)
			for (int ox = 0; ox < CONV_W; ox++) {
				int64_t s = 0;

				for (int ky = 0; ky < CONV_K; ky++)
					for (int kx = 0; kx < CONV_K; kx++) {
						int iy = oy + ky - 1, ix = ox + kx - 1;
						const int8_t *xp = x + ((size_t)iy * CONV_W + ix) * CONV_C;
						const int8_t *wp =
							wt + (((size_t)oc * CONV_K + ky) * CONV_K + kx) *
								     CONV_C;

						if (iy < 0 || iy >= CONV_H || ix < 0 || ix >= CONV_W)
							continue;
						for (int ch = 0; ch < CONV_C; ch++)
							s += xp[ch] * wp[ch];
					}
				if ((int32_t)out_word(c, 0, oc, (unsigned int)oy, (unsigned int)ox) != s) {
					fprintf(stderr, "bench_sim: wrong conv output (%u, %d, %d)\n", oc,
						oy, ox);
					exit(1);
				}
			}
}

/* The contenders of one workload, and their per-round times. */
#define MAX_CONTENDERS 6

struct row {
	const char *name;
	int threads;
	struct timing t[64];
};

#ifdef RNPU_BENCH_HAVE_OPENBLAS
struct gemm {
	int m, k, n;
	float *a, *b, *c;
};

static struct timing sgemm_run(struct gemm *g, int threads)
{
	uint64_t t0, c0;
	struct timing tm;

	openblas_set_num_threads(threads);
	t0 = bench_now_ns();
	c0 = cpu_now_ns();
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g->m, g->n, g->k, 1.0f, g->a, g->k,
		    g->b, g->k, 0.0f, g->c, g->n);
	tm.cpu = (double)(cpu_now_ns() - c0) / 1e9;
	tm.wall = (double)(bench_now_ns() - t0) / 1e9;
	return tm;
}
#endif

static double median_of(const struct row *r, long runs, bool cpu)
{
	double v[64];

	for (long i = 0; i < runs; i++)
		v[i] = cpu ? r->t[i].cpu : r->t[i].wall;
	return bench_median(v, (size_t)runs);
}

/* Median over rounds of sgemm's time / this row's time. */
static double median_ratio(const struct row *r, const struct row *ref, long runs, bool cpu)
{
	double v[64];

	for (long i = 0; i < runs; i++)
		v[i] = cpu ? ref->t[i].cpu / r->t[i].cpu : ref->t[i].wall / r->t[i].wall;
	return bench_median(v, (size_t)runs);
}

/* sgemm with as many threads as row @i, else sgemm on one thread. */
static int sgemm_peer(const struct row *rows, unsigned int nrows, unsigned int i, int sgemm_row)
{
	for (unsigned int j = (unsigned int)sgemm_row; j < nrows; j++)
		if (rows[j].name[0] == 'O' && rows[j].threads == rows[i].threads)
			return (int)j;
	return sgemm_row;
}

static void print_rows(const char *workload, double macs, const struct row *rows,
		       unsigned int nrows, long runs, int sgemm_row)
{
	for (unsigned int i = 0; i < nrows; i++) {
		double wall = median_of(&rows[i], runs, false);
		int peer = sgemm_row < 0 ? -1 : sgemm_peer(rows, nrows, i, sgemm_row);

		printf("| %s | %s | %d | %.1f | %.1f | %.1f |", workload, rows[i].name,
		       rows[i].threads, wall * 1e3, median_of(&rows[i], runs, true) * 1e3,
		       macs / wall / 1e9);
		if (sgemm_row < 0) {
			printf(" - | - |\n");
			continue;
		}
		printf(" %.2f |", median_ratio(&rows[i], &rows[peer], runs, false));
		if (rows[i].threads == 1)
			printf(" %.2f |\n", median_ratio(&rows[i], &rows[sgemm_row], runs, true));
		else
			printf(" - |\n");
	}
}

static void bench_workload(const char *workload, struct chain *c, bool with_plain, long runs,
			   double macs, int gm, int gk, int gn, const float *fa, const float *fb)
{
	int all = (int)sysconf(_SC_NPROCESSORS_ONLN);
	struct row rows[MAX_CONTENDERS];
	unsigned int nrows = 0;
	int sgemm_row = -1;
#ifdef RNPU_BENCH_HAVE_OPENBLAS
	struct gemm g = { gm, gk, gn, (float *)fa, (float *)fb, NULL };

	g.c = malloc((size_t)gm * gn * sizeof(float));
	if (!g.c)
		exit(1);
	/* Untimed: OpenBLAS starts its threads lazily. */
	sgemm_run(&g, all);
#else
	(void)gm;
	(void)gk;
	(void)gn;
	(void)fa;
	(void)fb;
#endif
	if (all < 1)
		all = 1;
	rows[nrows++] = (struct row){ .name = "software NPU, fast datapath", .threads = 1 };
	if (all > 1)
		rows[nrows++] = (struct row){ .name = "software NPU, fast datapath",
					      .threads = all };
#ifdef RNPU_BENCH_HAVE_OPENBLAS
	sgemm_row = (int)nrows;
	rows[nrows++] = (struct row){ .name = "OpenBLAS cblas_sgemm, float", .threads = 1 };
	if (all > 1)
		rows[nrows++] = (struct row){ .name = "OpenBLAS cblas_sgemm, float",
					      .threads = all };
#endif
	if (with_plain)
		rows[nrows++] = (struct row){ .name = "software NPU, plain C datapath",
					      .threads = 1 };
	chain_run(c, RK3588_SIM_DATAPATH_FAST, 1); /* warm-up */
	for (long r = 0; r < runs; r++)
		for (unsigned int i = 0; i < nrows; i++) {
			if (rows[i].name[0] == 'O') {
#ifdef RNPU_BENCH_HAVE_OPENBLAS
				rows[i].t[r] = sgemm_run(&g, rows[i].threads);
#endif
			} else {
				rows[i].t[r] = chain_run(c,
							 strstr(rows[i].name, "plain")
								 ? RK3588_SIM_DATAPATH_PLAIN
								 : RK3588_SIM_DATAPATH_FAST,
							 (unsigned int)rows[i].threads);
			}
		}
	print_rows(workload, macs, rows, nrows, runs, sgemm_row);
#ifdef RNPU_BENCH_HAVE_OPENBLAS
	free(g.c);
#endif
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The arithmetic ceiling on this CPU: the fast int8 datapath's only exact
 * AVX2 multiply-add is vpmaddwd (16 int16 products summed in pairs into 8
 * int32) followed by vpaddd into the accumulator; sgemm's is vfmadd231ps
 * (8 fp32 multiply-adds). Each loop below runs twelve independent chains
 * (as the tiles do) of one of them on registers only, so the loads, the
 * operand layout and the caches are out of the picture. */
#define CEILING_ITERS 4000000L

__attribute__((target("avx2"), noinline)) static void madd_loop(long n)
{
	__asm__ volatile("vpxor %%ymm12, %%ymm12, %%ymm12\n\t"
			 "vpxor %%ymm14, %%ymm14, %%ymm14\n\t"
			 "1:\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm13\n\t"
			 "vpaddd %%ymm13, %%ymm0, %%ymm0\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"
			 "vpaddd %%ymm15, %%ymm1, %%ymm1\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm13\n\t"
			 "vpaddd %%ymm13, %%ymm2, %%ymm2\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"
			 "vpaddd %%ymm15, %%ymm3, %%ymm3\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm13\n\t"
			 "vpaddd %%ymm13, %%ymm4, %%ymm4\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"
			 "vpaddd %%ymm15, %%ymm5, %%ymm5\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm13\n\t"
			 "vpaddd %%ymm13, %%ymm6, %%ymm6\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"
			 "vpaddd %%ymm15, %%ymm7, %%ymm7\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm13\n\t"
			 "vpaddd %%ymm13, %%ymm8, %%ymm8\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"
			 "vpaddd %%ymm15, %%ymm9, %%ymm9\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm13\n\t"
			 "vpaddd %%ymm13, %%ymm10, %%ymm10\n\t"
			 "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"
			 "vpaddd %%ymm15, %%ymm11, %%ymm11\n\t"
			 "dec %0\n\t"
			 "jnz 1b\n\t"
			 "vzeroupper"
			 : "+r"(n)
			 :
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc");
}

__attribute__((target("avx2,fma"), noinline)) static void fma_loop(long n)
{
	__asm__ volatile("vxorps %%ymm12, %%ymm12, %%ymm12\n\t"
			 "vxorps %%ymm14, %%ymm14, %%ymm14\n\t"
			 "1:\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm0\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm1\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm2\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm3\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm4\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm5\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm6\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm7\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm8\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm9\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm10\n\t"
			 "vfmadd231ps %%ymm12, %%ymm14, %%ymm11\n\t"
			 "dec %0\n\t"
			 "jnz 1b\n\t"
			 "vzeroupper"
			 : "+r"(n)
			 :
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm14", "cc");
}

/* The fast datapath's int8 tile kernel alone (sim_mac_simd.c), called as
 * sim_mac.c calls it (one tap, kernel pairs of 32-kernel groups outermost,
 * six-pixel tiles inner), @reps times over @pixels x @wc features and
 * @kernels kernels. CPU seconds; @macs gets the products it computed (the
 * padding pixels of a last short tile included). */
static double tile_time(size_t pixels, size_t wc, size_t kernels, long reps, double *macs)
{
	const struct sim_mac_fast *fk = sim_mac_fast_kernels();
	int16_t *f = malloc(pixels * wc * sizeof(int16_t));
	int8_t *w = malloc(kernels * wc);
	size_t tap0 = 0, tiles = (pixels + SIM_MAC_TILE_PX - 1) / SIM_MAC_TILE_PX;
	struct sim_tile tl = { .taps = 1, .wc = wc, .tap_off = &tap0 };
	volatile int64_t sink = 0;
	uint64_t c0;

	if (!f || !w)
		exit(1);
	for (size_t i = 0; i < pixels * wc; i++)
		f[i] = (int16_t)((int)(i * 7 % 255) - 127);
	for (size_t i = 0; i < kernels * wc; i++)
		w[i] = (int8_t)((int)(i * 13 % 255) - 127);
	tl.ng = kernels < SIM_KG_INT8 ? kernels : SIM_KG_INT8;
	c0 = cpu_now_ns();
	for (long r = 0; r < reps; r++)
		for (size_t n0 = 0; n0 < kernels; n0 += SIM_MAC_TILE_KB) {
			size_t g0 = n0 / SIM_KG_INT8 * SIM_KG_INT8;

			tl.wg = w + g0 * wc;
			tl.k[0] = n0 - g0;
			tl.k[1] = n0 - g0 + 1;
			for (size_t q = 0; q < pixels; q += SIM_MAC_TILE_PX) {
				int64_t o[SIM_MAC_TILE_PX][SIM_MAC_TILE_KB];

				for (size_t p = 0; p < SIM_MAC_TILE_PX; p++)
					tl.f[p] = f + (q + p < pixels ? q + p : pixels - 1) * wc;
				fk->tile_i8(&tl, o);
				sink += o[0][0];
			}
		}
	c0 = cpu_now_ns() - c0;
	*macs = (double)reps * (double)kernels * (double)(tiles * SIM_MAC_TILE_PX) * (double)wc;
	free(f);
	free(w);
	return (double)c0 / 1e9;
}

/* CPU seconds of one loop (one thread, so preemption does not count). */
static double ceiling_time(void (*loop)(long))
{
	uint64_t c0 = cpu_now_ns();

	loop(CEILING_ITERS);
	return (double)(cpu_now_ns() - c0) / 1e9;
}

static void bench_ceiling(long runs)
{
	double tm[64], tf[64], ratio[64], tl1[64], rl1[64], tmm[64], rmm[64];
	double macs_m = 12.0 * 16 * CEILING_ITERS, macs_f = 12.0 * 8 * CEILING_ITERS;
	double macs_l1 = 0, macs_mm = 0, m, f;
	const struct sim_mac_fast *fk = sim_mac_fast_kernels();
	bool tile = fk && fk->tile_i8;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return;
	for (long r = 0; r < runs; r++) {
		tm[r] = ceiling_time(madd_loop);
		tf[r] = ceiling_time(fma_loop);
		ratio[r] = (macs_m / tm[r]) / (macs_f / tf[r]);
		if (!tile)
			continue;
		/* A tile's features (24 KiB) and weights (4 KiB) stay in L1;
		 * the matmul's 64-row task streams 512 KiB of features from L2
		 * past every kernel pair. */
		tl1[r] = tile_time(6, 2048, 2, 20000, &macs_l1);
		rl1[r] = (macs_l1 / tl1[r]) / (macs_f / tf[r]);
		tmm[r] = tile_time(64, 4096, 4096, 1, &macs_mm);
		rmm[r] = (macs_mm / tmm[r]) / (macs_f / tf[r]);
	}
	m = bench_median(tm, (size_t)runs);
	f = bench_median(tf, (size_t)runs);
	printf("\nArithmetic ceiling (registers only, 12 independent chains, 1 thread, "
	       "CPU time)%s:\n\n",
	       tile ? ", and the fast datapath's int8 tile kernel alone on real operands" : "");
	printf("| instruction | MACs per instruction | median CPU ms | GMAC/s | vs FMA |\n");
	printf("| --- | --- | --- | --- | --- |\n");
	printf("| vpmaddwd + vpaddd (int8 held in int16, exact) | 16 | %.1f | %.1f | %.2f |\n",
	       m * 1e3, macs_m / m / 1e9, bench_median(ratio, (size_t)runs));
	printf("| vfmadd231ps (fp32, sgemm's) | 8 | %.1f | %.1f | 1.00 |\n", f * 1e3,
	       macs_f / f / 1e9);
	if (!tile)
		return;
	m = bench_median(tl1, (size_t)runs);
	printf("| int8 tile kernel alone, operands in L1 (6 pixels x 2 kernels x 2048 "
	       "channels) | 16 | %.1f | %.1f | %.2f |\n",
	       m * 1e3, macs_l1 / m / 1e9, bench_median(rl1, (size_t)runs));
	m = bench_median(tmm, (size_t)runs);
	printf("| int8 tile kernel alone, one matmul task (64 pixels x 4096 channels x 4096 "
	       "kernels) | 16 | %.1f | %.1f | %.2f |\n",
	       m * 1e3, macs_mm / m / 1e9, bench_median(rmm, (size_t)runs));
}
#else
static void bench_ceiling(long runs)
{
	(void)runs;
}
#endif

static float *to_float(const int8_t *v, size_t n, bool small)
{
	float *f = malloc(n * sizeof(float));

	if (!f)
		exit(1);
	for (size_t i = 0; i < n; i++)
		f[i] = small ? (float)(v[i] % 8) : (float)v[i];
	return f;
}

int main(int argc, char **argv)
{
	uint32_t m = (uint32_t)bench_arg(argc, argv, "--m", 512);
	uint32_t k = (uint32_t)bench_arg(argc, argv, "--k", 4096);
	uint32_t n = (uint32_t)bench_arg(argc, argv, "--n", 4096);
	long runs = bench_arg(argc, argv, "--runs", 5);
	long only = bench_arg(argc, argv, "--only", 31);
	int8_t *a, *b;
	uint32_t seed = 7;

#ifdef RNPU_BENCH_HAVE_OPENBLAS
	/* After each threaded call OpenBLAS's idle threads spin for 2^28
	 * cycles (its default THREAD_TIMEOUT), holding a core the next row
	 * needs and counting in its CPU time. OpenBLAS reads the variable
	 * when it is loaded: set the shortest wait and start again. */
	if (!getenv("OPENBLAS_THREAD_TIMEOUT")) {
		setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
		execv("/proc/self/exe", argv);
		fputs("bench_sim: cannot restart; OpenBLAS threads spin between rows\n", stderr);
	}
#endif
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
	if (runs < 1 || runs > 64 || !m || !k || !n) {
		fputs(usage, stderr);
		return 2;
	}
	a = malloc((size_t)m * k);
	b = malloc((size_t)n * k);
	if (!a || !b)
		return 1;
	for (size_t i = 0; i < (size_t)m * k; i++)
		a[i] = (int8_t)test_rand(&seed);
	for (size_t i = 0; i < (size_t)n * k; i++)
		b[i] = (int8_t)test_rand(&seed);

	printf("Fast datapath kernels on this host: %s.\n\n",
	       rk3588_sim_fast_datapath_available() ? "yes" : "none (plain C only)");
	if (only & 23) {
		printf("| workload | implementation | threads | median wall ms | median CPU ms | "
		       "GMAC/s (wall) | vs sgemm same threads, wall | vs sgemm 1 thread, CPU time "
		       "|\n");
		printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
	}
	for (int fp16 = 0; fp16 < 2; fp16++) {
		struct chain c = { 0 };
		char name[96];
		float *fa, *fb;

		if (!(only & (fp16 ? 2 : 1)))
			continue;
		fb_init(&c.fb, (size_t)(m + n) * k * (fp16 ? 2 : 1) + (size_t)m * n * 4 +
				       (4u << 20));
		if (!c.fb.mem)
			return 1;
		c.sim = test_sim_create(&c.fb, false, 1);
		if (!c.sim)
			return 1;
		matmul_setup(&c, fp16, m, k, n, a, b);
		fa = to_float(a, (size_t)m * k, fp16);
		fb = to_float(b, (size_t)n * k, fp16);
		snprintf(name, sizeof(name), "%s matmul %ux%ux%u (%u tasks)",
			 fp16 ? "fp16 -> fp32" : "int8 -> int32", m, k, n, c.tasks);
		bench_workload(name, &c, false, runs, (double)m * k * n, (int)m, (int)k, (int)n,
			       fa, fb);
		matmul_check(&c, fp16, k, a, b);
		free(fa);
		free(fb);
		rk3588_sim_destroy(c.sim);
		fb_fini(&c.fb);
	}
	if (only & 4) {
		struct chain c = { 0 };
		size_t nx = (size_t)CONV_W * CONV_H * CONV_C, nw = (size_t)CONV_N * 9 * CONV_C;
		size_t pixels = (size_t)CONV_W * CONV_H, kk = 9 * CONV_C;
		int8_t *x = malloc(nx), *wt = malloc(nw);
		float *col = malloc(pixels * kk * sizeof(float)), *fw;

		if (!x || !wt || !col)
			return 1;
		for (size_t i = 0; i < nx; i++)
			x[i] = (int8_t)test_rand(&seed);
		for (size_t i = 0; i < nw; i++)
			wt[i] = (int8_t)test_rand(&seed);
		/* The GEMM sgemm runs: one row of 9 x 64 inputs per pixel. */
		for (size_t p = 0; p < pixels; p++)
			for (size_t t = 0; t < 9; t++) {
				int iy = (int)(p / CONV_W) + (int)(t / 3) - 1;
				int ix = (int)(p % CONV_W) + (int)(t % 3) - 1;

				for (size_t ch = 0; ch < CONV_C; ch++)
					col[(p * 9 + t) * CONV_C + ch] =
						iy < 0 || iy >= CONV_H || ix < 0 || ix >= CONV_W
							? 0.0f
							: x[((size_t)iy * CONV_W + ix) * CONV_C + ch];
			}
		fw = to_float(wt, nw, false);
		fb_init(&c.fb, 8u << 20);
		if (!c.fb.mem)
			return 1;
		c.sim = test_sim_create(&c.fb, false, 1);
		if (!c.sim)
			return 1;
		conv_setup(&c, x, wt);
		bench_workload("int8 conv 3x3 56x56x64 -> 64, pad 1 (1 task)", &c, true, runs,
			       (double)pixels * kk * CONV_N, (int)pixels, (int)kk, CONV_N, col, fw);
		chain_run(&c, RK3588_SIM_DATAPATH_FAST, 2);
		conv_check(&c, x, wt);
		rk3588_sim_destroy(c.sim);
		fb_fini(&c.fb);
		free(x);
		free(wt);
		free(col);
		free(fw);
	}
	if (only & 16) {
		struct chain c = { 0 };
		char name[96];
		float *fa = malloc(sizeof(float) * m * k), *fw = malloc(sizeof(float) * n * k);

		if (!fa || !fw)
			return 1;
		for (size_t i = 0; i < (size_t)m * k; i++)
			fa[i] = (float)int4_of(a[i]);
		for (size_t i = 0; i < (size_t)n * k; i++)
			fw[i] = (float)int4_of(b[i]);
		fb_init(&c.fb, (size_t)(m + n) * k / 2 + (size_t)m * n * 2 + (4u << 20));
		if (!c.fb.mem)
			return 1;
		c.sim = test_sim_create(&c.fb, false, 1);
		if (!c.sim)
			return 1;
		int4_setup(&c, m, k, n, a, b);
		snprintf(name, sizeof(name), "int4 -> int16 matmul %ux%ux%u (%u tasks)", m, k, n,
			 c.tasks);
		bench_workload(name, &c, true, runs, (double)m * k * n, (int)m, (int)k, (int)n, fa,
			       fw);
		int4_check(&c, k, a, b);
		chain_run(&c, RK3588_SIM_DATAPATH_PLAIN, 1);
		int4_check(&c, k, a, b);
		free(fa);
		free(fw);
		rk3588_sim_destroy(c.sim);
		fb_fini(&c.fb);
	}
	if (only & 8)
		bench_ceiling(runs);
#ifdef RNPU_BENCH_HAVE_OPENBLAS
	printf("\nOpenBLAS: %s (%s kernels).\n", openblas_get_config(), openblas_get_corename());
#else
	printf("\nOpenBLAS not found at build time: no sgemm comparison.\n");
#endif
	free(a);
	free(b);
	return 0;
}
