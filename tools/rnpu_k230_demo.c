// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpu-k230-demo: the nncase-style KPU sequence on the software K230 KPU,
 * from several contending users, through the userspace K230 host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k230/kpu_ioctl.h"
#include "k230/mpi_sys_api.h"
#include "k230_host.h"
#include "k230_kpu_regs.h"
#include "k230_sim.h"

static const char usage_text[] =
	"Usage: rnpu-k230-demo [OPTIONS]\n"
	"\n"
	"Runs the sequence an nncase runtime performs for each KPU command on a\n"
	"Kendryte K230 -- LOCK the KPU through /dev/gnne_device, program the KPU\n"
	"registers (PC_START, PC_END, CTRL GNNE_ENABLE), poll() the device until the\n"
	"completion interrupt, UNLOCK -- from several users at once, on the\n"
	"in-process software K230 KPU. Each user first allocates a cached MMZ block\n"
	"with kd_mpi_sys_mmz_alloc_cached, fills it and flushes it, as a runtime\n"
	"does with its input. No board is needed.\n"
	"\n"
	"Options:\n"
	"  -u, --users N      contending users, one thread and one open device each\n"
	"                     (default 2, at most 16)\n"
	"  -n, --runs N       KPU commands per user (default 54, one YOLOv8n\n"
	"                     inference on the K230)\n"
	"  -t, --run-us N     duration of each command on the software KPU in\n"
	"                     microseconds (default 200)\n"
	"  -H, --hang         make the first command hang; its user waits with\n"
	"                     the WAIT extension, gets ETIMEDOUT, and the driver\n"
	"                     resets the KPU before the next command\n"
	"  -h, --help         show this help and exit\n"
	"\n"
	"Output: one line per user with its commands and the mean time spent\n"
	"waiting for the lock and for the completion, then the software KPU's\n"
	"counters (runs started and completed, interrupts, lock acquisitions,\n"
	"starts refused because another run was active, which must be 0).\n"
	"\n"
	"Exit status: 0 if every command completed and no two users held the KPU\n"
	"at once, 1 otherwise, 2 on a usage error, 3 if the host could not start.\n"
	"\n"
	"Environment: RNPU_LOG_LEVEL=err|warn|info|debug.\n";

struct user {
	struct k230_host *host;
	unsigned int index;
	unsigned int runs;
	bool hang;
	pthread_t thread;
	unsigned int done;
	int error;
	uint64_t lock_ns, poll_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void kpu_start(struct k230_host *host, uint32_t start, uint32_t end)
{
	k230_host_mem_write32(host, K230_HOST_KPU_PHYS + REG_GNNE_PC_START, start);
	k230_host_mem_write32(host, K230_HOST_KPU_PHYS + REG_GNNE_PC_END, end);
	k230_host_mem_write64(host, K230_HOST_KPU_PHYS + REG_GNNE_CTRL,
			      (uint64_t)GNNE_CTRL_WMASK_GNNE_ENABLE__MASK << 32 |
				      GNNE_CTRL_GNNE_ENABLE__MASK);
}

static void *user_main(void *arg)
{
	struct user *u = arg;
	int fd = k230_host_open(u->host, K230_GNNE_DEVICE);
	k_u64 phys;
	void *virt;

	if (fd < 0 || kd_mpi_sys_mmz_alloc_cached(&phys, &virt, "input", NULL, 65536)) {
		u->error = errno ? errno : ENOMEM;
		return NULL;
	}
	memset(virt, 0x11, 65536);
	kd_mpi_sys_mmz_flush_cache(phys, virt, 65536);
	for (unsigned int i = 0; i < u->runs; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t t0 = now_ns(), t1;

		if (k230_host_ioctl(u->host, fd, K230_GNNE_IOC_LOCK, NULL)) {
			u->error = errno;
			break;
		}
		t1 = now_ns();
		u->lock_ns += t1 - t0;
		if (u->hang && i == 0) {
			uint32_t ms = 100;

			k230_sim_inject(k230_host_hw(u->host), K230_SIM_FAULT_HANG);
			kpu_start(u->host, (uint32_t)phys, (uint32_t)phys + 4096);
			if (k230_host_ioctl(u->host, fd, K230_GNNE_IOC_WAIT, &ms) == 0 ||
			    errno != ETIMEDOUT)
				u->error = EPROTO;
			printf("user %u: hung command: WAIT gave ETIMEDOUT, KPU reset\n", u->index);
		} else {
			kpu_start(u->host, (uint32_t)phys, (uint32_t)phys + 4096);
			if (k230_host_poll(u->host, &p, 1, 10000) != 1 || !(p.revents & POLLIN))
				u->error = ETIMEDOUT;
			else
				u->done++;
		}
		u->poll_ns += now_ns() - t1;
		k230_host_ioctl(u->host, fd, K230_GNNE_IOC_UNLOCK, NULL);
		if (u->error)
			break;
	}
	kd_mpi_sys_mmz_free(phys, virt);
	k230_host_close(u->host, fd);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "users", required_argument, NULL, 'u' }, { "runs", required_argument, NULL, 'n' },
		{ "run-us", required_argument, NULL, 't' }, { "hang", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
	};
	struct k230_host_config cfg = { .bind_mmz = true };
	unsigned int users = 2, runs = 54, run_us = 200, expect = 0;
	struct user u[16];
	struct k230_sim_stats st;
	struct k230_host *host;
	bool hang = false;
	int opt, status = 0;
	char *end;

