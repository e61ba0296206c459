# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""The Python binding (python/rnpu.py) against plain numpy references:
matmul int8/fp16, int4 (resident weights, several cores, saturation,
every refusal), per-column requantisation, conv2d int8 (requantised, depthwise, strided, padded,
tiled) and fp16, elementwise, pooling, the layout converters, and the
errors. Prints TAP."""

import fcntl
import mmap
import os
import struct
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import rnpu  # noqa: E402

TESTS = []


# The userspace fence format (docs/uapi.md), written by hand: the read end
# of a one-page pipe; signalling writes a 16-byte record (status, 0, signal
# time) plus e bytes for a status of -e, and closes the write end.
def fence_gate():
    r, w = os.pipe()
    fcntl.fcntl(r, getattr(fcntl, "F_SETPIPE_SZ", 1031), mmap.PAGESIZE)
    return r, w


def fence_gate_open(w, status):
    rec = struct.pack("=iIQ", status, 0, time.monotonic_ns())
    os.write(w, rec + bytes(-status if status < 0 else 0))
    os.close(w)


def test(fn):
    TESTS.append(fn)
    return fn


def rshift_half_up(v, s):
    """round(v / 2^s), ties toward +infinity, on int64 arrays."""
    return (v + (np.int64(1) << s) // 2 * (s > 0)) >> s


def ref_conv(x, w, stride, pads, dil, depthwise):
    """Plain NHWC convolution in float64 (exact for these integers)."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    pt, pb, pl, pr = pads
    xp = np.pad(x, ((pt, pb), (pl, pr), (0, 0)))
    if depthwise:
        kh, kw, c = w.shape
    else:
        o, kh, kw, c = w.shape
    oh = (xp.shape[0] - (kh - 1) * dil - 1) // stride + 1
    ow = (xp.shape[1] - (kw - 1) * dil - 1) // stride + 1
    out = np.zeros((oh, ow, c if depthwise else o))
    for ky in range(kh):
        for kx in range(kw):
            win = xp[ky * dil: ky * dil + (oh - 1) * stride + 1: stride,
                     kx * dil: kx * dil + (ow - 1) * stride + 1: stride, :]
            out += win * w[ky, kx, :] if depthwise else win @ w[:, ky, kx, :].T
    return out


@test
def matmul_int8_odd_shapes(dev):
    rng = np.random.default_rng(1)
    a = rng.integers(-128, 128, (37, 50), dtype=np.int8)
    b = rng.integers(-128, 128, (50, 21), dtype=np.int8)
    got = rnpu.matmul(dev, a, b)
    assert got.dtype == np.int32 and got.shape == (37, 21)
    assert np.array_equal(got, a.astype(np.int64) @ b.astype(np.int64))


@test
def matmul_fp16_fp32(dev):
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (16, 64)).astype(np.float16)
    b = rng.uniform(-1, 1, (64, 32)).astype(np.float16)
    got = rnpu.matmul(dev, a, b)
    want = a.astype(np.float64) @ b.astype(np.float64)
    bound = 2 * 64 * 2.0 ** -24 * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
    assert got.dtype == np.float32
    assert np.all(np.abs(got - want) <= bound)


def ref_int4(a, b):
    """int4 products summed exactly, then saturated to int16
    (docs/hw-facts-int4.md: the software NPU saturates)."""
    return np.clip(a.astype(np.int64) @ b.astype(np.int64), -32768, 32767).astype(np.int16)


def int4_values(rng, shape):
    return rng.integers(-8, 8, shape, dtype=np.int8)


def raises(exc, text, fn, *args, **kw):
    """fn(*args, **kw) must raise @exc whose message contains @text; returns it."""
    try:
        fn(*args, **kw)
    except exc as e:
        assert text in str(e), "%r not in %r" % (text, str(e))
        return e
    raise AssertionError("%s did not raise %s(%r)" % (getattr(fn, "__name__", fn), exc.__name__,
                                                      text))


