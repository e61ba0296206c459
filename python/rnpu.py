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

__all__ = ["RnpuError", "Device", "Op", "Fence", "Matmul", "matmul", "conv2d", "conv2d_op", "eltwise",
           "eltwise_op", "pool2d", "pool2d_op", "to_native", "from_native", "native_size",
           "requant_from_scale", "shared_library_path"]

# enum rnpu_dtype / rnpu_layout / kinds (include/rnpu/ops.h)
DT_INT8, DT_INT16, DT_FP16, DT_INT32, DT_FP32 = 0, 1, 2, 4, 5
LAYOUT_NHWC, LAYOUT_NCHW = 0, 1
_ELTWISE = {"add": 0, "sub": 1, "mul": 2, "max": 3, "min": 4}
_POOL = {"max": 0, "avg": 1, "min": 2}
# enum rnpu_mm_type (include/rnpu/matmul_task.h)
_MM_INT8_INT32, _MM_FP16_FP32, _MM_FP16_FP16 = 0, 1, 2
_MM_INT8_INT8, _MM_INT16_INT32, _MM_INT4_INT16 = 3, 4, 5
_MM_OUT = {_MM_INT8_INT32: np.int32, _MM_FP16_FP32: np.float32, _MM_FP16_FP16: np.float16,
           _MM_INT8_INT8: np.int8, _MM_INT16_INT32: np.int32, _MM_INT4_INT16: np.int16}
INT4_MAX_K = 8192  # rnpu_matmul_max_k(RNPU_MM_INT4_INT16): int4 has no K split
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


class _MmRequant(ctypes.Structure):
    _fields_ = [("scale", ctypes.c_uint16), ("shift", ctypes.c_uint8), ("offset", ctypes.c_int32)]


class _MatmulCfg(ctypes.Structure):  # struct rnpu_matmul_cfg (include/rnpu/matmul.h)
    _fields_ = [("type", ctypes.c_int), ("m", _u32), ("k", _u32), ("n", _u32),
                ("core_mask", _u32), ("relu", ctypes.c_bool), ("requant", _MmRequant),
                ("max_tile_m", _u32), ("timeout_ms", _u32),
                ("col_scale", ctypes.POINTER(ctypes.c_double))]


class _MatmulStats(ctypes.Structure):
    _fields_ = [("tasks", _u32), ("core_mask", _u32), ("core_tasks", _u32 * 3),
                ("core_macs", ctypes.c_uint64 * 3), ("hw_elapse_ns", ctypes.c_int64),
                ("model_ns", ctypes.c_uint64 * 3)]


_open = _proto("rnpu_open", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_vp))
_close = _proto("rnpu_close", None, _vp)
_last_error = _proto("rnpu_last_error", ctypes.c_char_p, _vp)
_mm_create = _proto("rnpu_matmul_job_create", ctypes.c_int, _vp, ctypes.c_int, _u32, _u32, _u32,
                    _u32, ctypes.POINTER(_vp))
_mm_set = _proto("rnpu_matmul_job_set_inputs", ctypes.c_int, _vp, _vp, _vp)
_mm_run = _proto("rnpu_matmul_job_run", ctypes.c_int, _vp, _u32, _vp)
_mm_get = _proto("rnpu_matmul_job_get_output", ctypes.c_int, _vp, _vp)
_mm_destroy = _proto("rnpu_matmul_job_destroy", None, _vp)
_tmm_create = _proto("rnpu_matmul_create", ctypes.c_int, _vp, ctypes.POINTER(_MatmulCfg),
                     ctypes.POINTER(_vp))
_tmm_set_a = _proto("rnpu_matmul_set_a", ctypes.c_int, _vp, _vp)
_tmm_set_b = _proto("rnpu_matmul_set_b", ctypes.c_int, _vp, _vp)
_tmm_run = _proto("rnpu_matmul_run", ctypes.c_int, _vp, ctypes.POINTER(_MatmulStats))
_tmm_get_c = _proto("rnpu_matmul_get_c", ctypes.c_int, _vp, _vp)
_tmm_destroy = _proto("rnpu_matmul_destroy", None, _vp)
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


