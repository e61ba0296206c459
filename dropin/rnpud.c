// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * rnpud: hosts the driver core and the software NPU for many client
 * processes. Each connection on its Unix socket is one session (one open
 * of the device node); requests follow lib/rnpud_proto.h. Buffer memory
 * is never copied: clients map the memfds they receive.
 *
 * Threads: the main thread runs an epoll loop over the listening socket
 * and a signalfd; each client has a thread that receives its requests
 * (each receive bounded by a timeout, after which it checks for stop) and
 * makes the blocking driver calls itself, so a long blocking submit of one
 * client never holds up another and a request never changes threads: the
 * reply goes out from the thread that received the request. After a reply
 * the client thread polls for the next request for a bounded time
 * (--spin-us) before it blocks, so that a client's burst of small
 * requests does not pay a halted vCPU's wake-up per request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "drm/rknpu_ioctl.h"
#include "rknpu_device.h"
#include "rnpu_host.h"
#include "rnpud_proto.h"

#define RNPUD_POLL_MS 1000
#define RNPUD_MAX_FDS_PER_MSG 8   /* room to see (and close) a flood */
#define RNPUD_SD_LISTEN_FDS_START 3

static const char usage[] =
"Usage: rnpud [OPTION]...\n"
"Serve the RKNPU driver core and the software NPU to client processes.\n"
"\n"
"Clients connect with librnpu's \"unix:PATH\" device or with\n"
"rnpu-run --daemon[=PATH]. Each connection is a session with its own\n"
"buffer handles and limits; buffers are shared memory (memfds) mapped by\n"
"the client, fences are fds passed back. A client that dies loses its\n"
"session: its jobs finish, its memory is reclaimed.\n"
"\n"
"Options:\n"
"  -s, --socket=PATH       listen on PATH (default: $RNPUD_SOCKET, else\n"
"                          /run/rnpu/rnpud.sock as root, else\n"
"                          $XDG_RUNTIME_DIR/rnpud.sock or /tmp/rnpud-UID.sock)\n"
"  -g, --group=NAME        group owning the socket (default: render if it\n"
"                          exists); members may use the NPU\n"
"  -m, --mode=OCTAL        socket permissions (default 0660)\n"
"  -c, --max-clients=N     connections served at once (default 64); more\n"
"                          are refused\n"
"      --session-max-bos=N     buffer objects per session (0 = no limit)\n"
"      --session-max-bytes=N   bytes of buffer objects per session\n"
"      --spin-us=N         after a reply, poll for the client's next request\n"
"                          for up to N microseconds (yielding the CPU between\n"
"                          tries) before blocking; 0 blocks at once (default\n"
"                          50). Saves a halted CPU's wake-up per request of a\n"
"                          burst, at the cost of up to N us of CPU per burst\n"
"  -v, --verbose           log connections and protocol errors\n"
"  -h, --help              show this help and exit\n"
"\n"
"Socket activation: with LISTEN_FDS/LISTEN_PID set by systemd (see\n"
"dropin/systemd/rnpud.socket) the inherited socket is used and left in\n"
"place at exit.\n"
"\n"
"Environment: RNPU_DEBUG, RNPU_SIM_TRACE, RNPU_SESSION_MAX_BOS and\n"
"RNPU_SESSION_MAX_BYTES as for the in-process host (options win).\n"
"\n"
"SIGTERM or SIGINT: stop accepting, end every session (jobs in flight\n"
"finish within their timeouts), remove the socket, exit 0.\n"
"Protocol: docs/rnpud-protocol.md.\n";

struct client {
	struct client *next;          /* in daemon.clients, under clients_lock */
	struct daemon *d;
	int sock;                     /* -1 once closed, under clients_lock */
	pid_t pid;                    /* peer, for log lines */
	unsigned int id;
	struct rknpu_file *file;
	pthread_t thread;
	bool done;                    /* thread finished, under clients_lock */
	unsigned int rejections;      /* refused messages (client thread only) */
	uint8_t buf[RNPUD_MAX_MSG + 1] __attribute__((aligned(8)));
};

