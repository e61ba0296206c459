// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * librnpu-preload.so: makes an unmodified program that opens an RKNPU
 * device node run on the software NPU, in this process or in rnpud.
 *
 * Opening /dev/dri/card*, /dev/dri/renderD* or /dev/rknpu gives a real fd
 * (an eventfd: pollable, never readable, dup/close/exec work as on any fd)
 * that a table maps to a librnpu session on $RNPU_RUN_DEVICE ("sim" or
 * "unix:PATH"). ioctl and mmap on such an fd go to the session; dups
 * share it and the session ends with the last of them. Every other path
 * and fd passes through untouched. Fences and exported buffers are real
 * fds already, so poll/select/read on them need no help; the sync-file
 * ioctls on fences are answered in dropin_sync.c, listings of /dev/dri
 * in dropin_dir.c.
 *
 * After fork() the child's inherited device fds are dead ends (ioctl and
 * mmap fail with EBADF; close works); a new open in the child gets a fresh
 * session. A vfork()/posix_spawn() child leaves the table alone. exec()
 * drops the table: an fd that survives it is a plain fd.
 */
/* Both the plain and the 64-bit names are defined here, so the headers
 * must not redirect one to the other (meson builds with 64-bit offsets). */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rnpu/rnpu.h"
#include "rnpu_host.h"
#include "dropin_debugfs.h"
#include "dropin_sync.h"
#include "dropin_resolve.h"

#define EXPORT __attribute__((visibility("default")))

/* glibc entry points without a prototype in its headers. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int ioctl(int fd, unsigned long request, ...);

/* What the fake nodes look like to fstat(): DRM is char major 226; the
 * vendor's misc node takes a dynamic misc (10) minor. */
#define DRM_MAJOR 226
#define MISC_MAJOR 10
#define RKNPU_MISC_MINOR 58

struct session {
	struct rnpu_dev *dev;
	unsigned int refs;      /* table entries (fds) naming it, under table_lock */
	bool stale;             /* inherited across fork: unusable, never closed */
	dev_t rdev;
};

/* Protects table[], table_len and every session's refs/stale. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct session **table;
static size_t table_len;
/* The process the table belongs to. A vfork() or posix_spawn() child
 * shares our memory until it execs, without the fork handlers running:
 * its closes (close_range before exec) must not touch the parent's table. */
static pid_t table_pid;

static bool table_is_ours(void)
{
	return getpid() == table_pid;
}

/* The next symbol of each name: libc's. */
static struct {
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	FILE *(*fopen)(const char *, const char *);
	FILE *(*fopen64)(const char *, const char *);
	int (*close)(int);
	int (*close_range)(unsigned int, unsigned int, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	void *(*mmap64)(void *, size_t, int, int, int, off64_t);
	int (*fstat)(int, struct stat *);
	int (*fstat64)(int, struct stat64 *);
	int (*stat)(const char *, struct stat *);
	int (*stat64)(const char *, struct stat64 *);
	int (*lstat)(const char *, struct stat *);
	int (*lstat64)(const char *, struct stat64 *);
	int (*fstatat)(int, const char *, struct stat *, int);
	int (*fstatat64)(int, const char *, struct stat64 *, int);
	int (*fxstat)(int, int, struct stat *);
	int (*fxstat64)(int, int, struct stat64 *);
	int (*xstat)(int, const char *, struct stat *);
	int (*xstat64)(int, const char *, struct stat64 *);
	int (*lxstat)(int, const char *, struct stat *);
	int (*lxstat64)(int, const char *, struct stat64 *);
	int (*access)(const char *, int);
} real;

#define RESOLVE(field, name) DROPIN_RESOLVE(real, field, name)

static int fail(int err)
{
	errno = err;
	return -1;
}

/* ------------------------------------------------------------ the table */

static bool table_fit(int fd)
{
	size_t n;
	struct session **t;

	if ((size_t)fd < table_len)
		return true;
	n = table_len ? table_len : 64;
	while (n <= (size_t)fd)
		n *= 2;
	t = realloc(table, n * sizeof(*t));
	if (!t)
		return false;
	memset(t + table_len, 0, (n - table_len) * sizeof(*t));
	table = t;
	table_len = n;
	return true;
}

/* A session for @fd with a reference, or NULL. */
static struct session *session_get(int fd)
{
	struct session *s = NULL;

	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&table_lock);
	if ((size_t)fd < table_len && table[fd]) {
		s = table[fd];
		s->refs++;
	}
	pthread_mutex_unlock(&table_lock);
	return s;
}

