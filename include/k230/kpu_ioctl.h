/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * The K230 KPU device interface: /dev/gnne_device and /dev/ai_2d_device
 * as the K230 SDK's RT-Smart drivers define them (docs/k230.md).
 *
 * /dev/gnne_device: ioctl commands are raw numbers and the argument is
 * ignored. Every failure returns -1 (with errno set by rnpu's hosts).
 * poll() reports POLLIN once per completion interrupt: the completion is
 * latched device-wide, one deep, and consumed by the poll that reports it.
 * /dev/ai_2d_device: every ioctl returns 0; poll() as above for AI2D.
 */
#ifndef K230_KPU_IOCTL_H
#define K230_KPU_IOCTL_H

#include <stdint.h>

#define K230_GNNE_DEVICE "/dev/gnne_device"
#define K230_AI2D_DEVICE "/dev/ai_2d_device"

/* Vendor commands. LOCK waits for the cross-CPU KPU hardware lock (rnpu
 * bounds the wait: ETIMEDOUT after the device's lock timeout); TRYLOCK
 * fails with EBUSY if it is taken; UNLOCK releases it. All three return 0
 * at once if the handle already is in the asked state. */
#define K230_GNNE_IOC_LOCK 0u
#define K230_GNNE_IOC_TRYLOCK 1u
#define K230_GNNE_IOC_UNLOCK 2u

/* rnpu extensions, far from the vendor's numbers. */
/* LOCK with its own bound: arg points to a uint32_t timeout in ms. */
#define K230_GNNE_IOC_LOCK_TIMEOUT 0x4b500001u
/* Waits for the completion interrupt (arg: uint32_t timeout in ms, 0 =
 * the device default). The handle must hold the lock (EPERM otherwise).
 * On timeout the KPU is stopped and reset, and the call fails with
 * ETIMEDOUT: the unit is ready for the next run. */
#define K230_GNNE_IOC_WAIT 0x4b500002u

/* poll() event bit the devices report. */
#define K230_KPU_POLLIN 0x0001u

#endif
