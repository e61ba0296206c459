/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * rnpu's additions to the RKNN API (not in Rockchip's headers).
 *
 * Environment: RNPU_DEVICE selects the NPU ("sim", the default: the
 * in-process software NPU; or a device node such as /dev/dri/card1);
 * RNPU_RKNN_LOG=0 silences the "E RKNN:" lines on stderr.
 */
#ifndef RKNN_RNPU_H
#define RKNN_RNPU_H

#ifdef __cplusplus
extern "C" {
#endif

/* The last error line librknn_rnpu logged in this process ("" if none),
 * e.g. "rknn_matmul_create: info->K = 0 must be >= 1". */
const char *rknn_rnpu_last_error(void);

#ifdef __cplusplus
}
#endif
#endif
