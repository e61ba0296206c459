// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * Exports what a board shows under debugfs and sysfs as plain files, so
 * the same tools read the software NPU:
 *
 *   <dir>/debug/rknpu/{version,load,power,freq,volt,delayms,reset,mm}
 *   <dir>/debug/rknpu/clients/<pid>-<client id>/fdinfo
 *   <dir>/devfreq/fdab0000.npu/{cur_freq,governor,...}
 *   <dir>/thermal/thermal_zone0/{type,temp}
 *
 * A thread re-renders the files every period. The contract of a writable
 * file: a write to it is never lost nor silently overwritten, and a reader
 * never sees half of a text the exporter wrote. So the exporter never
 * writes into a file someone else may write: every file, writable or not,
 * is replaced through a temporary file and rename(). A write reaches the
 * core this way: the thread remembers the inode, size and mtime of each
 * file it published, and stamps the mtime of a writable one with a fixed
 * time in the past (the export's start, as sysfs shows its files' creation
 * time); a write or truncation sets the mtime to the present, so it is
 * seen even when it keeps the size within one tick of the file system's
 * clock. A changed file's content is handed to the core's store function
 * (the vendor's write rules), after which the file shows the new state. A
 * writer that opened the file just before a replacement writes into the
 * replaced inode: the exporter keeps such an inode open, applies what
 * lands in it, and lets it go once nobody has it open for writing (a read
 * lease is granted only then; being unnamed, it cannot be opened again).
 * inotify wakes the thread at once when a file is closed after writing;
 * without inotify the next period finds the change.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host_internal.h"
#include "rknpu_device.h"

#define EXPORT_MAX_FILES 32
#define EXPORT_MAX_CLIENTS 256
#define EXPORT_TEXT_MAX 1024
#define EXPORT_MAX_RETIRED 8
/* Without leases (file system or kernel setting), a replaced inode is
 * watched for this many passes before it is let go. */
#define EXPORT_RETIRED_PASSES 20

/* A replaced inode of a writable file that a writer may still hold. */
struct retired_inode {
	int fd;                     /* read-only */
	off_t st_size;              /* as last seen */
	struct timespec st_mtim;
	unsigned int passes;
};

enum export_kind { EXPORT_DEBUGFS, EXPORT_DEVFREQ, EXPORT_THERMAL_TYPE, EXPORT_THERMAL_TEMP };

struct export_file {
	enum export_kind kind;
	const char *name;           /* the core's name for it */
	char path[512];
	bool writable;
	bool known;                 /* st_* below describe our last write */
	ino_t st_ino;
	off_t st_size;
	struct timespec st_mtim;
	char last[EXPORT_TEXT_MAX]; /* text last written */
	int fd;                     /* writable: the inode st_* describe, or -1 */
	struct retired_inode retired[EXPORT_MAX_RETIRED];
	unsigned int num_retired;
};

struct rnpu_host_export {
	struct rnpu_host *host;
	char dir[256];
	char clients_dir[512];
	struct export_file files[EXPORT_MAX_FILES];
	unsigned int num_files;
	unsigned int clients[EXPORT_MAX_CLIENTS]; /* ids with a directory now */
	unsigned int num_clients;
	int inotify_fd;             /* -1 without inotify */
	int wake_pipe[2];           /* stop request */
	pthread_t thread;
	pthread_mutex_t lock;       /* serialises syncs (thread vs explicit) */
	struct timespec stamp;      /* mtime of every published writable file */
};

static int mkdir_p(const char *path)
{
	char tmp[512];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		tmp[i] = path[i];
	}
	return 0;
}

/* Replaces @path atomically with @text. With @stamp (writable files) the
 * mtime is set to it, @st receives the new inode's state and *@keep_fd a
 * read-only descriptor of it, taken before anyone else can open it. */