@test
def matmul_int4_odd_shapes(dev):
    rng = np.random.default_rng(41)
    for m, k, n in ((1, 1, 1), (37, 50, 21), (5, 33, 65), (129, 97, 130)):
        a, b = int4_values(rng, (m, k)), int4_values(rng, (k, n))
        got = rnpu.matmul(dev, a, b, int4=True)
        assert got.dtype == np.int16 and got.shape == (m, n), (got.dtype, got.shape)
        assert np.array_equal(got, ref_int4(a, b)), (m, k, n)


@test
def matmul_int4_resident_weights_on_several_cores(dev):
    rng = np.random.default_rng(42)
    m, k, n = 300, 161, 200   # 3 row tiles of <= 128 rows, N padded to 256
    b = int4_values(rng, (k, n))
    for mask, cores in ((1, 1), (3, 2), (7, 3)):
        with rnpu.Matmul(dev, b, m, int4=True, core_mask=mask) as mm:
            for _ in range(2):    # B stays resident, A changes
                a = int4_values(rng, (m, k))
                assert np.array_equal(mm(a), ref_int4(a, b)), mask
            used = [t for t in mm.stats["core_tasks"] if t]
            assert len(used) == cores, (mask, mm.stats)
            b2 = int4_values(rng, (k, n))
            mm.set_b(b2)
            assert np.array_equal(mm(a), ref_int4(a, b2)), mask


@test
def matmul_int4_saturates_to_int16_at_max_k(dev):
    k = rnpu.INT4_MAX_K
    a = np.full((3, k), -8, np.int8)
    a[1] = 7
    a[2, ::2] = 1            # 4096 x (1 x -8) + 4096 x (-1 x -8): sum 0
    a[2, 1::2] = -1
    b = np.full((k, 2), -8, np.int8)
    got = rnpu.matmul(dev, a, b, int4=True, core_mask=7)
    assert np.array_equal(got, ref_int4(a, b))
    assert got[0, 0] == 32767 and got[1, 0] == -32768 and got[2, 0] == 0, got


@test
def matmul_int4_refusals(dev):
    z = np.zeros((4, 4), np.int8)
    bad = z.copy()
    bad[1, 2] = 8
    raises(ValueError, "matmul int4: A[1, 2] = 8 is outside [-8, 7]",
           rnpu.matmul, dev, bad, z, int4=True)
    bad[1, 2] = -9
    raises(ValueError, "matmul int4: B[1, 2] = -9 is outside [-8, 7]",
           rnpu.matmul, dev, z, bad, int4=True)
    wide = np.zeros((4, 4), np.int16)
    wide[3, 0] = 300          # would wrap to 44 as int8: named before any cast
    raises(ValueError, "matmul int4: A[3, 0] = 300 is outside [-8, 7]",
           rnpu.matmul, dev, wide, z, int4=True)
    raises(TypeError, "matmul int4: A must hold integers",
           rnpu.matmul, dev, z.astype(np.float32), z, int4=True)
    raises(ValueError, "matmul: shapes (4, 4) and (5, 4) do not chain",
           rnpu.matmul, dev, z, np.zeros((5, 4), np.int8), int4=True)
    e = raises(rnpu.RnpuError, "matmul: K = 8193 exceeds 8192 for int4->int16",
               rnpu.matmul, dev, np.zeros((1, 8193), np.int8), np.zeros((8193, 1), np.int8),
               int4=True)
    assert e.errno == 22
    with rnpu.Matmul(dev, z, 2, int4=True) as mm:
        raises(ValueError, "matmul: A must be (2, 4), got (3, 4)", mm, np.zeros((3, 4), np.int8))
        raises(ValueError, "matmul: B must be int8 (4, 4), got int8 (4, 5)",
               mm.set_b, np.zeros((4, 5), np.int8))
        bad = np.zeros((2, 4), np.int8)
        bad[0, 3] = -100
        raises(ValueError, "matmul int4: A[0, 3] = -100 is outside [-8, 7]", mm, bad)
    e = raises(rnpu.RnpuError, "matmul: relu is not available for int4->int16",
               rnpu.Matmul, dev, z, 2, int4=True, relu=True)
    assert e.errno == 22
    e = raises(rnpu.RnpuError, "matmul: col_scale is for int8 x int8",
               rnpu.matmul, dev, z, z, int4=True, col_scale=0.5)
    assert e.errno == 95
    raises(TypeError, "matmul int4: the result is int16, not float32",
           rnpu.matmul, dev, z, z, int4=True, out_dtype=np.float32)


