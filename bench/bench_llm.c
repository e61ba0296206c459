// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * bench_llm: LLM-shaped matmuls (resident weights, new activations every
 * call) through rnpu_matmul on one and on three cores.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	"minus the driver's hw_elapse_time, which adds thread wake-ups), and the\n"
	"CPU time packing A and unpacking C (medians).\n"
	"\n"
	"Options:\n"
	"  -r, --runs N     timed calls per shape after one warm-up (default 5)\n"
	"  -q, --quick      M in {1, 64}, K = N in {1024, 2048} only\n"
	"  -h, --help       show this help and exit\n"
	"\n"
	"Exit status: 0, or 1 if a matmul failed.\n";

struct row {
	enum rnpu_mm_type type;
	uint32_t m, kn, mask;
};

/* CPU time of the calling thread: what a call costs the host, without
 * the time it sleeps waiting for the NPU. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double busiest_ns(const struct rnpu_matmul_stats *st)
{
	uint64_t m = 0;

	for (int i = 0; i < 3; i++)
		m = st->model_ns[i] > m ? st->model_ns[i] : m;
	return (double)m;
}

static int run_row(struct rnpu_dev *dev, const struct row *r, int runs, uint64_t peak)
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
	struct rnpu_matmul_stats st;
	struct rnpu_matmul *mm = NULL;
	int ret = -1, cores = r->mask == 7 ? 3 : 1;

	if (!a || !b || !c || !wall || !over || !model || !conv || !cpu)
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
		uint64_t t0 = bench_now_ns(), t1, t2, t3, c1, c2;

		if (rnpu_matmul_set_a(mm, a))
			goto out;
		t1 = bench_now_ns();
		c1 = thread_cpu_ns();
		if (rnpu_matmul_run(mm, &st))
			goto out;
		c2 = thread_cpu_ns();
		t2 = bench_now_ns();
		if (rnpu_matmul_get_c(mm, c))
			goto out;
		t3 = bench_now_ns();
		if (i < 0)
			continue; /* warm-up: pool, caches, page faults */
		wall[i] = (double)(t3 - t0);
		over[i] = (double)(t2 - t1) - (double)st.hw_elapse_ns;
		cpu[i] = (double)(c2 - c1);
		conv[i] = (double)(t1 - t0 + t3 - t2);
		model[i] = busiest_ns(&st);
	}
	{
		double w = bench_quantile(wall, (size_t)runs, 0.5);
		double o = bench_quantile(over, (size_t)runs, 0.5);
		double mo = bench_quantile(model, (size_t)runs, 0.5);
		double cv = bench_quantile(conv, (size_t)runs, 0.5);
		double cp = bench_quantile(cpu, (size_t)runs, 0.5);
		double macs = (double)r->m * r->kn * r->kn;
		double util = mo > 0 ? macs / (mo * 1e-9 * (double)peak * cores) : 0.0;

		printf("| %s | %u | %u | %u | %d | %u | %.3f | %.3f | %.1f %% | %.1f | %.1f | %.1f |\n",
		       fp ? "fp16" : "int8", r->m, r->kn, r->kn, cores, st.tasks, w / 1e6, mo / 1e6,
		       100.0 * util, cp / 1e3, o / 1e3, cv / 1e3);
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
	return ret;
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const uint32_t ms_all[] = { 1, 8, 64, 256 }, kns_all[] = { 1024, 2048, 4096 };
	static const uint32_t ms_quick[] = { 1, 64 }, kns_quick[] = { 1024, 2048 };
	const uint32_t *ms = ms_all, *kns = kns_all;
	size_t nm = 4, nkn = 3;
	uint64_t freq = 0, macs = 0, peak;
	struct rnpu_dev *dev;
	int runs = 5, opt, fails = 0;

	while ((opt = getopt_long(argc, argv, "r:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'q': ms = ms_quick; kns = kns_quick; nm = 2; nkn = 2; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (rnpu_open("sim", &dev)) {
		fprintf(stderr, "bench_llm: cannot open the software NPU\n");
		return 1;
	}
	rnpu_query(dev, RNPU_QUERY_FREQ_HZ, &freq);
	rnpu_query(dev, RNPU_QUERY_MACS_PER_CYCLE, &macs);
	printf("| type | M | K | N | cores | tasks | host wall ms | modelled NPU ms | MAC"
	       " utilisation | run CPU us | run wall - hw us | A/C conversion us |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (int t = 0; t < 2; t++) {
		for (size_t j = 0; j < nkn; j++) {
			for (size_t i = 0; i < nm; i++) {
				for (int c = 0; c < 2; c++) {
					struct row r = { .type = t ? RNPU_MM_FP16_FP16
								   : RNPU_MM_INT8_INT32,
							 .m = ms[i], .kn = kns[j],
							 .mask = c ? 7 : 1 };

					/* fp16 MACs run at half the int8 rate. */
					peak = freq * macs / (t ? 2 : 1);
					fails += run_row(dev, &r, runs, peak) != 0;
				}
			}
		}
	}
	fails += overhead_table(dev, 200) != 0;
	rnpu_close(dev);
	return fails ? 1 : 0;
}