class _Closing:
    """close() on leaving a with-block and when collected."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Device(_Closing):
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

    @property
    def last_error(self):
        return _last_error(self._h).decode(errors="replace")


class Fence(_Closing):
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


class Op(_Closing):
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


def _int4_checked(x, name):
    """@x as int8 after checking every element is an int4 value: the error
    names the first element outside [-8, 7] (before any wrap to int8)."""
    x = np.asarray(x)
    if x.dtype.kind not in "iu":
        raise TypeError("matmul int4: %s must hold integers (int8 in [-8, 7]), got %s"
                        % (name, x.dtype))
    bad = np.argwhere((x < -8) | (x > 7))
    if bad.size:
        idx = tuple(int(i) for i in bad[0])
        raise ValueError("matmul int4: %s[%s] = %d is outside [-8, 7]"
                         % (name, ", ".join(map(str, idx)), int(x[idx])))
    return np.ascontiguousarray(x, dtype=np.int8)


class Matmul(_Closing):
    """C = A @ B with B resident: the weights are packed into the NPU's
    layout once (here and by set_b), the task list is planned once, and
    each call sends only A (librnpu's rnpu_matmul API, any M, K, N).

    b (K, N) picks the type: int8 (-> int32, or -> int8 with
    out_dtype=np.int8 and col_scale), int8 with int4=True (values in
    [-8, 7], -> int16 with sums saturated to int16, K <= INT4_MAX_K),
    int16 (-> int32) or float16 (-> float32, or float16 with
    out_dtype=np.float16). col_scale: per-column real scales (int8 inputs
    only; a scalar is broadcast to N); int8 output adds out_offset and
    saturates. core_mask: 0 (one core), 1/2/4, or 3/7 (split)."""

    def __init__(self, dev, b, m, int4=False, out_dtype=None, core_mask=CORE_AUTO,
                 col_scale=None, out_offset=0, relu=False):
        b = _int4_checked(b, "B") if int4 else np.asarray(b)
        if b.ndim != 2:
            raise ValueError("matmul: B must be 2-D (K, N), got shape %s" % (b.shape,))
        out_t = np.dtype(out_dtype).type if out_dtype is not None else None
        if int4:
            if out_t not in (None, np.int16):
                raise TypeError("matmul int4: the result is int16, not %s" % np.dtype(out_t))
            kind = _MM_INT4_INT16
        elif b.dtype == np.int8:
            if out_t not in (None, np.int32, np.int8):
                raise TypeError("matmul int8: the result is int32 or int8, not %s"
                                % np.dtype(out_t))
            if out_t == np.int8 and col_scale is None:
                raise ValueError("matmul int8 -> int8: needs col_scale")
            kind = _MM_INT8_INT8 if out_t == np.int8 else _MM_INT8_INT32
        elif b.dtype == np.int16:
            kind = _MM_INT16_INT32
        elif b.dtype == np.float16:
            kind = _MM_FP16_FP16 if out_t == np.float16 else _MM_FP16_FP32
        else:
            raise TypeError("matmul: B must be int8, int16 or float16, got %s" % b.dtype)
        self.m, (self.k, self.n) = int(m), b.shape
        self._in_t = np.int8 if int4 else b.dtype.type
        self._int4, self._kind = int4, kind
        self.out_dtype = np.dtype(_MM_OUT[kind])
        cfg = _MatmulCfg(type=kind, m=self.m, k=self.k, n=self.n, core_mask=core_mask,
                         relu=relu)
        if kind == _MM_INT8_INT8:
            cfg.requant.offset = out_offset
        elif out_offset:
            raise ValueError("matmul: out_offset is for int8 output only")
        if col_scale is not None:
            cs = np.ascontiguousarray(np.broadcast_to(
                np.asarray(col_scale, dtype=np.float64), (self.n,)))
            cfg.col_scale = cs.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        h = _vp()
        _check(_tmm_create(dev._h, ctypes.byref(cfg), ctypes.byref(h)), dev, "matmul")
        self.dev, self._h = dev, h
        dev._ops.add(self)
        self.stats = None
        self.set_b(b)

    def set_b(self, b):
        """Replaces the resident weights (same shape and type)."""
        b = _int4_checked(b, "B") if self._int4 else np.ascontiguousarray(b)
        if b.shape != (self.k, self.n) or b.dtype != self._in_t:
            raise ValueError("matmul: B must be %s (%d, %d), got %s %s"
                             % (np.dtype(self._in_t), self.k, self.n, b.dtype, b.shape))
        _check(_tmm_set_b(self._h, _ptr(b)), self.dev, "matmul B")

    def __call__(self, a):
        """A (M, K) @ the resident B: a new (M, N) array. self.stats then
        holds the run's split: tasks, core_mask and core_tasks per core."""
        a = _int4_checked(a, "A") if self._int4 else np.asarray(a)
        if a.shape != (self.m, self.k):
            raise ValueError("matmul: A must be (%d, %d), got %s" % (self.m, self.k, a.shape))
        if a.dtype != self._in_t:
            raise TypeError("matmul: A must be %s like B, got %s"
                            % (np.dtype(self._in_t), a.dtype))
        a = np.ascontiguousarray(a)
        _check(_tmm_set_a(self._h, _ptr(a)), self.dev, "matmul A")
        st = _MatmulStats()
        _check(_tmm_run(self._h, ctypes.byref(st)), self.dev, "matmul run")
        self.stats = {"tasks": st.tasks, "core_mask": st.core_mask,
                      "core_tasks": tuple(st.core_tasks)}
        c = np.empty((self.m, self.n), self.out_dtype)
        _check(_tmm_get_c(self._h, _ptr(c)), self.dev, "matmul C")
        return c

    def close(self):
        if getattr(self, "_h", None):
            _tmm_destroy(self._h)
            self._h = None


def matmul(dev, a, b, out_dtype=None, core_mask=CORE_AUTO, int4=False, col_scale=None,
           out_offset=0):
    """a @ b on the NPU. int8 x int8 -> int32 (exact); float16 x float16 ->
    float32 (or float16 with out_dtype=np.float16). K and N are padded with
    zeros to the multiples of 32 and 16 the hardware path needs.
    int4=True: int8 arrays with values in [-8, 7] -> int16 (sums saturated
    to int16, K <= INT4_MAX_K); col_scale: per-column requantisation of an
    int8 x int8 product (see Matmul, which these two go through)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError("matmul: shapes %s and %s do not chain" % (a.shape, b.shape))
    if int4 or col_scale is not None:
        with Matmul(dev, b, a.shape[0], int4=int4, out_dtype=out_dtype, core_mask=core_mask,
                    col_scale=col_scale, out_offset=out_offset) as mm:
            return mm(a)
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

