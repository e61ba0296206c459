// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu-load: keeps NPU cores busy for a while with matmul jobs at a chosen
 * share of the time, so that monitoring tools have something to show.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drm/rknpu_ioctl.h"
#include "rnpu/matmul_job.h"
#include "rnpu/rnpu.h"

static const char usage_text[] =
	"Usage: rnpu-load [OPTION]...\n"
	"Keep RKNPU cores busy with int8 matrix multiplications for a while, each\n"
	"core in its own session, so that rnpu-top, nvtop or a script has a load\n"
	"to show. Results are not checked (rnpu-demo does that).\n"
	"\n"
	"Options:\n"
	"  -d, --device PATH    \"sim\" (default, the in-process software NPU) or a\n"
	"                       device node such as /dev/dri/card1\n"
	"  -c, --cores LIST     cores to load, comma separated from 0,1,2\n"
	"                       (default 0,1,2)\n"
	"  -u, --duty PERCENT   share of wall time each core is given work,\n"
	"                       1..100 (default 50): after each job the core idles\n"
	"                       for as long as the job took, scaled accordingly\n"
	"  -t, --seconds N      run for N seconds (default 30)\n"
	"  -s, --shape MxKxN    matrix sizes of one job (default 256x1024x512)\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"With the software NPU, set RNPU_EXPORT=1 (or RNPU_EXPORT_DIR=DIR) so that\n"
	"its host exports the debugfs, devfreq and fdinfo files while it runs.\n"
	"\n"
	"Exit status: 0 success, 2 usage error, 3 the device could not be used.\n";

struct worker {
	const char *device;
	unsigned int core;
	unsigned int duty;
	unsigned int m, k, n;
	double seconds;
	int result;
	unsigned long jobs;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run_core(void *arg)
{
	struct worker *w = arg;
	struct rnpu_matmul_job *job = NULL;
	struct rnpu_submit_req req;
	struct rnpu_dev *dev;
	double end = now_s() + w->seconds;
	int ret;

	ret = rnpu_open(w->device, &dev);
	if (ret) {
		fprintf(stderr, "rnpu-load: cannot open %s: %s\n", w->device, strerror(-ret));
		w->result = 3;
		return NULL;
	}
	ret = rnpu_matmul_job_create(dev, RNPU_MM_INT8_INT32, w->m, w->k, w->n, 0, &job);
	if (ret) {
		fprintf(stderr, "rnpu-load: shape %ux%ux%u: %s\n", w->m, w->k, w->n,
			rnpu_last_error(dev));
		rnpu_close(dev);
		w->result = 2;
		return NULL;
	}
	while (now_s() < end) {
		double t0 = now_s(), busy;

		ret = rnpu_matmul_job_run(job, 1u << w->core, &req);
		if (ret) {
			fprintf(stderr, "rnpu-load: core %u: job failed: %s\n", w->core,
				strerror(-ret));
			w->result = 3;
			break;
		}
		w->jobs++;
		/* Idle in proportion to the job's time on the core as the
		 * driver measured it (hw_elapse_time): what the load counts. */
		busy = req.hw_elapse_ns > 0 ? (double)req.hw_elapse_ns / 1e9 : now_s() - t0;
		if (w->duty < 100)
			usleep((useconds_t)(busy * (100 - w->duty) / w->duty * 1e6));
	}
	rnpu_matmul_job_destroy(job);
	rnpu_close(dev);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "cores", required_argument, NULL, 'c' },
		{ "duty", required_argument, NULL, 'u' },
		{ "seconds", required_argument, NULL, 't' },
		{ "shape", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker w[3];
	pthread_t th[3];
	const char *device = "sim", *cores = "0,1,2";
	unsigned int duty = 50, m = 256, k = 1024, n = 512, count = 0;
	double seconds = 30;
	int opt, status = 0;

	while ((opt = getopt_long(argc, argv, "d:c:u:t:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': device = optarg; break;
		case 'c': cores = optarg; break;
		case 'u':
			duty = (unsigned int)atoi(optarg);
			if (duty < 1 || duty > 100) {
				fprintf(stderr, "rnpu-load: --duty must be 1..100, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			seconds = atof(optarg);
			if (seconds <= 0) {
				fprintf(stderr, "rnpu-load: --seconds must be positive, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			if (sscanf(optarg, "%ux%ux%u", &m, &k, &n) != 3) {
				fprintf(stderr, "rnpu-load: --shape wants MxKxN, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fprintf(stderr, "Try 'rnpu-load --help' for more information.\n");
			return 2;
		}
	}
	for (const char *p = cores; *p; p++) {
		if (*p == ',')
			continue;
		if (*p < '0' || *p > '2' || count == 3) {
			fprintf(stderr, "rnpu-load: --cores wants a list from 0,1,2, not '%s'\n",
				cores);
			return 2;
		}
		w[count] = (struct worker){ .device = device, .core = (unsigned int)(*p - '0'),
					    .duty = duty, .m = m, .k = k, .n = n,
					    .seconds = seconds };
		count++;
	}
	for (unsigned int i = 0; i < count; i++)
		if (pthread_create(&th[i], NULL, run_core, &w[i])) {
			fprintf(stderr, "rnpu-load: cannot start a thread\n");
			count = i;
			status = 3;
			break;
		}
	for (unsigned int i = 0; i < count; i++) {
		pthread_join(th[i], NULL);
		printf("core %u: %lu jobs\n", w[i].core, w[i].jobs);
		if (w[i].result > status)
			status = w[i].result;
	}
	return status;
}
