"""Kernels of the conv family on PyTensor and legacy Theano 1.0.5: nine Ops, each with a C
implementation (the engines' C linker, K.function's default mode) and a NumPy one (their Python
linker: FAST_COMPILE, K.eval).

Tensors are channels-last, 3-D to 5-D (batch, [d0, [d1,]] d2, channels); the C code sees them as 5-D
with size-1 leading spatial axes and reads any strides (a channels-first input is a transposed view,
not a copy). The window geometry is a run-time int64 vector of 18 entries, so one compiled module
serves every window, stride, dilation and padding (and 'same' padding of inputs whose size is known
only when the function runs):

    [window (3), strides (3), dilation (3), pad before (3), output size (3), input size (3)]

Window offset t of output position o along an axis reads input cell o * stride + t * dilation - pad;
cells outside [0, input size) are padding.

- ``Corr(x, w, g)``: the correlation, the patches of x (one row per output position, taps * in
  values: taps in row-major window order, channels fastest, zero where a tap reads padding) times w,
  the kernel reshaped to (taps * in, out). The patches of a few images at a time go into a buffer of
  about _CHUNK_BYTES that the node keeps, and the engine's BLAS gemm multiplies them: memory stays
  bounded whatever the batch and image size. ``CorrGradInput(gy, w, g)`` (gy times w transposed,
  each patch entry added to the cell it reads: also the transposed convolution) and
  ``CorrGradKernel(x, gy, g)`` (the patches transposed times gy) are its gradients. The three are
  bilinear and each one's gradients are the others, so every order of derivative exists.
- ``DepthwiseCorr(x, k, g)``, ``DepthwiseGradInput(gy, k, g)``, ``DepthwiseGradKernel(x, gy, g)``:
  the same for a depthwise kernel k (taps, channels, multiplier).
- ``WindowMax(x, v, g)``: per window and channel, v at the first cell where x is largest, padding
  never winning (max pooling is ``WindowMax(x, x, g)``). ``WindowMaxGrad(x, gy, g)`` adds gy to that
  cell. Each is the other's gradient with respect to v / gy; with respect to x both are zero
  (piecewise constant).
- ``WindowAvg(x, g)``: the mean of each window's real (unpadded) cells, as TensorFlow's average
  pooling; ``WindowAvgGrad(gy, g)`` is its adjoint. Each is the other's gradient.

Each node also keeps its last output and writes the next one into it when nobody else holds it
(reference count 1), so a training loop does not fault in fresh pages at every step. float16 uses the
NumPy implementation.
"""
import importlib

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._engine import IS_PYTENSOR, T, theano

__all__ = ['geometry', 'corr', 'corr_grad_input', 'corr_grad_kernel', 'depthwise',
           'depthwise_grad_input', 'depthwise_grad_kernel', 'window_max', 'window_max_grad',
           'window_avg', 'window_avg_grad']

if IS_PYTENSOR:
    _Op = importlib.import_module('pytensor.link.c.op').COp
    _Apply = importlib.import_module('pytensor.graph.basic').Apply
else:
    _Op = theano.gof.Op
    _Apply = theano.gof.Apply
_DisconnectedType = theano.gradient.DisconnectedType

GEOMETRY_SIZE = 18
_VERSION = (13,)


# --- graph-side helpers ------------------------------------------------------------------------------

def geometry(window, strides, dilation, pads_before, outs, ins):
    """The int64 geometry vector of a rank-1..3 window (missing leading axes are size-1 windows).
    Entries may be Python ints or symbolic scalars; all ints give a constant."""
    lead = 3 - len(window)
    entries = ([1] * lead + list(window) + [1] * lead + list(strides) + [1] * lead + list(dilation)
               + [0] * lead + list(pads_before) + [1] * lead + list(outs) + [1] * lead + list(ins))
    if all(isinstance(e, (int, np.integer)) for e in entries):
        return T.constant(np.asarray(entries, dtype='int64'))
    return T.stack([T.cast(e, 'int64') for e in entries])


def _static(var):
    """The static shape of a 3-D to 5-D tensor variable seen as 5-D: ints where the engine knows
    them, else None."""
    shape = getattr(var.type, 'shape', None)
    if shape is None:
        shape = tuple(1 if b else None for b in var.type.broadcastable)
    return (shape[0],) + (1,) * (5 - len(shape)) + tuple(shape[1:])


def _output(dtype, static, ndim):
    """A tensor type of `ndim` dims from the 5-D static shape (its leading spatial axes dropped)."""
    static = tuple(int(d) if isinstance(d, (int, np.integer)) else None for d in static)
    return _tensor_of(dtype, static[:1] + static[6 - ndim:])


def _tensor_of(dtype, static):
    """A tensor variable of `static` shape (ints and None): PyTensor keeps the sizes, Theano 1.0.5
    its broadcastable pattern."""
    if IS_PYTENSOR:
        return T.TensorType(dtype, shape=static)()
    return T.TensorType(dtype, tuple(d == 1 for d in static))()


def _tensor(x, what):
    x = T.as_tensor_variable(x)
    if not 3 <= x.ndim <= 5:
        raise TypeError('%s: expected a 3-D to 5-D tensor; received %d-D.' % (what, x.ndim))
    return x


def _as5(a):
    """A NumPy array of 3 to 5 dims viewed as 5-D."""
    return a.reshape(a.shape[:1] + (1,) * (5 - a.ndim) + a.shape[1:])


def _geometry_input(g):
    g = T.as_tensor_variable(g)
    if g.ndim != 1 or g.dtype not in ('int64', 'int32', 'int16', 'int8', 'uint8'):
        raise TypeError('expected an int geometry vector; received %s.' % g.type)
    return g if g.dtype == 'int64' else T.cast(g, 'int64')


def _nd_shape(node, batch, spatial, channels):
    """An infer_shape result for the node's output rank from 5-D pieces."""
    ndim = node.outputs[0].ndim
    return (batch,) + tuple(spatial[5 - ndim:]) + (channels,)


def _disconnected():
    return _DisconnectedType()()


# --- NumPy implementation (the engines' Python linker) -----------------------------------------------

def _unpack(g):
    g = [int(v) for v in np.asarray(g).ravel()]
    if len(g) != GEOMETRY_SIZE:
        raise ValueError('window geometry: expected %d entries; received %d.' % (GEOMETRY_SIZE, len(g)))
    window, strides, dilation, before, outs, ins = [g[i:i + 3] for i in range(0, 18, 3)]
    if min(outs) < 0:
        raise ValueError('window geometry: negative output size %s (the window is larger than the '
                         'padded input %s)' % (tuple(outs), tuple(ins)))
    return window, strides, dilation, before, outs, ins


def _padded_size(g):
    window, strides, dilation, before, outs, ins = g
    return [max(b + n, (o - 1) * s + (k - 1) * d + 1 if o else 0)
            for k, s, d, b, o, n in zip(window, strides, dilation, before, outs, ins)]


def _inner(g):
    _, _, _, before, _, ins = g
    return (slice(None),) + tuple(slice(b, b + n) for b, n in zip(before, ins)) + (slice(None),)


def _tap_slices(g):
    """(tap number, the slice of the padded array that window offset t sees at every output)."""
    window, strides, dilation, _, outs, _ = g
    for i, t in enumerate(np.ndindex(*window)):
        yield i, (slice(None),) + tuple(
            slice(a * d, a * d + (o - 1) * s + 1 if o else a * d, s)
            for a, s, d, o in zip(t, strides, dilation, outs)) + (slice(None),)


def _pad(x, g, fill=0):
    padded = np.full((x.shape[0],) + tuple(_padded_size(g)) + (x.shape[-1],), fill, dtype=x.dtype)
    padded[_inner(g)] = x
    return padded


def _mask(g):
    mask = np.zeros((1,) + tuple(_padded_size(g)) + (1,), dtype=bool)
    mask[_inner(g)] = True
    return mask


def _check_input(x, g, what):
    if tuple(x.shape[1:4]) != tuple(g[5]):
        raise ValueError('%s: the input spatial shape %s does not match the geometry %s.'
                         % (what, tuple(x.shape[1:4]), tuple(g[5])))


def _np_im2col(x, g):
    _check_input(x, g, 'Im2Col')
    window, strides, dilation, _, outs, _ = g
    xp = _pad(x, g)
    s = xp.strides
    view = as_strided(xp, (x.shape[0],) + tuple(outs) + tuple(window) + (x.shape[-1],),
                      (s[0],) + tuple(s[1 + a] * strides[a] for a in range(3))
                      + tuple(s[1 + a] * dilation[a] for a in range(3)) + (s[4],), writeable=False)
    return np.ascontiguousarray(view).reshape((x.shape[0],) + tuple(outs) + (-1,))


def _np_col2im(cols, g):
    window, _, _, _, outs, ins = g
    taps = int(np.prod(window))
    if tuple(cols.shape[1:4]) != tuple(outs) or cols.shape[4] % taps:
        raise ValueError('Col2Im: patches of shape %s do not match the geometry (outputs %s, %d taps).'
                         % (cols.shape, tuple(outs), taps))
    channels = cols.shape[4] // taps
    padded = np.zeros((cols.shape[0],) + tuple(_padded_size(g)) + (channels,), dtype=cols.dtype)
    for i, index in _tap_slices(g):
        padded[index] += cols[..., i * channels:(i + 1) * channels]
    return np.ascontiguousarray(padded[_inner(g)])