	while ((opt = getopt_long(argc, argv, "u:n:t:Hh", longopts, NULL)) != -1) {
		unsigned long v = 0;

		if (optarg) {
			errno = 0;
			v = strtoul(optarg, &end, 0);
			if (errno || *end || !v) {
				fprintf(stderr, "rnpu-k230-demo: -%c wants a positive number, got \"%s\"\n",
					opt, optarg);
				return 2;
			}
		}
		switch (opt) {
		case 'u':
			if (v > 16) {
				fprintf(stderr, "rnpu-k230-demo: --users is at most 16, got %lu\n", v);
				return 2;
			}
			users = (unsigned int)v;
			break;
		case 'n': runs = v > 100000 ? 100000 : (unsigned int)v; break;
		case 't': run_us = v > 1000000 ? 1000000 : (unsigned int)v; break;
		case 'H': hang = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rnpu-k230-demo: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (k230_host_create(&cfg, &host)) {
		fprintf(stderr, "rnpu-k230-demo: cannot start the K230 host\n");
		return 3;
	}
	k230_sim_set_run_ns(k230_host_hw(host), (uint64_t)run_us * 1000u);
	for (unsigned int i = 0; i < users; i++) {
		u[i] = (struct user){ .host = host, .index = i, .runs = runs, .hang = hang && i == 0 };
		pthread_create(&u[i].thread, NULL, user_main, &u[i]);
	}
	for (unsigned int i = 0; i < users; i++) {
		pthread_join(u[i].thread, NULL);
		expect += runs - (u[i].hang ? 1 : 0);
		printf("user %u: %u/%u commands, lock wait %.1f us, completion wait %.1f us%s%s\n", i,
		       u[i].done, runs, u[i].lock_ns / 1000.0 / runs, u[i].poll_ns / 1000.0 / runs,
		       u[i].error ? ", error: " : "", u[i].error ? strerror(u[i].error) : "");
		if (u[i].error || u[i].done != runs - (u[i].hang ? 1 : 0))
			status = 1;
	}
	k230_sim_get_stats(k230_host_hw(host), &st);
	printf("software KPU: %llu runs started, %llu completed, %llu aborted, %llu interrupts, "
	       "%llu lock acquisitions, %llu starts during another run\n",
	       (unsigned long long)st.runs_started, (unsigned long long)st.runs_completed,
	       (unsigned long long)st.runs_aborted, (unsigned long long)st.gnne_irqs,
	       (unsigned long long)st.hardlock_taken, (unsigned long long)st.enable_while_running);
	if (st.enable_while_running || st.runs_completed != expect)
		status = 1;
	if (k230_host_destroy(host))
		status = 1;
	return status;
}
