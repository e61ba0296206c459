// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * bench_callcost: the loop whose instructions bench/callcost.sh counts under
 * valgrind's callgrind. One resident-weights matmul, a few warm-up calls of
 * rnpu_matmul_run, then the counted calls, each through
 * callcost_counted_run() so that --toggle-collect=callcost_counted_run sees
 * exactly those calls and nothing before or after them.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu/fp16.h"
#include "rnpu/matmul.h"
#include "rnpu/rnpu.h"

static const char usage_text[] =
	"Usage: bench_callcost [OPTIONS]\n"
	"\n"
	"Creates one matmul C = A x B on the software NPU with B resident in the\n"
	"NPU's layout, calls rnpu_matmul_run WARMUP times, then RUNS times through\n"
	"the function callcost_counted_run() (not inlined, one call each), setting\n"
	"a new A before every call, and checks a sample of C against plain CPU dot\n"
	"products. Meant to run under valgrind --tool=callgrind\n"
	"--toggle-collect=callcost_counted_run, which then counts the counted calls\n"
	"only: bench/callcost.sh does that and attributes the instructions.\n"
	"Prints one line: 'callcost type=T m=M k=K n=N cores=C tasks=T runs=R\n"
	"warmup=W'.\n"
	"\n"
	"Options:\n"
	"  -t, --type T     int8 (int8 -> int32, default) or fp16 (fp16 -> fp16)\n"
	"  -m, --m M        rows of A and C (default 1)\n"
	"  -k, --k K        columns of A, rows of B (default 1024)\n"
	"  -n, --n N        columns of B and C (default 1024)\n"
	"  -c, --cores C    1 (core 0) or 3 (cores 0-2) (default 1)\n"
	"  -r, --runs R     counted calls (default 10)\n"
	"  -w, --warmup W   calls before them, not counted (default 2)\n"
	"  -T, --timeout-ms MS\n"
	"                   the job timeout (rnpu_matmul_cfg.timeout_ms; default 0,\n"
	"                   the library's, which is too short for a software NPU\n"
	"                   running under valgrind)\n"
	"  -h, --help       show this help and exit\n"
	"\n"
	"Exit status: 0; 1 if a call failed or C was wrong; 2 for bad options.\n";

/* The counted call. Not inlined and not a tail call, so that callgrind
 * sees it entered and left once per call. */
__attribute__((noinline)) int callcost_counted_run(struct rnpu_matmul *mm,
						   struct rnpu_matmul_stats *st);
__attribute__((noinline)) int callcost_counted_run(struct rnpu_matmul *mm,
						   struct rnpu_matmul_stats *st)
{
	int ret = rnpu_matmul_run(mm, st);

	__asm__ volatile("" ::: "memory");
	return ret;
}

struct shape {
	bool fp16;
	uint32_t m, k, n, mask, timeout_ms;
};

/* The same small-integer operands as bench_llm, so the two describe the
 * same calls. */
static void fill(const struct shape *s, void *a, void *b)
{
	for (size_t i = 0; i < (size_t)s->m * s->k; i++) {
		if (s->fp16)
			((uint16_t *)a)[i] = rnpu_f32_to_f16((float)((int)(i % 7) - 3) / 4.0f);
		else
			((int8_t *)a)[i] = (int8_t)(unsigned char)(i * 31 + 7);
	}
	for (size_t i = 0; i < (size_t)s->k * s->n; i++) {
		if (s->fp16)
			((uint16_t *)b)[i] = rnpu_f32_to_f16((float)((int)(i % 5) - 2) / 8.0f);
		else
			((int8_t *)b)[i] = (int8_t)(unsigned char)(i * 17 + 3);
	}
}

/* Checks 64 entries of C spread over rows and columns against a plain
 * dot product; returns the number that differ. */
static int check_sample(const struct shape *s, const void *a, const void *b, const void *c)
{
	int bad = 0;

	for (uint32_t t = 0; t < 64; t++) {
		uint32_t i = (uint32_t)(((uint64_t)t * 7919u) % s->m);
		uint32_t j = (uint32_t)(((uint64_t)t * 104729u) % s->n);

		if (s->fp16) {
			double ref = 0, got;

			for (uint32_t q = 0; q < s->k; q++)
				ref += (double)rnpu_f16_to_f32(((const uint16_t *)a)[(size_t)i * s->k + q]) *
				       (double)rnpu_f16_to_f32(((const uint16_t *)b)[(size_t)q * s->n + j]);
			got = rnpu_f16_to_f32(((const uint16_t *)c)[(size_t)i * s->n + j]);
			/* fp16 keeps 11 significant bits of the sum. */
			if (fabs(got - ref) > fabs(ref) / 1024.0 + 1.0 / 64)
				bad++;
		} else {
			int32_t ref = 0;

			for (uint32_t q = 0; q < s->k; q++)
				ref += (int32_t)((const int8_t *)a)[(size_t)i * s->k + q] *
				       (int32_t)((const int8_t *)b)[(size_t)q * s->n + j];
			if (((const int32_t *)c)[(size_t)i * s->n + j] != ref)
				bad++;
		}
	}
	return bad;
}