def _np_argmax(x, g):
    """Per output position and channel: the tap number of the first largest real cell (-1: none)."""
    xp, mask = _pad(x, g), _mask(g)
    arg = best = have = None
    for i, index in _tap_slices(g):
        xt, mt = xp[index], mask[index]
        if arg is None:
            arg = np.where(mt, np.int32(i), np.int32(-1)) * np.ones(xt.shape, dtype='int32')
            best, have = np.where(mt, xt, xt.dtype.type(0)), mt
        else:
            take = mt & (~have | (xt > best))
            arg = np.where(take, np.int32(i), arg)
            best = np.where(take, xt, best)
            have = have | mt
    return arg


def _np_window_max(x, v, g):
    _check_input(x, g, 'WindowMax')
    if v.shape != x.shape:
        raise ValueError('WindowMax: x and v differ in shape: %s, %s.' % (x.shape, v.shape))
    arg = _np_argmax(x, g)
    vp = _pad(v, g)
    out = np.zeros(arg.shape, dtype=v.dtype)
    for i, index in _tap_slices(g):
        np.copyto(out, vp[index], where=arg == i)
    return out


def _np_window_max_grad(x, gy, g):
    _check_input(x, g, 'WindowMaxGrad')
    arg = _np_argmax(x, g)
    if gy.shape != arg.shape:
        raise ValueError('WindowMaxGrad: gy has shape %s; expected %s.' % (gy.shape, arg.shape))
    padded = np.zeros((x.shape[0],) + tuple(_padded_size(g)) + (x.shape[-1],), dtype=gy.dtype)
    zero = gy.dtype.type(0)
    for i, index in _tap_slices(g):
        padded[index] += np.where(arg == i, gy, zero)
    return np.ascontiguousarray(padded[_inner(g)])


def _np_counts(g, dtype):
    mask = _mask(g).astype(dtype)
    count = sum(mask[index] for _, index in _tap_slices(g))
    return np.maximum(count, dtype.type(1))  # a window with no real cell (never in TF's geometry)


def _np_window_avg(x, g):
    _check_input(x, g, 'WindowAvg')
    xp = _pad(x, g)
    total = None
    for _, index in _tap_slices(g):
        total = xp[index] + x.dtype.type(0) if total is None else total + xp[index]
    if total is None:  # an empty window cannot happen; keep the shape right anyway
        total = np.zeros((x.shape[0],) + tuple(g[4]) + (x.shape[-1],), dtype=x.dtype)
    return total / _np_counts(g, x.dtype)


def _np_window_avg_grad(gy, g):
    if tuple(gy.shape[1:4]) != tuple(g[4]):
        raise ValueError('WindowAvgGrad: gy has spatial shape %s; expected %s.'
                         % (tuple(gy.shape[1:4]), tuple(g[4])))
    share = gy / _np_counts(g, gy.dtype)
    padded = np.zeros((gy.shape[0],) + tuple(_padded_size(g)) + (gy.shape[-1],), dtype=gy.dtype)
    for _, index in _tap_slices(g):
        padded[index] += share
    return np.ascontiguousarray(padded[_inner(g)])


# --- C implementation (the engines' C linker) ---------------------------------------------------------
#
# The generated code is the same for every geometry (it is read at run time), so the engines compile
# each op once per dtype. Arrays are read through their strides (locals <P>_b, <P>_s0..<P>_s4); a
# channel loop has a contiguous fast path the compiler vectorises. Outputs are C-contiguous.

_C_GEOMETRY = """
npy_intp G_[18];
{
    PyArrayObject* g_ = %(g)s;
    if (PyArray_NDIM(g_) != 1 || PyArray_DIMS(g_)[0] != 18) {
        PyErr_SetString(PyExc_ValueError, "%(op)s: the window geometry must have 18 entries");
        %(fail)s
    }
    for (int i_ = 0; i_ < 18; ++i_)
        G_[i_] = (npy_intp)(*(dtype_%(g)s*)PyArray_GETPTR1(g_, i_));
    for (int i_ = 3; i_ < 9; ++i_) {
        if (G_[i_] < 1) {
            PyErr_SetString(PyExc_ValueError, "%(op)s: the strides and dilations must be positive");
            %(fail)s
        }
    }
    if (G_[12] < 0 || G_[13] < 0 || G_[14] < 0) {
        PyErr_SetString(PyExc_ValueError, "%(op)s: negative output size (the window is larger than "
                        "the padded input)");
        %(fail)s
    }
}
"""

_C_CHECK_INPUT = """
if (X_d[1] != G_[15] || X_d[2] != G_[16] || X_d[3] != G_[17]) {
    PyErr_SetString(PyExc_ValueError, "%(op)s: the input's spatial shape does not match the geometry");
    %(fail)s
}
"""

_C_CHECK_POOLED = """
if (%(a)s_d[1] != G_[12] || %(a)s_d[2] != G_[13] || %(a)s_d[3] != G_[14]) {
    PyErr_SetString(PyExc_ValueError, "%(op)s: %(what)s does not match the geometry's output shape");
    %(fail)s
}
"""

# zd_ (the output's dims seen as 5-D) must be declared; allocates %(z)s C-contiguous, with the ndim
# and dtype of %(like)s (the leading size-1 spatial axes dropped), zeroed if asked.
_C_ALLOC = """
{
    const int nd_ = PyArray_NDIM(%(like)s);
    npy_intp zdn_[5];
    zdn_[0] = zd_[0];
    for (int i_ = 1; i_ < nd_; ++i_)
        zdn_[i_] = zd_[5 - nd_ + i_];
    %(take)s
    int ok_ = %(z)s != NULL && PyArray_NDIM(%(z)s) == nd_ && PyArray_IS_C_CONTIGUOUS(%(z)s)
              && PyArray_TYPE(%(z)s) == PyArray_TYPE(%(like)s);
    for (int i_ = 0; ok_ && i_ < nd_; ++i_)
        ok_ = PyArray_DIMS(%(z)s)[i_] == zdn_[i_];
    if (!ok_) {
        Py_XDECREF(%(z)s);
        %(z)s = (PyArrayObject*)PyArray_EMPTY(nd_, zdn_, PyArray_TYPE(%(like)s), 0);
        if (!%(z)s) {
            PyErr_SetString(PyExc_MemoryError, "%(op)s: cannot allocate the output");
            %(fail)s
        }
    }
    %(keep)s
    if (%(zero)s)
        memset(PyArray_DATA(%(z)s), 0, PyArray_NBYTES(%(z)s));
}
"""

# The node's cached output becomes %(z)s when the engine passes none and nobody else holds it.
_C_CACHE_TAKE = """
if (%(z)s == NULL && %(cache)s != NULL && Py_REFCNT(%(cache)s) == 1) {
    %(z)s = %(cache)s;
    Py_INCREF(%(z)s);
}
"""

# %(z)s becomes the node's cached output (up to 64 MB; larger outputs are not kept between calls).
_C_CACHE_KEEP = """
if (%(cache)s != %(z)s) {
    Py_XDECREF(%(cache)s);
    %(cache)s = NULL;
    if (PyArray_NBYTES(%(z)s) <= ((npy_intp)64 << 20)) {
        %(cache)s = %(z)s;
        Py_INCREF(%(cache)s);
    }
}
"""

# The loops over output positions (n, a0, a1, a2) and window taps (t0, t1, t2): `tap` counts the
# taps, `ok` says whether input cell (i0, i1, i2) is real. %(body)s runs for every tap, %(pre)s and
# %(post)s around each output position (whose flat number is `pos`).
_C_LOOPS = """
for (npy_intp n = %(n0)s; n < %(n1)s; ++n)
for (npy_intp a0 = 0; a0 < G_[12]; ++a0)
for (npy_intp a1 = 0; a1 < G_[13]; ++a1)
for (npy_intp a2 = 0; a2 < G_[14]; ++a2) {
    const npy_intp pos = ((n * G_[12] + a0) * G_[13] + a1) * G_[14] + a2;
    (void)pos;
    %(pre)s
    npy_intp tap = 0;
    for (npy_intp t0 = 0; t0 < G_[0]; ++t0) {
        const npy_intp i0 = a0 * G_[3] + t0 * G_[6] - G_[9];
        const int ok0 = i0 >= 0 && i0 < G_[15];
        for (npy_intp t1 = 0; t1 < G_[1]; ++t1) {
            const npy_intp i1 = a1 * G_[4] + t1 * G_[7] - G_[10];
            const int ok1 = ok0 && i1 >= 0 && i1 < G_[16];
            for (npy_intp t2 = 0; t2 < G_[2]; ++t2, ++tap) {
                const npy_intp i2 = a2 * G_[5] + t2 * G_[8] - G_[11];
                const int ok = ok1 && i2 >= 0 && i2 < G_[17];
                (void)ok; (void)tap;
                %(body)s
            }
        }
    }
    %(post)s
}
"""


def _loops(pre, body, post, n0='0', n1='nb_'):
    """The loops over the images n0 <= n < n1 (default: all)."""
    return _C_LOOPS % {'pre': pre, 'body': body, 'post': post, 'n0': n0, 'n1': n1}


_C_SUPPORT = """
/* kbackend window ops: a 3-D to 5-D channels-last array seen as 5-D (size-1 leading spatial axes). */
static int kbackend_view5(PyArrayObject* a, npy_intp* d, npy_intp* s) {
    const int nd = PyArray_NDIM(a);
    if (nd < 3 || nd > 5) return 0;
    d[0] = PyArray_DIMS(a)[0];
    s[0] = PyArray_STRIDES(a)[0];
    for (int i = 1; i < 5; ++i) {
        const int j = i - (5 - nd);
        d[i] = j >= 1 ? PyArray_DIMS(a)[j] : 1;
        s[i] = j >= 1 ? PyArray_STRIDES(a)[j] : 0;
    }
    return 1;
}
"""


