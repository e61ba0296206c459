#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""An int8 matmul driven the way a Python NPU runtime would: os.open,
fcntl.ioctl and mmap.mmap on /dev/dri/card1, structs packed by hand, the
native tensor layouts written with numpy. Run under rnpu-run; the result
must equal numpy's integer matmul exactly. The register program comes
from tests/dropin/mm_regcmd (argv[1]). Prints TAP."""
import fcntl
import mmap
import os
import struct
import subprocess
import sys

import numpy as np

M, K, N = 32, 64, 32


def iowr(type_char, nr, size):
    return (3 << 30) | (size << 16) | (ord(type_char) << 8) | nr


ACTION = iowr('d', 0x40, 8)
SUBMIT = iowr('d', 0x41, 104)
MEM_CREATE = iowr('d', 0x42, 48)
MEM_MAP = iowr('d', 0x43, 16)
MEM_DESTROY = iowr('d', 0x44, 16)
MEM_SYNC = iowr('d', 0x45, 32)
MEM_CACHEABLE, MEM_KERNEL_MAPPING = 1 << 1, 1 << 3
JOB_PC = 1
INT_CLEAR = 0x1ffff


class Bo:
    def __init__(self, fd, size, flags=MEM_CACHEABLE):
        arg = bytearray(struct.pack('<IIQQQQiI', 0, flags, size, 0, 0, 0, 0, 0))
        fcntl.ioctl(fd, MEM_CREATE, arg, True)
        self.handle, _, self.size, self.obj_addr, self.dma_addr = \
            struct.unpack_from('<IIQQQ', arg)
        marg = bytearray(struct.pack('<IIQ', self.handle, 0, 0))
        fcntl.ioctl(fd, MEM_MAP, marg, True)
        offset = struct.unpack_from('<IIQ', marg)[2]
        self.map = mmap.mmap(fd, self.size, offset=offset)
        self.fd = fd

    def sync(self, direction):
        fcntl.ioctl(self.fd, MEM_SYNC,
                    bytearray(struct.pack('<IIQQQ', direction, 0, self.obj_addr, 0, self.size)),
                    True)

    def destroy(self):
        self.map.close()
        fcntl.ioctl(self.fd, MEM_DESTROY,
                    bytearray(struct.pack('<IIQ', self.handle, 0, self.obj_addr)), True)


def pack_a(a):
    # NC1HWC2, H = M, W = 1, C2 = 16: (k // 16, m, k % 16)
    return a.reshape(M, K // 16, 16).transpose(1, 0, 2).copy()


def pack_b(b):
    # One group of 32 kernels (N = 32); 32-channel blocks of [kernel][channel].
    return b.reshape(K // 32, 32, N).transpose(0, 2, 1).copy()


def unpack_c(raw):
    # int32 NC1HWC2 with C2 = 4: (n // 4, m, n % 4)
    c = np.frombuffer(raw, dtype='<i4', count=M * N).reshape(N // 4, M, 4)
    return c.transpose(1, 0, 2).reshape(M, N)


def helper(*args):
    env = dict(os.environ)
    env.pop('LD_PRELOAD', None)  # the helper is an ordinary program
    return subprocess.run([sys.argv[1]] + [str(a) for a in args], env=env, check=True,
                          capture_output=True, text=True).stdout


def main():
    print('1..1', flush=True)
    rng = np.random.default_rng(1234)
    a = rng.integers(-128, 128, size=(M, K), dtype=np.int8)
    b = rng.integers(-128, 128, size=(K, N), dtype=np.int8)
    want = a.astype(np.int64) @ b.astype(np.int64)

    fd = os.open('/dev/dri/card1', os.O_RDWR)
    # Generic fd calls work on the node (FIOCLEX/FIONCLEX ioctls in CPython).
    os.set_inheritable(fd, True)
    assert os.get_inheritable(fd)
    os.set_inheritable(fd, False)
    act = bytearray(struct.pack('<II', 1, 0))
    fcntl.ioctl(fd, ACTION, act, True)
    assert struct.unpack('<II', act)[1] == 908, 'driver version'

    ba, bb, bc = Bo(fd, M * K), Bo(fd, K * N), Bo(fd, M * N * 4)
    breg = Bo(fd, int(helper('--size', M, K, N)))
    lines = helper(M, K, N, ba.dma_addr, bb.dma_addr, bc.dma_addr, breg.dma_addr).splitlines()
    tasks = [tuple(int(x) for x in l.split()[1:]) for l in lines if l.startswith('task ')]
    words = [int(x, 16) for x in lines[-1].split()[1:]]
    breg.map[:len(words) * 8] = struct.pack(f'<{len(words)}Q', *words)
    btask = Bo(fd, 40 * len(tasks), MEM_CACHEABLE | MEM_KERNEL_MAPPING)
    for i, (word_offset, body, enable, int_mask) in enumerate(tasks):
        btask.map[i * 40:(i + 1) * 40] = struct.pack(
            '<IIIIIIIIQ', 0, i, enable, int_mask, INT_CLEAR, 0, body, 0,
            breg.dma_addr + word_offset * 8)
    ba.map[:M * K] = pack_a(a).tobytes()
    bb.map[:K * N] = pack_b(b).tobytes()
    for bo in (ba, bb, breg, btask):
        bo.sync(1)

    sub = bytearray(struct.pack('<IIIIIiQIIQqIi', JOB_PC, 6000, 0, len(tasks), 0, 0,
                                btask.obj_addr, 0, 0, 0, 0, 1, -1) +
                    struct.pack('<10I', 0, len(tasks), 0, len(tasks), 0, len(tasks), 0, 0, 0, 0))
    fcntl.ioctl(fd, SUBMIT, sub, True)
    task_counter = struct.unpack_from('<I', sub, 16)[0]
    bc.sync(2)
    got = unpack_c(bc.map[:M * N * 4])
    for bo in (btask, breg, bc, bb, ba):
        bo.destroy()
    os.close(fd)

    if task_counter == len(tasks) and np.array_equal(got, want):
        print(f'ok 1 - int8 matmul {M}x{K}x{N} through os.open/fcntl.ioctl/mmap', flush=True)
        return 0
    bad = np.argwhere(got != want)
    print(f'not ok 1 - task_counter {task_counter}/{len(tasks)}, '
          f'{len(bad)} wrong elements, first at {bad[:1].tolist()}', flush=True)
    return 1


if __name__ == '__main__':
    sys.exit(main())
