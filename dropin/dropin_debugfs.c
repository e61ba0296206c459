// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * debugfs contents for rnpu-run: the driver core's own text of each file
 * (version, load, power, freq, volt, delayms, reset, mm), byte for byte as
 * the vendor prints it, from the in-process host or from rnpud, so that
 * every program sharing one daemon reads one load file.
 */
#include <errno.h>
#include <string.h>

#include "dropin_debugfs.h"

int dropin_debugfs_read(struct rnpu_dev *dev, const char *name, char *buf, size_t len)
{
	int n = rnpu_debugfs_read(dev, name, buf, len);

	if (n >= 0 && (size_t)n >= len - 1 && len > 1)
		return -ENOSPC; /* possibly cut: refuse rather than serve half a file */
	return n;
}