def _decl(arr, p, names):
    """C locals for array `arr` seen as 5-D: dims <p>_d[5], data pointer <p>_b, byte strides
    <p>_s0 .. <p>_s4."""
    return """
    npy_intp %(p)s_d[5], %(p)s_st[5];
    if (!kbackend_view5(%(a)s, %(p)s_d, %(p)s_st)) {
        PyErr_SetString(PyExc_ValueError, "%(op)s: expected 3-D to 5-D tensors");
        %(fail)s
    }
    const char* const %(p)s_b = PyArray_BYTES(%(a)s);
    """ % dict(names, a=arr, p=p) + ''.join('const npy_intp %s_s%d = %s_st[%d];\n' % (p, i, p, i)
                                           for i in range(5))


def _cell(p):
    """C: the address of input cell (n, i0, i1, i2, 0) of array <p>."""
    return '(%s_b + n * %s_s0 + i0 * %s_s1 + i1 * %s_s2 + i2 * %s_s3)' % ((p,) * 5)


def _pos(p):
    """C: the address of output position (n, a0, a1, a2, 0) of array <p>."""
    return '(%s_b + n * %s_s0 + a0 * %s_s1 + a1 * %s_s2 + a2 * %s_s3)' % ((p,) * 5)


def _per_channel(addr, p, ctype, stmt):
    """C: `stmt` for every channel c, VAL standing for element c of the row of <p> at `addr`."""
    return """{
        const char* const r_ = %(addr)s;
        if (%(p)s_s4 == (npy_intp)sizeof(%(t)s)) {
            const %(t)s* __restrict__ q_ = (const %(t)s*)r_;
            for (npy_intp c = 0; c < ch_; ++c) { %(fast)s }
        } else {
            for (npy_intp c = 0; c < ch_; ++c) { %(slow)s }
        }
    }""" % dict(addr=addr, p=p, t=ctype, fast=stmt.replace('VAL', 'q_[c]'),
                slow=stmt.replace('VAL', '(*(const %s*)(r_ + c * %s_s4))' % (ctype, p)))


# The first largest real cell per channel: best_ (values) and arg_ (an offset, `idx`).
_C_ARGMAX_TAKE = """
if (ok) {
    const npy_intp idx_ = %(idx)s;
    if (!have_) {
        %(first)s
    } else {
        %(next)s
    }
    have_ = 1;
}
"""


def _argmax_body(tx, idx):
    return _C_ARGMAX_TAKE % dict(
        idx=idx,
        first=_per_channel(_cell('X'), 'X', tx, 'best_[c] = VAL; arg_[c] = idx_;'),
        next=_per_channel(_cell('X'), 'X', tx, 'const %s v_ = VAL; const int t_ = v_ > best_[c]; '
                          'best_[c] = t_ ? v_ : best_[c]; arg_[c] = t_ ? idx_ : arg_[c];' % tx))


_C_SCRATCH = """
%(tx)s* __restrict__ best_ = (%(tx)s*)malloc((ch_ + 1) * sizeof(%(tx)s));
npy_intp* __restrict__ arg_ = (npy_intp*)malloc((ch_ + 1) * sizeof(npy_intp));
if (!best_ || !arg_) {
    free(best_); free(arg_);
    PyErr_SetString(PyExc_MemoryError, "%(op)s: cannot allocate scratch memory");
    %(fail)s
}
"""


_PREFIX = {'x': 'X', 'v': 'V', 'gy': 'GY'}


class _WindowOp(_Op):
    """Common parts: the geometry input, float16 through NumPy, the C scaffolding."""
    __props__ = ()
    _f16_ok = False
    n_tensors = 1

    def make_node(self, *inputs):
        if len(inputs) != self.n_tensors + 1:
            raise TypeError('%s: expected %d inputs; received %d.'
                            % (type(self).__name__, self.n_tensors + 1, len(inputs)))
        tensors = [_tensor(x, type(self).__name__) for x in inputs[:-1]]
        dtypes, ndims = set(x.dtype for x in tensors), set(x.ndim for x in tensors)
        if len(dtypes) != 1 or not tensors[0].dtype.startswith('float') or len(ndims) != 1:
            raise TypeError('%s: expected float tensors of one dtype and rank; received %s.'
                            % (type(self).__name__, ', '.join(str(x.type) for x in tensors)))
        g = _geometry_input(inputs[-1])
        out = _output(tensors[0].dtype, self.static_output(tensors, g), tensors[0].ndim)
        return _Apply(self, tensors + [g], [out])

    def static_output(self, tensors, g):
        return (None,) * 5

    if IS_PYTENSOR:
        def pullback(self, inputs, outputs, cotangents):
            return self._grads(inputs, cotangents)
    else:
        def grad(self, inputs, output_grads):
            return self._grads(inputs, output_grads)

    def connection_pattern(self, node):
        return [[True]] * self.n_tensors + [[False]]

    def perform(self, node, inputs, output_storage, params=None):
        tensors, g = inputs[:-1], inputs[-1]
        out = self.compute(*([_as5(t) for t in tensors] + [_unpack(g)]))
        output_storage[0][0] = out.reshape(out.shape[:1] + out.shape[6 - tensors[0].ndim:])

    def c_code_cache_version(self):
        return _VERSION

    def c_code(self, node, name, inputs, outputs, sub):
        dtype = node.outputs[0].dtype
        if dtype not in ('float32', 'float64'):
            raise NotImplementedError('%s: the NumPy implementation is used' % dtype)
        names = dict(zip(self.input_names, inputs))
        names.update(z=outputs[0], fail=sub['fail'], op=type(self).__name__, node=name,
                     cache='kbackend_out_%s' % name, buf='kbackend_buf_%s' % name,
                     gemm='sgemm_' if dtype == 'float32' else 'dgemm_')
        typed = self.input_names + ('z',)
        names.update(('t' + k, 'dtype_' + v) for k, v in list(names.items()) if k in typed)
        views = ''.join(_decl(names[k], _PREFIX[k], names) for k in self.input_names if k in _PREFIX)
        if 'k' in self.input_names:
            views += _C_KERNEL_VIEW % names
        return '{\n%s\n%s\n%s\n}' % (_C_GEOMETRY % names, views, self.c_body(names))

    # The node keeps its last output between calls and writes the next one into it when nobody else
    # holds it any more (reference count 1): no fresh pages to fault in at every step.
    def c_support_code_struct(self, node, name):
        return 'PyArrayObject* kbackend_out_%s;\n' % name

    def c_init_code_struct(self, node, name, sub):
        return 'kbackend_out_%s = NULL;\n' % name

    def c_cleanup_code_struct(self, node, name):
        return 'Py_XDECREF(kbackend_out_%s);\nkbackend_out_%s = NULL;\n' % (name, name)

    def c_support_code(self, **kwargs):
        return _C_SUPPORT

    def c_alloc(self, names, like, zero, fail=None):
        return _C_ALLOC % dict(names, like=like, zero='1' if zero else '0', fail=fail or names['fail'],
                               take=_C_CACHE_TAKE % names, keep=_C_CACHE_KEEP % names)

    def c_scratch(self, names):
        return _C_SCRATCH % names

    @staticmethod
    def c_free_on_fail(names):
        return '{free(best_); free(arg_); %s}' % names['fail']


class WindowMax(_WindowOp):
    """(x, v, g) -> v at the first largest real cell of x in each window: max pooling is (x, x, g)."""
    input_names = ('x', 'v', 'g')
    n_tensors = 2

    def static_output(self, tensors, g):
        shape = _static(tensors[0])
        return (shape[0],) + _constant_entries(g, 12, 15) + (shape[4],)

    compute = staticmethod(_np_window_max)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[2]
        return [_nd_shape(node, shapes[0][0], (g[12], g[13], g[14]), shapes[0][-1])]

    def _grads(self, inputs, output_grads):
        x, v, g = inputs
        return [T.zeros_like(x), window_max_grad(x, output_grads[0], g), _disconnected()]

    def c_body(self, names):
        tx = names['tx']
        # x is v (max pooling): the running maximum is the output.
        same_body = """
        if (ok) {
            if (!have_) { %(first)s } else { %(next)s }
            have_ = 1;
        }
        """ % dict(first=_per_channel(_cell('X'), 'X', tx, 'o_[c] = VAL;'),
                   next=_per_channel(_cell('X'), 'X', tx,
                                     'const %s v_ = VAL; o_[c] = v_ > o_[c] ? v_ : o_[c];' % tx))
        pre = '%(tz)s* __restrict__ o_ = out_ + pos * ch_; int have_ = 0;' % names
        empty = 'if (!have_) { for (npy_intp c = 0; c < ch_; ++c) o_[c] = 0; }'
        take = """
        if (!have_) { for (npy_intp c = 0; c < ch_; ++c) o_[c] = 0; }
        else { for (npy_intp c = 0; c < ch_; ++c) o_[c] = *(const %(tv)s*)(V_b + arg_[c] + c * V_s4); }
        """ % names
        return (_C_CHECK_INPUT % names) + """
        for (int i_ = 0; i_ < 5; ++i_) {
            if (V_d[i_] != X_d[i_] || PyArray_NDIM(%(v)s) != PyArray_NDIM(%(x)s)) {
                PyErr_SetString(PyExc_ValueError, "WindowMax: x and v differ in shape");
                %(fail)s
            }
        }
        const npy_intp nb_ = X_d[0], ch_ = X_d[4];
        npy_intp zd_[5] = {nb_, G_[12], G_[13], G_[14], ch_};
        """ % names + self.c_alloc(names, names['x'], False) + """
        %(tz)s* const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
        if (%(x)s == %(v)s) {
        """ % names + _loops(pre, same_body, empty) + """
        } else {
        """ + self.c_scratch(names) + _loops(
            pre, _argmax_body(tx, 'n * V_s0 + i0 * V_s1 + i1 * V_s2 + i2 * V_s3'), take) + """
        free(best_); free(arg_);
        }
        """