@test
def matmul_int8_col_scale_resident(dev):
    # Scales p / 2^q are exact in the DPU's 16-bit multiplier and shift, so
    # round_half_up(sum * scale) in integers is the reference.
    rng = np.random.default_rng(43)
    m, k, n = 70, 45, 19
    p = rng.integers(1, 200, n)
    q = rng.integers(0, 12, n)
    scale = p / 2.0 ** q
    b = rng.integers(-128, 128, (k, n), dtype=np.int8)
    with rnpu.Matmul(dev, b, m, col_scale=scale, core_mask=7) as mm32, \
            rnpu.Matmul(dev, b, m, out_dtype=np.int8, col_scale=scale, out_offset=-5,
                        core_mask=3) as mm8:
        for _ in range(2):
            a = rng.integers(-128, 128, (m, k), dtype=np.int8)
            acc = a.astype(np.int64) @ b.astype(np.int64)
            t = rshift_half_up(acc * p, q)
            got = mm32(a)
            assert got.dtype == np.int32 and np.array_equal(got, t)
            got8 = mm8(a)
            assert got8.dtype == np.int8 and np.array_equal(got8, np.clip(t - 5, -128, 127))
    got = rnpu.matmul(dev, a, b, col_scale=0.25)
    assert np.array_equal(got, rshift_half_up(acc, 2))
    e = raises(rnpu.RnpuError, "col_scale[3] = 0 is", rnpu.matmul, dev, a, b,
               col_scale=np.where(np.arange(n) == 3, 0.0, 1.0))
    assert e.errno == 22
    raises(ValueError, "matmul int8 -> int8: needs col_scale",
           rnpu.Matmul, dev, b, m, out_dtype=np.int8)


@test
def matmul_resident_int16_and_fp16(dev):
    rng = np.random.default_rng(44)
    m, k, n = 9, 70, 23
    b16 = rng.integers(-300, 300, (k, n), dtype=np.int16)
    with rnpu.Matmul(dev, b16, m, core_mask=3) as mm:
        a16 = rng.integers(-300, 300, (m, k), dtype=np.int16)
        got = mm(a16)
        assert got.dtype == np.int32
        assert np.array_equal(got, a16.astype(np.int64) @ b16.astype(np.int64))
    bh = rng.uniform(-1, 1, (k, n)).astype(np.float16)
    ah = rng.uniform(-1, 1, (m, k)).astype(np.float16)
    want = ah.astype(np.float64) @ bh.astype(np.float64)
    mag = np.abs(ah.astype(np.float64)) @ np.abs(bh.astype(np.float64))
    with rnpu.Matmul(dev, bh, m) as mm:
        got = mm(ah)
        assert got.dtype == np.float32
        assert np.all(np.abs(got - want) <= 2 * k * 2.0 ** -24 * mag)
    with rnpu.Matmul(dev, bh, m, out_dtype=np.float16, core_mask=7) as mm:
        got = mm(ah)
        # fp32 accumulation, then one rounding to fp16 (half an ulp, 2^-11 relative)
        assert got.dtype == np.float16
        assert np.all(np.abs(got.astype(np.float64) - want) <=
                      2 * k * 2.0 ** -24 * mag + 2.0 ** -11 * np.abs(want) + 2.0 ** -24)
    with rnpu.Matmul(dev, bh, m) as mm:
        raises(TypeError, "matmul: A must be float16 like B, got int8", mm,
               np.zeros((m, k), np.int8))


