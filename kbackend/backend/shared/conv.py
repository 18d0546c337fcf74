"""Composite conv ops written once on K.* (bound per engine by shared.bind): the locally connected
convs, as Keras 2.2.4 builds them (slices, then one batch_dot over the output positions)."""
import itertools

from kbackend.backend.shared import checks

__all__ = ['local_conv1d', 'local_conv2d']


def _local(fn, inputs, kernel, kernel_size, strides, out_sizes, data_format):
    """Output position i (row-major) applies kernel[i] to its input patch, flattened in the input's
    own layout, so the kernel's feature order is (window..., in) channels-last, (in, window...) first."""
    rank = len(out_sizes)
    checks.check_float_dtypes(fn, inputs=K.dtype(inputs), kernel=K.dtype(kernel))
    kernel_size, strides, out_sizes, data_format = checks.check_local(
        fn, rank, K.int_shape(inputs), K.int_shape(kernel), kernel_size, strides, out_sizes,
        data_format)
    lead = (slice(None),) * (2 if data_format == 'channels_first' else 1)
    features = K.int_shape(kernel)[1]
    patches = []
    for position in itertools.product(*[range(n) for n in out_sizes]):
        window = tuple(slice(p * s, p * s + k) for p, s, k in zip(position, strides, kernel_size))
        patches.append(K.reshape(inputs[lead + window], (-1, features)))
    out = K.batch_dot(K.stack(patches, axis=0), kernel)  # (positions, batch, filters)
    if rank > 1:
        out = K.reshape(out, tuple(out_sizes) + (-1, K.int_shape(kernel)[-1]))
    spatial = tuple(range(rank))
    if data_format == 'channels_first':
        return K.permute_dimensions(out, (rank, rank + 1) + spatial)
    return K.permute_dimensions(out, (rank,) + spatial + (rank + 1,))


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    # None means channels_last here: Keras's LocallyConnected1D is channels-last and passes no
    # data_format, so the global image format must not apply; an explicit value is honoured.
    kernel_shape = K.int_shape(kernel)
    checks.check_ndim('local_conv1d', 'the kernel', kernel_shape, 3, checks.LOCAL_KERNEL_LAYOUT)
    return _local('local_conv1d', inputs, kernel, kernel_size, strides, kernel_shape[:1],
                  data_format or 'channels_last')


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    return _local('local_conv2d', inputs, kernel, kernel_size, strides, output_shape, data_format)