class WindowMaxGrad(_WindowOp):
    """(x, gy, g) -> gy added to the first largest real cell of x in each window (the adjoint of
    WindowMax with respect to v)."""
    input_names = ('x', 'gy', 'g')
    n_tensors = 2

    def static_output(self, tensors, g):
        return _static(tensors[0])

    compute = staticmethod(_np_window_max_grad)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        return [shapes[0]]

    def _grads(self, inputs, output_grads):
        x, gy, g = inputs
        return [T.zeros_like(x), window_max(x, output_grads[0], g), _disconnected()]

    def c_body(self, names):
        post = 'if (have_) ' + _per_channel(_pos('GY'), 'GY', names['tgy'], 'out_[arg_[c] + c] += VAL;')
        return (_C_CHECK_INPUT % names) + (_C_CHECK_POOLED % dict(names, a='GY', what='gy')) + """
        if (GY_d[0] != X_d[0] || GY_d[4] != X_d[4]) {
            PyErr_SetString(PyExc_ValueError, "WindowMaxGrad: gy and x differ in batch or channels");
            %(fail)s
        }
        const npy_intp nb_ = X_d[0], ch_ = X_d[4];
        npy_intp zd_[5] = {nb_, G_[15], G_[16], G_[17], ch_};
        """ % names + self.c_alloc(names, names['x'], True) + """
        %(tz)s* __restrict__ const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
        """ % names + self.c_scratch(names) + _loops(
            'int have_ = 0;',
            _argmax_body(names['tx'], '(((n * G_[15] + i0) * G_[16] + i1) * G_[17] + i2) * ch_'),
            post) + """
        free(best_); free(arg_);
        """


class WindowAvg(_WindowOp):
    """(x, g) -> the mean of each window's real cells."""
    input_names = ('x', 'g')

    def static_output(self, tensors, g):
        shape = _static(tensors[0])
        return (shape[0],) + _constant_entries(g, 12, 15) + (shape[4],)

    compute = staticmethod(_np_window_avg)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[1]
        return [_nd_shape(node, shapes[0][0], (g[12], g[13], g[14]), shapes[0][-1])]

    def _grads(self, inputs, output_grads):
        x, g = inputs
        return [window_avg_grad(output_grads[0], g, _static(x)), _disconnected()]

    def c_body(self, names):
        pre = """
        %(tz)s* __restrict__ o_ = out_ + pos * ch_;
        for (npy_intp c = 0; c < ch_; ++c) o_[c] = 0;
        npy_intp count_ = 0;
        """ % names
        body = 'if (ok) { ' + _per_channel(_cell('X'), 'X', names['tx'], 'o_[c] += VAL;') + ' ++count_; }'
        post = """
        if (count_ > 1) {
            const %(tz)s k_ = (%(tz)s)count_;
            for (npy_intp c = 0; c < ch_; ++c) o_[c] /= k_;
        }
        """ % names
        return (_C_CHECK_INPUT % names) + """
        const npy_intp nb_ = X_d[0], ch_ = X_d[4];
        npy_intp zd_[5] = {nb_, G_[12], G_[13], G_[14], ch_};
        """ % names + self.c_alloc(names, names['x'], False) + """
        %(tz)s* const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
        """ % names + _loops(pre, body, post)


class WindowAvgGrad(_WindowOp):
    """(gy, g) -> each gy shared equally by its window's real cells (the adjoint of WindowAvg)."""
    input_names = ('gy', 'g')

    def __init__(self, static=None):
        self.static = tuple(static) if static is not None else (None,) * 5

    __props__ = ('static',)

    def static_output(self, tensors, g):
        shape = _static(tensors[0])
        inferred = (shape[0],) + _constant_entries(g, 15, 18) + (shape[4],)
        return tuple(s if s is not None else i for s, i in zip(self.static, inferred))

    compute = staticmethod(_np_window_avg_grad)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[1]
        return [_nd_shape(node, shapes[0][0], (g[15], g[16], g[17]), shapes[0][-1])]

    def _grads(self, inputs, output_grads):
        gy, g = inputs
        return [window_avg(output_grads[0], g), _disconnected()]

    def c_body(self, names):
        count = """
        npy_intp count_ = 0;
        for (npy_intp t0 = 0; t0 < G_[0]; ++t0) {
            const npy_intp i0 = a0 * G_[3] + t0 * G_[6] - G_[9];
            if (i0 < 0 || i0 >= G_[15]) continue;
            for (npy_intp t1 = 0; t1 < G_[1]; ++t1) {
                const npy_intp i1 = a1 * G_[4] + t1 * G_[7] - G_[10];
                if (i1 < 0 || i1 >= G_[16]) continue;
                for (npy_intp t2 = 0; t2 < G_[2]; ++t2) {
                    const npy_intp i2 = a2 * G_[5] + t2 * G_[8] - G_[11];
                    if (i2 >= 0 && i2 < G_[17]) ++count_;
                }
            }
        }
        const %(tz)s k_ = (%(tz)s)(count_ > 1 ? count_ : 1);
        """ % names
        body = """
        if (ok) {
            %(tz)s* __restrict__ d_ = out_ + (((n * G_[15] + i0) * G_[16] + i1) * G_[17] + i2) * ch_;
            %(add)s
        }
        """ % dict(names, add=_per_channel(_pos('GY'), 'GY', names['tgy'], 'd_[c] += VAL / k_;'))
        return (_C_CHECK_POOLED % dict(names, a='GY', what='gy')) + """
        const npy_intp nb_ = GY_d[0], ch_ = GY_d[4];
        npy_intp zd_[5] = {nb_, G_[15], G_[16], G_[17], ch_};
        """ % names + self.c_alloc(names, names['gy'], True) + """
        %(tz)s* const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
        """ % names + _loops(count, body, '')


# --- depthwise correlation: three bilinear ops, closed under differentiation --------------------------

def _np_depthwise_parts(x, g):
    window = g[0]
    cols = _np_im2col(x, g)
    return cols.reshape((-1, int(np.prod(window)), x.shape[-1]))


def _np_depthwise(x, k, g):
    cols = _np_depthwise_parts(x, g)
    y = np.einsum('mtc,tcu->mcu', cols, k)
    return y.reshape((x.shape[0],) + tuple(g[4]) + (-1,))


def _np_depthwise_grad_input(gy, k, g):
    taps, channels, mult = k.shape
    dcols = np.einsum('mcu,tcu->mtc', gy.reshape((-1, channels, mult)), k)
    return _np_col2im(dcols.reshape(gy.shape[:4] + (taps * channels,)), g)


def _np_depthwise_grad_kernel(x, gy, g):
    cols = _np_depthwise_parts(x, g)
    channels = x.shape[-1]
    return np.einsum('mtc,mcu->tcu', cols, gy.reshape((cols.shape[0], channels, -1)))


_C_KERNEL_VIEW = """
if (PyArray_NDIM(%(k)s) != 3) {
    PyErr_SetString(PyExc_ValueError, "%(op)s: the kernel must be 3-D (taps, channels, multiplier)");
    %(fail)s
}
const char* const K_b = PyArray_BYTES(%(k)s);
const npy_intp K_s0 = PyArray_STRIDES(%(k)s)[0], K_s1 = PyArray_STRIDES(%(k)s)[1],
               K_s2 = PyArray_STRIDES(%(k)s)[2];
const npy_intp taps_ = G_[0] * G_[1] * G_[2];
"""

_C_KV = '(*(const %(tk)s*)(K_b + tap * K_s0 + c * K_s1 + m * K_s2))'


class _DepthwiseOp(_WindowOp):
    """Inputs: two tensors (roles in `input_names`) and the geometry; `k` is (taps, channels, mult),
    `w` a (rows, columns) matrix, the others 3-D to 5-D channels-last tensors."""
    n_tensors = 2

    def make_node(self, a, b, g):
        a, b = T.as_tensor_variable(a), T.as_tensor_variable(b)
        for t, role in zip((a, b), self.input_names):
            expected = {'k': (3,), 'w': (2,)}.get(role, (3, 4, 5))
            if t.ndim not in expected:
                raise TypeError('%s: expected %s to be %s-D; received %d-D.'
                                % (type(self).__name__, role, ' or '.join(map(str, expected)), t.ndim))
        if a.dtype != b.dtype or not a.dtype.startswith('float'):
            raise TypeError('%s: expected float tensors of one dtype; received %s, %s.'
                            % (type(self).__name__, a.type, b.type))
        g = _geometry_input(g)
        return _Apply(self, [a, b, g], [self.output_type(a, b, g)])

    def output_type(self, a, b, g):
        return _output(a.dtype, self.static_output([a, b], g), a.ndim)

    # A scratch buffer kept by the node between calls (c_buffer): the patches of Corr's ops, the
    # expanded input of the depthwise ones.
    def c_support_code_struct(self, node, name):
        return (_WindowOp.c_support_code_struct(self, node, name)
                + 'void* kbackend_buf_%s;\nsize_t kbackend_bufsize_%s;\n' % (name, name))

    def c_init_code_struct(self, node, name, sub):
        return (_WindowOp.c_init_code_struct(self, node, name, sub)
                + 'kbackend_buf_%s = NULL;\nkbackend_bufsize_%s = 0;\n' % (name, name))

    def c_cleanup_code_struct(self, node, name):
        return (_WindowOp.c_cleanup_code_struct(self, node, name)
                + 'free(kbackend_buf_%s);\nkbackend_buf_%s = NULL;\n' % (name, name))

    @staticmethod
    def c_buffer(names, need):
        return _C_BUFFER % dict(names, need=need)

    def perform(self, node, inputs, output_storage, params=None):
        a, b, g = inputs
        lift = [_as5(t) if role in _PREFIX else t for t, role in zip((a, b), self.input_names)]
        out = self.compute(*(lift + [_unpack(g)]))
        ndim = node.outputs[0].ndim
        output_storage[0][0] = out.reshape(out.shape[:1] + out.shape[6 - ndim:])


