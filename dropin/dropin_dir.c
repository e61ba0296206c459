// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * /dev/dri as a directory, for programs that find the NPU by listing it
 * (opendir/readdir, Python's os.listdir and glob, C glob()) instead of
 * opening a node by name. The listing is the nodes of one RK3588 NPU as
 * the vendor kernel names them: card1 and renderD129 (character devices
 * 226:1 and 226:129, as fstat reports them), whatever the machine's own
 * /dev/dri holds: any card or render node opened under rnpu-run is the NPU.
 *
 * Directory streams of ours are small records the interposed functions
 * recognise by address; every other stream goes to libc untouched.
 */
/* Both readdir and readdir64 are defined here: no redirection. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "dropin_resolve.h"

#define EXPORT __attribute__((visibility("default")))
#define DRI_DIR "/dev/dri"

static const struct {
	const char *name;
	unsigned char type;
} dri_entries[] = {
	{ ".", DT_DIR },
	{ "..", DT_DIR },
	{ "card1", DT_CHR },
	{ "renderD129", DT_CHR },
};
#define DRI_ENTRIES (sizeof(dri_entries) / sizeof(dri_entries[0]))

struct dri_dir {
	struct dri_dir *next;   /* in dirs, under dirs_lock */
	size_t pos;             /* next entry (owner's thread, as DIR) */
	struct dirent ent;
	struct dirent64 ent64;
};

/* Protects dirs: the streams of ours that are open. */
static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dri_dir *dirs;

static struct {
	DIR *(*opendir)(const char *);
	int (*closedir)(DIR *);
	struct dirent *(*readdir)(DIR *);
	struct dirent64 *(*readdir64)(DIR *);
	void (*rewinddir)(DIR *);
	int (*dirfd)(DIR *);
	int (*glob)(const char *, int, int (*)(const char *, int), glob_t *);
	int (*glob64)(const char *, int, int (*)(const char *, int), glob64_t *);
} real;

#define RESOLVE(field, name) DROPIN_RESOLVE(real, field, name)

static bool is_dri_dir(const char *path)
{
	size_t n = sizeof(DRI_DIR) - 1;

	if (!path || strncmp(path, DRI_DIR, n))
		return false;
	while (path[n] == '/')
		n++;
	return path[n] == '\0';
}

static struct dri_dir *ours(DIR *d)
{
	struct dri_dir *p;

	pthread_mutex_lock(&dirs_lock);
	for (p = dirs; p && (DIR *)p != d; p = p->next)
		;
	pthread_mutex_unlock(&dirs_lock);
	return p;
}

EXPORT DIR *opendir(const char *path)
{
	struct dri_dir *d;

	if (!is_dri_dir(path))
		return RESOLVE(opendir, "opendir")(path);
	d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&dirs_lock);
	d->next = dirs;
	dirs = d;
	pthread_mutex_unlock(&dirs_lock);
	return (DIR *)d;
}

