// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* rnpu-run: runs a program with librnpu-preload.so so that its RKNPU
 * device opens, ioctls and mmaps reach the software NPU. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PRELOAD_NAME "librnpu-preload.so"

static const char usage[] =
"Usage: rnpu-run [OPTION]... PROGRAM [ARGUMENT]...\n"
"Run PROGRAM with its RKNPU device nodes served by the software NPU.\n"
"\n"
"PROGRAM's opens of /dev/dri/card*, /dev/dri/renderD* and /dev/rknpu get a\n"
"device that answers the vendor driver's ioctls (both numberings, every\n"
"struct size in use) and mmap of its buffers; reads of\n"
"/sys/kernel/debug/rknpu/{version,freq,volt} give the driver's values.\n"
"Every other file passes through untouched. Child processes inherit the\n"
"arrangement; after fork() a child's inherited device fds refuse ioctls\n"
"(EBADF) and a new open gives it its own session.\n"
"\n"
"Options:\n"
"  -d, --daemon[=PATH]  use a running rnpud on socket PATH (default:\n"
"                       $RNPUD_SOCKET, else /run/rnpu/rnpud.sock as root,\n"
"                       else $XDG_RUNTIME_DIR/rnpud.sock or\n"
"                       /tmp/rnpud-UID.sock), so that several programs\n"
"                       share one NPU\n"
"  -s, --sim            run the driver and software NPU inside PROGRAM's\n"
"                       own process (the default)\n"
"  -p, --preload=LIB    the preload library (default: " PRELOAD_NAME "\n"
"                       next to rnpu-run, else in the install libdir)\n"
"  -h, --help           show this help and exit\n"
"\n"
"Environment: LD_PRELOAD entries already set stay first (a sanitizer\n"
"runtime must come before every other library); RNPU_DEBUG,\n"
"RNPU_SIM_TRACE, RNPU_SESSION_MAX_BOS/_BYTES configure the in-process\n"
"software NPU. rnpu-run sets RNPU_RUN_DEVICE (\"sim\" or \"unix:PATH\") for\n"
"the library.\n"
"\n"
"Exit status: PROGRAM's, or 127 if it cannot be started, 2 on bad usage.\n"
"See docs/dropin.md.\n";

static int find_preload(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(out, len, "%s/%s", dirname(self), PRELOAD_NAME);
		if (access(out, R_OK) == 0)
			return 0;
	}
	snprintf(out, len, "%s/%s", RNPU_RUN_LIBDIR, PRELOAD_NAME);
	return access(out, R_OK) == 0 ? 0 : -ENOENT;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "daemon", optional_argument, NULL, 'd' },
		{ "sim", no_argument, NULL, 's' },
		{ "preload", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char lib[PATH_MAX], device[PATH_MAX + 8];
	const char *preload = NULL, *old;
	char *ld;
	int o;

	snprintf(device, sizeof(device), "sim");
	/* '+': options end at PROGRAM; its own options are its business. */
	while ((o = getopt_long(argc, argv, "+d::sp:h", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			snprintf(device, sizeof(device), "unix:%s", optarg ? optarg : "");
			break;
		case 's': snprintf(device, sizeof(device), "sim"); break;
		case 'p': preload = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (!preload) {
		if (find_preload(lib, sizeof(lib))) {
			fprintf(stderr, "rnpu-run: cannot find %s (use --preload)\n", PRELOAD_NAME);
			return 127;
		}
		preload = lib;
	}
	old = getenv("LD_PRELOAD");
	if (old && old[0]) {
		if (asprintf(&ld, "%s:%s", old, preload) < 0)
			return 127;
	} else {
		ld = strdup(preload);
	}
	if (!ld || setenv("LD_PRELOAD", ld, 1) || setenv("RNPU_RUN_DEVICE", device, 1))
		return 127;
	free(ld);
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "rnpu-run: cannot run %s: %s\n", argv[optind], strerror(errno));
	return 127;
}
