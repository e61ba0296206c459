# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""rnpu: numpy arrays in and out of the RK3588 NPU through librnpu.

A ctypes module with no build step. It loads librnpu.so from the path in
RNPU_LIB, else from a build directory next to this file (build*/lib/), else
by name through the dynamic loader.

    import numpy as np, rnpu
    with rnpu.Device() as dev:                      # "sim" or "/dev/dri/cardN"
        c = rnpu.matmul(dev, a_int8, b_int8)         # int32 result
        y = rnpu.conv2d(dev, x_hwc, w_ohwi, bias=b, stride=2, padding=1,
                        multiplier=m, shift=s, relu=True)

Operations chain in device memory and run asynchronously, each after the
previous one's fence, without the caller waiting in between:

        conv = rnpu.conv2d_op(dev, x.shape, w, ...)
        add = rnpu.eltwise_op(dev, "add", conv.native_count, np.int8)
        add.bind_input(0, conv)                      # conv's output, no copy
        pool = rnpu.pool2d_op(dev, "max", conv.out_shape, np.int8, 2)
        pool.bind_input(0, add)
        conv.set_input(0, x); add.set_input(1, b_native)
        f1 = conv.run_async()
        f2 = add.run_async(after=f1)
        f3 = pool.run_async(after=f2)
        f3.wait()                                    # poll() on its fd
        y = pool.output()

