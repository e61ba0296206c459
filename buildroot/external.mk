# SPDX-License-Identifier: MIT OR GPL-2.0-only
include $(sort $(wildcard $(BR2_EXTERNAL_RNPU_PATH)/package/*/*.mk))