EXPORT int closedir(DIR *dir)
{
	struct dri_dir **pp, *found = NULL;

	pthread_mutex_lock(&dirs_lock);
	for (pp = &dirs; *pp; pp = &(*pp)->next) {
		if ((DIR *)*pp == dir) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	pthread_mutex_unlock(&dirs_lock);
	if (!found)
		return RESOLVE(closedir, "closedir")(dir);
	free(found);
	return 0;
}

/* The next entry's name and type, or false at the end (errno untouched,
 * as readdir leaves it at the end of a directory). */
static bool next_entry(struct dri_dir *d, size_t *index)
{
	if (d->pos >= DRI_ENTRIES)
		return false;
	*index = d->pos++;
	return true;
}

EXPORT struct dirent *readdir(DIR *dir)
{
	struct dri_dir *d = ours(dir);
	size_t i;

	if (!d)
		return RESOLVE(readdir, "readdir")(dir);
	if (!next_entry(d, &i))
		return NULL;
	memset(&d->ent, 0, sizeof(d->ent));
	d->ent.d_ino = i + 1;
	d->ent.d_off = (off_t)(i + 1);
	d->ent.d_reclen = sizeof(d->ent);
	d->ent.d_type = dri_entries[i].type;
	strcpy(d->ent.d_name, dri_entries[i].name);
	return &d->ent;
}

EXPORT struct dirent64 *readdir64(DIR *dir)
{
	struct dri_dir *d = ours(dir);
	size_t i;

	if (!d)
		return RESOLVE(readdir64, "readdir64")(dir);
	if (!next_entry(d, &i))
		return NULL;
	memset(&d->ent64, 0, sizeof(d->ent64));
	d->ent64.d_ino = i + 1;
	d->ent64.d_off = (off64_t)(i + 1);
	d->ent64.d_reclen = sizeof(d->ent64);
	d->ent64.d_type = dri_entries[i].type;
	strcpy(d->ent64.d_name, dri_entries[i].name);
	return &d->ent64;
}

EXPORT void rewinddir(DIR *dir)
{
	struct dri_dir *d = ours(dir);

	if (!d) {
		RESOLVE(rewinddir, "rewinddir")(dir);
		return;
	}
	d->pos = 0;
}

/* No real directory stands behind the listing. */
EXPORT int dirfd(DIR *dir)
{
	if (!ours(dir))
		return RESOLVE(dirfd, "dirfd")(dir);
	errno = ENOTSUP;
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* glob() of a pattern naming entries of /dev/dri ("/dev/dri/card*"):
 * matched against the listing with glob's own rules (a leading dot only
 * explicitly). Results are allocated as glibc's globfree() frees them.
 * Returns -2 for a pattern that is not ours. */
static int dri_glob(const char *pattern, int flags, size_t *pathc, char ***pathv, size_t offs)
{
	const char *rest;
	char *found[DRI_ENTRIES];
	size_t nfound = 0, i, old = 0, base;
	char **v;

	if (!pattern || strncmp(pattern, DRI_DIR "/", sizeof(DRI_DIR)))
		return -2;
	rest = pattern + sizeof(DRI_DIR);
	if (!*rest || strchr(rest, '/'))
		return -2;
	if (!(flags & GLOB_APPEND)) {
		*pathc = 0;
		*pathv = NULL;
	}
	for (i = 2; i < DRI_ENTRIES; i++) { /* never "." and ".." */
		if (fnmatch(rest, dri_entries[i].name,
			    FNM_PERIOD | ((flags & GLOB_NOESCAPE) ? FNM_NOESCAPE : 0)))
			continue;
		found[nfound] = malloc(sizeof(DRI_DIR) + strlen(dri_entries[i].name) + 1);
		if (!found[nfound])
			goto nomem;
		strcpy(found[nfound], DRI_DIR "/");
		strcat(found[nfound], dri_entries[i].name);
		nfound++;
	}
	if (!nfound && (flags & GLOB_NOCHECK)) {
		found[0] = strdup(pattern);
		if (!found[0])
			goto nomem;
		nfound = 1;
	}
	if (!nfound)
		return GLOB_NOMATCH;
	if (!(flags & GLOB_NOSORT))
		qsort(found, nfound, sizeof(found[0]), cmp_str);
	if (flags & GLOB_APPEND)
		old = *pathc;
	if (!(flags & GLOB_DOOFFS))
		offs = 0;
	base = offs + old;
	v = realloc(*pathv, (base + nfound + 1) * sizeof(*v));
	if (!v)
		goto nomem;
	if (!(flags & GLOB_APPEND))
		for (i = 0; i < offs; i++)
			v[i] = NULL;
	memcpy(v + base, found, nfound * sizeof(*v));
	v[base + nfound] = NULL;
	*pathv = v;
	*pathc = old + nfound;
	return 0;

nomem:
	while (nfound)
		free(found[--nfound]);
	return GLOB_NOSPACE;
}

EXPORT int glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *g)
{
	int r = dri_glob(pattern, flags, &g->gl_pathc, &g->gl_pathv, g->gl_offs);

	if (r == -2)
		return RESOLVE(glob, "glob")(pattern, flags, errfunc, g);
	if (r == 0)
		g->gl_flags = flags;
	return r;
}

EXPORT int glob64(const char *pattern, int flags, int (*errfunc)(const char *, int),
		  glob64_t *g)
{
	int r = dri_glob(pattern, flags, &g->gl_pathc, &g->gl_pathv, g->gl_offs);

	if (r == -2)
		return RESOLVE(glob64, "glob64")(pattern, flags, errfunc, g);
	if (r == 0)
		g->gl_flags = flags;
	return r;
}