# The depthwise fast paths (a C-contiguous kernel; gy, where read, dense along its channels): every
# inner loop is one contiguous run of cm_ = channels * mult values, which the compiler vectorises.
# x is read through E (_C_DW_EXPAND): x itself when it is dense along its channels and mult is 1,
# else a copy in the node's buffer with each channel repeated mult times (E cell j = x channel j / mult).
# Other layouts take the generic loops, which read every array through its strides.

_C_DW_KERNEL_DENSE = ('K_s2 == (npy_intp)sizeof(%(tk)s) && K_s1 == mult_ * K_s2 '
                      '&& K_s0 == ch_ * mult_ * K_s2')

_C_DW_EXPAND_SIZE = """
const npy_intp expand_ = (mult_ != 1 || X_s4 != (npy_intp)sizeof(%(tx)s))
                         ? X_d[0] * X_d[1] * X_d[2] * X_d[3] * ch_ * mult_ : 0;
"""

_C_DW_EXPAND = """
const char* E_b = X_b;
npy_intp E_s0 = X_s0, E_s1 = X_s1, E_s2 = X_s2, E_s3 = X_s3;
if (expand_) {
    %(tx)s* __restrict__ e_ = (%(tx)s*)%(buf)s;
    E_b = (const char*)e_;
    E_s3 = ch_ * mult_ * (npy_intp)sizeof(%(tx)s);
    E_s2 = X_d[3] * E_s3;
    E_s1 = X_d[2] * E_s2;
    E_s0 = X_d[1] * E_s1;
    for (npy_intp n = 0; n < X_d[0]; ++n)
    for (npy_intp i0 = 0; i0 < X_d[1]; ++i0)
    for (npy_intp i1 = 0; i1 < X_d[2]; ++i1)
    for (npy_intp i2 = 0; i2 < X_d[3]; ++i2) {
        const char* const r_ = %(cell)s;
        if (mult_ == 2 && X_s4 == (npy_intp)sizeof(%(tx)s)) {  /* Keras's usual multiplier */
            const %(tx)s* __restrict__ q_ = (const %(tx)s*)r_;
            for (npy_intp c = 0; c < ch_; ++c) { e_[2 * c] = q_[c]; e_[2 * c + 1] = q_[c]; }
            e_ += 2 * ch_;
            continue;
        }
        for (npy_intp c = 0; c < ch_; ++c) {
            const %(tx)s v_ = *(const %(tx)s*)(r_ + c * X_s4);
            for (npy_intp m = 0; m < mult_; ++m) *e_++ = v_;
        }
    }
}
"""


def _c_dw_expand(names):
    return _C_DW_EXPAND % dict(names, cell=_cell('X'))


# The fast paths' loops: per output row (n, a0, a1) and window tap, the run of output positions a2
# whose input cell i2 = a2 * stride + t2 * dilation - pad is real, computed once (no test per cell).
# %(pre)s and %(post)s run around each row, %(body)s for each (tap, a2) of the run.
_C_DW_ROWS = """
for (npy_intp n = 0; n < nb_; ++n)
for (npy_intp a0 = 0; a0 < G_[12]; ++a0)
for (npy_intp a1 = 0; a1 < G_[13]; ++a1) {
    %(pre)s
    npy_intp tap = 0;
    for (npy_intp t0 = 0; t0 < G_[0]; ++t0) {
        const npy_intp i0 = a0 * G_[3] + t0 * G_[6] - G_[9];
        const int ok0 = i0 >= 0 && i0 < G_[15];
        for (npy_intp t1 = 0; t1 < G_[1]; ++t1) {
            const npy_intp i1 = a1 * G_[4] + t1 * G_[7] - G_[10];
            if (!ok0 || i1 < 0 || i1 >= G_[16]) {
                tap += G_[2];
                continue;
            }
            for (npy_intp t2 = 0; t2 < G_[2]; ++t2, ++tap) {
                const npy_intp off_ = t2 * G_[8] - G_[11], last_ = G_[17] - 1 - off_;
                const npy_intp lo_ = off_ >= 0 ? 0 : (G_[5] - 1 - off_) / G_[5];
                npy_intp hi_ = last_ < 0 ? 0 : last_ / G_[5] + 1;
                if (hi_ > G_[14]) hi_ = G_[14];
                for (npy_intp a2 = lo_; a2 < hi_; ++a2) {
                    const npy_intp i2 = a2 * G_[5] + off_;
                    %(body)s
                }
            }
        }
    }
    %(post)s
}
"""


def _dw_rows(pre, body, post=''):
    return _C_DW_ROWS % {'pre': pre, 'body': body, 'post': post}


class DepthwiseCorr(_DepthwiseOp):
    """(x, k, g) -> y (batch, o0, o1, o2, channels * mult): y[..., c * mult + m] is the sum over the
    window of x[..., c] * k[tap, c, m]."""
    input_names = ('x', 'k', 'g')

    def static_output(self, tensors, g):
        x, k = _static(tensors[0]), getattr(tensors[1].type, 'shape', None) or (None,) * 3
        out_c = x[4] * k[2] if x[4] is not None and k[2] is not None else None
        return (x[0],) + _constant_entries(g, 12, 15) + (out_c,)

    compute = staticmethod(_np_depthwise)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[2]
        return [_nd_shape(node, shapes[0][0], (g[12], g[13], g[14]), shapes[1][1] * shapes[1][2])]

    def _grads(self, inputs, output_grads):
        x, k, g = inputs
        gy = output_grads[0]
        return [depthwise_grad_input(gy, k, g, _static(x)), depthwise_grad_kernel(x, gy, g),
                _disconnected()]

    def c_body(self, names):
        fast_pre = """
        %(tz)s* __restrict__ row_ = out_ + ((n * G_[12] + a0) * G_[13] + a1) * G_[14] * cm_;
        for (npy_intp j = 0; j < G_[14] * cm_; ++j) row_[j] = 0;
        """ % names
        fast = """
        const %(tx)s* __restrict__ xv_ = (const %(tx)s*)%(cell)s;
        const %(tk)s* __restrict__ kv_ = kc_ + tap * cm_;
        %(tz)s* __restrict__ o_ = row_ + a2 * cm_;
        for (npy_intp j = 0; j < cm_; ++j) o_[j] += xv_[j] * kv_[j];
        """ % dict(names, cell=_cell('E'))
        generic = """
        if (ok) {
            const char* const px_ = %(cell)s;
            for (npy_intp c = 0; c < ch_; ++c) {
                const %(tx)s v_ = *(const %(tx)s*)(px_ + c * X_s4);
                for (npy_intp m = 0; m < mult_; ++m)
                    o_[c * mult_ + m] += v_ * %(kv)s;
            }
        }
        """ % dict(names, cell=_cell('X'), kv=_C_KV % names)
        pre = """
        %(tz)s* __restrict__ o_ = out_ + pos * cm_;
        for (npy_intp c = 0; c < cm_; ++c) o_[c] = 0;
        """ % names
        return (_C_CHECK_INPUT % names) + """
        const npy_intp nb_ = X_d[0], ch_ = X_d[4], mult_ = PyArray_DIMS(%(k)s)[2], cm_ = ch_ * mult_;
        if (PyArray_DIMS(%(k)s)[0] != taps_ || PyArray_DIMS(%(k)s)[1] != ch_) {
            PyErr_SetString(PyExc_ValueError,
                            "DepthwiseCorr: the kernel does not match the window or the channels");
            %(fail)s
        }
        npy_intp zd_[5] = {nb_, G_[12], G_[13], G_[14], cm_};
        """ % names + self.c_alloc(names, names['x'], False) + """
        %(tz)s* const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
        if (%(dense)s) {
        """ % dict(names, dense=_C_DW_KERNEL_DENSE % names) + (_C_DW_EXPAND_SIZE % names) \
            + self.c_buffer(names, 'expand_ * sizeof(%s)' % names['tx']) + _c_dw_expand(names) + """
            const %(tk)s* const kc_ = (const %(tk)s*)K_b;
        """ % names + _dw_rows(fast_pre, fast) + """
        } else {
        """ + _loops(pre, generic, '') + """
        }
        """