static int write_file(const char *path, const char *text, mode_t mode,
		      const struct timespec *stamp, struct stat *st, int *keep_fd)
{
	char tmp[600];
	const char *slash = strrchr(path, '/');
	size_t len = strlen(text);
	int fd, rfd = -1;

	snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp", (int)(slash - path), path, slash + 1);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) || (len && write(fd, text, len) != (ssize_t)len))
		goto err;
	if (stamp) {
		struct timespec times[2] = { *stamp, *stamp };

		if (futimens(fd, times) || fstat(fd, st))
			goto err;
		rfd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (rfd < 0)
			goto err;
	}
	close(fd);
	if (rename(tmp, path)) {
		if (rfd >= 0)
			close(rfd);
		unlink(tmp);
		return -errno;
	}
	if (keep_fd)
		*keep_fd = rfd;
	return 0;

err:
	close(fd);
	unlink(tmp);
	return -EIO;
}

static void add_file(struct rnpu_host_export *ex, enum export_kind kind, const char *subdir,
		     const char *name, bool writable)
{
	struct export_file *f = &ex->files[ex->num_files++];

	f->kind = kind;
	f->name = name;
	f->writable = writable;
	f->fd = -1;
	snprintf(f->path, sizeof(f->path), "%s/%s/%s", ex->dir, subdir, name);
}

static int render(struct rnpu_host_export *ex, struct export_file *f, char *text, size_t len)
{
	struct rknpu_device *rdev = ex->host->rdev;
	int mc, ret;

	switch (f->kind) {
	case EXPORT_DEBUGFS:
		return rknpu_debugfs_show(rdev, f->name, text, len);
	case EXPORT_DEVFREQ:
		return rknpu_devfreq_show(rdev, f->name, text, len);
	case EXPORT_THERMAL_TYPE:
		return snprintf(text, len, "npu_thermal\n");
	case EXPORT_THERMAL_TEMP:
		ret = rnpu_osal_thermal_get_temp(&ex->host->dev, &mc);
		return ret ? ret : snprintf(text, len, "%d\n", mc);
	}
	return -EINVAL;
}

static bool same_mtime(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool changed_since_written(const struct export_file *f, const struct stat *st)
{
	return !f->known || st->st_ino != f->st_ino || st->st_size != f->st_size ||
	       !same_mtime(&st->st_mtim, &f->st_mtim);
}

static void remember(struct export_file *f, const struct stat *st)
{
	f->known = true;
	f->st_ino = st->st_ino;
	f->st_size = st->st_size;
	f->st_mtim = st->st_mtim;
}

/* Hands @len bytes someone wrote into @f to the core. An empty file is a
 * truncation whose data may still come (or none): like a zero-length
 * write to sysfs, it stores nothing. */
static void store_text(struct rnpu_host_export *ex, struct export_file *f, const char *buf,
		       size_t len)
{
	long ret;

	if (!len)
		return;
	if (f->kind == EXPORT_DEBUGFS)
		ret = rknpu_debugfs_store(ex->host->rdev, f->name, buf, len);
	else
		ret = rknpu_devfreq_store(ex->host->rdev, f->name, buf, len);
	if (ret < 0)
		rnpu_osal_log(RNPU_LOG_WARN, "rnpu export: write to %s: %s", f->path,
			      strerror((int)-ret));
}

/* The state is read before the content: a write landing in between is
 * seen again on the next pass (applied twice at worst, never lost). */
static bool read_inode(int fd, struct stat *st, char *buf, size_t size, size_t *len)
{
	ssize_t n;

	if (fstat(fd, st))
		return false;
	n = pread(fd, buf, size, 0);
	if (n < 0)
		return false;
	*len = (size_t)n;
	return true;
}

/* Keeps the inode @f described until now for writers that still hold it. */
static void retire(struct export_file *f)
{
	struct retired_inode *r;

	if (f->fd < 0)
		return;
	if (f->num_retired == EXPORT_MAX_RETIRED) {
		/* Writers that hold files open for long: the oldest goes. */
		rnpu_osal_log(RNPU_LOG_WARN,
			      "rnpu export: %s: %u replaced files still open for writing, "
			      "no longer watching the oldest", f->path, EXPORT_MAX_RETIRED);
		close(f->retired[0].fd);
		memmove(&f->retired[0], &f->retired[1],
			sizeof(f->retired[0]) * (EXPORT_MAX_RETIRED - 1));
		f->num_retired--;
	}
	r = &f->retired[f->num_retired++];
	r->fd = f->fd;
	r->st_size = f->st_size;
	r->st_mtim = f->st_mtim;
	r->passes = 0;
	f->fd = -1;
}

/* 1 if nobody has @fd's inode open for writing, 0 if someone has, -errno
 * if leases cannot tell. A read lease is granted only without writers; it
 * is dropped at once. Only for an inode without a name: nobody can open
 * it to break the lease (which would signal this process). */
static int no_writers(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_nlink)
		return -EEXIST; /* someone moved it elsewhere instead of us replacing it */
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		fcntl(fd, F_SETLEASE, F_UNLCK);
		return 1;
	}
	return errno == EAGAIN ? 0 : -errno;
}

