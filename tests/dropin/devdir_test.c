// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Device discovery by listing /dev/dri under rnpu-run: opendir/readdir and
 * glob() see card1 and renderD129, each of which opens an NPU answering
 * DRM VERSION with the vendor driver's name; other directories and
 * patterns are libc's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm/rnpu_drm_core.h"

/* The vendor driver's DRM name (docs/uapi.md). */
#define VENDOR_NAME "rknpu"

static void expect_npu(const char *path)
{
	struct rnpu_drm_version v;
	char name[32] = "";
	int fd = open(path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	memset(&v, 0, sizeof(v));
	v.name = (uint64_t)(uintptr_t)name;
	v.name_len = sizeof(name) - 1;
	assert_int_equal(ioctl(fd, RNPU_DRM_IOCTL_VERSION, &v), 0);
	assert_string_equal(name, VENDOR_NAME);
	close(fd);
}

/* The listing, in order, twice (rewinddir), then the end with errno
 * untouched; every node listed opens the NPU and is a character device. */
static void readdir_lists_nodes(void **state)
{
	static const char *const want[] = { ".", "..", "card1", "renderD129" };
	static const unsigned char type[] = { DT_DIR, DT_DIR, DT_CHR, DT_CHR };
	DIR *d = opendir("/dev/dri/");
	struct dirent *e;
	unsigned int round, i;

	(void)state;
	assert_non_null(d);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 4; i++) {
			e = readdir(d);
			assert_non_null(e);
			assert_string_equal(e->d_name, want[i]);
			assert_int_equal(e->d_type, type[i]);
			if (type[i] == DT_CHR) {
				char path[sizeof(e->d_name) + 16];
				struct stat st;

				snprintf(path, sizeof(path), "/dev/dri/%s", e->d_name);
				expect_npu(path);
				assert_int_equal(stat(path, &st), 0);
				assert_true(S_ISCHR(st.st_mode));
			}
		}
		errno = 1234;
		assert_null(readdir(d));
		assert_int_equal(errno, 1234);
		rewinddir(d);
	}
	assert_int_equal(dirfd(d), -1);
	assert_int_equal(errno, ENOTSUP);
	assert_int_equal(closedir(d), 0);
}

/* Another directory is listed by libc: a fresh one holds what we made. */
static void other_dirs_untouched(void **state)
{
	char dir[] = "/tmp/rnpu-devdir-XXXXXX", file[64];
	struct dirent *e;
	unsigned int seen = 0;
	DIR *d;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/only", dir);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	d = opendir(dir);
	assert_non_null(d);
	assert_true(dirfd(d) >= 0);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			assert_string_equal(e->d_name, "only");
			seen++;
		}
	assert_int_equal(seen, 1);
	assert_int_equal(closedir(d), 0);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_null(opendir("/nonexistent-rnpu-dir"));
	assert_int_equal(errno, ENOENT);
}

static void glob_finds_nodes(void **state)
{
	glob_t g;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(glob("/dev/dri/card*", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	assert_string_equal(g.gl_pathv[0], "/dev/dri/card1");
	assert_null(g.gl_pathv[1]);
	expect_npu(g.gl_pathv[0]);
	/* Appending keeps what was there. */
	assert_int_equal(glob("/dev/dri/renderD[0-9]*", GLOB_APPEND, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 2);
	assert_string_equal(g.gl_pathv[0], "/dev/dri/card1");
	assert_string_equal(g.gl_pathv[1], "/dev/dri/renderD129");
	globfree(&g);

	/* (GLOB_DOOFFS is not tested: AddressSanitizer's glob interceptor
	 * reads gl_pathv without the offset and faults on libc's glob too.) */
	memset(&g, 0, sizeof(g));
	assert_int_equal(glob("/dev/dri/*", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 2);
	assert_string_equal(g.gl_pathv[0], "/dev/dri/card1");
	assert_string_equal(g.gl_pathv[1], "/dev/dri/renderD129");
	globfree(&g);

	memset(&g, 0, sizeof(g));
	assert_int_equal(glob("/dev/dri/nothing*", 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
	memset(&g, 0, sizeof(g));
	assert_int_equal(glob("/dev/dri/nothing*", GLOB_NOCHECK, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 1);
	assert_string_equal(g.gl_pathv[0], "/dev/dri/nothing*");
	globfree(&g);
	/* Elsewhere: libc's glob. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(glob("/nonexistent-rnpu-dir/*", 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readdir_lists_nodes),
		cmocka_unit_test(other_dirs_untouched),
		cmocka_unit_test(glob_finds_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