class DepthwiseGradInput(_DepthwiseOp):
    """(gy, k, g) -> the gradient of DepthwiseCorr with respect to x (x's shape)."""
    input_names = ('gy', 'k', 'g')

    def __init__(self, static=None):
        self.static = tuple(static) if static is not None else (None,) * 5

    __props__ = ('static',)

    def static_output(self, tensors, g):
        gy, k = _static(tensors[0]), getattr(tensors[1].type, 'shape', None) or (None,) * 3
        inferred = (gy[0],) + _constant_entries(g, 15, 18) + (k[1],)
        return tuple(s if s is not None else i for s, i in zip(self.static, inferred))

    compute = staticmethod(_np_depthwise_grad_input)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[2]
        return [_nd_shape(node, shapes[0][0], (g[15], g[16], g[17]), shapes[1][1])]

    def _grads(self, inputs, output_grads):
        gy, k, g = inputs
        h = output_grads[0]
        return [depthwise(h, k, g), depthwise_grad_kernel(h, gy, g), _disconnected()]

    def c_body(self, names):
        # Fast: products of gy and k summed into dst_ (cells * cm_): dx itself when mult is 1, else
        # the node's buffer, whose mult entries per channel are then added into dx.
        fast = """
        const %(tgy)s* __restrict__ gv_ = (const %(tgy)s*)%(pos)s;
        const %(tk)s* __restrict__ kv_ = kc_ + tap * cm_;
        %(tz)s* __restrict__ d_ = dst_ + (((n * G_[15] + i0) * G_[16] + i1) * G_[17] + i2) * cm_;
        for (npy_intp j = 0; j < cm_; ++j) d_[j] += gv_[j] * kv_[j];
        """ % dict(names, pos=_pos('GY'))
        generic = """
        if (ok) {
            %(tz)s* __restrict__ d_ = out_ + (((n * G_[15] + i0) * G_[16] + i1) * G_[17] + i2) * ch_;
            for (npy_intp c = 0; c < ch_; ++c) {
                %(tz)s a_ = 0;
                for (npy_intp m = 0; m < mult_; ++m)
                    a_ += *(const %(tgy)s*)(pg_ + (c * mult_ + m) * GY_s4) * %(kv)s;
                d_[c] += a_;
            }
        }
        """ % dict(names, kv=_C_KV % names)
        return (_C_CHECK_POOLED % dict(names, a='GY', what='gy')) + """
        const npy_intp nb_ = GY_d[0], ch_ = PyArray_DIMS(%(k)s)[1], mult_ = PyArray_DIMS(%(k)s)[2];
        const npy_intp cm_ = ch_ * mult_;
        if (PyArray_DIMS(%(k)s)[0] != taps_ || GY_d[4] != cm_) {
            PyErr_SetString(PyExc_ValueError, "DepthwiseGradInput: gy does not match the kernel");
            %(fail)s
        }
        npy_intp zd_[5] = {nb_, G_[15], G_[16], G_[17], ch_};
        """ % names + self.c_alloc(names, names['gy'], True) + """
        %(tz)s* const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
        if (%(dense)s && GY_s4 == (npy_intp)sizeof(%(tgy)s)) {
            const npy_intp cells_ = nb_ * G_[15] * G_[16] * G_[17];
        """ % dict(names, dense=_C_DW_KERNEL_DENSE % names) \
            + self.c_buffer(names, '(mult_ != 1 ? cells_ * cm_ : 0) * sizeof(%s)' % names['tz']) + """
            %(tz)s* const dst_ = mult_ != 1 ? (%(tz)s*)%(buf)s : out_;
            if (mult_ != 1) memset(dst_, 0, cells_ * cm_ * sizeof(%(tz)s));
            const %(tk)s* const kc_ = (const %(tk)s*)K_b;
        """ % names + _dw_rows('', fast) + """
            if (mult_ == 2) {
                for (npy_intp i_ = 0; i_ < cells_ * ch_; ++i_) out_[i_] = dst_[2 * i_] + dst_[2 * i_ + 1];
            } else if (mult_ != 1) {
                for (npy_intp i_ = 0; i_ < cells_; ++i_)
                    for (npy_intp c = 0; c < ch_; ++c) {
                        %(tz)s a_ = 0;
                        for (npy_intp m = 0; m < mult_; ++m) a_ += dst_[i_ * cm_ + c * mult_ + m];
                        out_[i_ * ch_ + c] = a_;
                    }
            }
        } else {
        """ % names + _loops('const char* const pg_ = %s;' % _pos('GY'), generic, '') + """
        }
        """


