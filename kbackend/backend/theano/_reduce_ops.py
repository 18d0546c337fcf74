"""A faster C kernel for Theano 1.0.5's sum over every axis but the last (a bias's gradient).

Theano 1.0.5's ``Sum`` C loop walks a channels-last tensor against its memory order: the gradient
of ``conv2d(x, k) + b`` with respect to b, a float32 sum of a (32, 28, 28, 32) tensor over axes
(0, 1, 2), took 2.65 ms, 16 % of the CNN training step (benchmarks/cnn_step.py --profile theano);
PyTensor's own loop takes 0.21 ms. ``LeadingSum`` reads the tensor row by row (one row per
position, the last axis contiguous) into one accumulator per channel, in float64 as Theano's
``Sum`` does (``acc_dtype``), and casts back: the same values. A specialize-stage rewrite puts it
in place of every such ``Sum`` in K.function's graphs. Theano 1.0.5 only: this module is imported
only there (PyTensor's Sum is fast, and its Op classes live elsewhere).
"""
from ._engine import IS_PYTENSOR, T, register_specialize, theano

_FLOATS = ('float32', 'float64')


class LeadingSum(theano.gof.Op):
    """sum(x, axis=range(x.ndim - 1)) of a float tensor, accumulated in float64."""
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        if x.ndim < 2 or x.dtype not in _FLOATS:
            raise TypeError('LeadingSum: expected a float32/float64 tensor of 2 or more dims; '
                            'received %s.' % x.type)
        return theano.gof.Apply(self, [x], [T.TensorType(x.dtype, (False,))()])

    def perform(self, node, inputs, output_storage):
        x, = inputs
        total = x.reshape(-1, x.shape[-1]).sum(axis=0, dtype='float64')
        output_storage[0][0] = total.astype(x.dtype)

    def infer_shape(self, node, shapes):
        return [(shapes[0][-1],)]

    def grad(self, inputs, output_grads):
        x, = inputs
        return [T.alloc(output_grads[0], *[x.shape[i] for i in range(x.ndim)])]

    def c_code_cache_version(self):
        return ('kbackend-leading-sum', 1)

    def c_code(self, node, name, inputs, outputs, sub):
        (x,), (z,) = inputs, outputs
        ctype = 'npy_float32' if node.inputs[0].dtype == 'float32' else 'npy_float64'
        typenum = 'NPY_FLOAT32' if node.inputs[0].dtype == 'float32' else 'NPY_FLOAT64'
        return '''
{
    PyArrayObject* xc_ = PyArray_GETCONTIGUOUS(%(x)s);
    if (!xc_) { %(fail)s; }
    int nd_ = PyArray_NDIM(xc_);
    npy_intp cols_ = PyArray_DIMS(xc_)[nd_ - 1];
    npy_intp rows_ = cols_ ? PyArray_SIZE(xc_) / cols_ : 0;
    if (!%(z)s || PyArray_NDIM(%(z)s) != 1 || PyArray_DIMS(%(z)s)[0] != cols_ ||
            !PyArray_ISCARRAY(%(z)s)) {
        Py_XDECREF(%(z)s);
        %(z)s = (PyArrayObject*)PyArray_EMPTY(1, &cols_, %(typenum)s, 0);
        if (!%(z)s) { Py_DECREF(xc_); %(fail)s; }
    }
    double* acc_ = (double*)calloc(cols_ > 0 ? cols_ : 1, sizeof(double));
    if (!acc_) {
        Py_DECREF(xc_);
        PyErr_NoMemory();
        %(fail)s;
    }
    const %(ctype)s* data_ = (const %(ctype)s*)PyArray_DATA(xc_);
    for (npy_intp r_ = 0; r_ < rows_; ++r_) {
        const %(ctype)s* row_ = data_ + r_ * cols_;
        for (npy_intp c_ = 0; c_ < cols_; ++c_)
            acc_[c_] += row_[c_];
    }
    %(ctype)s* out_ = (%(ctype)s*)PyArray_DATA(%(z)s);
    for (npy_intp c_ = 0; c_ < cols_; ++c_)
        out_[c_] = (%(ctype)s)acc_[c_];
    free(acc_);
    Py_DECREF(xc_);
}
''' % dict(x=x, z=z, fail=sub['fail'], ctype=ctype, typenum=typenum)


leading_sum = LeadingSum()


def _replaceable(node):
    """Whether `node` is a float Sum over every axis but the last, in the input's dtype."""
    op = node.op
    if type(op) is not T.elemwise.Sum or len(node.inputs) != 1:
        return False
    x = node.inputs[0]
    return (x.ndim >= 2 and x.dtype in _FLOATS and op.dtype == x.dtype
            and getattr(op, 'acc_dtype', 'float64') in _FLOATS
            and tuple(op.axis or ()) == tuple(range(x.ndim - 1)))


def _leading_sum_of(node):
    return [leading_sum(node.inputs[0])] if _replaceable(node) else None


def install():
    """Registers the rewrite on Theano 1.0.5; PyTensor's Sum is fast already."""
    if not IS_PYTENSOR:
        register_specialize('kbackend_leading_sum', [T.elemwise.Sum], _leading_sum_of)