static int run(struct rnpu_dev *dev, const struct shape *s, int runs, int warmup)
{
	const size_t eb = s->fp16 ? 2 : 1;
	struct rnpu_matmul_cfg cfg = { .type = s->fp16 ? RNPU_MM_FP16_FP16 : RNPU_MM_INT8_INT32,
				       .m = s->m, .k = s->k, .n = s->n, .core_mask = s->mask,
				       .timeout_ms = s->timeout_ms };
	void *a = malloc((size_t)s->m * s->k * eb), *b = malloc((size_t)s->k * s->n * eb);
	void *c = malloc((size_t)s->m * s->n * 4);
	struct rnpu_matmul_stats st = { 0 };
	struct rnpu_matmul *mm = NULL;
	int ret = 1, bad;

	if (!a || !b || !c) {
		fprintf(stderr, "bench_callcost: out of memory\n");
		goto out;
	}
	fill(s, a, b);
	if (rnpu_matmul_create(dev, &cfg, &mm) || rnpu_matmul_set_b(mm, b))
		goto fail;
	for (int i = 0; i < warmup; i++)
		if (rnpu_matmul_set_a(mm, a) || rnpu_matmul_run(mm, &st))
			goto fail;
	for (int i = 0; i < runs; i++)
		if (rnpu_matmul_set_a(mm, a) || callcost_counted_run(mm, &st))
			goto fail;
	if (rnpu_matmul_get_c(mm, c))
		goto fail;
	bad = check_sample(s, a, b, c);
	if (bad) {
		fprintf(stderr, "bench_callcost: %d of 64 sampled entries of C are wrong\n", bad);
		goto out;
	}
	printf("callcost type=%s m=%u k=%u n=%u cores=%d tasks=%u runs=%d warmup=%d\n",
	       s->fp16 ? "fp16" : "int8", s->m, s->k, s->n, s->mask == 7 ? 3 : 1, st.tasks, runs,
	       warmup);
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_callcost: %s\n", rnpu_last_error(dev));
out:
	rnpu_matmul_destroy(mm);
	free(a);
	free(b);
	free(c);
	return ret;
}

/* An integer option in @min..65536, or -1 (with a message) for a bad one. */
static long number(const char *name, const char *arg, unsigned long min)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 0);

	if (*arg == '\0' || *end != '\0' || v < min || v > 65536) {
		fprintf(stderr, "bench_callcost: --%s=%s: not a number in %lu..65536\n", name, arg,
			min);
		return -1;
	}
	return (long)v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' }, { "m", required_argument, NULL, 'm' },
		{ "k", required_argument, NULL, 'k' },    { "n", required_argument, NULL, 'n' },
		{ "cores", required_argument, NULL, 'c' }, { "runs", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' }, { "timeout-ms", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shape s = { .fp16 = false, .m = 1, .k = 1024, .n = 1024, .mask = 1 };
	uint32_t runs = 10, warmup = 2, cores = 1;
	struct rnpu_dev *dev;
	int opt, ret;
	long v = 0;

	while ((opt = getopt_long(argc, argv, "t:m:k:n:c:r:w:T:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (strcmp(optarg, "int8") && strcmp(optarg, "fp16")) {
				fprintf(stderr, "bench_callcost: --type=%s: int8 or fp16\n", optarg);
				return 2;
			}
			s.fp16 = strcmp(optarg, "fp16") == 0;
			break;
		case 'm': v = number("m", optarg, 1); s.m = (uint32_t)v; break;
		case 'k': v = number("k", optarg, 1); s.k = (uint32_t)v; break;
		case 'n': v = number("n", optarg, 1); s.n = (uint32_t)v; break;
		case 'c': v = number("cores", optarg, 1); cores = (uint32_t)v; break;
		case 'r': v = number("runs", optarg, 1); runs = (uint32_t)v; break;
		case 'w': v = number("warmup", optarg, 0); warmup = (uint32_t)v; break;
		case 'T': {
			char *end;
			unsigned long ms = strtoul(optarg, &end, 0);

			if (*optarg == '\0' || *end != '\0' || ms > UINT32_MAX) {
				fprintf(stderr, "bench_callcost: --timeout-ms=%s: not a number of ms\n",
					optarg);
				return 2;
			}
			s.timeout_ms = (uint32_t)ms;
			break;
		}
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
		if (v < 0)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "bench_callcost: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (cores != 1 && cores != 3) {
		fprintf(stderr, "bench_callcost: --cores=%u: 1 or 3\n", cores);
		return 2;
	}
	s.mask = cores == 3 ? 7 : 1;
	if (rnpu_open("sim", &dev)) {
		fprintf(stderr, "bench_callcost: cannot open the software NPU\n");
		return 1;
	}
	ret = run(dev, &s, (int)runs, (int)warmup);
	rnpu_close(dev);
	return ret;
}
