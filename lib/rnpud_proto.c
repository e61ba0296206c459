// SPDX-License-Identifier: MIT OR GPL-2.0-only
/* The rnpud wire protocol: ioctl classification and the request decoder
 * (the daemon's only parser of untrusted bytes; fuzzed in tests/fuzz). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drm/rknpu_ioctl.h"
#include "rnpud_proto.h"

#define DRM_NR_VERSION 0x00
#define DRM_NR_GET_UNIQUE 0x01
#define DRM_NR_PRIME_HANDLE_TO_FD 0x2d
#define DRM_NR_PRIME_FD_TO_HANDLE 0x2e

static int is_submit(uint32_t cmd)
{
	if (_IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE)
		return _IOC_NR(cmd) == RKNPU_SUBMIT;
	return _IOC_NR(cmd) == RKNPU_DRM_COMMAND_BASE + RKNPU_SUBMIT;
}

enum rnpud_kind rnpud_ioctl_kind(uint32_t cmd)
{
	if (is_submit(cmd))
		return RNPUD_KIND_SUBMIT;
	/* The core treats every type other than the misc one as DRM. */
	if (_IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE)
		return RNPUD_KIND_PLAIN;
	switch (_IOC_NR(cmd)) {
	case DRM_NR_VERSION: return RNPUD_KIND_VERSION;
	case DRM_NR_GET_UNIQUE: return RNPUD_KIND_UNIQUE;
	case DRM_NR_PRIME_HANDLE_TO_FD: return RNPUD_KIND_FD_OUT;
	case DRM_NR_PRIME_FD_TO_HANDLE: return RNPUD_KIND_FD_IN;
	default: return RNPUD_KIND_PLAIN;
	}
}

uint32_t rnpud_ioctl_arg_size(uint32_t cmd)
{
	static const uint32_t misc_size[] = {
		[RKNPU_ACTION] = sizeof(struct rknpu_action),
		[RKNPU_SUBMIT] = sizeof(struct rknpu_submit),
		[RKNPU_MEM_CREATE] = sizeof(struct rknpu_mem_create),
		[RKNPU_MEM_MAP] = 0, /* EINVAL on the misc node */
		[RKNPU_MEM_DESTROY] = sizeof(struct rknpu_mem_destroy),
		[RKNPU_MEM_SYNC] = sizeof(struct rknpu_mem_sync),
	};
	uint32_t nr = _IOC_NR(cmd), size = _IOC_SIZE(cmd);

	if (_IOC_TYPE(cmd) == RKNPU_MISC_IOCTL_TYPE) {
		if (nr >= sizeof(misc_size) / sizeof(misc_size[0]))
			return 0;
		if (nr == RKNPU_MEM_CREATE)
			return size < misc_size[nr] ? size : misc_size[nr];
		return misc_size[nr];
	}
	return _IOC_DIR(cmd) == _IOC_NONE ? 0 : size;
}

