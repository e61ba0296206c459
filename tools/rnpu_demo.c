// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu-demo: int8 and fp16 matrix multiplication on each NPU core through
 * the vendor UAPI, then a two-layer int8 MLP on three cores, all checked
 * against plain CPU computations.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_mlp.h"
#include "rnpu/fp16.h"
#include "rnpu/matmul_job.h"

static const char usage_text[] =
	"Usage: rnpu-demo [OPTIONS]\n"
	"\n"
	"Runs an int8 (int8 x int8 -> int32) and an fp16 (fp16 x fp16 -> fp32) matrix\n"
	"multiplication C = A x B on each RK3588 NPU core through the vendor ioctls\n"
	"(MEM_CREATE, MEM_MAP, MEM_SYNC, SUBMIT, ...), then a two-layer int8 MLP\n"
	"  h = ReLU(requantise(x W1))   int8 x int8 -> int8 (the DPU's OUT_CVT)\n"
	"  y = h W2                     int8 x int8 -> int32\n"
	"whose work is split over all three cores, and compares every element with\n"
	"a plain CPU computation. By default the NPU is the in-process software\n"
	"NPU, so no board is needed.\n"
	"\n"
	"Options:\n"
	"  -d, --device PATH   NPU to use: \"sim\" (default) or a device node such as\n"
	"                      /dev/dri/card1 on a board running an RKNPU driver\n"
	"  -s, --shape MxKxN   matrix sizes (default 128x512x256). K must be a\n"
	"                      multiple of 32 and N of 16; larger M is split into\n"
	"                      tasks chained by the NPU's program controller\n"
	"  -c, --cores LIST    cores to run on, comma separated from 0,1,2 or\n"
	"                      \"auto\" (default 0,1,2)\n"
	"  -m, --mlp BxIxHxO   MLP batch, input, hidden and output sizes (default\n"
	"                      64x1024x2048x512); any sizes work, the hidden layer\n"
	"                      stays on the NPU when H is a multiple of 32\n"
	"      --mlp-cores M   core mask of the MLP: 7 (default), 3, 1, 2, 4 or 0\n"
	"      --no-mlp        skip the MLP\n"
	"  -r, --seed N        seed of the input data (default 1)\n"
	"  -v, --verbose       print the driver's register trace (RNPU_DEBUG=reg)\n"
	"  -h, --help          show this help and exit\n"
	"\n"
	"Output: one line per type and core with the shape, the core that ran the\n"
	"job, the task count, hw_elapse_time as the driver reports it, and PASS or\n"
	"FAIL; the fp16 inputs are small integers so the expected result is exact.\n"
	"For the MLP, per layer and core: tasks, share of the multiply-accumulates\n"
	"and the time the software NPU's timing model charged (0 on hardware), the\n"
	"wall time, and the modelled NPU time of the whole network.\n"
	"\n"
	"Exit status: 0 if every check passed, 1 if any result differed from the\n"
	"CPU, 2 on a usage error, 3 if the device could not be used.\n"
	"\n"
	"Environment: RNPU_DEBUG=reg,ioctl,job,gem (driver trace categories),\n"
	"RNPU_LOG_LEVEL=err|warn|info|debug, RNPU_SIM_TRACE=1 (every regcmd word).\n";

struct demo_opts {
	const char *device;
	uint32_t m, k, n;
	uint32_t masks[4];
	unsigned int nmasks;
	uint32_t seed;
	struct demo_mlp_shape mlp;
	uint32_t mlp_mask;
	bool no_mlp;
};

static uint32_t rng_next(uint32_t *s)
{
	/* xorshift32: enough for test data */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int parse_shape(const char *s, struct demo_opts *o)
{
	char tail;

	if (sscanf(s, "%ux%ux%u%c", &o->m, &o->k, &o->n, &tail) != 3 || !o->m || !o->k || !o->n)
		return -1;
	return 0;
}

static int parse_cores(const char *s, struct demo_opts *o)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int ret = 0;

	o->nmasks = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		if (o->nmasks == 4)
			ret = -1;
		else if (!strcmp(tok, "auto"))
			o->masks[o->nmasks++] = RKNPU_CORE_AUTO_MASK;
		else if (!strcmp(tok, "0") || !strcmp(tok, "1") || !strcmp(tok, "2"))
			o->masks[o->nmasks++] = 1u << (tok[0] - '0');
		else
			ret = -1;
	}
	free(copy);
	return o->nmasks ? ret : -1;
}