/* Applies what writers put into replaced inodes; lets go of those that
 * nobody can write any more. */
static void sync_retired(struct rnpu_host_export *ex, struct export_file *f)
{
	unsigned int i = 0;

	while (i < f->num_retired) {
		struct retired_inode *r = &f->retired[i];
		/* Asked first: with no writer now, the content read below is final. */
		int idle = no_writers(r->fd);
		char buf[256];
		struct stat st;
		size_t len;

		if (read_inode(r->fd, &st, buf, sizeof(buf), &len) &&
		    (st.st_size != r->st_size || !same_mtime(&st.st_mtim, &r->st_mtim))) {
			r->st_size = st.st_size;
			r->st_mtim = st.st_mtim;
			store_text(ex, f, buf, len);
		}
		if (idle == 1 || (idle < 0 && ++r->passes >= EXPORT_RETIRED_PASSES)) {
			close(r->fd);
			*r = f->retired[--f->num_retired];
			continue;
		}
		i++;
	}
}

/* Someone wrote @f: hand its content to the core, and remember the file
 * as read, so only a further write counts as new. */
static void apply_write(struct rnpu_host_export *ex, struct export_file *f)
{
	struct stat st;
	char buf[256];
	size_t len;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!read_inode(fd, &st, buf, sizeof(buf), &len)) {
		close(fd);
		return;
	}
	/* Someone put another inode in place: ours may still be written. */
	if (f->fd >= 0 && st.st_ino != f->st_ino)
		retire(f);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	remember(f, &st);
	f->last[0] = '\0'; /* the next pass shows the state again */
	store_text(ex, f, buf, len);
}

static void sync_file(struct rnpu_host_export *ex, struct export_file *f)
{
	char text[EXPORT_TEXT_MAX];
	struct stat st;
	bool exists;
	int n, fd = -1;

	if (f->writable)
		sync_retired(ex, f);
	exists = stat(f->path, &st) == 0;
	if (f->writable && exists && f->known && changed_since_written(f, &st)) {
		/* Not replaced in this pass: a writer that follows at once
		 * (seeing the new state) finds its write applied on the next. */
		apply_write(ex, f);
		return;
	}
	n = render(ex, f, text, sizeof(text));
	if (n < 0)
		return;
	if (f->known && exists && !changed_since_written(f, &st) && !strcmp(text, f->last))
		return;
	if (!f->writable) {
		if (write_file(f->path, text, 0444, NULL, NULL, NULL))
			return;
		snprintf(f->last, sizeof(f->last), "%s", text);
		if (stat(f->path, &st) == 0)
			remember(f, &st);
		return;
	}
	/* A write that lands in the old inode from here on is found there. */
	if (write_file(f->path, text, 0644, &ex->stamp, &st, &fd))
		return;
	retire(f);
	f->fd = fd;
	remember(f, &st);
	snprintf(f->last, sizeof(f->last), "%s", text);
}