Every failure raises RnpuError with the errno and librnpu's message.
"""

import ctypes
import errno
import glob
import os
import select
import weakref

import numpy as np

__all__ = ["RnpuError", "Device", "Op", "Fence", "matmul", "conv2d", "conv2d_op", "eltwise",
           "eltwise_op", "pool2d", "pool2d_op", "to_native", "from_native", "native_size",
           "requant_from_scale", "shared_library_path"]

# enum rnpu_dtype / rnpu_layout / kinds (include/rnpu/ops.h)
DT_INT8, DT_INT16, DT_FP16, DT_INT32, DT_FP32 = 0, 1, 2, 4, 5
LAYOUT_NHWC, LAYOUT_NCHW = 0, 1
_ELTWISE = {"add": 0, "sub": 1, "mul": 2, "max": 3, "min": 4}
_POOL = {"max": 0, "avg": 1, "min": 2}
# enum rnpu_mm_type (include/rnpu/matmul_task.h)
_MM_INT8_INT32, _MM_FP16_FP32, _MM_FP16_FP16 = 0, 1, 2
_DTYPES = {np.dtype(np.int8): DT_INT8, np.dtype(np.int16): DT_INT16,
           np.dtype(np.float16): DT_FP16, np.dtype(np.int32): DT_INT32,
           np.dtype(np.float32): DT_FP32}
CORE_AUTO = 0
CORES_WHERE_IT_PAYS = 0xFFFFFFFF


class RnpuError(OSError):
    """A librnpu call failed: .errno is the errno value, str() the reason."""


def shared_library_path():
    """The librnpu.so this module loads (see the module docstring)."""
    env = os.environ.get("RNPU_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for pattern in ("build*/lib/librnpu.so", "../build*/lib/librnpu.so"):
        found = sorted(glob.glob(os.path.join(here, pattern)))
        if found:
            return found[0]
    return "librnpu.so"


_lib = ctypes.CDLL(shared_library_path())
_vp = ctypes.c_void_p
_u32 = ctypes.c_uint32


def _proto(name, res, *args):
    fn = getattr(_lib, name)
    fn.restype = res
    fn.argtypes = list(args)
    return fn


class _Conv2dParams(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int)] + \
        [(n, _u32) for n in ("in_h", "in_w", "in_c", "out_c", "kh", "kw", "stride_h",
                             "stride_w", "dilation_h", "dilation_w", "pad_top",
                             "pad_bottom", "pad_left", "pad_right")] + \
        [("depthwise", ctypes.c_bool), ("relu", ctypes.c_bool), ("weights", _vp),
         ("bias", _vp), ("in_zero_point", ctypes.c_int32), ("out_zero_point", ctypes.c_int32),
         ("multiplier", _vp), ("shift", _vp), ("max_rows_per_task", _u32)]


class _EltwiseParams(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("kind", ctypes.c_int), ("count", ctypes.c_uint64),
                ("relu", ctypes.c_bool), ("out_scale", ctypes.c_uint16),
                ("out_shift", ctypes.c_uint8), ("out_offset", ctypes.c_int32),
                ("max_rows_per_task", _u32)]


class _PoolParams(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("kind", ctypes.c_int)] + \
        [(n, _u32) for n in ("in_h", "in_w", "c", "kh", "kw", "stride_h", "stride_w",
                             "pad_top", "pad_bottom", "pad_left", "pad_right",
                             "max_rows_per_task")]


_open = _proto("rnpu_open", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_vp))
_close = _proto("rnpu_close", None, _vp)
_last_error = _proto("rnpu_last_error", ctypes.c_char_p, _vp)
_mm_create = _proto("rnpu_matmul_job_create", ctypes.c_int, _vp, ctypes.c_int, _u32, _u32, _u32,
                    _u32, ctypes.POINTER(_vp))
_mm_set = _proto("rnpu_matmul_job_set_inputs", ctypes.c_int, _vp, _vp, _vp)
_mm_run = _proto("rnpu_matmul_job_run", ctypes.c_int, _vp, _u32, _vp)
_mm_get = _proto("rnpu_matmul_job_get_output", ctypes.c_int, _vp, _vp)
_mm_destroy = _proto("rnpu_matmul_job_destroy", None, _vp)
_conv_create = _proto("rnpu_conv2d_create", ctypes.c_int, _vp, ctypes.POINTER(_Conv2dParams),
                      ctypes.POINTER(_vp))
_ew_create = _proto("rnpu_eltwise_create", ctypes.c_int, _vp, ctypes.POINTER(_EltwiseParams),
                    ctypes.POINTER(_vp))
_pool_create = _proto("rnpu_pool2d_create", ctypes.c_int, _vp, ctypes.POINTER(_PoolParams),
                      ctypes.POINTER(_vp))
_op_shape = _proto("rnpu_op_output_shape", None, _vp, ctypes.POINTER(_u32),
                   ctypes.POINTER(_u32), ctypes.POINTER(_u32))
_op_tasks = _proto("rnpu_op_num_tasks", _u32, _vp)
_op_set = _proto("rnpu_op_set_input", ctypes.c_int, _vp, ctypes.c_uint, _vp)
_op_get = _proto("rnpu_op_get_output", ctypes.c_int, _vp, _vp)
_op_run = _proto("rnpu_op_run", ctypes.c_int, _vp, _u32, _vp)
_op_run_after = _proto("rnpu_op_run_after", ctypes.c_int, _vp, _u32, ctypes.c_int,
                       ctypes.POINTER(ctypes.c_int))
_op_bind_input = _proto("rnpu_op_bind_input", ctypes.c_int, _vp, ctypes.c_uint, _vp)
_op_output_bo = _proto("rnpu_op_output_bo", _vp, _vp)
_fence_wait = _proto("rnpu_fence_wait", ctypes.c_int, ctypes.c_int, ctypes.c_int)
_op_destroy = _proto("rnpu_op_destroy", None, _vp)
_requant = _proto("rnpu_requant_from_scale", ctypes.c_int, ctypes.c_double,
                  ctypes.POINTER(ctypes.c_int16), ctypes.POINTER(ctypes.c_uint8))
_native_size = _proto("rnpu_native_size", ctypes.c_size_t, ctypes.c_int, _u32, _u32, _u32)
_to_native = _proto("rnpu_to_native", ctypes.c_int, ctypes.c_int, ctypes.c_int, _u32, _u32,
                    _u32, _vp, _vp)
_from_native = _proto("rnpu_from_native", ctypes.c_int, ctypes.c_int, ctypes.c_int, _u32, _u32,
                      _u32, _vp, _vp)


def _check(ret, dev=None, what=""):
    if ret < 0:
        msg = _last_error(dev._h).decode(errors="replace") if dev is not None else ""
        raise RnpuError(-ret, "%s: %s" % (what, msg or os.strerror(-ret)))
    return ret


def _ptr(a):
    return a.ctypes.data_as(_vp) if a is not None else None


class Device:
    """An open NPU: "sim" (in-process software NPU) or a device node."""

    def __init__(self, path="sim"):
        h = _vp()
        ret = _open(path.encode() if path else None, ctypes.byref(h))
        if ret < 0:
            raise RnpuError(-ret, "rnpu_open(%r): %s" % (path, os.strerror(-ret)))
        self._h = h
        self._ops = weakref.WeakSet()

    def close(self):
        """Releases the device; operations still open on it are closed first."""
        if getattr(self, "_h", None):
            for op in list(self._ops):
                op.close()
            _close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    @property
    def last_error(self):
        return _last_error(self._h).decode(errors="replace")


class Fence:
    """The end of an asynchronous run: a pollable file descriptor (fileno()),
    readable once the run has ended. Close it when done (or use with)."""

    def __init__(self, fd, dev=None):
        self._fd, self._dev = fd, dev

    def fileno(self):
        if self._fd < 0:
            raise ValueError("fence is closed")
        return self._fd

    def wait(self, timeout=None):
        """Waits up to @timeout seconds (None: until it signals) by poll()
        on the fd. True once the run has succeeded, False if the time ran
        out; raises RnpuError with the run's errno if it failed."""
        p = select.poll()
        p.register(self.fileno(), select.POLLIN)
        if not p.poll(None if timeout is None else max(0, int(timeout * 1000))):
            return False
        ret = _fence_wait(self._fd, 0)
        if ret == -errno.EAGAIN:  # not yet, though poll said so
            return False
        if ret < 0:
            msg = self._dev.last_error if self._dev is not None else ""
            raise RnpuError(-ret, "run: %s" % (msg or os.strerror(-ret)))
        return True

    @property
    def done(self):
        """Whether the run has ended (successfully or not), without waiting."""
        return _fence_wait(self.fileno(), 0) != -errno.EAGAIN

    def close(self):
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Op:
    """A planned operation (conv2d, eltwise, pool2d): its buffers and task
    list are built once; run() may be called any number of times."""

    def __init__(self, dev, handle, in_dtype, in_shapes, keep):
        self.dev, self._h = dev, handle
        dev._ops.add(self)
        self._dtype = in_dtype
        self._in_shapes = in_shapes
        self._keep = keep  # arrays the C side read during creation
        self._producers = {}  # input index -> the Op whose output it reads
        self._consumers = weakref.WeakSet()
        h, w, c = _u32(), _u32(), _u32()
        _op_shape(handle, ctypes.byref(h), ctypes.byref(w), ctypes.byref(c))
        self.out_shape = (h.value, w.value, c.value)

    @property
    def num_tasks(self):
        return _op_tasks(self._h)

    @property
    def native_count(self):
        """Elements of the output in native (NC1HWC2) layout: the count of
        an eltwise_op that reads it."""
        return native_size(self._dtype, *self.out_shape) // np.dtype(self._dtype).itemsize

    def set_input(self, index, x):
        """Input @index from an array (HWC; eltwise: any shape of count
        elements, in the layout its producer has)."""
        shape = self._in_shapes[index]
        x = np.ascontiguousarray(x, dtype=self._dtype)
        if x.size != int(np.prod(shape)):
            raise ValueError("input %d: %d elements, expected shape %s" % (index, x.size, shape))
        _check(_op_set(self._h, index, _ptr(x)), self.dev, "set_input")

    def bind_input(self, index, producer):
        """Reads input @index straight from @producer's output buffer (no
        copy): the producer's native layout. Closing the producer closes
        this operation first."""
        _check(_op_bind_input(self._h, index, _op_output_bo(producer._h)), self.dev,
               "bind_input")
        self._producers[index] = producer
        producer._consumers.add(self)

    def output(self):
        """The output as an array (HWC; eltwise: the input shape)."""
        out = np.empty(self.out_shape, dtype=self._dtype)
        _check(_op_get(self._h, _ptr(out)), self.dev, "get_output")
        return out

    def run(self, core_mask=CORE_AUTO):
        _check(_op_run(self._h, core_mask, None), self.dev, "run")

    def run_async(self, core_mask=CORE_AUTO, after=None):
        """Queues a run, after Fence @after has signalled success if given,
        and returns its Fence at once. The inputs must not change and
        output() must wait until the fence has signalled."""
        fd = ctypes.c_int(-1)
        _check(_op_run_after(self._h, core_mask, after.fileno() if after is not None else -1,
                             ctypes.byref(fd)), self.dev, "run_async")
        return Fence(fd.value, self.dev)

    def __call__(self, *inputs, core_mask=CORE_AUTO):
        if len(inputs) != len(self._in_shapes):
            raise ValueError("expected %d inputs" % len(self._in_shapes))
        for i, x in enumerate(inputs):
            self.set_input(i, x)
        self.run(core_mask)
        return self.output()

    def close(self):
        if getattr(self, "_h", None):
            # Operations reading this one's output go first.
            for op in list(self._consumers):
                op.close()
            _op_destroy(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


def matmul(dev, a, b, out_dtype=None, core_mask=CORE_AUTO):
    """a @ b on the NPU. int8 x int8 -> int32 (exact); float16 x float16 ->
    float32 (or float16 with out_dtype=np.float16). K and N are padded with
    zeros to the multiples of 32 and 16 the hardware path needs."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError("matmul: shapes %s and %s do not chain" % (a.shape, b.shape))
    if a.dtype == np.int8 and b.dtype == np.int8:
        kind, out_t = _MM_INT8_INT32, np.int32
    elif a.dtype == np.float16 and b.dtype == np.float16:
        out_t = np.dtype(out_dtype or np.float32).type
        kind = _MM_FP16_FP16 if out_t == np.float16 else _MM_FP16_FP32
    else:
        raise TypeError("matmul: int8 x int8 or float16 x float16, got %s x %s"
                        % (a.dtype, b.dtype))
    m, k = a.shape
    n = b.shape[1]
    kp, np_ = -(-k // 32) * 32, -(-n // 16) * 16
    ap = np.zeros((m, kp), a.dtype)
    ap[:, :k] = a
    bp = np.zeros((kp, np_), b.dtype)
    bp[:k, :n] = b
    job = _vp()
    _check(_mm_create(dev._h, kind, m, kp, np_, 0, ctypes.byref(job)), dev, "matmul")
    try:
        _check(_mm_set(job, _ptr(ap), _ptr(bp)), dev, "matmul inputs")
        _check(_mm_run(job, core_mask, None), dev, "matmul run")
        c = np.empty((m, np_), out_t)
        _check(_mm_get(job, _ptr(c)), dev, "matmul output")
    finally:
        _mm_destroy(job)
    return np.ascontiguousarray(c[:, :n])


def _pads(padding):
    if isinstance(padding, int):
        return (padding,) * 4
    if len(padding) == 2:
        return (padding[0], padding[0], padding[1], padding[1])
    return tuple(padding)  # (top, bottom, left, right)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _hwc(x):
    x = np.asarray(x)
    if x.ndim == 4:
        if x.shape[0] != 1:
            raise ValueError("batch size must be 1")
        x = x[0]
    if x.ndim != 3:
        raise ValueError("expected an HWC (or 1HWC) array, got shape %s" % (x.shape,))
    return x


def requant_from_scale(scale):
    """Real requantisation scales -> (multiplier int16[], shift uint8[]),
    each the nearest multiplier / 2^shift the DPU can apply."""
    scale = np.atleast_1d(np.asarray(scale, dtype=np.float64))
    mult = np.empty(scale.shape, np.int16)
    shift = np.empty(scale.shape, np.uint8)
    for i, v in enumerate(scale):
        m, s = ctypes.c_int16(), ctypes.c_uint8()
        _check(_requant(float(v), ctypes.byref(m), ctypes.byref(s)),
               what="requant_from_scale(%g)" % v)
        mult[i], shift[i] = m.value, s.value
    return mult, shift


def conv2d_op(dev, in_shape, w, bias=None, stride=1, padding=0, dilation=1, depthwise=False,
              relu=False, in_zero_point=0, out_zero_point=0, multiplier=None, shift=None,
              scale=None, max_rows_per_task=0):
    """Plans a convolution for HWC inputs of @in_shape; returns an Op.
    w: OHWI (depthwise: HWC with C = channels), int8 or float16. int8
    requantisation: multiplier and shift per channel, or scale (real
    numbers, per channel or one for all) converted to them."""
    w = np.ascontiguousarray(w)
    if w.dtype not in (np.int8, np.float16):
        raise TypeError("conv2d: int8 or float16 weights, got %s" % w.dtype)
    h, wd, c = in_shape
    fp = w.dtype == np.float16
    if depthwise:
        kh, kw, wc = w.shape
        o = wc
    else:
        o, kh, kw, wc = w.shape
    if wc != c:
        raise ValueError("conv2d: weights have %d channels, input %d" % (wc, c))
    keep = [w]
    if scale is not None:
        if multiplier is not None or shift is not None:
            raise ValueError("conv2d: give scale or multiplier/shift, not both")
        o_ch = w.shape[-1] if depthwise else w.shape[0]
        multiplier, shift = requant_from_scale(np.broadcast_to(scale, (o_ch,)))
    p = _Conv2dParams()
    p.dtype = DT_FP16 if fp else DT_INT8
    p.in_h, p.in_w, p.in_c, p.out_c, p.kh, p.kw = h, wd, c, o, kh, kw
    p.stride_h, p.stride_w = _pair(stride)
    p.dilation_h, p.dilation_w = _pair(dilation)
    p.pad_top, p.pad_bottom, p.pad_left, p.pad_right = _pads(padding)
    p.depthwise, p.relu = depthwise, relu
    p.weights = _ptr(w)
    if bias is not None:
        bias = np.ascontiguousarray(bias, dtype=np.float32 if fp else np.int32)
        keep.append(bias)
        p.bias = _ptr(bias)
    p.in_zero_point, p.out_zero_point = in_zero_point, out_zero_point
    if multiplier is not None:
        multiplier = np.ascontiguousarray(np.broadcast_to(multiplier, (o,)), dtype=np.int16)
        keep.append(multiplier)
        p.multiplier = _ptr(multiplier)
    if shift is not None:
        shift = np.ascontiguousarray(np.broadcast_to(shift, (o,)), dtype=np.uint8)
        keep.append(shift)
        p.shift = _ptr(shift)
    p.max_rows_per_task = max_rows_per_task
    h_op = _vp()
    _check(_conv_create(dev._h, ctypes.byref(p), ctypes.byref(h_op)), dev, "conv2d")
    return Op(dev, h_op, w.dtype, [(h, wd, c)], keep)


def conv2d(dev, x, w, core_mask=CORE_AUTO, **kw):
    """One convolution of an HWC (or 1HWC) array; see conv2d_op for the
    parameters. int8: per-channel requantised int8 out; float16: float16 out."""
    x = _hwc(x)
    with conv2d_op(dev, x.shape, w, **kw) as op:
        return op(x.astype(w.dtype, copy=False), core_mask=core_mask)


def eltwise(dev, kind, a, b, relu=False, out_scale=0, out_shift=0, out_offset=0,
            core_mask=CORE_AUTO):
    """a <kind> b elementwise ("add", "sub", "mul", "max", "min") for int8 or
    float16 arrays of one shape; int8 results are requantised as
    sat8(round(r * out_scale / 2^out_shift) + out_offset)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype or a.dtype not in (np.int8, np.float16):
        raise TypeError("eltwise: two int8 or float16 arrays of one shape")
    with eltwise_op(dev, kind, a.shape, a.dtype, relu, out_scale, out_shift,
                    out_offset) as op:
        return op(a, b, core_mask=core_mask)


def eltwise_op(dev, kind, shape, dtype, relu=False, out_scale=0, out_shift=0, out_offset=0):
    """Plans a <kind> b over arrays of @shape (or a count) and @dtype (int8
    or float16); returns an Op with inputs 0 (a) and 1 (b)."""
    shape = (shape,) if np.isscalar(shape) else tuple(shape)
    dtype = np.dtype(dtype)
    if dtype not in (np.int8, np.float16):
        raise TypeError("eltwise: int8 or float16, got %s" % dtype)
    p = _EltwiseParams(dtype=_DTYPES[dtype], kind=_ELTWISE[kind], count=int(np.prod(shape)),
                       relu=relu, out_scale=out_scale, out_shift=out_shift,
                       out_offset=out_offset)
    h = _vp()
    _check(_ew_create(dev._h, ctypes.byref(p), ctypes.byref(h)), dev, "eltwise")
    op = Op(dev, h, dtype.type, [shape, shape], [])
    op.out_shape = shape
    return op


def pool2d(dev, kind, x, kernel, stride=None, padding=0, core_mask=CORE_AUTO):
    """"max", "avg" or "min" pooling of an HWC (or 1HWC) int8/float16 array."""
    x = _hwc(x)
    with pool2d_op(dev, kind, x.shape, x.dtype, kernel, stride, padding) as op:
        return op(x, core_mask=core_mask)


def pool2d_op(dev, kind, in_shape, dtype, kernel, stride=None, padding=0):
    """Plans "max", "avg" or "min" pooling of HWC inputs of @in_shape and
    @dtype (int8 or float16); returns an Op."""
    dtype = np.dtype(dtype)
    kh, kw = _pair(kernel)
    sh, sw = _pair(stride) if stride is not None else (kh, kw)
    pt, pb, pl, pr = _pads(padding)
    p = _PoolParams(dtype=_DTYPES[dtype], kind=_POOL[kind], in_h=in_shape[0],
                    in_w=in_shape[1], c=in_shape[2], kh=kh, kw=kw, stride_h=sh, stride_w=sw,
                    pad_top=pt, pad_bottom=pb, pad_left=pl, pad_right=pr)
    h = _vp()
    _check(_pool_create(dev._h, ctypes.byref(p), ctypes.byref(h)), dev, "pool2d")
    return Op(dev, h, dtype.type, [tuple(in_shape)], [])


def native_size(dtype, h, w, c):
    """Bytes of an NC1HWC2 tensor."""
    return _native_size(_DTYPES[np.dtype(dtype)], h, w, c)


def to_native(x, layout="NHWC"):
    """An HWC (or CHW with layout="NCHW") array -> its NC1HWC2 bytes (uint8)."""
    x = np.ascontiguousarray(x)
    h, w, c = x.shape if layout == "NHWC" else (x.shape[1], x.shape[2], x.shape[0])
    out = np.empty(native_size(x.dtype, h, w, c), np.uint8)
    _check(_to_native(_DTYPES[x.dtype], LAYOUT_NHWC if layout == "NHWC" else LAYOUT_NCHW,
                      h, w, c, _ptr(x), _ptr(out)), what="to_native")
    return out


def from_native(buf, dtype, shape, layout="NHWC"):
    """NC1HWC2 bytes -> an array of @shape (HWC, or CHW with layout="NCHW")."""
    buf = np.ascontiguousarray(buf, dtype=np.uint8)
    dtype = np.dtype(dtype)
    h, w, c = shape if layout == "NHWC" else (shape[1], shape[2], shape[0])
    if buf.size < native_size(dtype, h, w, c):
        raise ValueError("from_native: %d bytes, need %d" % (buf.size,
                                                             native_size(dtype, h, w, c)))
    out = np.empty(shape, dtype)
    _check(_from_native(_DTYPES[dtype], LAYOUT_NHWC if layout == "NHWC" else LAYOUT_NCHW,
                        h, w, c, _ptr(buf), _ptr(out)), what="from_native")
    return out

