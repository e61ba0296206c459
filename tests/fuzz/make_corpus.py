#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Writes the seed corpus of fuzz_ioctl: a few hand-made valid inputs.

Usage: make_corpus.py OUTDIR

The record format and the op numbers mirror tests/fuzz/fuzz_ioctl.c: each
record is u8 file, u8 op, u8 fix, u8 pick, then the op's payload.
"""
import os
import struct
import sys

(ACTION_D, ACTION_R, SUBMIT_D, SUBMIT_R, CREATE48_D, CREATE40_D, CREATE32_D,
 CREATE48_R, CREATE40_R, CREATE32_R, MAP_D, MAP_R, DESTROY_D, DESTROY_R,
 SYNC_D, SYNC_R, GEM_CLOSE, GEM_FLINK, GEM_OPEN, PRIME_TO_FD, PRIME_FROM_FD,
 VERSION, GET_UNIQUE, RAW, MMAP, PROGRAM, DEBUG) = range(27)

FIX_HANDLE, FIX_COOKIE, FIX_RANGE, FIX_NAME, FIX_PC, FIX_NULLPTR = 1, 2, 4, 8, 16, 32

MEM_NON_CONTIGUOUS, MEM_CACHEABLE, MEM_KERNEL_MAPPING = 1, 2, 8
JOB_PC, JOB_NONBLOCK, JOB_PINGPONG, JOB_FENCE_IN, JOB_FENCE_OUT = 1, 2, 4, 8, 16


def rec(op, payload=b"", file=0, fix=0, pick=0):
    return bytes([file, op, fix, pick]) + payload


def mem_create(handle=0, flags=0, size=0, domain=0, core_mask=0, form=48):
    full = struct.pack("<IIQQQQiI", handle, flags, size, 0, 0, 0, domain, core_mask)
    return full[:form]


def submit(flags=JOB_PC, timeout=20, task_number=0, core_mask=0, obj=0, base=0):
    return struct.pack("<IIIIIiQIIQqIi", flags, timeout, 0, task_number, 0, 0, obj, 0, 0,
                       base, 0, core_mask, -1) + bytes(40)


def handle_only(size, handle=0):
    return struct.pack("<I", handle) + bytes(size - 4)


def mem_sync(flags=3, obj=0, offset=0, size=0):
    return struct.pack("<IIQQQ", flags, 0, obj, offset, size)


def prime(handle=0, flags=0, fd=-1):
    return struct.pack("<IIi", handle, flags, fd)


def version(name_len=0, date_len=0, desc_len=0):
    # three ints, 4 bytes of padding, then six u64: 64 bytes on LP64
    return struct.pack("<iii4xQQQQQQ", 0, 0, 0, name_len, 0, date_len, 0, desc_len, 0)


def mmap_args(offset=0, length=0, at=0, data=b""):
    return struct.pack("<QIIB", offset, length, at, len(data)) + data.ljust(31, b"\0")


def action(code, value=0):
    return struct.pack("<II", code, value)


def ioc(direction, typ, nr, size):
    return (direction << 30) | (size << 16) | (ord(typ) << 8) | nr


def seeds():
    rw = MEM_NON_CONTIGUOUS | MEM_CACHEABLE
    task_flags = rw | MEM_KERNEL_MAPPING

    # A buffer's life: create, map, write through mmap, sync, destroy.
    yield "bo-lifecycle", b"".join([
        rec(CREATE48_D, mem_create(flags=rw, size=8192)),
        rec(MAP_D, handle_only(16), fix=FIX_HANDLE),
        rec(MMAP, mmap_args(length=8192, at=100, data=b"rnpu"), fix=FIX_HANDLE),
        rec(SYNC_D, mem_sync(flags=3, offset=0, size=8192), fix=FIX_COOKIE | FIX_RANGE),
        rec(SYNC_R, mem_sync(flags=1, offset=4096, size=4096), fix=FIX_COOKIE),
        rec(DESTROY_D, handle_only(16), fix=FIX_HANDLE),
    ])

    # Every mem_create form on both numberings, the report path, bad sizes.
    yield "mem-create-forms", b"".join([
        rec(CREATE48_D, mem_create(flags=rw, size=4096)),
        rec(CREATE40_D, mem_create(flags=rw, size=5000, form=40)),
        rec(CREATE32_D, mem_create(flags=0, size=1, form=32)),
        rec(CREATE48_R, mem_create(flags=task_flags, size=12288)),
        rec(CREATE40_R, mem_create(flags=rw, size=4096, form=40)),
        rec(CREATE32_R, mem_create(flags=rw, size=4096, form=32)),
        rec(CREATE48_D, mem_create(size=1), fix=FIX_HANDLE, pick=3),
        rec(CREATE48_D, mem_create(size=0)),
        rec(CREATE48_D, mem_create(size=1 << 33)),
        rec(CREATE48_D, mem_create(size=4096, domain=16)),
        rec(DESTROY_R, handle_only(16), fix=FIX_HANDLE, pick=1),
        rec(GEM_CLOSE, handle_only(8), fix=FIX_HANDLE, pick=2),
    ])

    # Sharing: flink/open across sessions, PRIME export and imports.
    yield "sharing", b"".join([
        rec(CREATE48_D, mem_create(flags=rw, size=4096), file=0),
        rec(GEM_FLINK, handle_only(8), file=0, fix=FIX_HANDLE),
        rec(GEM_OPEN, struct.pack("<IIQ", 0, 0, 0), file=1, fix=FIX_NAME),
        rec(PRIME_TO_FD, prime(flags=0o2000002), file=0, fix=FIX_HANDLE),
        # harness fds: 3 foreign memfds, 2 pipe ends, then the export
        rec(PRIME_FROM_FD, prime(), file=2, pick=5),
        rec(PRIME_FROM_FD, prime(), file=2, pick=0),
        rec(PRIME_FROM_FD, prime(), file=2, pick=2),
        rec(PRIME_FROM_FD, prime(), file=2, pick=3),
        rec(PRIME_FROM_FD, prime(), file=2, pick=6),
        rec(CREATE48_D, mem_create(size=1), file=2, fix=FIX_HANDLE, pick=2),
        rec(MAP_D, handle_only(16), file=2, fix=FIX_HANDLE, pick=2),
        rec(GEM_CLOSE, handle_only(8), file=1, fix=FIX_HANDLE, pick=1),
        rec(DESTROY_D, handle_only(16), file=0, fix=FIX_HANDLE, pick=0),
    ])

    # A real job: task list, register program and data, then submits on
    # AUTO, one core, all three cores, and through the misc numbering.
    job = [
        rec(CREATE48_D, mem_create(flags=task_flags, size=4096)),
        rec(CREATE48_D, mem_create(flags=rw, size=65536)),
        rec(CREATE48_D, mem_create(flags=rw, size=65536)),
        rec(PROGRAM, bytes([0, 1, 2, 0, 3, 0, 0, 0])),
        rec(SUBMIT_D, submit(core_mask=0), fix=FIX_PC | FIX_RANGE),
        rec(SUBMIT_D, submit(core_mask=2), fix=FIX_PC | FIX_RANGE),
        rec(SUBMIT_D, submit(flags=JOB_PC | JOB_PINGPONG, core_mask=7),
            fix=FIX_PC | FIX_RANGE),
        rec(SUBMIT_R, submit(core_mask=1), fix=FIX_PC | FIX_RANGE),
    ]
    yield "matmul-job", b"".join(job)
    yield "matmul-job-fp16", b"".join(job[:3] + [
        rec(PROGRAM, bytes([0, 1, 2, 1, 7, 1, 1, 2])),
        rec(SUBMIT_D, submit(core_mask=4), fix=FIX_PC | FIX_RANGE),
        rec(SUBMIT_D, submit(core_mask=3), fix=FIX_PC | FIX_RANGE),
    ])

    # Nonblocking submits and fences: a FENCE_OUT fd from an async job
    # gates a blocking one; a dma-buf fd is refused as a fence; the last
    # async job may still be in flight when the sessions close.
    # (Harness fds 0..4 exist from the start; pick 5 is then "no fd", and
    # the first fence becomes fd 5.)
    yield "async-fences", b"".join(job[:4] + [
        rec(SUBMIT_D, submit(flags=JOB_PC | JOB_NONBLOCK | JOB_FENCE_OUT),
            fix=FIX_PC | FIX_RANGE, pick=5),
        rec(SUBMIT_D, submit(flags=JOB_PC | JOB_FENCE_IN | JOB_FENCE_OUT, core_mask=2),
            fix=FIX_PC | FIX_RANGE, pick=5),
        rec(SUBMIT_D, submit(flags=JOB_PC | JOB_FENCE_IN), fix=FIX_PC | FIX_RANGE, pick=0),
        rec(SUBMIT_R, submit(flags=JOB_PC | JOB_NONBLOCK | JOB_FENCE_OUT, core_mask=7),
            fix=FIX_PC | FIX_RANGE, pick=7),
        rec(SUBMIT_D, submit(flags=JOB_PC | JOB_NONBLOCK, core_mask=4),
            fix=FIX_PC | FIX_RANGE),
    ])

    # More tasks than one PC start runs (4095). Under the harness's 20 ms
    # timeout the list is usually still running when the wait gives up, so
    # this mostly drives abort and soft reset in the middle of a task list;
    # on a fast enough host the core also issues the second chunk.
    yield "chunked-job", b"".join([
        rec(CREATE48_D, mem_create(flags=task_flags, size=4097 * 40)),
        rec(CREATE48_D, mem_create(flags=rw, size=8 << 20)),
        rec(CREATE48_D, mem_create(flags=rw, size=1 << 20)),
        rec(PROGRAM, bytes([0, 1, 2, 0, 0x81, 0, 0, 0])),
        rec(SUBMIT_D, submit(core_mask=1), fix=FIX_PC | FIX_RANGE),
    ])

    # Identity queries as librknnrt issues them, then every action code.
    ident = [
        rec(VERSION, version(), fix=FIX_NULLPTR | FIX_NULLPTR << 1 | FIX_NULLPTR << 2),
        rec(VERSION, version(64, 64, 64)),
        rec(GET_UNIQUE, struct.pack("<QQ", 0, 0), fix=FIX_NULLPTR),
        rec(GET_UNIQUE, struct.pack("<QQ", 64, 0)),
    ]
    for code in range(27):
        if code != 6:  # the soft reset has its own seed: it sleeps 200 ms
            ident.append(rec(ACTION_D if code % 2 else ACTION_R, action(code, 5)))
    yield "identity-actions", b"".join(ident)

    # Dispatch edges: unknown numbers, the KMS range, odd sizes/directions,
    # and register tracing switched on for a while.
    yield "dispatch-edges", b"".join([
        rec(DEBUG, bytes([0xf])),
        rec(RAW, struct.pack("<I", ioc(3, "d", 0x46, 8)) + bytes(104)),
        rec(RAW, struct.pack("<I", ioc(3, "d", 0xa0, 16)) + bytes(104)),
        rec(RAW, struct.pack("<I", ioc(3, "r", 9, 16)) + bytes(104)),
        rec(RAW, struct.pack("<I", ioc(3, "d", 0x42, 64)) +
            mem_create(flags=3, size=4096).ljust(104, b"\0")),
        rec(RAW, struct.pack("<I", ioc(1, "d", 0x42, 48)) +
            mem_create(flags=3, size=4096).ljust(104, b"\0")),
        rec(RAW, struct.pack("<I", ioc(3, "r", 2, 20)) +
            mem_create(flags=3, size=4096).ljust(104, b"\0")),
        rec(ACTION_D, action(0)),
        rec(DEBUG, bytes([0])),
    ])

    yield "soft-reset", rec(ACTION_D, action(6))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