struct client_pass {
	struct rnpu_host_export *ex;
	unsigned int seen[EXPORT_MAX_CLIENTS];
	unsigned int num_seen;
};

static void client_path(struct rnpu_host_export *ex, unsigned int id, char *buf, size_t len,
			bool file)
{
	snprintf(buf, len, "%s/%d-%u%s", ex->clients_dir, (int)getpid(), id,
		 file ? "/fdinfo" : "");
}

static void export_client(void *ctx, unsigned int id, const char *text)
{
	struct client_pass *pass = ctx;
	char path[600];

	if (pass->num_seen == EXPORT_MAX_CLIENTS)
		return;
	pass->seen[pass->num_seen++] = id;
	client_path(pass->ex, id, path, sizeof(path), false);
	mkdir(path, 0755);
	client_path(pass->ex, id, path, sizeof(path), true);
	write_file(path, text, 0444, NULL, NULL, NULL);
}

static void sync_clients(struct rnpu_host_export *ex)
{
	struct client_pass pass = { .ex = ex };
	char path[600];
	unsigned int i, j;

	rknpu_fdinfo_foreach(ex->host->rdev, export_client, &pass);
	/* Sessions closed since the last pass lose their directory. */
	for (i = 0; i < ex->num_clients; i++) {
		for (j = 0; j < pass.num_seen; j++)
			if (pass.seen[j] == ex->clients[i])
				break;
		if (j < pass.num_seen)
			continue;
		client_path(ex, ex->clients[i], path, sizeof(path), true);
		unlink(path);
		client_path(ex, ex->clients[i], path, sizeof(path), false);
		rmdir(path);
	}
	memcpy(ex->clients, pass.seen, sizeof(pass.seen[0]) * pass.num_seen);
	ex->num_clients = pass.num_seen;
}

int rnpu_host_export_sync(struct rnpu_host *host)
{
	struct rnpu_host_export *ex = host->export;
	unsigned int i;

	if (!ex)
		return -ENODEV;
	pthread_mutex_lock(&ex->lock);
	for (i = 0; i < ex->num_files; i++)
		sync_file(ex, &ex->files[i]);
	sync_clients(ex);
	pthread_mutex_unlock(&ex->lock);
	return 0;
}

const char *rnpu_host_export_dir(struct rnpu_host *host)
{
	return host->export ? host->export->dir : NULL;
}

static void *export_thread(void *arg)
{
	struct rnpu_host_export *ex = arg;
	struct pollfd pfd[2] = { { .fd = ex->wake_pipe[0], .events = POLLIN },
				 { .fd = ex->inotify_fd, .events = POLLIN } };
	char events[4096];

	for (;;) {
		int n = poll(pfd, ex->inotify_fd >= 0 ? 2 : 1, (int)ex->host->cfg.export_period_ms);

		if (n > 0 && (pfd[0].revents & POLLIN))
			break;
		if (n > 0 && (pfd[1].revents & POLLIN))
			while (read(ex->inotify_fd, events, sizeof(events)) > 0)
				;
		rnpu_host_export_sync(ex->host);
	}
	return NULL;
}

static void close_inodes(struct rnpu_host_export *ex)
{
	unsigned int i;

	for (i = 0; i < ex->num_files; i++) {
		struct export_file *f = &ex->files[i];

		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		while (f->num_retired)
			close(f->retired[--f->num_retired].fd);
	}
}