@test
def conv2d_int8_requantised(dev):
    rng = np.random.default_rng(3)
    x = rng.integers(-128, 128, (19, 23, 20), dtype=np.int8)
    w = rng.integers(-128, 128, (24, 3, 3, 20), dtype=np.int8)
    bias = rng.integers(-20000, 20000, 24).astype(np.int32)
    mult = rng.integers(16384, 32768, 24).astype(np.int16)
    shift = np.full(24, 19, np.uint8)
    zx, zy = 3, -5
    got = rnpu.conv2d(dev, x, w, bias=bias, stride=2, padding=(1, 1, 1, 0),
                      multiplier=mult, shift=shift, relu=True, in_zero_point=zx,
                      out_zero_point=zy, max_rows_per_task=2)
    acc = ref_conv(x.astype(np.int64) - zx, w, 2, (1, 1, 1, 0), 1, False).astype(np.int64)
    t = np.clip(acc + bias, -2 ** 31, 2 ** 31 - 1)
    t = np.clip(rshift_half_up(t * mult.astype(np.int64), 19), -2 ** 31, 2 ** 31 - 1)
    t = np.maximum(t, 0)
    want = np.clip(t + zy, -128, 127)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert np.array_equal(got, want)


@test
def conv2d_int8_real_scale(dev):
    rng = np.random.default_rng(10)
    x = rng.integers(-128, 128, (10, 9, 24), dtype=np.int8)
    w = rng.integers(-128, 128, (16, 3, 3, 24), dtype=np.int8)
    scale = rng.uniform(1e-4, 4e-4, 16)
    got = rnpu.conv2d(dev, x, w, padding=1, scale=scale, out_zero_point=2)
    acc = ref_conv(x, w, 1, (1, 1, 1, 1), 1, False)
    want = np.clip(np.floor(acc * scale + 0.5) + 2, -128, 127)
    # The multiplier carries 15 significant bits: at most one step off.
    assert np.max(np.abs(got.astype(np.int64) - want)) <= 1
    assert np.mean(got == want) > 0.95
    m, s = rnpu.requant_from_scale([0.5, 1 / 3])
    assert list(m) == [16384, 21845] and list(s) == [15, 16]


@test
def conv2d_int8_depthwise(dev):
    rng = np.random.default_rng(4)
    x = rng.integers(-128, 128, (12, 12, 40), dtype=np.int8)
    w = rng.integers(-128, 128, (3, 3, 40), dtype=np.int8)
    got = rnpu.conv2d(dev, x[None], w, depthwise=True, padding=1,
                      multiplier=np.full(40, 1, np.int16), shift=np.full(40, 8, np.uint8))
    acc = ref_conv(x, w, 1, (1, 1, 1, 1), 1, True).astype(np.int64)
    want = np.clip(rshift_half_up(acc, 8), -128, 127)
    assert np.array_equal(got, want)


@test
def conv2d_fp16(dev):
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (9, 10, 8)).astype(np.float16)
    w = rng.uniform(-1, 1, (16, 3, 3, 8)).astype(np.float16)
    bias = rng.uniform(-1, 1, 16).astype(np.float32)
    got = rnpu.conv2d(dev, x, w, bias=bias, padding=1, relu=True)
    want = np.maximum(ref_conv(x, w, 1, (1, 1, 1, 1), 1, False) + bias, 0)
    mag = ref_conv(np.abs(x), np.abs(w), 1, (1, 1, 1, 1), 1, False) + np.abs(bias)
    bound = 2 * 73 * 2.0 ** -24 * mag + 2.0 ** -11 * np.abs(want) + 2.0 ** -25
    assert got.dtype == np.float16
    assert np.all(np.abs(got.astype(np.float64) - want) <= bound)


@test
def conv2d_op_reuse_and_cores(dev):
    rng = np.random.default_rng(6)
    w = rng.integers(-8, 8, (32, 1, 1, 16), dtype=np.int8)
    with rnpu.conv2d_op(dev, (40, 8, 16), w, max_rows_per_task=5) as op:
        assert op.num_tasks == 8
        for core_mask in (0, 1, 3, 7):
            x = rng.integers(-8, 8, (40, 8, 16), dtype=np.int8)
            got = op(x, core_mask=core_mask)
            want = np.clip(x.astype(np.int64) @ w[:, 0, 0, :].T.astype(np.int64), -128, 127)
            assert np.array_equal(got, want)


