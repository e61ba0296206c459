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
 * A thread re-renders the files every period. Writes reach the core this
 * way: the thread remembers the size, mtime and inode of each file it
 * wrote; a file that changed since was written by someone else, and its
 * content is handed to the core's store function (the vendor's write
 * rules), after which the file shows the new state. inotify wakes the
 * thread at once when a file is closed after writing; without inotify the
 * next period finds the change. Read-only files are replaced through a
 * temporary file and rename(), so a reader never sees half a file;
 * writable ones are rewritten in place, so a writer that opened the file
 * meanwhile writes into the file that is watched.
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
#include <unistd.h>

#include "host_internal.h"
#include "rknpu_device.h"

#define EXPORT_MAX_FILES 32
#define EXPORT_MAX_CLIENTS 256
#define EXPORT_TEXT_MAX 1024

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

/* Rewrites a writable file in place: a write by someone else then
 * either lands before ours (and was applied just before) or after (and
 * changes the file again, so the next pass applies it). */
static int rewrite_in_place(const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) || (len && write(fd, text, len) != (ssize_t)len)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* Replaces @path atomically with @text. */
static int write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[600];
	const char *slash = strrchr(path, '/');
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp", (int)(slash - path), path, slash + 1);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) || (len && write(fd, text, len) != (ssize_t)len)) {
		close(fd);
		unlink(tmp);
		return -EIO;
	}
	close(fd);
	if (rename(tmp, path)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

static void add_file(struct rnpu_host_export *ex, enum export_kind kind, const char *subdir,
		     const char *name, bool writable)
{
	struct export_file *f = &ex->files[ex->num_files++];

	f->kind = kind;
	f->name = name;
	f->writable = writable;
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

static bool changed_since_written(const struct export_file *f, const struct stat *st)
{
	return !f->known || st->st_ino != f->st_ino || st->st_size != f->st_size ||
	       st->st_mtim.tv_sec != f->st_mtim.tv_sec || st->st_mtim.tv_nsec != f->st_mtim.tv_nsec;
}

static void remember(struct export_file *f, const struct stat *st)
{
	f->known = true;
	f->st_ino = st->st_ino;
	f->st_size = st->st_size;
	f->st_mtim = st->st_mtim;
}

/* Someone wrote @f: hand its content to the core, and remember the file
 * as read, so only a further write counts as new. */
static void apply_write(struct rnpu_host_export *ex, struct export_file *f)
{
	struct stat st;
	char buf[256];
	ssize_t n;
	long ret;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st)) {
		close(fd);
		return;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return;
	remember(f, &st);
	f->last[0] = '\0'; /* the next pass shows the state again */
	if (f->kind == EXPORT_DEBUGFS)
		ret = rknpu_debugfs_store(ex->host->rdev, f->name, buf, (size_t)n);
	else
		ret = rknpu_devfreq_store(ex->host->rdev, f->name, buf, (size_t)n);
	if (ret < 0)
		rnpu_osal_log(RNPU_LOG_WARN, "rnpu export: write to %s: %s", f->path,
			      strerror((int)-ret));
}

static void sync_file(struct rnpu_host_export *ex, struct export_file *f)
{
	char text[EXPORT_TEXT_MAX];
	struct stat st;
	bool exists = stat(f->path, &st) == 0;
	int n;

	if (f->writable && exists && f->known && changed_since_written(f, &st)) {
		/* Not rewritten in this pass: a writer that follows at once
		 * (seeing the new state) must not lose its write to ours. */
		apply_write(ex, f);
		return;
	}
	n = render(ex, f, text, sizeof(text));
	if (n < 0)
		return;
	if (f->known && exists && !changed_since_written(f, &st) && !strcmp(text, f->last))
		return;
	if (f->writable ? rewrite_in_place(f->path, text, 0644) : write_file(f->path, text, 0444))
		return;
	snprintf(f->last, sizeof(f->last), "%s", text);
	if (stat(f->path, &st) == 0)
		remember(f, &st);
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
	write_file(path, text, 0444);
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
