# SPDX-License-Identifier: MIT OR GPL-2.0-only
################################################################################
#
# rnpu
#
################################################################################

RNPU_VERSION = 0.1.0
# This tree is a BR2_EXTERNAL (buildroot/); the package builds the
# checkout it lives in.
RNPU_SITE = $(BR2_EXTERNAL_RNPU_PATH)/..
RNPU_SITE_METHOD = local
RNPU_LICENSE = MIT or GPL-2.0
RNPU_LICENSE_FILES = LICENSE
RNPU_INSTALL_STAGING = YES
RNPU_DEPENDENCIES = host-pkgconf

# The device-tree probe helper and rnpu-fdt-info need libfdt.
ifeq ($(BR2_PACKAGE_DTC),y)
RNPU_DEPENDENCIES += dtc
endif

# librnpu, headers, rnpu.pc and rnpu-demo with meson; no tests, no
# benchmarks on the target.
RNPU_CONF_OPTS = -Dtests=false -Dbench=false

# rnpu.ko with the kernel-module infrastructure: built from kmod/ against
# the configured kernel.
RNPU_MODULE_SUBDIRS = kmod

define RNPU_INSTALL_UDEV_RULES
	$(INSTALL) -D -m 0644 $(@D)/packaging/udev/60-rnpu.rules \
		$(TARGET_DIR)/usr/lib/udev/rules.d/60-rnpu.rules
endef
RNPU_POST_INSTALL_TARGET_HOOKS += RNPU_INSTALL_UDEV_RULES

$(eval $(kernel-module))
$(eval $(meson-package))