@test
def eltwise_int8_and_fp16(dev):
    rng = np.random.default_rng(7)
    a = rng.integers(-128, 128, (5, 7, 11), dtype=np.int8)
    b = rng.integers(-128, 128, (5, 7, 11), dtype=np.int8)
    a64, b64 = a.astype(np.int64), b.astype(np.int64)
    assert np.array_equal(rnpu.eltwise(dev, "add", a, b), np.clip(a64 + b64, -128, 127))
    assert np.array_equal(rnpu.eltwise(dev, "sub", a, b, relu=True),
                          np.clip(np.maximum(a64 - b64, 0), -128, 127))
    # (a*b) >> 7 with ties to even, as numpy's rint does on exact halves.
    assert np.array_equal(rnpu.eltwise(dev, "mul", a, b, out_shift=7),
                          np.clip(np.rint((a64 * b64) / 128.0), -128, 127))
    assert np.array_equal(rnpu.eltwise(dev, "max", a, b), np.maximum(a, b))
    fa = rng.uniform(-4, 4, 300).astype(np.float16)
    fb = rng.uniform(-4, 4, 300).astype(np.float16)
    want = (fa.astype(np.float64) * fb.astype(np.float64)).astype(np.float16)
    assert np.array_equal(rnpu.eltwise(dev, "mul", fa, fb), want)


@test
def pool2d_max_and_avg(dev):
    rng = np.random.default_rng(8)
    x = rng.integers(-128, 128, (14, 10, 19), dtype=np.int8)
    got = rnpu.pool2d(dev, "max", x, 2)
    want = x.reshape(7, 2, 5, 2, 19).max(axis=(1, 3))
    assert np.array_equal(got, want)
    got = rnpu.pool2d(dev, "avg", x, 2)
    want = np.floor(x.astype(np.int64).reshape(7, 2, 5, 2, 19).sum(axis=(1, 3)) * 0.25 + 0.5)
    assert np.array_equal(got, want)