class DepthwiseGradKernel(_DepthwiseOp):
    """(x, gy, g) -> the gradient of DepthwiseCorr with respect to k, (taps, channels, mult),
    accumulated in double precision (the fast path: float partial sums over rows of output positions,
    added into the double ones every _DW_RUN positions or so)."""
    input_names = ('x', 'gy', 'g')

    def output_type(self, x, gy, g):
        xs, gs = _static(x), _static(gy)
        mult = gs[4] // xs[4] if xs[4] and gs[4] is not None else None
        return _tensor_of(x.dtype, (_constant_window(g), xs[4], mult))

    compute = staticmethod(_np_depthwise_grad_kernel)

    def perform(self, node, inputs, output_storage, params=None):
        x, gy, g = inputs
        output_storage[0][0] = self.compute(_as5(x), _as5(gy), _unpack(g))

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[2]
        return [(g[0] * g[1] * g[2], shapes[0][-1], shapes[1][-1] // shapes[0][-1])]

    def _grads(self, inputs, output_grads):
        x, gy, g = inputs
        h = output_grads[0]
        return [depthwise_grad_input(gy, h, g, _static(x)), depthwise(x, h, g), _disconnected()]

    def c_body(self, names):
        fast = """
        const %(tx)s* __restrict__ xv_ = (const %(tx)s*)%(cell)s;
        const %(tgy)s* __restrict__ gv_ = (const %(tgy)s*)%(pos)s;
        %(tz)s* __restrict__ a_ = part_ + tap * cm_;
        for (npy_intp j = 0; j < cm_; ++j) a_[j] += xv_[j] * gv_[j];
        """ % dict(names, cell=_cell('E'), pos=_pos('GY'))
        flush = """
        for (npy_intp i_ = 0; i_ < taps_ * cm_; ++i_) { acc_[i_] += part_[i_]; part_[i_] = 0; }
        """
        generic = """
        if (ok) {
            const char* const px_ = %(cell)s;
            double* __restrict__ a_ = acc_ + tap * cm_;
            for (npy_intp c = 0; c < ch_; ++c) {
                const double v_ = (double)*(const %(tx)s*)(px_ + c * X_s4);
                for (npy_intp m = 0; m < mult_; ++m)
                    a_[c * mult_ + m] += v_ * (double)*(const %(tgy)s*)(pg_ + (c * mult_ + m) * GY_s4);
            }
        }
        """ % dict(names, cell=_cell('X'))
        return (_C_CHECK_INPUT % names) + (_C_CHECK_POOLED % dict(names, a='GY', what='gy')) + """
        const npy_intp nb_ = X_d[0], ch_ = X_d[4];
        const npy_intp taps_ = G_[0] * G_[1] * G_[2];
        if (ch_ <= 0 || GY_d[0] != nb_ || GY_d[4] %% ch_) {
            PyErr_SetString(PyExc_ValueError, "DepthwiseGradKernel: gy does not match x");
            %(fail)s
        }
        const npy_intp mult_ = GY_d[4] / ch_, cm_ = GY_d[4];
        npy_intp kd_[3] = {taps_, ch_, mult_};
        """ % names + (_C_CACHE_TAKE % names) + """
        if (!(%(z)s && PyArray_NDIM(%(z)s) == 3 && PyArray_IS_C_CONTIGUOUS(%(z)s)
              && PyArray_TYPE(%(z)s) == PyArray_TYPE(%(x)s) && PyArray_DIMS(%(z)s)[0] == taps_
              && PyArray_DIMS(%(z)s)[1] == ch_ && PyArray_DIMS(%(z)s)[2] == mult_)) {
            Py_XDECREF(%(z)s);
            %(z)s = (PyArrayObject*)PyArray_EMPTY(3, kd_, PyArray_TYPE(%(x)s), 0);
            if (!%(z)s) {
                PyErr_SetString(PyExc_MemoryError, "DepthwiseGradKernel: cannot allocate the output");
                %(fail)s
            }
        }
        """ % names + (_C_CACHE_KEEP % names) + """
        double* const acc_ = (double*)calloc(taps_ * cm_ + 1, sizeof(double));
        if (!acc_) {
            PyErr_SetString(PyExc_MemoryError, "DepthwiseGradKernel: cannot allocate scratch memory");
            %(fail)s
        }
        if (GY_s4 == (npy_intp)sizeof(%(tgy)s)) {
        """ % names + (_C_DW_EXPAND_SIZE % names) \
            + self.c_buffer(dict(names, fail='{free(acc_); %s}' % names['fail']),
                            '(expand_ + taps_ * cm_) * sizeof(%s)' % names['tx']) \
            + _c_dw_expand(names) + """
            %(tz)s* __restrict__ part_ = (%(tz)s*)%(buf)s + expand_;
            memset(part_, 0, taps_ * cm_ * sizeof(%(tz)s));
            npy_intp run_ = 0;
        """ % names + _dw_rows('', fast, 'run_ += G_[14]; if (run_ >= %d) { %s run_ = 0; }'
                                  % (_DW_RUN, flush)) + flush + """
        } else {
        """ + _loops('const char* const pg_ = %s;' % _pos('GY'), generic, '') + """
        }
        {
            %(tz)s* const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
            for (npy_intp i_ = 0; i_ < taps_ * cm_; ++i_) out_[i_] = (%(tz)s)acc_[i_];
            free(acc_);
        }
        """ % names


# Output positions whose float products DepthwiseGradKernel's fast path sums before adding them into
# its double accumulators (float sums of a few hundred terms stay within float32 rounding).
_DW_RUN = 128


# --- correlation: the patches of a chunk of images and one matrix product per chunk -------------------
#
# Corr(x, w, g) = the patches of x times w (taps * in, out); CorrGradInput(gy, w, g) and
# CorrGradKernel(x, gy, g) are its gradients (and CorrGradInput the transposed convolution). The
# patches never exist for the whole batch: a buffer of about _CHUNK_BYTES (kept by each Apply node
# between calls) holds those of a few images at a time, which the BLAS gemm of the engine reads.

_CHUNK_BYTES = 1 << 22


def _np_corr(x, w, g):
    cols = _np_im2col(x, g)
    y = cols.reshape((-1, cols.shape[-1])).dot(w)
    return y.reshape(cols.shape[:4] + (w.shape[1],))


def _np_corr_grad_input(gy, w, g):
    dcols = gy.reshape((-1, gy.shape[-1])).dot(w.T)
    return _np_col2im(dcols.reshape(gy.shape[:4] + (w.shape[0],)), g)


def _np_corr_grad_kernel(x, gy, g):
    cols = _np_im2col(x, g)
    return cols.reshape((-1, cols.shape[-1])).T.dot(gy.reshape((-1, gy.shape[-1])))


def _blas():
    """(blas_header_text, blas_header_version, ldflags) of the engine."""
    headers = importlib.import_module(theano.__name__ + '.tensor.blas_headers')
    blas = importlib.import_module(theano.__name__ + '.tensor.blas')
    return headers.blas_header_text, headers.blas_header_version, blas.ldflags


# Buffer <name>: at least `need` bytes, kept in the node's struct between calls.
_C_BUFFER = """
{
    const size_t need_ = (size_t)(%(need)s);
    if (need_ > kbackend_bufsize_%(node)s) {
        free(kbackend_buf_%(node)s);
        kbackend_buf_%(node)s = malloc(need_);
        kbackend_bufsize_%(node)s = kbackend_buf_%(node)s ? need_ : 0;
        if (!kbackend_buf_%(node)s) {
            PyErr_SetString(PyExc_MemoryError, "%(op)s: cannot allocate its scratch buffer");
            %(fail)s
        }
    }
}
"""

# The images per chunk: patches of about _CHUNK_BYTES, at least one image.
_C_CHUNK = """
const npy_intp P_ = G_[12] * G_[13] * G_[14];
npy_intp nc_ = P_ * kd_ > 0 ? (npy_intp)(%(chunk)d / (P_ * kd_ * (npy_intp)sizeof(%(t)s))) : nb_;
if (nc_ < 1) nc_ = 1;
if (nc_ > nb_) nc_ = nb_;
if (nc_ * P_ * kd_ > 2147483647 || nb_ * P_ * co_ > 2147483647 || kd_ * co_ > 2147483647) {
    PyErr_SetString(PyExc_ValueError, "%(op)s: the matrices exceed the BLAS int range");
    %(fail)s
}
"""


class _CorrOp(_DepthwiseOp):
    """A _DepthwiseOp whose C code calls the engine's BLAS gemm and keeps a patch buffer per node."""

    def c_support_code(self, **kwargs):
        return _blas()[0]() + _C_SUPPORT

    def c_libraries(self, **kwargs):
        return _blas()[2]()

    def c_compile_args(self, **kwargs):
        return _blas()[2](libs=False, flags=True)

    def c_lib_dirs(self, **kwargs):
        return _blas()[2](libs=False, libs_dir=True)

    def c_header_dirs(self, **kwargs):
        return _blas()[2](libs=False, include_dir=True)

    def c_code_cache_version(self):
        return _VERSION + (_blas()[1](),)

    @staticmethod
    def c_chunk(names, t):
        return _C_CHUNK % dict(names, chunk=_CHUNK_BYTES, t=t)


# Patch rows of a chunk of images, by runs: the taps t2 = 0..k2-1 of one (t0, t1) read k2 * channels
# consecutive values of x when its last spatial axis is dense, dilation along it is 1 and the run
# lies inside x; such a run is one copy (or add), the others go tap by tap.
_C_RUNS = """
const int dense_ = G_[8] == 1 && %(P)s_s4 == (npy_intp)sizeof(%(t)s) && %(P)s_s3 == ch_ * %(P)s_s4;
for (npy_intp n = %(n0)s; n < %(n1)s; ++n)
for (npy_intp a0 = 0; a0 < G_[12]; ++a0)
for (npy_intp a1 = 0; a1 < G_[13]; ++a1)
for (npy_intp a2 = 0; a2 < G_[14]; ++a2) {
    const npy_intp pos = ((n * G_[12] + a0) * G_[13] + a1) * G_[14] + a2;
    %(t)s* __restrict__ row_ = %(rows)s + (pos - %(n0)s * P_) * kd_;
    const npy_intp first_ = a2 * G_[5] - G_[11];
    const int inside_ = first_ >= 0 && first_ + G_[2] <= G_[17];
    for (npy_intp t0 = 0; t0 < G_[0]; ++t0) {
        const npy_intp i0 = a0 * G_[3] + t0 * G_[6] - G_[9];
        const int ok0 = i0 >= 0 && i0 < G_[15];
        for (npy_intp t1 = 0; t1 < G_[1]; ++t1, row_ += G_[2] * ch_) {
            const npy_intp i1 = a1 * G_[4] + t1 * G_[7] - G_[10];
            const int ok1 = ok0 && i1 >= 0 && i1 < G_[16];
            if (ok1 && dense_ && inside_) {
                const npy_intp i2 = first_;
                %(t)s* __restrict__ cell_ = (%(t)s*)%(cell)s;
                for (npy_intp j = 0; j < G_[2] * ch_; ++j) { %(run)s }
                continue;
            }
            for (npy_intp t2 = 0; t2 < G_[2]; ++t2) {
                const npy_intp i2 = first_ + t2 * G_[8];
                %(t)s* __restrict__ o_ = row_ + t2 * ch_;
                if (ok1 && i2 >= 0 && i2 < G_[17]) {
                    %(t)s* __restrict__ cell_ = (%(t)s*)%(cell)s;
                    %(tap)s
                } else {
                    %(pad)s
                }
            }
        }
    }
}
"""


def _c_im2col_chunk(names, t, cols, n0, n1):
    """C: the patches of images n0 <= n < n1 of x into `cols` (rows of kd_ values)."""
    tap = ('if (X_s4 == (npy_intp)sizeof(%s)) { for (npy_intp c = 0; c < ch_; ++c) o_[c] = cell_[c]; }'
           ' else { for (npy_intp c = 0; c < ch_; ++c)'
           ' o_[c] = *(const %s*)((const char*)cell_ + c * X_s4); }' % (t, t))
    return _C_RUNS % dict(P='X', t=t, n0=n0, n1=n1, rows=cols, cell=_cell('X'),
                          run='row_[j] = cell_[j];', tap=tap,
                          pad='for (npy_intp c = 0; c < ch_; ++c) o_[c] = 0;')


def _c_col2im_chunk(names, t, cols, n0, n1):
    """C: the patch rows `cols` of images n0 <= n < n1 added to the cells of dx (C-contiguous, %(z)s)
    they read. DX is dx seen as 5-D."""
    return _C_RUNS % dict(P='DX', t=t, n0=n0, n1=n1, rows=cols, cell=_cell('DX'),
                          run='cell_[j] += row_[j];',
                          tap='for (npy_intp c = 0; c < ch_; ++c) cell_[c] += o_[c];', pad='')


def _matrix_check(names, key, what):
    return """
    if (PyArray_NDIM(%(a)s) != 2) {
        PyErr_SetString(PyExc_ValueError, "%(op)s: %(what)s must be a matrix");
        %(fail)s
    }
    """ % dict(names, a=names[key], what=what)


class Corr(_CorrOp):
    """(x, w, g) -> y (batch, o0, o1, o2, out): the patches of x times w (taps * in, out)."""
    input_names = ('x', 'w', 'g')

    def static_output(self, tensors, g):
        x, w = _static(tensors[0]), getattr(tensors[1].type, 'shape', None) or (None, None)
        return (x[0],) + _constant_entries(g, 12, 15) + (w[1],)

    compute = staticmethod(_np_corr)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[2]
        return [_nd_shape(node, shapes[0][0], (g[12], g[13], g[14]), shapes[1][1])]

    def _grads(self, inputs, output_grads):
        x, w, g = inputs
        gy = output_grads[0]
        return [corr_grad_input(gy, w, g, _static(x)), corr_grad_kernel(x, gy, g), _disconnected()]

    def c_body(self, names):
        t = names['tz']
        return (_C_CHECK_INPUT % names) + _matrix_check(names, 'w', 'the kernel') + """
        const npy_intp nb_ = X_d[0], ch_ = X_d[4], kd_ = G_[0] * G_[1] * G_[2] * ch_;
        const npy_intp co_ = PyArray_DIMS(%(w)s)[1];
        if (PyArray_DIMS(%(w)s)[0] != kd_) {
            PyErr_SetString(PyExc_ValueError, "Corr: the kernel's rows are not taps * input channels");
            %(fail)s
        }
        npy_intp zd_[5] = {nb_, G_[12], G_[13], G_[14], co_};
        """ % names + self.c_alloc(names, names['x'], False) + self.c_chunk(names, t) + """
        if (nb_ * P_ * co_ > 0 && kd_ == 0) {
            memset(PyArray_DATA(%(z)s), 0, PyArray_NBYTES(%(z)s));
        } else if (nb_ * P_ * co_ > 0) {
        """ % names + self.c_buffer(names, 'nc_ * P_ * kd_ * sizeof(%s)' % t) + """
            PyArrayObject* wc_ = PyArray_GETCONTIGUOUS(%(w)s);
            if (!wc_) { %(fail)s }
            %(tz)s* const cols_ = (%(tz)s*)%(buf)s;
            %(tz)s* const out_ = (%(tz)s*)PyArray_DATA(%(z)s);
            const %(tz)s one_ = 1, zero_ = 0;
            for (npy_intp n0_ = 0; n0_ < nb_; n0_ += nc_) {
                const npy_intp n1_ = n0_ + nc_ < nb_ ? n0_ + nc_ : nb_;
        """ % names + _c_im2col_chunk(names, t, 'cols_', 'n0_', 'n1_') + """
                int m_ = (int)co_, r_ = (int)((n1_ - n0_) * P_), k_ = (int)kd_;
                %(gemm)s((char*)"N", (char*)"N", &m_, &r_, &k_, &one_, (%(tz)s*)PyArray_DATA(wc_), &m_,
                         cols_, &k_, &zero_, out_ + n0_ * P_ * co_, &m_);
            }
            Py_DECREF(wc_);
        }
        """ % names


class CorrGradInput(_CorrOp):
    """(gy, w, g) -> the gradient of Corr with respect to x (x's shape): gy times w transposed, each
    patch entry added to the cell it reads. It is also the transposed convolution."""
    input_names = ('gy', 'w', 'g')

    def __init__(self, static=None):
        self.static = tuple(static) if static is not None else (None,) * 5

    __props__ = ('static',)

    def static_output(self, tensors, g):
        gy, w = _static(tensors[0]), getattr(tensors[1].type, 'shape', None) or (None, None)
        window = _constant_window(g)
        channels = w[0] // window if window and w[0] is not None else None
        inferred = (gy[0],) + _constant_entries(g, 15, 18) + (channels,)
        return tuple(s if s is not None else i for s, i in zip(self.static, inferred))

    compute = staticmethod(_np_corr_grad_input)

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[2]
        return [_nd_shape(node, shapes[0][0], (g[15], g[16], g[17]), shapes[1][0] // (g[0] * g[1] * g[2]))]

    def _grads(self, inputs, output_grads):
        gy, w, g = inputs
        h = output_grads[0]
        return [corr(h, w, g), corr_grad_kernel(h, gy, g), _disconnected()]

    def c_body(self, names):
        t = names['tz']
        checks = (_C_CHECK_POOLED % dict(names, a='GY', what='gy')) + _matrix_check(names, 'w', 'the kernel')
        return checks + """
        const npy_intp nb_ = GY_d[0], kd_ = PyArray_DIMS(%(w)s)[0], co_ = PyArray_DIMS(%(w)s)[1];
        const npy_intp taps_ = G_[0] * G_[1] * G_[2];
        if (taps_ <= 0 || kd_ %% taps_ || GY_d[4] != co_) {
            PyErr_SetString(PyExc_ValueError,
                            "CorrGradInput: gy or the kernel does not match the geometry");
            %(fail)s
        }
        const npy_intp ch_ = kd_ / taps_;
        npy_intp zd_[5] = {nb_, G_[15], G_[16], G_[17], ch_};
        """ % names + self.c_alloc(names, names['gy'], True) + _decl(names['z'], 'DX', names) \
            + self.c_chunk(names, t) + """
        if (nb_ * P_ * co_ * kd_ > 0) {
        """ % names + self.c_buffer(names, 'nc_ * P_ * kd_ * sizeof(%s)' % t) + """
            PyArrayObject* wc_ = PyArray_GETCONTIGUOUS(%(w)s);
            if (!wc_) { %(fail)s }
            PyArrayObject* gc_ = PyArray_GETCONTIGUOUS(%(gy)s);
            if (!gc_) { Py_DECREF(wc_); %(fail)s }
            %(tz)s* const cols_ = (%(tz)s*)%(buf)s;
            const %(tz)s* const gyv_ = (const %(tz)s*)PyArray_DATA(gc_);
            const %(tz)s one_ = 1, zero_ = 0;
            for (npy_intp n0_ = 0; n0_ < nb_; n0_ += nc_) {
                const npy_intp n1_ = n0_ + nc_ < nb_ ? n0_ + nc_ : nb_;
                int m_ = (int)kd_, r_ = (int)((n1_ - n0_) * P_), k_ = (int)co_;
                %(gemm)s((char*)"T", (char*)"N", &m_, &r_, &k_, &one_, (%(tz)s*)PyArray_DATA(wc_), &k_,
                         (%(tz)s*)(gyv_ + n0_ * P_ * co_), &k_, &zero_, cols_, &m_);
        """ % names + _c_col2im_chunk(names, t, 'cols_', 'n0_', 'n1_') + """
            }
            Py_DECREF(wc_);
            Py_DECREF(gc_);
        }
        """


class CorrGradKernel(_CorrOp):
    """(x, gy, g) -> the gradient of Corr with respect to w, (taps * in, out): the patches of x,
    transposed, times gy."""
    input_names = ('x', 'gy', 'g')

    def output_type(self, x, gy, g):
        xs, gs = _static(x), _static(gy)
        window = _constant_window(g)
        return _tensor_of(x.dtype, (window * xs[4] if window and xs[4] is not None else None, gs[4]))

    compute = staticmethod(_np_corr_grad_kernel)

    def perform(self, node, inputs, output_storage, params=None):
        x, gy, g = inputs
        output_storage[0][0] = self.compute(_as5(x), _as5(gy), _unpack(g))

    def infer_shape(self, *args):
        node, shapes = args[-2:]
        g = node.inputs[2]
        return [(g[0] * g[1] * g[2] * shapes[0][-1], shapes[1][-1])]

    def _grads(self, inputs, output_grads):
        x, gy, g = inputs
        h = output_grads[0]
        return [corr_grad_input(gy, h, g, _static(x)), corr(x, h, g), _disconnected()]

    def c_body(self, names):
        t = names['tz']
        return (_C_CHECK_INPUT % names) + (_C_CHECK_POOLED % dict(names, a='GY', what='gy')) + """
        if (GY_d[0] != X_d[0]) {
            PyErr_SetString(PyExc_ValueError, "CorrGradKernel: x and gy differ in batch size");
            %(fail)s
        }
        const npy_intp nb_ = X_d[0], ch_ = X_d[4], kd_ = G_[0] * G_[1] * G_[2] * ch_, co_ = GY_d[4];
        npy_intp wd_[2] = {kd_, co_};
        """ % names + (_C_CACHE_TAKE % names) + """
        if (!(%(z)s && PyArray_NDIM(%(z)s) == 2 && PyArray_IS_C_CONTIGUOUS(%(z)s)
              && PyArray_TYPE(%(z)s) == PyArray_TYPE(%(x)s) && PyArray_DIMS(%(z)s)[0] == kd_
              && PyArray_DIMS(%(z)s)[1] == co_)) {
            Py_XDECREF(%(z)s);
            %(z)s = (PyArrayObject*)PyArray_EMPTY(2, wd_, PyArray_TYPE(%(x)s), 0);
            if (!%(z)s) {
                PyErr_SetString(PyExc_MemoryError, "CorrGradKernel: cannot allocate the output");
                %(fail)s
            }
        }
        """ % names + (_C_CACHE_KEEP % names) + self.c_chunk(names, t) + """
        if (nb_ * P_ == 0 || kd_ * co_ == 0) {
            memset(PyArray_DATA(%(z)s), 0, PyArray_NBYTES(%(z)s));
        } else {
        """ % names + self.c_buffer(names, 'nc_ * P_ * kd_ * sizeof(%s)' % t) + """
            PyArrayObject* gc_ = PyArray_GETCONTIGUOUS(%(gy)s);
            if (!gc_) { %(fail)s }
            %(tz)s* const cols_ = (%(tz)s*)%(buf)s;
            const %(tz)s* const gyv_ = (const %(tz)s*)PyArray_DATA(gc_);
            const %(tz)s one_ = 1, zero_ = 0;
            for (npy_intp n0_ = 0; n0_ < nb_; n0_ += nc_) {
                const npy_intp n1_ = n0_ + nc_ < nb_ ? n0_ + nc_ : nb_;
        """ % names + _c_im2col_chunk(names, t, 'cols_', 'n0_', 'n1_') + """
                int m_ = (int)co_, r_ = (int)((n1_ - n0_) * P_), k_ = (int)kd_;
                %(gemm)s((char*)"N", (char*)"T", &m_, &k_, &r_, &one_,
                         (%(tz)s*)(gyv_ + n0_ * P_ * co_), &m_, cols_, &k_, n0_ ? &one_ : &zero_,
                         (%(tz)s*)PyArray_DATA(%(z)s), &m_);
            }
            Py_DECREF(gc_);
        }
        """ % names


def _constant_value(g):
    """The geometry's entries when it is a constant, else None."""
    data = getattr(g, 'data', None)
    return None if data is None else [int(v) for v in np.asarray(data).ravel()]


def _constant_entries(g, start, stop):
    value = _constant_value(g)
    return tuple(value[start:stop]) if value is not None else (None,) * (stop - start)


def _constant_window(g):
    value = _constant_value(g)
    return int(np.prod(value[:3])) if value is not None else None


_WINDOW_MAX, _WINDOW_MAX_GRAD, _WINDOW_AVG = WindowMax(), WindowMaxGrad(), WindowAvg()


def window_max(x, v, g):
    return _WINDOW_MAX(x, v, g)


def window_max_grad(x, gy, g):
    return _WINDOW_MAX_GRAD(x, gy, g)


def window_avg(x, g):
    return _WINDOW_AVG(x, g)


def window_avg_grad(gy, g, static=None):
    return WindowAvgGrad(static)(gy, g)


def depthwise(x, k, g):
    return _DEPTHWISE(x, k, g)


def depthwise_grad_input(gy, k, g, static=None):
    return DepthwiseGradInput(static)(gy, k, g)


def depthwise_grad_kernel(x, gy, g):
    return _DEPTHWISE_GRAD_KERNEL(x, gy, g)


_DEPTHWISE, _DEPTHWISE_GRAD_KERNEL = DepthwiseCorr(), DepthwiseGradKernel()


def corr(x, w, g):
    return _CORR(x, w, g)


def corr_grad_input(gy, w, g, static=None):
    return CorrGradInput(static)(gy, w, g)


def corr_grad_kernel(x, gy, g):
    return _CORR_GRAD_KERNEL(x, gy, g)


_CORR, _CORR_GRAD_KERNEL = Corr(), CorrGradKernel()
