/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The rnpud wire protocol (docs/rnpud-protocol.md): one SOCK_SEQPACKET
 * message per request and per reply, a fixed header, the UAPI struct as
 * payload, at most one file descriptor (SCM_RIGHTS) per message. Shared by
 * the client transport (lib/transport_unix.c) and the daemon, which runs
 * every request through rnpud_decode() before acting on it.
 */
#ifndef RNPUD_PROTO_H
#define RNPUD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RNPUD_MAGIC 0x444e5052u   /* "RPND" little-endian */
#define RNPUD_VERSION 1u
/* The largest ioctl argument (the 14-bit size field of an ioctl number)
 * plus header and the strings of VERSION. */
#define RNPUD_MAX_ARG 16383u
#define RNPUD_STR_MAX 256u        /* VERSION / GET_UNIQUE strings carried */
#define RNPUD_MAX_MSG (sizeof(struct rnpud_hdr) + 8u + RNPUD_MAX_ARG + 3u * RNPUD_STR_MAX)
/* How long each end polls the socket (yielding the CPU between tries)
 * before it blocks: rnpud for the client's next request after a reply,
 * the client for the reply after a request. On a VM a blocked thread's
 * idle vCPU halts, and waking it costs tens of microseconds, several
 * times a small request's round trip (docs/dropin.md, "Round trip").
 * rnpud --spin-us and RNPU_UNIX_SPIN_US change it; 0 turns it off. */
#define RNPUD_SPIN_US 50u

enum rnpud_type {
	RNPUD_HELLO = 1,   /* payload: u32 client version; reply arg: u32 daemon version */
	RNPUD_IOCTL = 2,   /* payload: struct rnpud_ioctl + arg bytes (+ fd in) */
	RNPUD_MMAP = 3,    /* payload: struct rnpud_mmap; reply carries the memfd */
	RNPUD_STATS = 4,   /* reply arg: struct rnpud_stats */
	RNPUD_DEBUGFS = 5, /* payload: struct rnpud_debugfs; reply arg: the file's text */
	RNPUD_REPLY = 0x80,
};

struct rnpud_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;      /* whole message, header included */
	uint32_t seq;      /* echoed in the reply */
};

struct rnpud_ioctl {
	uint32_t cmd;
	uint32_t arg_size; /* must equal rnpud_ioctl_arg_size(cmd) */
	/* arg_size bytes follow */
};

struct rnpud_mmap {
	uint64_t offset;   /* fake offset from MEM_MAP */
	uint64_t length;
};

/* A reply: header, then this, then arg_size bytes (the struct as the
 * driver left it, then for VERSION/GET_UNIQUE the strings). */
struct rnpud_reply {
	int32_t ret;       /* 0 or negative errno */
	uint32_t arg_size;
};

/* A debugfs file by name, NUL-padded (the longest is "delayms"). */
#define RNPUD_DEBUGFS_NAME 16u
#define RNPUD_DEBUGFS_TEXT 4096u /* most text a reply carries */
struct rnpud_debugfs {
	char name[RNPUD_DEBUGFS_NAME];
};

struct rnpud_stats {
	uint64_t buffers;  /* buffer objects alive in the daemon's memory */
	uint64_t pages;    /* 4 KiB pages they use */
	uint64_t sessions; /* connected clients */
};

/* How an ioctl's argument travels. */
enum rnpud_kind {
	RNPUD_KIND_PLAIN,   /* struct in, struct out */
	RNPUD_KIND_VERSION, /* + three strings out (user pointers rewritten) */
	RNPUD_KIND_UNIQUE,  /* + one string out */
	RNPUD_KIND_FD_IN,   /* PRIME_FD_TO_HANDLE: the fd travels with the request */
	RNPUD_KIND_FD_OUT,  /* PRIME_HANDLE_TO_FD: the fd comes back with the reply */
	RNPUD_KIND_SUBMIT,  /* FENCE_IN fd with the request, FENCE_OUT fd back */
};

/* Offsets the transport patches (vendor and DRM layouts). */
#define RNPUD_PRIME_FD_OFF 8u      /* drm_prime_handle.fd */
#define RNPUD_PRIME_SIZE 12u
#define RNPUD_SUBMIT_FLAGS_OFF 0u
#define RNPUD_SUBMIT_FENCE_OFF 60u /* rknpu_submit.fence_fd */
#define RNPUD_VERSION_SIZE 64u
#define RNPUD_UNIQUE_SIZE 16u

enum rnpud_kind rnpud_ioctl_kind(uint32_t cmd);
/* Bytes of the caller's argument the driver core reads and writes for
 * @cmd, by the core's own rules (DRM: the size in the number; misc: the
 * fixed 0.9.8 size, mem_create up to 48); 0 if it touches none. */
uint32_t rnpud_ioctl_arg_size(uint32_t cmd);

/* A request as the daemon acts on it, pointing into the message buffer. */
struct rnpud_msg {
	uint16_t type;
	uint32_t seq;
	uint32_t cmd;          /* IOCTL */
	uint32_t arg_size;     /* IOCTL */
	const uint8_t *arg;    /* IOCTL */
	uint64_t offset;       /* MMAP */
	uint64_t length;       /* MMAP */
	uint32_t hello_version;/* HELLO */
	char debugfs_name[RNPUD_DEBUGFS_NAME]; /* DEBUGFS, NUL-terminated */
	int may_fd;            /* an fd may come with it (PRIME import, FENCE_IN) */
	char why[96];          /* on refusal: the field and value at fault */
};

/* Checks a received request of @len bytes carrying @nfds descriptors:
 * 0 and *out filled, or -EPROTO (magic or version), -EBADMSG (a length,
 * type or size that does not add up, an fd where none belongs),
 * -EMSGSIZE (longer than RNPUD_MAX_MSG). Never reads past @len. */
int rnpud_decode(const void *buf, size_t len, unsigned int nfds, struct rnpud_msg *out);

/* Polling between tries of a non-blocking receive: yields the CPU to
 * another runnable thread, if there is one. Returns true if none ran (the
 * yield took less than RNPUD_POLL_SHARED_NS: the poller has its CPU to
 * itself, polling on costs no one anything and keeps the CPU from
 * halting), false if one did; a poller then stops polling and blocks,
 * rather than take CPU time from the thread it waits for or from other
 * programs on a busy machine. */
#define RNPUD_POLL_SHARED_NS 5000
bool rnpud_poll_yield(void);

/* Default socket path: $RNPUD_SOCKET, else /run/rnpu/rnpud.sock for root,
 * else $XDG_RUNTIME_DIR/rnpud.sock, else /tmp/rnpud-UID.sock. */
const char *rnpud_default_socket(char *buf, size_t len);

#endif