@test
def layout_converters(dev):
    rng = np.random.default_rng(9)
    x = rng.integers(-128, 128, (3, 4, 21), dtype=np.int8)
    buf = rnpu.to_native(x)
    assert buf.size == 2 * 3 * 4 * 16
    nat = buf.view(np.int8).reshape(2, 3, 4, 16)
    for c in range(21):
        assert np.array_equal(nat[c // 16, :, :, c % 16], x[:, :, c])
    assert not nat[1, :, :, 5:].any()
    assert np.array_equal(rnpu.from_native(buf, np.int8, x.shape), x)
    chw = np.ascontiguousarray(x.transpose(2, 0, 1))
    assert np.array_equal(rnpu.to_native(chw, "NCHW"), buf)
    h = rng.uniform(-1, 1, (2, 2, 9)).astype(np.float16)
    assert np.array_equal(rnpu.from_native(rnpu.to_native(h), np.float16, h.shape), h)


def to_native_np(x):
    """HWC int8 -> NC1HWC2 by index arithmetic: channels padded to 16."""
    h, w, c = x.shape
    c1 = -(-c // 16)
    xp = np.zeros((h, w, c1 * 16), x.dtype)
    xp[:, :, :c] = x
    return np.ascontiguousarray(xp.reshape(h, w, c1, 16).transpose(2, 0, 1, 3)).reshape(-1)


@test
def async_chain_conv_add_pool(dev):
    """conv -> add -> max pool in device memory, queued with fences, the
    caller waiting only for the last one (poll on its fd)."""
    rng = np.random.default_rng(11)
    x = rng.integers(-128, 128, (12, 10, 24), dtype=np.int8)
    w = rng.integers(-128, 128, (32, 3, 3, 24), dtype=np.int8)
    mult = rng.integers(16384, 32768, 32).astype(np.int16)
    shift = np.full(32, 20, np.uint8)
    conv = rnpu.conv2d_op(dev, x.shape, w, padding=1, multiplier=mult, shift=shift)
    assert conv.native_count == 2 * 12 * 10 * 16
    add = rnpu.eltwise_op(dev, "add", conv.native_count, np.int8)
    add.bind_input(0, conv)
    pool = rnpu.pool2d_op(dev, "max", conv.out_shape, np.int8, 2)
    pool.bind_input(0, add)
    b = rng.integers(-128, 128, conv.out_shape, dtype=np.int8)
    conv.set_input(0, x)
    add.set_input(1, to_native_np(b))
    f1 = conv.run_async()
    f2 = add.run_async(after=f1)
    f3 = pool.run_async(core_mask=0x7, after=f2)
    assert f3.wait(timeout=60)
    assert f1.done and f2.done and f1.wait(0) and f2.wait(0)
    got = pool.output()
    acc = ref_conv(x, w, 1, (1, 1, 1, 1), 1, False).astype(np.int64)
    y = np.clip(rshift_half_up(acc * mult.astype(np.int64), 20), -128, 127)
    s = np.clip(y + b, -128, 127)
    want = s.reshape(6, 2, 5, 2, 32).max(axis=(1, 3))
    assert np.array_equal(got, want)
    for f in (f1, f2, f3):
        f.close()
    # Closing the producer closes the operations reading its output.
    conv.close()
    assert add._h is None and pool._h is None


@test
def async_run_and_failed_input(dev):
    """run_async without an input fence; a fence whose run failed fails the
    next run with its errno."""
    rng = np.random.default_rng(12)
    a = rng.integers(-128, 128, 1000, dtype=np.int8)
    b = rng.integers(-128, 128, 1000, dtype=np.int8)
    with rnpu.eltwise_op(dev, "sub", a.shape, np.int8) as op:
        op.set_input(0, a)
        op.set_input(1, b)
        with op.run_async() as f:
            assert f.wait(60)
            assert f.fileno() >= 0
        want = np.clip(a.astype(np.int64) - b, -128, 127)
        assert np.array_equal(op.output(), want)
        # A gate in the format of rnpu fences: the run waits behind it,
        # the caller does not.
        gate, opener = fence_gate()
        with rnpu.Fence(gate) as g, op.run_async(after=g) as f:
            assert not f.done and not f.wait(0)
            fence_gate_open(opener, 0)
            assert f.wait(60)
        # A failed input: refused at once with its errno.
        gate, opener = fence_gate()
        fence_gate_open(opener, -5)
        with rnpu.Fence(gate) as g:
            try:
                op.run_async(after=g)
            except rnpu.RnpuError as e:
                assert e.errno == 5 and "input fence" in str(e), str(e)
            else:
                raise AssertionError("run_async ran after a failed fence")


@test
def errors_raise_with_errno(dev):
    w = np.zeros((4, 3, 3, 4), np.int8)
    try:
        rnpu.conv2d(dev, np.zeros((8, 8, 4), np.int8), w, in_zero_point=300)
    except rnpu.RnpuError as e:
        assert e.errno == 22 and "in_zero_point 300" in str(e), str(e)
    else:
        raise AssertionError("conv2d accepted in_zero_point 300")
    try:
        rnpu.pool2d(dev, "max", np.zeros((20, 20, 4), np.int8), 17, stride=1)
    except rnpu.RnpuError as e:
        assert e.errno == 34 and "KERNEL_HEIGHT" in str(e), str(e)
    else:
        raise AssertionError("pool2d accepted kernel 17")
    try:
        rnpu.matmul(dev, np.zeros((2, 3), np.int8), np.zeros((4, 2), np.int8))
    except ValueError:
        pass
    else:
        raise AssertionError("matmul accepted mismatched shapes")


def main():
    print("1..%d" % len(TESTS))
    failed = 0
    with rnpu.Device("sim") as dev:
        for i, fn in enumerate(TESTS, 1):
            try:
                fn(dev)
                print("ok %d - python.%s" % (i, fn.__name__))
            except Exception:  # noqa: BLE001 - every failure is reported
                failed += 1
                print("not ok %d - python.%s" % (i, fn.__name__))
                for line in traceback.format_exc().splitlines():
                    print("# " + line)
            sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