static bool is_device(int fd)
{
	bool yes;

	if (fd < 0)
		return false;
	pthread_mutex_lock(&table_lock);
	yes = (size_t)fd < table_len && table[fd];
	pthread_mutex_unlock(&table_lock);
	return yes;
}

/* Drops a reference taken with session_get() or held by a table entry;
 * the last one ends the session. Called without table_lock. */
static void session_put(struct session *s)
{
	bool last;
	bool stale;

	pthread_mutex_lock(&table_lock);
	last = --s->refs == 0;
	stale = s->stale;
	pthread_mutex_unlock(&table_lock);
	if (!last)
		return;
	/* A session inherited across fork belongs to the parent. */
	if (!stale)
		rnpu_close(s->dev);
	free(s);
}

/* Removes @fd's entry (before the fd number is closed or reused). */
static void table_drop(int fd)
{
	struct session *s = NULL;

	if (fd < 0 || !table_is_ours())
		return;
	pthread_mutex_lock(&table_lock);
	if ((size_t)fd < table_len) {
		s = table[fd];
		table[fd] = NULL;
	}
	pthread_mutex_unlock(&table_lock);
	if (s)
		session_put(s);
}

/* Makes @newfd name the session of @oldfd, if it has one. */
static void table_copy(int oldfd, int newfd)
{
	struct session *s, *old = NULL;

	if (oldfd < 0 || newfd < 0 || oldfd == newfd || !table_is_ours())
		return;
	pthread_mutex_lock(&table_lock);
	s = (size_t)oldfd < table_len ? table[oldfd] : NULL;
	if (s && table_fit(newfd)) {
		old = table[newfd];
		table[newfd] = s;
		s->refs++;
	}
	pthread_mutex_unlock(&table_lock);
	if (old)
		session_put(old);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&table_lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&table_lock);
}

static void atfork_child(void)
{
	size_t i;

	/* Inherited sessions live on in the parent; here they only keep
	 * their fds until closed. The in-process software NPU's threads did
	 * not survive the fork, so the child starts a fresh one if it opens
	 * a device again. */
	for (i = 0; i < table_len; i++)
		if (table[i])
			table[i]->stale = true;
	pthread_mutex_init(&table_lock, NULL);
	table_pid = getpid();
	rnpu_host_forget_default();
}

