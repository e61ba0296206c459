// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * libFuzzer target for rnpud's request decoder, the daemon's only parser
 * of bytes from untrusted clients. The first input byte says how many
 * descriptors came with the message (0..3), the rest is the message.
 * Beyond "no crash, no sanitizer report", every accepted request must be
 * consistent: its argument inside the message and of exactly the size the
 * driver core will touch, an fd only where one belongs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drm/rknpu_ioctl.h"
#include "rnpud_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rnpud_msg m;
	unsigned int nfds;
	uint8_t *copy;
	size_t len;

	if (size < 1)
		return 0;
	nfds = data[0] & 3;
	len = size - 1;
	/* An exact-size heap copy: ASan catches any read past the end. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, len);
	if (rnpud_decode(copy, len, nfds, &m) == 0) {
		if (m.type != RNPUD_HELLO && m.type != RNPUD_IOCTL && m.type != RNPUD_MMAP &&
		    m.type != RNPUD_STATS && m.type != RNPUD_DEBUGFS)
			abort();
		/* The daemon passes the name on as a C string. */
		if (m.type == RNPUD_DEBUGFS && !memchr(m.debugfs_name, '\0', sizeof(m.debugfs_name)))
			abort();
		if (nfds > (unsigned int)m.may_fd)
			abort();
		if (m.type == RNPUD_IOCTL) {
			if (m.arg < copy || m.arg + m.arg_size != copy + len)
				abort();
			if (m.arg_size != rnpud_ioctl_arg_size(m.cmd) || m.arg_size > RNPUD_MAX_ARG)
				abort();
		}
	}
	free(copy);
	return 0;
}
