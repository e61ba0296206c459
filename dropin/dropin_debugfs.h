/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/* The vendor's debugfs files, as rnpu-run serves them to programs. */
#ifndef DROPIN_DEBUGFS_H
#define DROPIN_DEBUGFS_H

#include <stddef.h>

#include "rnpu/rnpu.h"

#define DROPIN_DEBUGFS_DIR "/sys/kernel/debug/rknpu"

/* Writes the contents of file @name (relative to the directory) as the
 * vendor driver prints it into @buf: its length, or -ENOENT for a file
 * that is not served. */
int dropin_debugfs_read(struct rnpu_dev *dev, const char *name, char *buf, size_t len);

#endif