int rnpu_host_export_start(struct rnpu_host *host)
{
	struct rnpu_host_export *ex;
	char sub[600];
	unsigned int i;
	int ret;

	if (!host->cfg.export_dir[0])
		return 0;
	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	ex->host = host;
	ex->inotify_fd = -1;
	/* Whole seconds before now: no later write can carry this mtime. */
	clock_gettime(CLOCK_REALTIME, &ex->stamp);
	ex->stamp.tv_sec--;
	ex->stamp.tv_nsec = 0;
	snprintf(ex->dir, sizeof(ex->dir), "%s", host->cfg.export_dir);
	snprintf(ex->clients_dir, sizeof(ex->clients_dir), "%s/debug/rknpu/clients", ex->dir);
	for (i = 0; i < rknpu_debugfs_count; i++)
		add_file(ex, EXPORT_DEBUGFS, "debug/rknpu", rknpu_debugfs_names[i],
			 rknpu_debugfs_writable(rknpu_debugfs_names[i]));
	for (i = 0; i < rknpu_devfreq_attr_count; i++)
		add_file(ex, EXPORT_DEVFREQ, "devfreq/fdab0000.npu", rknpu_devfreq_attr_names[i],
			 !strcmp(rknpu_devfreq_attr_names[i], "governor"));
	add_file(ex, EXPORT_THERMAL_TYPE, "thermal/thermal_zone0", "type", false);
	add_file(ex, EXPORT_THERMAL_TEMP, "thermal/thermal_zone0", "temp", false);

	ret = mkdir_p(ex->clients_dir);
	snprintf(sub, sizeof(sub), "%s/devfreq/fdab0000.npu", ex->dir);
	if (!ret)
		ret = mkdir_p(sub);
	snprintf(sub, sizeof(sub), "%s/thermal/thermal_zone0", ex->dir);
	if (!ret)
		ret = mkdir_p(sub);
	if (ret) {
		rnpu_osal_log(RNPU_LOG_ERR, "rnpu export: cannot create %s: %s", ex->dir,
			      strerror(-ret));
		free(ex);
		return ret;
	}
	ex->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ex->inotify_fd >= 0) {
		snprintf(sub, sizeof(sub), "%s/debug/rknpu", ex->dir);
		inotify_add_watch(ex->inotify_fd, sub, IN_CLOSE_WRITE);
		snprintf(sub, sizeof(sub), "%s/devfreq/fdab0000.npu", ex->dir);
		inotify_add_watch(ex->inotify_fd, sub, IN_CLOSE_WRITE);
	}
	if (pipe2(ex->wake_pipe, O_CLOEXEC)) {
		ret = -errno;
		goto err_inotify;
	}
	pthread_mutex_init(&ex->lock, NULL);
	host->export = ex;
	rnpu_host_export_sync(host);
	if (pthread_create(&ex->thread, NULL, export_thread, ex)) {
		ret = -EAGAIN;
		host->export = NULL;
		pthread_mutex_destroy(&ex->lock);
		close(ex->wake_pipe[0]);
		close(ex->wake_pipe[1]);
		goto err_inotify;
	}
	return 0;

err_inotify:
	close_inodes(ex);
	if (ex->inotify_fd >= 0)
		close(ex->inotify_fd);
	free(ex);
	return ret;
}

void rnpu_host_export_stop(struct rnpu_host *host)
{
	struct rnpu_host_export *ex = host->export;
	char path[600];
	unsigned int i;

	if (!ex)
		return;
	if (write(ex->wake_pipe[1], "x", 1) != 1)
		rnpu_osal_log(RNPU_LOG_WARN, "rnpu export: cannot wake the export thread");
	pthread_join(ex->thread, NULL);
	/* The device goes away: so do its files, as on driver unload. */
	for (i = 0; i < ex->num_files; i++)
		unlink(ex->files[i].path);
	close_inodes(ex);
	for (i = 0; i < ex->num_clients; i++) {
		client_path(ex, ex->clients[i], path, sizeof(path), true);
		unlink(path);
		client_path(ex, ex->clients[i], path, sizeof(path), false);
		rmdir(path);
	}
	host->export = NULL;
	if (ex->inotify_fd >= 0)
		close(ex->inotify_fd);
	close(ex->wake_pipe[0]);
	close(ex->wake_pipe[1]);
	pthread_mutex_destroy(&ex->lock);
	free(ex);
}
