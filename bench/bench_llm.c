// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * bench_llm: LLM-shaped matmuls (resident weights, new activations every
 * call) through rnpu_matmul on one and on three cores.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD, sched_setaffinity */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_util.h"
#include "rnpu/fp16.h"
#include "rnpu/matmul.h"
#include "rnpu/matmul_job.h"

static const char usage_text[] =
	"Usage: bench_llm [OPTIONS]\n"
	"\n"
	"Runs C = A x B for M in {1, 8, 64, 256} and K = N in {1024, 2048, 4096},\n"
	"int8 -> int32 and fp16 -> fp16, on core 0 and on cores 0-2, with B\n"
	"resident in the NPU's layout and A packed anew on every call (the shape of\n"
	"a transformer's linear layers at decode and prefill). Prints a Markdown\n"
	"table: the host wall time of set A + run + get C (median), the software\n"
	"NPU's modelled time of the busiest core, MAC utilisation (MACs over the\n"
	"modelled time at the cores' peak rate), the runtime's CPU overhead per\n"
	"call of rnpu_matmul_run (the calling thread's CPU time; and its wall time\n"
	"minus the driver's hw_elapse_time, which adds thread wake-ups), the\n"
	"hand-off floor next to it (the calling thread's CPU time for waking one\n"
	"bare thread, which wakes one more per further core used, and sleeping\n"
	"until the last has streamed over its share of a buffer of the size of A,\n"
	"B and C for the call's hw_elapse_time: no runtime, no driver),\n"
	"run CPU minus that floor (what the runtime and driver add), the calling\n"
	"thread's context switches and page faults per call (means), and the\n"
	"CPU time packing A and unpacking C (medians).\n"
	"\n"
	"With --sim-apart the calling thread runs on its first allowed CPU and\n"
	"the software NPU's worker threads (RNPU_SIM_CPUS) and the floor's threads\n"
	"on the others: the model's streaming then stays out of the caller's CPU\n"
	"caches, as an RK3588's NPU (separate silicon) does, but every hand-off\n"
	"crosses CPUs. Compare with a run without it (docs/architecture.md).\n"
	"\n"
	"Options:\n"
	"  -r, --runs N     timed calls per shape after one warm-up (default 11)\n"
	"  -q, --quick      M in {1, 64}, K = N in {1024, 2048} only\n"
	"  -m, --m M        only the rows with this M (for profiling one shape)\n"
	"  -k, --kn KN      only the rows with K = N = KN\n"
	"  -c, --cores C    only the rows on C cores (1 or 3)\n"
	"  -t, --type T     only the rows of type T (int8 or fp16)\n"
	"  -a, --sim-apart  keep the software NPU's threads off the caller's CPU\n"
	"                   (needs two or more CPUs)\n"
	"  -l, --layers N   keep N other matmuls (int8 1x64x64, weights set) alive in\n"
	"                   the session meanwhile, as a model's other layers are\n"
	"                   (any of -m/-k/-c/-t also leaves out the second table)\n"
	"  -h, --help       show this help and exit\n"
	"\n"
	"Exit status: 0, or 1 if a matmul failed.\n";

struct row {
	enum rnpu_mm_type type;
	uint32_t m, kn, mask;
	double run_cpu_ns, floor_ns; /* medians, filled in by run_row */
};

/* The runtime's goal per call (issue C): below 20 us of CPU. */
#define RUN_CPU_GOAL_NS 20000.0

/* CPU time of the calling thread: what a call costs the host, without
 * the time it sleeps waiting for the NPU. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Context switches (voluntary + involuntary) and page faults of the
 * calling thread so far: what a call costs besides its instructions. */