static const char *core_name(uint32_t mask)
{
	switch (mask) {
	case 1: return "core0";
	case 2: return "core1";
	case 4: return "core2";
	default: return "auto";
	}
}

/* Runs one type on one core; returns 0 PASS, 1 FAIL, -errno on error. */
static int run_one(struct rnpu_dev *dev, const struct demo_opts *o, enum rnpu_mm_type type,
		   uint32_t core_mask)
{
	const bool is_int8 = type == RNPU_MM_INT8_INT32;
	const size_t mk = (size_t)o->m * o->k, kn = (size_t)o->k * o->n, mn = (size_t)o->m * o->n;
	struct rnpu_matmul_job *job = NULL;
	struct rnpu_submit_req req;
	size_t in_bytes = is_int8 ? 1 : 2, bad = 0, i;
	void *a = malloc(mk * in_bytes), *b = malloc(kn * in_bytes);
	void *c = malloc(mn * 4);
	float *af = malloc(mk * sizeof(float)), *bf = malloc(kn * sizeof(float));
	uint32_t seed = o->seed;
	int ret;

	if (!a || !b || !c || !af || !bf) {
		ret = -ENOMEM;
		goto out;
	}
	/* Small integers: exact in int8 and fp16, and their fp32 sums too. */
	for (i = 0; i < mk; i++)
		af[i] = (float)(int)(rng_next(&seed) % (is_int8 ? 255 : 9)) - (is_int8 ? 127 : 4);
	for (i = 0; i < kn; i++)
		bf[i] = (float)(int)(rng_next(&seed) % (is_int8 ? 255 : 9)) - (is_int8 ? 127 : 4);
	for (i = 0; i < mk; i++) {
		if (is_int8)
			((int8_t *)a)[i] = (int8_t)af[i];
		else
			((uint16_t *)a)[i] = rnpu_f32_to_f16(af[i]);
	}
	for (i = 0; i < kn; i++) {
		if (is_int8)
			((int8_t *)b)[i] = (int8_t)bf[i];
		else
			((uint16_t *)b)[i] = rnpu_f32_to_f16(bf[i]);
	}

	ret = rnpu_matmul_job_create(dev, type, o->m, o->k, o->n, 0, &job);
	if (!ret)
		ret = rnpu_matmul_job_set_inputs(job, a, b);
	if (!ret)
		ret = rnpu_matmul_job_run(job, core_mask, &req);
	if (!ret)
		ret = rnpu_matmul_job_get_output(job, c);
	if (ret) {
		fprintf(stderr, "rnpu-demo: %s on %s: %s\n", is_int8 ? "int8" : "fp16",
			core_name(core_mask), rnpu_last_error(dev));
		goto out;
	}
	for (uint32_t m = 0; m < o->m; m++) {
		for (uint32_t n = 0; n < o->n; n++) {
			int64_t ref = 0;

			for (uint32_t k = 0; k < o->k; k++)
				ref += (int64_t)af[(size_t)m * o->k + k] * (int64_t)bf[(size_t)k * o->n + n];
			if (is_int8 ? ((int32_t *)c)[(size_t)m * o->n + n] != ref
				    : ((float *)c)[(size_t)m * o->n + n] != (float)ref) {
				if (bad++ < 3)
					fprintf(stderr, "  C[%u][%u] = %g, expected %" PRId64 "\n", m, n,
						is_int8 ? (double)((int32_t *)c)[(size_t)m * o->n + n]
							: (double)((float *)c)[(size_t)m * o->n + n],
						ref);
			}
		}
	}
	printf("%-5s %5ux%-5ux%-5u %-6s core%d  tasks %-4u hw_elapse_time %10.3f us  %s\n",
	       is_int8 ? "int8" : "fp16", o->m, o->k, o->n, core_name(core_mask),
	       __builtin_ctz(req.core_mask_used), req.task_counter, req.hw_elapse_ns / 1000.0,
	       bad ? "FAIL" : "PASS");
	ret = bad ? 1 : 0;
out:
	rnpu_matmul_job_destroy(job);
	free(a);
	free(b);
	free(c);
	free(af);
	free(bf);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' }, { "shape", required_argument, NULL, 's' },
		{ "cores", required_argument, NULL, 'c' },  { "seed", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },      { "help", no_argument, NULL, 'h' },
		{ "mlp", required_argument, NULL, 'm' },    { "no-mlp", no_argument, NULL, 'N' },
		{ "mlp-cores", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct demo_opts o = { .device = "sim", .m = 128, .k = 512, .n = 256,
			       .masks = { 1, 2, 4 }, .nmasks = 3, .seed = 1,
			       .mlp = { 64, 1024, 2048, 512 }, .mlp_mask = 7 };
	static const enum rnpu_mm_type types[] = { RNPU_MM_INT8_INT32, RNPU_MM_FP16_FP32 };
	struct rnpu_dev *dev;
	uint32_t hw = 0, drv = 0;
	int opt, fails = 0, errors = 0;

	while ((opt = getopt_long(argc, argv, "d:s:c:r:m:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm': {
			char tail;

			if (sscanf(optarg, "%ux%ux%ux%u%c", &o.mlp.batch, &o.mlp.in, &o.mlp.hidden,
				   &o.mlp.out, &tail) != 4 || !o.mlp.batch || !o.mlp.in ||
			    !o.mlp.hidden || !o.mlp.out) {
				fprintf(stderr, "rnpu-demo: --mlp wants BxIxHxO, got \"%s\"\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'M':
			o.mlp_mask = (uint32_t)strtoul(optarg, NULL, 0);
			if (o.mlp_mask > 7 || o.mlp_mask == 5 || o.mlp_mask == 6) {
				fprintf(stderr, "rnpu-demo: --mlp-cores wants 0, 1, 2, 4, 3 or 7,"
					" got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'N': o.no_mlp = true; break;
		case 'd': o.device = optarg; break;
		case 's':
			if (parse_shape(optarg, &o)) {
				fprintf(stderr, "rnpu-demo: --shape wants MxKxN, got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'c':
			if (parse_cores(optarg, &o)) {
				fprintf(stderr, "rnpu-demo: --cores wants 0,1,2 or auto, got \"%s\"\n",
					optarg);
				return 2;
			}
			break;
		case 'r': o.seed = (uint32_t)strtoul(optarg, NULL, 0) | 1u; break;
		case 'v': setenv("RNPU_DEBUG", "reg", 1); setenv("RNPU_LOG_LEVEL", "debug", 1); break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rnpu-demo: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	opt = rnpu_open(o.device, &dev);
	if (opt) {
		fprintf(stderr, "rnpu-demo: cannot open %s: %s\n", o.device, strerror(-opt));
		return 3;
	}
	rnpu_action(dev, RKNPU_GET_HW_VERSION, &hw);
	rnpu_action(dev, RKNPU_GET_DRV_VERSION, &drv);
	printf("rnpu-demo: device %s (%s), hw version 0x%08x, driver %u.%u.%u\n", o.device,
	       rnpu_transport_name(dev), hw, drv / 10000, drv / 100 % 100, drv % 100);
	for (size_t t = 0; t < 2; t++) {
		for (unsigned int i = 0; i < o.nmasks; i++) {
			int r = run_one(dev, &o, types[t], o.masks[i]);

			if (r < 0)
				errors++;
			else
				fails += r;
		}
	}
	if (!o.no_mlp) {
		int r = demo_mlp(dev, &o.mlp, o.mlp_mask, o.seed);

		if (r < 0)
			errors++;
		else
			fails += r;
	}
	rnpu_close(dev);
	if (errors || fails) {
		printf("rnpu-demo: %d failed, %d errors\n", fails, errors);
		return errors && !fails ? 3 : 1;
	}
	printf("rnpu-demo: all results match the CPU reference\n");
	return 0;
}