#define REFUSE(out, err, ...)                                              \
	do {                                                               \
		snprintf((out)->why, sizeof((out)->why), __VA_ARGS__);    \
		return (err);                                              \
	} while (0)

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int rnpud_decode(const void *buf, size_t len, unsigned int nfds, struct rnpud_msg *out)
{
	const uint8_t *p = buf;
	struct rnpud_hdr h;
	size_t body;

	memset(out, 0, sizeof(*out));
	if (len > RNPUD_MAX_MSG)
		REFUSE(out, -EMSGSIZE, "message of %zu bytes, at most %zu", len, (size_t)RNPUD_MAX_MSG);
	if (len < sizeof(h))
		REFUSE(out, -EBADMSG, "message of %zu bytes, shorter than a header", len);
	memcpy(&h, p, sizeof(h));
	if (h.magic != RNPUD_MAGIC)
		REFUSE(out, -EPROTO, "magic 0x%08x", h.magic);
	if (h.version != RNPUD_VERSION)
		REFUSE(out, -EPROTO, "header version %u", h.version);
	out->type = h.type;
	out->seq = h.seq;
	if (h.len != len)
		REFUSE(out, -EBADMSG, "len %u, message is %zu bytes", h.len, len);
	p += sizeof(h);
	body = len - sizeof(h);
	switch (h.type) {
	case RNPUD_HELLO:
		if (body != sizeof(uint32_t))
			REFUSE(out, -EBADMSG, "HELLO body of %zu bytes", body);
		out->hello_version = get_u32(p);
		break;
	case RNPUD_STATS:
		if (body != 0)
			REFUSE(out, -EBADMSG, "STATS body of %zu bytes", body);
		break;
	case RNPUD_DEBUGFS: {
		struct rnpud_debugfs d;

		if (body != sizeof(d))
			REFUSE(out, -EBADMSG, "DEBUGFS body of %zu bytes", body);
		memcpy(&d, p, sizeof(d));
		if (!memchr(d.name, '\0', sizeof(d.name)))
			REFUSE(out, -EBADMSG, "DEBUGFS name without a terminating NUL");
		memcpy(out->debugfs_name, d.name, sizeof(d.name));
		break;
	}
	case RNPUD_MMAP: {
		struct rnpud_mmap m;

		if (body != sizeof(m))
			REFUSE(out, -EBADMSG, "MMAP body of %zu bytes", body);
		memcpy(&m, p, sizeof(m));
		out->offset = m.offset;
		out->length = m.length;
		break;
	}
	case RNPUD_IOCTL: {
		struct rnpud_ioctl io;
		enum rnpud_kind kind;

		if (body < sizeof(io))
			REFUSE(out, -EBADMSG, "IOCTL body of %zu bytes", body);
		memcpy(&io, p, sizeof(io));
		if (io.arg_size != body - sizeof(io))
			REFUSE(out, -EBADMSG, "arg_size %u, %zu bytes follow", io.arg_size,
			       body - sizeof(io));
		if (io.arg_size != rnpud_ioctl_arg_size(io.cmd))
			REFUSE(out, -EBADMSG, "arg_size %u, cmd 0x%08x takes %u", io.arg_size, io.cmd,
			       rnpud_ioctl_arg_size(io.cmd));
		out->cmd = io.cmd;
		out->arg_size = io.arg_size;
		out->arg = p + sizeof(io);
		kind = rnpud_ioctl_kind(io.cmd);
		if (kind == RNPUD_KIND_FD_IN)
			out->may_fd = io.arg_size >= RNPUD_PRIME_SIZE;
		else if (kind == RNPUD_KIND_SUBMIT)
			out->may_fd = io.arg_size >= RNPUD_SUBMIT_FENCE_OFF + 4 &&
				      (get_u32(out->arg + RNPUD_SUBMIT_FLAGS_OFF) & RKNPU_JOB_FENCE_IN);
		break;
	}
	default:
		REFUSE(out, -EBADMSG, "type %u", h.type);
	}
	if (nfds > (unsigned int)out->may_fd)
		REFUSE(out, -EBADMSG, "%u fds with a message that takes %d", nfds, out->may_fd);
	return 0;
}

const char *rnpud_default_socket(char *buf, size_t len)
{
	const char *env = getenv("RNPUD_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (env && env[0])
		snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		snprintf(buf, len, "/run/rnpu/rnpud.sock");
	else if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/rnpud.sock", xdg);
	else
		snprintf(buf, len, "/tmp/rnpud-%u.sock", (unsigned int)geteuid());
	return buf;
}

bool rnpud_poll_yield(void)
{
	struct timespec a, b;
	int64_t ns;

	/* Timed, not counted: the thread's switch count (getrusage) costs a
	 * few microseconds per call here, the clock nothing (vDSO). A yield
	 * that finds nobody else runnable returns in well under a
	 * microsecond; one that ran another thread takes two switches and
	 * that thread's run. A vCPU preempted by its host mid-yield also
	 * looks shared: the poller then blocks, as it did before polling. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	sched_yield();
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
	return ns < RNPUD_POLL_SHARED_NS;
}