static void thread_events(uint64_t *switches, uint64_t *faults)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	*switches = (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
	*faults = (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

static double busiest_ns(const struct rnpu_matmul_stats *st)
{
	uint64_t m = 0;

	for (int i = 0; i < 3; i++)
		m = st->model_ns[i] > m ? st->model_ns[i] : m;
	return (double)m;
}

/*
 * The floor of a blocking call on this machine: the calling thread hands a
 * job to other threads and sleeps until they are done, with no runtime or
 * driver in between. Each thread streams over its share of a buffer as
 * large as A, B and C together for as long as the software NPU computed,
 * so the caller is woken after the same time with similar cache damage.
 * The hand-off has the shape of a ganged start: the caller wakes the first
 * thread, which wakes the others, and the last one to finish wakes the
 * caller, as rnpu_matmul_run's submit does on one core or on three. Its
 * CPU time is what the hand-off alone costs the caller: one wake (futex,
 * an IPI on a VM) and one sleep with its switch back in.
 */
struct floor_gang;

struct floor_worker {
	struct floor_gang *gang;
	pthread_cond_t cond; /* go changed */
	bool go;
	unsigned char *buf;
	size_t len;
	pthread_t thread;
};

struct floor_gang {
	pthread_mutex_t lock; /* every field below and the workers' go */
	pthread_cond_t done_cond; /* left reached 0 */
	int threads, left;
	bool stop;
	const cpu_set_t *cpus; /* the workers' CPUs; NULL: unpinned */
	uint64_t busy_ns;
	struct floor_worker w[3];
};

static void floor_signal(struct floor_gang *g, struct floor_worker *w)
{
	pthread_mutex_lock(&g->lock);
	w->go = true;
	pthread_mutex_unlock(&g->lock);
	pthread_cond_broadcast(&w->cond);
}

static void *floor_main(void *arg)
{
	struct floor_worker *w = arg;
	struct floor_gang *g = w->gang;
	unsigned char x = 0;

	if (g->cpus)
		pthread_setaffinity_np(pthread_self(), sizeof(*g->cpus), g->cpus);
	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (!w->go && !g->stop)
			pthread_cond_wait(&w->cond, &g->lock);
		if (g->stop)
			break;
		w->go = false;
		pthread_mutex_unlock(&g->lock);
		/* The first thread passes the start on, as the first woken
		 * software-NPU worker does. */
		for (int t = 1; w == &g->w[0] && t < g->threads; t++)
			floor_signal(g, &g->w[t]);
		for (uint64_t end = bench_now_ns() + g->busy_ns; bench_now_ns() < end;) {
			memset(w->buf, x++, w->len);
		}
		pthread_mutex_lock(&g->lock);
		if (--g->left == 0) {
			/* Signalled after the unlock, as the driver's completion
			 * does, so the woken caller does not block on the lock. */
			pthread_mutex_unlock(&g->lock);
			pthread_cond_broadcast(&g->done_cond);
			pthread_mutex_lock(&g->lock);
		}
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* Median CPU ns of the calling thread per hand-off of @busy_ns of work
 * over @len bytes to @threads threads; < 0 on failure. */
static double handoff_floor(int threads, uint64_t busy_ns, size_t len, int runs,
			    const cpu_set_t *cpus)
{
	struct floor_gang *g = calloc(1, sizeof(*g));
	double *cpu = calloc((size_t)runs, sizeof(double)), ret = -1;
	int started = 0;

	if (!g || !cpu)
		goto out_free;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->done_cond, NULL);
	g->threads = threads;
	g->busy_ns = busy_ns;
	g->cpus = cpus;
	for (; started < threads; started++) {
		struct floor_worker *f = &g->w[started];

		f->gang = g;
		f->len = len / (size_t)threads;
		f->buf = malloc(f->len ? f->len : 1);
		pthread_cond_init(&f->cond, NULL);
		if (!f->buf || pthread_create(&f->thread, NULL, floor_main, f)) {
			free(f->buf);
			pthread_cond_destroy(&f->cond);
			goto out;
		}
	}
	for (int i = -1; i < runs; i++) {
		uint64_t c0 = thread_cpu_ns();

		pthread_mutex_lock(&g->lock);
		g->left = threads;
		pthread_mutex_unlock(&g->lock);
		floor_signal(g, &g->w[0]);
		pthread_mutex_lock(&g->lock);
		while (g->left)
			pthread_cond_wait(&g->done_cond, &g->lock);
		pthread_mutex_unlock(&g->lock);
		if (i >= 0)
			cpu[i] = (double)(thread_cpu_ns() - c0);
	}
	ret = bench_quantile(cpu, (size_t)runs, 0.5);
out:
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_mutex_unlock(&g->lock);
	for (int t = 0; t < started; t++) {
		pthread_cond_broadcast(&g->w[t].cond);
		pthread_join(g->w[t].thread, NULL);
		pthread_cond_destroy(&g->w[t].cond);
		free(g->w[t].buf);
	}
	pthread_cond_destroy(&g->done_cond);
	pthread_mutex_destroy(&g->lock);
out_free:
	free(g);
	free(cpu);
	return ret;
}

/* The software NPU's CPUs with --sim-apart (the floor's threads go there
 * too), else NULL. */
static const cpu_set_t *npu_cpus;

static int run_row(struct rnpu_dev *dev, struct row *r, int runs, uint64_t peak)
{
	const bool fp = r->type != RNPU_MM_INT8_INT32;
	const size_t eb = fp ? 2 : 1, mk = (size_t)r->m * r->kn, kn = (size_t)r->kn * r->kn;
	struct rnpu_matmul_cfg cfg = { .type = r->type, .m = r->m, .k = r->kn, .n = r->kn,
				       .core_mask = r->mask };
	unsigned char *a = malloc(mk * eb), *b = malloc(kn * eb), *c = malloc((size_t)r->m * r->kn * 4);
	double *wall = calloc((size_t)runs, sizeof(double)), *over = calloc((size_t)runs, sizeof(double));
	double *model = calloc((size_t)runs, sizeof(double));
	double *conv = calloc((size_t)runs, sizeof(double));
	double *cpu = calloc((size_t)runs, sizeof(double));
	double *hw = calloc((size_t)runs, sizeof(double));
	uint64_t sw_total = 0, pf_total = 0;
	struct rnpu_matmul_stats st;
	struct rnpu_matmul *mm = NULL;
	int ret = -1, cores = r->mask == 7 ? 3 : 1;

	if (!a || !b || !c || !wall || !over || !model || !conv || !cpu || !hw)
		goto out;
	for (size_t i = 0; i < mk; i++) {
		if (fp)
			((uint16_t *)a)[i] = rnpu_f32_to_f16((float)((int)(i % 7) - 3) / 4.0f);
		else
			a[i] = (unsigned char)(i * 31 + 7);
	}
	for (size_t i = 0; i < kn; i++) {
		if (fp)
			((uint16_t *)b)[i] = rnpu_f32_to_f16((float)((int)(i % 5) - 2) / 8.0f);
		else
			b[i] = (unsigned char)(i * 17 + 3);
	}
	if (rnpu_matmul_create(dev, &cfg, &mm) || rnpu_matmul_set_b(mm, b))
		goto out;
	for (int i = -1; i < runs; i++) {
		uint64_t t0 = bench_now_ns(), t1, t2, t3, c1, c2, sw1, sw2, pf1, pf2;

		if (rnpu_matmul_set_a(mm, a))
			goto out;
		thread_events(&sw1, &pf1);
		t1 = bench_now_ns();
		c1 = thread_cpu_ns();
		if (rnpu_matmul_run(mm, &st))
			goto out;
		c2 = thread_cpu_ns();
		t2 = bench_now_ns();
		thread_events(&sw2, &pf2);
		if (rnpu_matmul_get_c(mm, c))
			goto out;
		t3 = bench_now_ns();
		if (i < 0)
			continue; /* warm-up: pool, caches, page faults */
		sw_total += sw2 - sw1;
		pf_total += pf2 - pf1;
		wall[i] = (double)(t3 - t0);
		over[i] = (double)(t2 - t1) - (double)st.hw_elapse_ns;
		cpu[i] = (double)(c2 - c1);
		conv[i] = (double)(t1 - t0 + t3 - t2);
		model[i] = busiest_ns(&st);
		hw[i] = (double)st.hw_elapse_ns;
	}
	{
		double w = bench_quantile(wall, (size_t)runs, 0.5);
		double o = bench_quantile(over, (size_t)runs, 0.5);
		double mo = bench_quantile(model, (size_t)runs, 0.5);
		double cv = bench_quantile(conv, (size_t)runs, 0.5);
		double cp = bench_quantile(cpu, (size_t)runs, 0.5);
		double hwm = bench_quantile(hw, (size_t)runs, 0.5);
		size_t abc = kn * eb + mk * eb + (size_t)r->m * r->kn * 4;
		double fl = handoff_floor(cores, (uint64_t)hwm, abc, runs, npu_cpus);
		double macs = (double)r->m * r->kn * r->kn;
		double util = mo > 0 ? macs / (mo * 1e-9 * (double)peak * cores) : 0.0;

		r->run_cpu_ns = cp;
		r->floor_ns = fl;
		printf("| %s | %u | %u | %u | %d | %u | %.3f | %.3f | %.1f %% | %.1f | %.1f | %.1f |"
		       " %.2f | %.2f | %.1f | %.1f |\n",
		       fp ? "fp16" : "int8", r->m, r->kn, r->kn, cores, st.tasks, w / 1e6, mo / 1e6,
		       100.0 * util, cp / 1e3, fl / 1e3, (cp - fl) / 1e3, (double)sw_total / runs,
		       (double)pf_total / runs, o / 1e3, cv / 1e3);
		fflush(stdout);
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "bench_llm: %s\n", rnpu_last_error(dev));
	rnpu_matmul_destroy(mm);
	free(a);
	free(b);
	free(c);
	free(wall);
	free(over);
	free(model);
	free(conv);
	free(cpu);
	free(hw);
	return ret;
}

/* Which rows meet the goal, and for the others whether the hand-off alone
 * (the floor) already misses it: stated from this run's numbers. */
static void goal_summary(const struct row *rows, int n)
{
	int meet = 0, floor_misses = 0;

	printf("\nRows with run CPU below %.0f us:", RUN_CPU_GOAL_NS / 1e3);
	for (int i = 0; i < n; i++) {
		if (rows[i].run_cpu_ns >= RUN_CPU_GOAL_NS)
			continue;
		printf("%s %s %ux%ux%u on %d core%s", meet++ ? "," : "",
		       rows[i].type == RNPU_MM_INT8_INT32 ? "int8" : "fp16", rows[i].m, rows[i].kn,
		       rows[i].kn, rows[i].mask == 7 ? 3 : 1, rows[i].mask == 7 ? "s" : "");
	}
	for (int i = 0; i < n; i++)
		floor_misses += rows[i].run_cpu_ns >= RUN_CPU_GOAL_NS &&
				rows[i].floor_ns >= RUN_CPU_GOAL_NS / 2;
	printf("%s (%d of %d). Of the %d others, %d have a hand-off floor of half the goal"
	       " or more.\n", meet ? "" : " none", meet, n, n - meet, floor_misses);
}

/*
 * --sim-apart: pins the calling thread to its first allowed CPU and sets
 * RNPU_SIM_CPUS to the others before the software NPU is created (it reads
 * the variable once, and a process has one). -1 with one CPU.
 */
static int keep_npu_apart(void)
{
	static cpu_set_t all, npu;
	cpu_set_t caller;
	char list[256] = "";
	size_t len = 0;
	int first = -1;

	if (sched_getaffinity(0, sizeof(all), &all))
		return -1;
	CPU_ZERO(&caller);
	CPU_ZERO(&npu);
	for (int c = 0; c < CPU_SETSIZE && c < 64; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		if (first < 0) {
			first = c;
			CPU_SET(c, &caller);
			continue;
		}
		CPU_SET(c, &npu);
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", len ? "," : "", c);
	}
	if (!len || sched_setaffinity(0, sizeof(caller), &caller))
		return -1;
	setenv("RNPU_SIM_CPUS", list, 1);
	npu_cpus = &npu;
	return 0;
}

/* What rnpu_matmul_run adds to the submit itself: the same one-task job
 * (int8 1x1024x1024 on core 0) through rnpu_matmul_run and as a bare
 * blocking RKNPU_SUBMIT of an equivalent task list (rnpu_matmul_job). */
static int overhead_table(struct rnpu_dev *dev, int runs)
{
	struct rnpu_matmul_cfg cfg = { .type = RNPU_MM_INT8_INT32, .m = 1, .k = 1024, .n = 1024,
				       .core_mask = 1 };
	double *t_run = calloc((size_t)runs, sizeof(double));
	double *t_sub = calloc((size_t)runs, sizeof(double));
	struct rnpu_matmul_job *job = NULL;
	struct rnpu_matmul *mm = NULL;
	int ret = -1;

	if (!t_run || !t_sub || rnpu_matmul_create(dev, &cfg, &mm) ||
	    rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, 1, 1024, 1024, 0, &job))
		goto out;
	for (int i = -1; i < runs; i++) {
		uint64_t c0 = thread_cpu_ns(), c1, c2;

		if (rnpu_matmul_run(mm, NULL))
			goto out;
		c1 = thread_cpu_ns();
		if (rnpu_matmul_job_run(job, 1, NULL))
			goto out;
		c2 = thread_cpu_ns();
		if (i >= 0) {
			t_run[i] = (double)(c1 - c0);
			t_sub[i] = (double)(c2 - c1);
		}
	}
	printf("\n| call (int8 1x1024x1024, core 0, one task) | calls | median CPU us | p90 CPU us |\n");
	printf("| --- | ---: | ---: | ---: |\n");
	printf("| rnpu_matmul_run | %d | %.1f | %.1f |\n", runs,
	       bench_quantile(t_run, (size_t)runs, 0.5) / 1e3,
	       bench_quantile(t_run, (size_t)runs, 0.9) / 1e3);
	printf("| bare blocking SUBMIT (rnpu_submit) | %d | %.1f | %.1f |\n", runs,
	       bench_quantile(t_sub, (size_t)runs, 0.5) / 1e3,
	       bench_quantile(t_sub, (size_t)runs, 0.9) / 1e3);
	/* A model keeps its other layers' weights resident in the session:
	 * the call must not pay for objects it does not use. */
	for (int nl = 200; nl <= 1000; nl += 800) {
		struct rnpu_matmul **layers = calloc((size_t)nl, sizeof(*layers));
		static unsigned char w[64 * 64];
		struct rnpu_matmul_cfg lc = { .type = RNPU_MM_INT8_INT32, .m = 1, .k = 64, .n = 64,
					      .core_mask = 1 };
		int made = 0;

		while (layers && made < nl && rnpu_matmul_create(dev, &lc, &layers[made]) == 0 &&
		       rnpu_matmul_set_b(layers[made], w) == 0)
			made++;
		for (int i = -1; made == nl && i < runs; i++) {
			uint64_t c0 = thread_cpu_ns();

			if (rnpu_matmul_run(mm, NULL))
				break;
			if (i >= 0)
				t_run[i] = (double)(thread_cpu_ns() - c0);
			if (i == runs - 1)
				printf("| rnpu_matmul_run, %d other matmuls resident | %d | %.1f | %.1f |\n",
				       nl, runs, bench_quantile(t_run, (size_t)runs, 0.5) / 1e3,
				       bench_quantile(t_run, (size_t)runs, 0.9) / 1e3);
		}
		for (int i = 0; layers && i < nl; i++)
			rnpu_matmul_destroy(layers[i]);
		free(layers);
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "bench_llm: %s\n", rnpu_last_error(dev));
	rnpu_matmul_job_destroy(job);
	rnpu_matmul_destroy(mm);
	free(t_run);
	free(t_sub);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "m", required_argument, NULL, 'm' },
		{ "kn", required_argument, NULL, 'k' },
		{ "cores", required_argument, NULL, 'c' },
		{ "type", required_argument, NULL, 't' },
		{ "layers", required_argument, NULL, 'l' },
		{ "sim-apart", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const uint32_t ms_all[] = { 1, 8, 64, 256 }, kns_all[] = { 1024, 2048, 4096 };
	static const uint32_t ms_quick[] = { 1, 64 }, kns_quick[] = { 1024, 2048 };
	const uint32_t *ms = ms_all, *kns = kns_all;
	size_t nm = 4, nkn = 3;
	uint64_t freq = 0, macs = 0, peak;
	struct rnpu_dev *dev;
	int runs = 11, opt, fails = 0, only_cores = 0, only_type = -1;
	uint32_t only_m = 0, only_kn = 0;
	struct rnpu_matmul **layers = NULL;
	int nlayers = 0, nrows = 0;
	bool apart = false;
	struct row done[2 * 3 * 4 * 2];

	while ((opt = getopt_long(argc, argv, "r:qm:k:c:t:l:ah", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'q': ms = ms_quick; kns = kns_quick; nm = 2; nkn = 2; break;
		case 'm': only_m = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'k': only_kn = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'c': only_cores = atoi(optarg); break;
		case 't': only_type = strcmp(optarg, "fp16") == 0 ? 1 : 0; break;
		case 'l': nlayers = atoi(optarg) > 0 ? atoi(optarg) : 0; break;
		case 'a': apart = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (apart && keep_npu_apart()) {
		fprintf(stderr, "bench_llm: --sim-apart needs two or more CPUs\n");
		return 2;
	}
	if (rnpu_open("sim", &dev)) {
		fprintf(stderr, "bench_llm: cannot open the software NPU\n");
		return 1;
	}
	layers = calloc((size_t)nlayers + 1, sizeof(*layers));
	for (int i = 0; layers && i < nlayers; i++) {
		static unsigned char w[64 * 64];
		struct rnpu_matmul_cfg lc = { .type = RNPU_MM_INT8_INT32, .m = 1, .k = 64, .n = 64,
					      .core_mask = 1 };

		if (rnpu_matmul_create(dev, &lc, &layers[i]) || rnpu_matmul_set_b(layers[i], w)) {
			fprintf(stderr, "bench_llm: layer %d: %s\n", i, rnpu_last_error(dev));
			fails++;
			break;
		}
	}
	rnpu_query(dev, RNPU_QUERY_FREQ_HZ, &freq);
	rnpu_query(dev, RNPU_QUERY_MACS_PER_CYCLE, &macs);
	printf("| type | M | K | N | cores | tasks | host wall ms | modelled NPU ms | MAC"
	       " utilisation | run CPU us | hand-off floor us | run CPU - floor us | run switches |"
	       " run faults | run wall - hw us | A/C conversion us |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	       " ---: | ---: | ---: | ---: |\n");
	for (int t = 0; t < 2; t++) {
		for (size_t j = 0; j < nkn; j++) {
			for (size_t i = 0; i < nm; i++) {
				for (int c = 0; c < 2; c++) {
					struct row r = { .type = t ? RNPU_MM_FP16_FP16
								   : RNPU_MM_INT8_INT32,
							 .m = ms[i], .kn = kns[j],
							 .mask = c ? 7 : 1 };

					if ((only_m && r.m != only_m) || (only_kn && r.kn != only_kn) ||
					    (only_cores && (c ? 3 : 1) != only_cores) ||
					    (only_type >= 0 && only_type != t))
						continue;
					/* fp16 MACs run at half the int8 rate. */
					peak = freq * macs / (t ? 2 : 1);
					if (run_row(dev, &r, runs, peak) != 0)
						fails++;
					else
						done[nrows++] = r;
				}
			}
		}
	}
	goal_summary(done, nrows);
	/* A filtered run profiles its rows alone. */
	if (!only_m && !only_kn && !only_cores && only_type < 0)
		fails += overhead_table(dev, 200) != 0;
	for (int i = 0; layers && i < nlayers; i++)
		rnpu_matmul_destroy(layers[i]);
	free(layers);
	rnpu_close(dev);
	return fails ? 1 : 0;
}