struct daemon {
	struct rnpu_host *host;
	int listen_fd;
	atomic_bool stopping;         /* set once by the main thread on SIGTERM */
	bool verbose;
	unsigned int max_clients;
	unsigned int spin_us;         /* --spin-us, set before the first client */
	/* Protects clients, nclients, next_id and every client's done. */
	pthread_mutex_t clients_lock;
	struct client *clients;
	unsigned int nclients;
	unsigned int next_id;
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rnpud: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ------------------------------------------------------------ messages */

/* Every refused message is logged with what was wrong, up to a limit per
 * client so that a hostile one cannot flood the log. */
#define RNPUD_LOG_REJECTIONS 20

static void log_rejection(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_rejection(struct client *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (c->rejections++ > RNPUD_LOG_REJECTIONS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->rejections > RNPUD_LOG_REJECTIONS)
		logf_("client %u (pid %d): refused %s; further refusals not logged", c->id,
		      (int)c->pid, msg);
	else
		logf_("client %u (pid %d): refused %s", c->id, (int)c->pid, msg);
}

static int send_reply(struct client *c, uint32_t seq, int32_t ret, const void *arg,
		      uint32_t arg_size, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct rnpud_hdr h = { .magic = RNPUD_MAGIC, .version = RNPUD_VERSION,
			       .type = RNPUD_REPLY, .seq = seq };
	struct rnpud_reply r = { .ret = ret, .arg_size = arg_size };
	struct iovec iov[3] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = &r, .iov_len = sizeof(r) },
		{ .iov_base = (void *)arg, .iov_len = arg_size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 3 };
	ssize_t n;

	h.len = (uint32_t)(sizeof(h) + sizeof(r) + arg_size);
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do {
		n = sendmsg(c->sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static int32_t get_i32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_i32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Runs one ioctl for the client. The argument lives in daemon memory; the
 * only user pointers the core follows (VERSION, GET_UNIQUE strings) are
 * pointed at daemon buffers here and restored before the reply. */
static int handle_ioctl(struct client *c, const struct rnpud_msg *m, int fd_in)
{
	enum rnpud_kind kind = rnpud_ioctl_kind(m->cmd);
	uint32_t extra = kind == RNPUD_KIND_VERSION ? 3 * RNPUD_STR_MAX
		       : kind == RNPUD_KIND_UNIQUE ? RNPUD_STR_MAX : 0;
	/* Zero padding behind the argument: the core never reads past
	 * arg_size, but a patched field must exist even in a short struct. */
	size_t room = m->arg_size > RNPUD_VERSION_SIZE ? m->arg_size : RNPUD_VERSION_SIZE;
	uint64_t saved_ptr[3] = { 0 };
	int32_t saved_fd = -1;
	uint8_t *buf, *strings;
	unsigned int i, nstr = kind == RNPUD_KIND_VERSION ? 3 : 1;
	int fd_out = -1, ret;
	bool fence_in = false, fence_out = false;

	buf = calloc(1, room + extra);
	if (!buf)
		return send_reply(c, m->seq, -ENOMEM, NULL, 0, -1);
	memcpy(buf, m->arg, m->arg_size);
	strings = buf + room;
	if (kind == RNPUD_KIND_VERSION || kind == RNPUD_KIND_UNIQUE) {
		for (i = 0; i < nstr; i++) {
			size_t len_off = kind == RNPUD_KIND_VERSION ? 16 + 16 * i : 0;
			uint64_t len;

			if (len_off + 16 > m->arg_size)
				continue;
			saved_ptr[i] = get_u64(buf + len_off + 8);
			/* Pointers in the first page fault in the core as
			 * they would in the client. */
			if (saved_ptr[i] < 4096)
				continue;
			len = get_u64(buf + len_off);
			if (len > RNPUD_STR_MAX)
				put_u64(buf + len_off, RNPUD_STR_MAX);
			put_u64(buf + len_off + 8, (uint64_t)(uintptr_t)(strings + i * RNPUD_STR_MAX));
		}
	} else if (kind == RNPUD_KIND_FD_IN && m->arg_size >= RNPUD_PRIME_SIZE) {
		saved_fd = get_i32(buf + RNPUD_PRIME_FD_OFF);
		put_i32(buf + RNPUD_PRIME_FD_OFF, fd_in);
	} else if (kind == RNPUD_KIND_SUBMIT && m->arg_size >= RNPUD_SUBMIT_FENCE_OFF + 4) {
		uint32_t flags = (uint32_t)get_i32(buf + RNPUD_SUBMIT_FLAGS_OFF);

		saved_fd = get_i32(buf + RNPUD_SUBMIT_FENCE_OFF);
		fence_in = flags & RKNPU_JOB_FENCE_IN;
		fence_out = flags & RKNPU_JOB_FENCE_OUT;
		if (fence_in)
			put_i32(buf + RNPUD_SUBMIT_FENCE_OFF, fd_in);
	}

	ret = (int)rknpu_ioctl(c->file, m->cmd, buf);

	if (kind == RNPUD_KIND_VERSION || kind == RNPUD_KIND_UNIQUE) {
		for (i = 0; i < nstr; i++) {
			size_t len_off = kind == RNPUD_KIND_VERSION ? 16 + 16 * i : 0;

			if (len_off + 16 <= m->arg_size)
				put_u64(buf + len_off + 8, saved_ptr[i]);
		}
	} else if (kind == RNPUD_KIND_FD_IN && m->arg_size >= RNPUD_PRIME_SIZE) {
		put_i32(buf + RNPUD_PRIME_FD_OFF, saved_fd);
	} else if (kind == RNPUD_KIND_FD_OUT && m->arg_size >= RNPUD_PRIME_SIZE && ret == 0) {
		fd_out = get_i32(buf + RNPUD_PRIME_FD_OFF);
		put_i32(buf + RNPUD_PRIME_FD_OFF, -1);
	} else if (kind == RNPUD_KIND_SUBMIT && m->arg_size >= RNPUD_SUBMIT_FENCE_OFF + 4) {
		if (ret == 0 && fence_out) {
			fd_out = get_i32(buf + RNPUD_SUBMIT_FENCE_OFF);
			put_i32(buf + RNPUD_SUBMIT_FENCE_OFF, -1);
		} else {
			put_i32(buf + RNPUD_SUBMIT_FENCE_OFF, saved_fd);
		}
	}
	/* The struct travels back (DRM copies it back even on failure),
	 * then the strings right behind it. */
	if (extra)
		memmove(buf + m->arg_size, strings, extra);
	ret = send_reply(c, m->seq, ret, buf, m->arg_size + extra, fd_out);
	if (fd_out >= 0)
		close(fd_out);
	free(buf);
	return ret;
}

static int handle_message(struct client *c, size_t len, int fd_in, unsigned int nfds)
{
	struct rnpud_msg m;
	int ret = rnpud_decode(c->buf, len, nfds, &m);

	if (ret) {
		log_rejection(c, "%s (%s)", m.why, strerror(-ret));
		/* Echo whatever sequence number is there, if any. */
		return send_reply(c, len >= sizeof(struct rnpud_hdr) ? m.seq : 0, ret, NULL, 0, -1)
		       ? -EPIPE : (ret == -EPROTO ? -EPROTO : 0);
	}
	switch (m.type) {
	case RNPUD_HELLO: {
		uint32_t v = RNPUD_VERSION;

		if (m.hello_version != RNPUD_VERSION) {
			logf_("client %u (pid %d): protocol version %u, daemon speaks %u",
			      c->id, (int)c->pid, m.hello_version, RNPUD_VERSION);
			send_reply(c, m.seq, -EPROTONOSUPPORT, &v, sizeof(v), -1);
			return -EPROTO;
		}
		return send_reply(c, m.seq, 0, &v, sizeof(v), -1);
	}
	case RNPUD_STATS: {
		struct rnpud_stats st;

		rnpu_host_memory_stats(c->d->host, &st.buffers, &st.pages);
		pthread_mutex_lock(&c->d->clients_lock);
		st.sessions = c->d->nclients;
		pthread_mutex_unlock(&c->d->clients_lock);
		return send_reply(c, m.seq, 0, &st, sizeof(st), -1);
	}
	case RNPUD_DEBUGFS: {
		char text[RNPUD_DEBUGFS_TEXT];

		ret = rknpu_debugfs_show(rnpu_host_device(c->d->host), m.debugfs_name, text,
					 sizeof(text));
		return send_reply(c, m.seq, ret < 0 ? ret : 0, text, ret < 0 ? 0 : (uint32_t)ret,
				  -1);
	}
	case RNPUD_MMAP: {
		int fd = -1;

		if (m.length == 0 || m.length > SIZE_MAX)
			ret = -EINVAL;
		else
			ret = rnpu_host_mmap_fd(c->d->host, c->file, m.offset, (size_t)m.length, &fd);
		ret = send_reply(c, m.seq, ret, NULL, 0, fd);
		if (fd >= 0)
			close(fd);
		return ret;
	}
	default: /* RNPUD_IOCTL, the decoder admits nothing else */
		return handle_ioctl(c, &m, fd_in);
	}
}

/* Receives one message: its length, and the single fd it may carry in
 * *fd_in; any further fds (a flood) are closed and counted in *nfds. */
static ssize_t recv_message(struct client *c, int *fd_in, unsigned int *nfds, bool *bad,
			    int flags)
{
	union {
		char buf[CMSG_SPACE(RNPUD_MAX_FDS_PER_MSG * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = c->buf, .iov_len = sizeof(c->buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	*fd_in = -1;
	*nfds = 0;
	*bad = false;
	/* Blocking, bounded by the socket's receive timeout (SO_RCVTIMEO): one
	 * system call per request instead of a poll and a receive. */
	n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC | flags);
	if (n <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t i, k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
			*bad = true;
			continue;
		}
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			(*nfds)++;
			if (*fd_in < 0)
				*fd_in = f;
			else
				close(f);
		}
	}
	/* Truncated fd list or body: the message is not what was sent. */
	if (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC))
		*bad = true;
	return n;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Receives the next request, polling for it until @spin_until_ns (0: no
 * polling) before the blocking receive. A client sends its next request
 * microseconds after a reply; blocking at once would let this thread's
 * vCPU halt between the two, and on a VM waking a halted vCPU costs more
 * than the request. The poll goes on only while this thread has its CPU
 * to itself (rnpud_poll_yield): sharing it, with the client or anyone
 * else, it blocks as before. */
static ssize_t recv_request(struct client *c, int *fd_in, unsigned int *nfds, bool *bad,
			    uint64_t spin_until_ns)
{
	bool alone = true;

	while (spin_until_ns) {
		ssize_t n = recv_message(c, fd_in, nfds, bad, MSG_DONTWAIT);

		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return n;
		if (!alone || monotonic_ns() >= spin_until_ns)
			break;
		alone = rnpud_poll_yield();
	}
	return recv_message(c, fd_in, nfds, bad, 0);
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct daemon *d = c->d;
	uint64_t spin_until_ns = 0;

	for (;;) {
		unsigned int nfds;
		int fd_in, r;
		bool bad;
		ssize_t n;

		if (atomic_load(&d->stopping))
			break;
		n = recv_request(c, &fd_in, &nfds, &bad, spin_until_ns);
		spin_until_ns = 0;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			continue; /* the receive timeout: look at stopping again */
		if (n <= 0)
			break; /* the client closed or died */
		if (bad || (size_t)n > RNPUD_MAX_MSG) {
			log_rejection(c, "message of %zd bytes with %u fds: %s", n, nfds,
				      (size_t)n > RNPUD_MAX_MSG ? "longer than the largest message"
				      : "truncated body or control data, or foreign control data");
			r = send_reply(c, 0, (size_t)n > RNPUD_MAX_MSG ? -EMSGSIZE : -EBADMSG,
				       NULL, 0, -1);
		} else {
			r = handle_message(c, (size_t)n, fd_in, nfds);
		}
		if (fd_in >= 0)
			close(fd_in);
		if (r == -EPROTO || r == -EPIPE || r == -ECONNRESET)
			break;
		if (d->spin_us)
			spin_until_ns = monotonic_ns() + d->spin_us * 1000ull;
	}
	/* The session ends: jobs in flight finish (each bounded by its
	 * watchdog), then every handle goes and its memory with it. */
	rknpu_file_close(c->file);
	c->file = NULL;
	if (d->verbose)
		logf_("client %u (pid %d): session closed", c->id, (int)c->pid);
	/* The connection goes before the session stops being counted, so a
	 * session reported gone holds nothing of the daemon's any more;
	 * under the lock, as the stop path shuts sockets down under it. */
	pthread_mutex_lock(&d->clients_lock);
	close(c->sock);
	c->sock = -1;
	c->done = true;
	d->nclients--;
	pthread_mutex_unlock(&d->clients_lock);
	return NULL;
}

/* ------------------------------------------------------------ main loop */

static void accept_client(struct daemon *d)
{
	static const struct timeval poll_period = { .tv_sec = RNPUD_POLL_MS / 1000,
						    .tv_usec = RNPUD_POLL_MS % 1000 * 1000 };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct client *c;
	int fd, ret;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	pthread_mutex_lock(&d->clients_lock);
	if (d->nclients >= d->max_clients) {
		pthread_mutex_unlock(&d->clients_lock);
		logf_("refusing a client: %u sessions already (--max-clients)", d->max_clients);
		close(fd);
		return;
	}
	d->nclients++;
	pthread_mutex_unlock(&d->clients_lock);
	c = calloc(1, sizeof(*c));
	if (!c)
		goto err;
	c->d = d;
	c->sock = fd;
	/* The bound on every wait of the client thread for a request. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &poll_period, sizeof(poll_period)) < 0) {
		logf_("cannot set a receive timeout: %s", strerror(errno));
		goto err_free;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		c->pid = cred.pid;
	ret = rknpu_file_open(rnpu_host_device(d->host), &c->file);
	if (ret) {
		logf_("cannot open a session: %s", strerror(-ret));
		goto err_free;
	}
	pthread_mutex_lock(&d->clients_lock);
	c->id = ++d->next_id;
	pthread_mutex_unlock(&d->clients_lock);
	if (pthread_create(&c->thread, NULL, client_main, c)) {
		rknpu_file_close(c->file);
		goto err_free;
	}
	if (d->verbose)
		logf_("client %u (pid %d): connected", c->id, (int)c->pid);
	pthread_mutex_lock(&d->clients_lock);
	c->next = d->clients;
	d->clients = c;
	pthread_mutex_unlock(&d->clients_lock);
	return;

err_free:
	free(c);
err:
	close(fd);
	pthread_mutex_lock(&d->clients_lock);
	d->nclients--;
	pthread_mutex_unlock(&d->clients_lock);
}

/* Joins finished client threads (all of them with @all, after stop). */
static void reap_clients(struct daemon *d, bool all)
{
	struct client **pp, *c;

	for (;;) {
		struct client *found = NULL;

		pthread_mutex_lock(&d->clients_lock);
		for (pp = &d->clients; *pp; pp = &(*pp)->next) {
			if ((*pp)->done || all) {
				found = *pp;
				*pp = found->next;
				break;
			}
		}
		pthread_mutex_unlock(&d->clients_lock);
		if (!found)
			return;
		c = found;
		pthread_join(c->thread, NULL);
		free(c);
	}
}

static int listen_socket(const char *path, const char *group, mode_t mode, bool *created)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	struct stat st;
	int fd;

	*created = false;
	if (lp && lf && (pid_t)atoi(lp) == getpid() && atoi(lf) >= 1) {
		fd = RNPUD_SD_LISTEN_FDS_START;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		return fd;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		logf_("socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A socket left by a daemon that died is replaced; a live one is not. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			logf_("another rnpud listens on %s", path);
			close(probe);
			close(fd);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		logf_("cannot bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	*created = true;
	if (group) {
		struct group *gr = getgrnam(group);

		if (!gr || chown(path, (uid_t)-1, gr->gr_gid) < 0)
			logf_("cannot give %s to group %s: %s", path, group,
			      gr ? strerror(errno) : "no such group");
	}
	if (chmod(path, mode) < 0 || listen(fd, 64) < 0) {
		logf_("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end || s[0] == '-' ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "mode", required_argument, NULL, 'm' },
		{ "max-clients", required_argument, NULL, 'c' },
		{ "session-max-bos", required_argument, NULL, 'B' },
		{ "session-max-bytes", required_argument, NULL, 'Y' },
		{ "spin-us", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rnpu_host_config cfg;
	struct daemon d = { .max_clients = 64, .spin_us = RNPUD_SPIN_US };
	char def[108];
	const char *path = NULL, *group = NULL;
	mode_t mode = 0660;
	struct epoll_event ev;
	sigset_t mask;
	uint64_t v;
	bool created, stop = false;
	int o, sfd, ep, ret;

	rnpu_host_default_config(&cfg);
	while ((o = getopt_long(argc, argv, "s:g:m:c:vh", opts, NULL)) != -1) {
		switch (o) {
		case 's': path = optarg; break;
		case 'g': group = optarg; break;
		case 'm':
			if (parse_u64(optarg, &v) || v > 07777) {
				logf_("bad --mode: %s", optarg);
				return 2;
			}
			mode = (mode_t)v;
			break;
		case 'c':
			if (parse_u64(optarg, &v) || v == 0 || v > 4096) {
				logf_("bad --max-clients: %s (1..4096)", optarg);
				return 2;
			}
			d.max_clients = (unsigned int)v;
			break;
		case 'B':
			if (parse_u64(optarg, &v) || v > UINT32_MAX) {
				logf_("bad --session-max-bos: %s", optarg);
				return 2;
			}
			cfg.session_max_bos = (uint32_t)v;
			break;
		case 'Y':
			if (parse_u64(optarg, &v)) {
				logf_("bad --session-max-bytes: %s", optarg);
				return 2;
			}
			cfg.session_max_bytes = v;
			break;
		case 'S':
			if (parse_u64(optarg, &v) || v > 10000) {
				logf_("bad --spin-us: %s (0..10000)", optarg);
				return 2;
			}
			d.spin_us = (unsigned int)v;
			break;
		case 'v': d.verbose = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (!path)
		path = rnpud_default_socket(def, sizeof(def));
	if (!group && getgrnam("render"))
		group = "render";

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL); /* inherited by client threads */
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0) {
		logf_("setup failed: %s", strerror(errno));
		return 1;
	}
	pthread_mutex_init(&d.clients_lock, NULL);
	ret = rnpu_host_create(&cfg, &d.host);
	if (ret) {
		logf_("cannot create the software NPU: %s", strerror(-ret));
		return 1;
	}
	d.listen_fd = listen_socket(path, group, mode, &created);
	if (d.listen_fd < 0) {
		rnpu_host_destroy(d.host);
		return 1;
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = d.listen_fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, d.listen_fd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = sfd };
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	logf_("listening on %s", created ? path : "the socket systemd passed");

	while (!stop) {
		struct epoll_event evs[4];
		int i, n = epoll_wait(ep, evs, 4, RNPUD_POLL_MS);

		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
					logf_("signal %u: shutting down", si.ssi_signo);
				stop = true;
			} else if (evs[i].data.fd == d.listen_fd) {
				accept_client(&d);
			}
		}
		reap_clients(&d, false);
	}

	/* Every client thread sees stopping within one receive timeout; the
	 * shutdown wakes those waiting for a request at once (their receive
	 * returns end of stream; replies still go out). */
	atomic_store(&d.stopping, true);
	pthread_mutex_lock(&d.clients_lock);
	for (struct client *c = d.clients; c; c = c->next)
		if (c->sock >= 0)
			shutdown(c->sock, SHUT_RD);
	pthread_mutex_unlock(&d.clients_lock);
	reap_clients(&d, true);
	if (created) {
		close(d.listen_fd);
		unlink(path);
	}
	rnpu_host_destroy(d.host);
	pthread_mutex_destroy(&d.clients_lock);
	close(ep);
	close(sfd);
	return 0;
}
