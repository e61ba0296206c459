// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * debugfs contents for rnpu-run, built from what the driver answers
 * through the UAPI: "version" from DRM VERSION ("RKNPU driver: v0.9.8"),
 * "freq" and "volt" from the GET_FREQ and GET_VOLT actions, each a decimal
 * number and a newline as the vendor prints them. Files whose values the
 * core does not publish yet (load, power, delayms, reset) are not served.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drm/rnpu_drm_core.h"
#include "dropin_debugfs.h"

static int debugfs_version(struct rnpu_dev *dev, char *buf, size_t len)
{
	struct rnpu_drm_version v;
	char desc[64] = "";
	int ret;

	memset(&v, 0, sizeof(v));
	v.desc = (uint64_t)(uintptr_t)desc;
	v.desc_len = sizeof(desc) - 1;
	ret = rnpu_ioctl(dev, RNPU_DRM_IOCTL_VERSION, &v);
	if (ret)
		return ret;
	return snprintf(buf, len, "%s: v%d.%d.%d\n", desc, v.version_major, v.version_minor,
			v.version_patchlevel);
}

static int debugfs_action(struct rnpu_dev *dev, uint32_t action, char *buf, size_t len)
{
	uint32_t value = 0;
	int ret = rnpu_action(dev, action, &value);

	if (ret)
		return ret;
	return snprintf(buf, len, "%u\n", value);
}

int dropin_debugfs_read(struct rnpu_dev *dev, const char *name, char *buf, size_t len)
{
	int n;

	if (!strcmp(name, "version"))
		n = debugfs_version(dev, buf, len);
	else if (!strcmp(name, "freq"))
		n = debugfs_action(dev, RKNPU_GET_FREQ, buf, len);
	else if (!strcmp(name, "volt"))
		n = debugfs_action(dev, RKNPU_GET_VOLT, buf, len);
	else
		return -ENOENT;
	if (n >= 0 && (size_t)n >= len)
		return -ENOSPC;
	return n;
}