__attribute__((constructor)) static void preload_init(void)
{
	table_pid = getpid();
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* ------------------------------------------------------------ paths */

static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The nodes this library stands in for, and their device numbers. */
static bool device_path(const char *path, dev_t *rdev)
{
	if (!path)
		return false;
	if (!strncmp(path, "/dev/dri/card", 13) && digits(path + 13)) {
		*rdev = makedev(DRM_MAJOR, atoi(path + 13));
		return true;
	}
	if (!strncmp(path, "/dev/dri/renderD", 16) && digits(path + 16)) {
		*rdev = makedev(DRM_MAJOR, atoi(path + 16));
		return true;
	}
	if (!strcmp(path, "/dev/rknpu")) {
		*rdev = makedev(MISC_MAJOR, RKNPU_MISC_MINOR);
		return true;
	}
	return false;
}

static const char *backend(void)
{
	const char *b = getenv("RNPU_RUN_DEVICE");

	return b && b[0] ? b : "sim";
}

static int device_open(const char *path, int flags, dev_t rdev)
{
	struct session *s;
	int fd, ret;

	if ((flags & O_ACCMODE) != O_RDWR && (flags & O_ACCMODE) != O_RDONLY &&
	    (flags & O_ACCMODE) != O_WRONLY)
		return fail(EINVAL);
	if (flags & (O_DIRECTORY | O_TMPFILE))
		return fail(ENOTDIR);
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(ENOMEM);
	ret = rnpu_open(backend(), &s->dev);
	if (ret) {
		fprintf(stderr, "rnpu-run: cannot open %s on %s: %s\n", path, backend(),
			strerror(-ret));
		free(s);
		return fail(-ret);
	}
	s->rdev = rdev;
	s->refs = 1;
	fd = eventfd(0, ((flags & O_CLOEXEC) ? EFD_CLOEXEC : 0) |
			((flags & O_NONBLOCK) ? EFD_NONBLOCK : 0));
	if (fd < 0) {
		int err = errno;

		rnpu_close(s->dev);
		free(s);
		return fail(err);
	}
	pthread_mutex_lock(&table_lock);
	if (!table_fit(fd)) {
		pthread_mutex_unlock(&table_lock);
		RESOLVE(close, "close")(fd);
		rnpu_close(s->dev);
		free(s);
		return fail(ENOMEM);
	}
	table[fd] = s;
	pthread_mutex_unlock(&table_lock);
	return fd;
}

static int debugfs_open(const char *name)
{
	char text[4096];
	struct rnpu_dev *dev;
	int fd, ret, len;

	ret = rnpu_open(backend(), &dev);
	if (ret)
		return fail(-ret);
	len = dropin_debugfs_read(dev, name, text, sizeof(text));
	rnpu_close(dev);
	if (len < 0)
		return fail(-len);
	fd = memfd_create("rknpu-debugfs", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, text, (size_t)len) != len || lseek(fd, 0, SEEK_SET) != 0) {
		int err = errno;

		RESOLVE(close, "close")(fd);
		return fail(err ? err : EIO);
	}
	return fd;
}

/* -1 with errno for a path of ours, -2 for one that is not ours. */
static int maybe_open(const char *path, int flags)
{
	dev_t rdev;

	if (device_path(path, &rdev))
		return device_open(path, flags, rdev);
	if (path && !strncmp(path, DROPIN_DEBUGFS_DIR "/", sizeof(DROPIN_DEBUGFS_DIR))) {
		if ((flags & O_ACCMODE) != O_RDONLY)
			return fail(EACCES);
		return debugfs_open(path + sizeof(DROPIN_DEBUGFS_DIR));
	}
	return -2;
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

EXPORT int open(const char *path, int flags, ...)
{
	int r = maybe_open(path, flags);
	va_list ap;
	mode_t mode;

	if (r != -2)
		return r;
	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return RESOLVE(open, "open")(path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	int r = maybe_open(path, flags);
	va_list ap;
	mode_t mode;

	if (r != -2)
		return r;
	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return RESOLVE(open64, "open64")(path, flags, mode);
}

EXPORT int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

EXPORT int __open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

/* Only absolute paths can name our nodes. */
EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	int r = maybe_open(path, flags);
	va_list ap;
	mode_t mode;

	if (r != -2)
		return r;
	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return RESOLVE(openat, "openat")(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	int r = maybe_open(path, flags);
	va_list ap;
	mode_t mode;

	if (r != -2)
		return r;
	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return RESOLVE(openat64, "openat64")(dirfd, path, flags, mode);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return openat64(dirfd, path, flags);
}

/* stdio reads of the debugfs files (glibc's fopen does not go through
 * the exported open). */
static FILE *maybe_fopen(const char *path, const char *mode, bool *ours)
{
	dev_t rdev;
	int fd;
	FILE *f;

	*ours = path && (device_path(path, &rdev) ||
			 !strncmp(path, DROPIN_DEBUGFS_DIR "/", sizeof(DROPIN_DEBUGFS_DIR)));
	if (!*ours)
		return NULL;
	fd = maybe_open(path, strchr(mode, '+') || mode[0] != 'r' ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, mode);
	if (!f)
		close(fd);
	return f;
}

EXPORT FILE *fopen(const char *path, const char *mode)
{
	bool ours;
	FILE *f = maybe_fopen(path, mode, &ours);

	return ours ? f : RESOLVE(fopen, "fopen")(path, mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
	bool ours;
	FILE *f = maybe_fopen(path, mode, &ours);

	return ours ? f : RESOLVE(fopen64, "fopen64")(path, mode);
}

/* ------------------------------------------------------------ fds */

EXPORT int close(int fd)
{
	table_drop(fd);
	return RESOLVE(close, "close")(fd);
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	size_t i;

	/* CLOSE_RANGE_CLOEXEC (4) only marks the fds. */
	if (!(flags & 4))
		for (i = first; i < table_len && i <= last; i++)
			table_drop((int)i);
	if (!RESOLVE(close_range, "close_range"))
		return fail(ENOSYS);
	return real.close_range(first, last, flags);
}

EXPORT int dup(int fd)
{
	int n = RESOLVE(dup, "dup")(fd);

	if (n >= 0)
		table_copy(fd, n);
	return n;
}

EXPORT int dup2(int oldfd, int newfd)
{
	int n;

	if (oldfd != newfd && fcntl(oldfd, F_GETFD) >= 0)
		table_drop(newfd);
	n = RESOLVE(dup2, "dup2")(oldfd, newfd);
	if (n >= 0)
		table_copy(oldfd, n);
	return n;
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int n;

	if (oldfd != newfd && fcntl(oldfd, F_GETFD) >= 0)
		table_drop(newfd);
	n = RESOLVE(dup3, "dup3")(oldfd, newfd, flags);
	if (n >= 0)
		table_copy(oldfd, n);
	return n;
}

static int do_fcntl(int (*fn)(int, int, ...), int fd, int cmd, void *arg)
{
	int n = fn(fd, cmd, arg);

	if (n >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		table_copy(fd, n);
	return n;
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(RESOLVE(fcntl, "fcntl"), fd, cmd, arg);
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!RESOLVE(fcntl64, "fcntl64"))
		return do_fcntl(RESOLVE(fcntl, "fcntl"), fd, cmd, arg);
	return do_fcntl(real.fcntl64, fd, cmd, arg);
}

/* ------------------------------------------------------------ ioctl, mmap */

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	struct session *s = session_get(fd);
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	/* Generic file ioctls (FIOCLEX, FIONBIO, ... type 'T'), which
	 * libraries apply to any fd (CPython's os.set_inheritable), act on
	 * the real fd as the kernel's VFS would before the driver sees them. */
	if (s && ((request >> 8) & 0xff) == 'T') {
		session_put(s);
		s = NULL;
	}
	/* Sync-file ioctls on the fences rnpu hands out (dropin_sync.c). */
	if (!s && dropin_sync_request(request)) {
		ret = dropin_sync_ioctl(fd, request, arg);
		if (ret != DROPIN_SYNC_NOT_OURS)
			return ret ? fail(-ret) : 0;
	}
	if (!s)
		return RESOLVE(ioctl, "ioctl")(fd, request, arg);
	ret = s->stale ? -EBADF : rnpu_ioctl(s->dev, request, arg);
	session_put(s);
	return ret ? fail(-ret) : 0;
}

static void *device_mmap(struct session *s, void *addr, size_t len, int prot, int flags,
			 uint64_t offset)
{
	void *a;
	int mfd, ret;

	ret = s->stale ? -EBADF : rnpu_mmap_fd(s->dev, offset, len, &mfd);
	session_put(s);
	if (ret) {
		errno = -ret;
		return MAP_FAILED;
	}
	a = RESOLVE(mmap, "mmap")(addr, len, prot, flags, mfd, 0);
	ret = errno;
	RESOLVE(close, "close")(mfd);
	errno = ret;
	return a;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct session *s = (flags & MAP_ANONYMOUS) ? NULL : session_get(fd);

	if (s)
		return device_mmap(s, addr, len, prot, flags, (uint64_t)off);
	return RESOLVE(mmap, "mmap")(addr, len, prot, flags, fd, off);
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	struct session *s = (flags & MAP_ANONYMOUS) ? NULL : session_get(fd);

	if (s)
		return device_mmap(s, addr, len, prot, flags, (uint64_t)off);
	return RESOLVE(mmap64, "mmap64")(addr, len, prot, flags, fd, off);
}

/* ------------------------------------------------------------ stat */

/* A character device, as the real node: Python's mmap checks the size of
 * regular files only. */
#define FILL_STAT(st, rdev_)                                  \
	do {                                                  \
		memset((st), 0, sizeof(*(st)));               \
		(st)->st_mode = S_IFCHR | 0666;               \
		(st)->st_rdev = (rdev_);                      \
		(st)->st_nlink = 1;                           \
		(st)->st_blksize = 4096;                      \
		(st)->st_dev = makedev(0, 5);                 \
	} while (0)

static bool fd_rdev(int fd, dev_t *rdev)
{
	struct session *s = session_get(fd);

	if (!s)
		return false;
	*rdev = s->rdev;
	session_put(s);
	return true;
}

/*
 * One interposer per libc entry point of the stat family (each is its own
 * exported symbol): our nodes are answered here, every other path or fd
 * goes to libc.
 */
#define STAT_INTERPOSER(fn, field, params, found, args) \
	EXPORT int fn params                             \
	{                                                \
		dev_t rdev;                              \
                                                         \
		if (found) {                             \
			FILL_STAT(st, rdev);             \
			return 0;                        \
		}                                        \
		return RESOLVE(field, #fn) args;         \
	}

/* fstatat: an empty path with AT_EMPTY_PATH is fstat of dirfd. */
static bool at_rdev(int dirfd, const char *path, int flags, dev_t *rdev)
{
	if (path && !path[0] && (flags & AT_EMPTY_PATH))
		return fd_rdev(dirfd, rdev);
	return device_path(path, rdev);
}

STAT_INTERPOSER(fstat, fstat, (int fd, struct stat *st), fd_rdev(fd, &rdev), (fd, st))
STAT_INTERPOSER(fstat64, fstat64, (int fd, struct stat64 *st), fd_rdev(fd, &rdev), (fd, st))
STAT_INTERPOSER(__fxstat, fxstat, (int ver, int fd, struct stat *st), fd_rdev(fd, &rdev),
		(ver, fd, st))
STAT_INTERPOSER(__fxstat64, fxstat64, (int ver, int fd, struct stat64 *st), fd_rdev(fd, &rdev),
		(ver, fd, st))
STAT_INTERPOSER(stat, stat, (const char *path, struct stat *st), device_path(path, &rdev),
		(path, st))
STAT_INTERPOSER(stat64, stat64, (const char *path, struct stat64 *st),
		device_path(path, &rdev), (path, st))
STAT_INTERPOSER(lstat, lstat, (const char *path, struct stat *st), device_path(path, &rdev),
		(path, st))
STAT_INTERPOSER(lstat64, lstat64, (const char *path, struct stat64 *st),
		device_path(path, &rdev), (path, st))
STAT_INTERPOSER(__xstat, xstat, (int ver, const char *path, struct stat *st),
		device_path(path, &rdev), (ver, path, st))
STAT_INTERPOSER(__xstat64, xstat64, (int ver, const char *path, struct stat64 *st),
		device_path(path, &rdev), (ver, path, st))
STAT_INTERPOSER(__lxstat, lxstat, (int ver, const char *path, struct stat *st),
		device_path(path, &rdev), (ver, path, st))
STAT_INTERPOSER(__lxstat64, lxstat64, (int ver, const char *path, struct stat64 *st),
		device_path(path, &rdev), (ver, path, st))
STAT_INTERPOSER(fstatat, fstatat, (int dirfd, const char *path, struct stat *st, int flags),
		at_rdev(dirfd, path, flags, &rdev), (dirfd, path, st, flags))
STAT_INTERPOSER(fstatat64, fstatat64,
		(int dirfd, const char *path, struct stat64 *st, int flags),
		at_rdev(dirfd, path, flags, &rdev), (dirfd, path, st, flags))

EXPORT int access(const char *path, int mode)
{
	dev_t rdev;

	if (device_path(path, &rdev))
		return (mode & X_OK) ? fail(EACCES) : 0;
	return RESOLVE(access, "access")(path, mode);
}

/* For tests: whether @fd is one of ours (found with dlsym). */
EXPORT int rnpu_preload_is_device(int fd);
int rnpu_preload_is_device(int fd)
{
	return is_device(fd);
}
