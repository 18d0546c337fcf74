"""The contract: every public function of the kbackend API, once.

Each function here gives the name, the Keras 2.2.4 signature (with defaults) and the docstring of one
backend function. Adapters implement the same names with the same signatures and no docstrings of their
own; the loader gives each exported function the docstring written here. The bodies only raise: the
functions are never called through this module.

``FAMILIES`` maps each op family (the file name used by every engine package) to its functions.
"""

FAMILIES = {
    'core': (
        'get_uid', 'reset_uids', 'clear_session', 'manual_variable_initialization',
        'learning_phase', 'set_learning_phase', 'get_session', 'set_session', 'is_sparse',
        'to_dense', 'name_scope', 'variable', 'constant', 'is_keras_tensor', 'is_tensor',
        'placeholder', 'is_placeholder', 'shape', 'int_shape', 'ndim', 'dtype', 'eval', 'zeros',
        'ones', 'eye', 'zeros_like', 'ones_like', 'identity', 'count_params', 'cast', 'update',
        'update_add', 'update_sub', 'moving_average_update', 'get_value', 'batch_get_value',
        'set_value', 'batch_set_value', 'get_variable_shape', 'print_tensor', 'function',
        'gradients', 'stop_gradient',
    ),
    'math': (
        'dot', 'batch_dot', 'transpose', 'max', 'min', 'sum', 'prod', 'cumsum', 'cumprod', 'var',
        'std', 'mean', 'any', 'all', 'argmax', 'argmin', 'square', 'abs', 'sqrt', 'exp', 'log',
        'logsumexp', 'round', 'sign', 'pow', 'clip', 'equal', 'not_equal', 'greater',
        'greater_equal', 'less', 'less_equal', 'maximum', 'minimum', 'sin', 'cos',
    ),
    'array': (
        'concatenate', 'reshape', 'permute_dimensions', 'resize_images', 'resize_volumes',
        'repeat_elements', 'repeat', 'arange', 'tile', 'flatten', 'batch_flatten', 'expand_dims',
        'squeeze', 'temporal_padding', 'spatial_2d_padding', 'spatial_3d_padding', 'stack',
        'one_hot', 'reverse', 'slice', 'gather', 'pattern_broadcast',
    ),
    'nn': (
        'normalize_batch_in_training', 'batch_normalization', 'relu', 'elu', 'softmax', 'softplus',
        'softsign', 'categorical_crossentropy', 'sparse_categorical_crossentropy',
        'binary_crossentropy', 'sigmoid', 'hard_sigmoid', 'tanh', 'dropout', 'l2_normalize',
        'in_top_k', 'bias_add', 'classification_error',
    ),
    'conv': (
        'conv1d', 'conv2d', 'conv2d_transpose', 'separable_conv1d', 'separable_conv2d',
        'depthwise_conv2d', 'conv3d', 'conv3d_transpose', 'pool2d', 'pool3d', 'local_conv1d',
        'local_conv2d',
    ),
    'control': (
        'rnn', 'switch', 'in_train_phase', 'in_test_phase', 'map_fn', 'foldl', 'foldr',
    ),
    'ctc': (
        'ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode',
    ),
    'random': (
        'random_normal', 'random_uniform', 'random_binomial', 'truncated_normal',
        'random_uniform_variable', 'random_normal_variable',
    ),
}

NAMES = tuple(name for names in FAMILIES.values() for name in names)


def _contract():
    raise NotImplementedError('kbackend.backend.api only describes the API; use kbackend.backend')



# --- core ----------------------------------------------------------------------------------------

def get_uid(prefix=''):
    """Returns the next integer id for a name prefix.

    Each prefix has its own counter; the first call for a prefix returns 1. Keras uses it to give
    layers unique default names. The counters are shared by all threads and are cleared by
    reset_uids and clear_session.

    Args:
        prefix: The name prefix to count for.

    Returns:
        An int, one more than the previous id returned for `prefix`.
    """
    _contract()


def reset_uids():
    """Resets every counter used by get_uid.

    After this call, get_uid returns 1 again for every prefix. Nothing else is reset; use
    clear_session to reset all the state kbackend keeps.
    """
    _contract()


def clear_session():
    """Resets all the state kbackend keeps for the engine in use.

    Clears the get_uid counters, puts the learning phase back to its symbolic default (undoing
    set_learning_phase) and, where the engine has them, replaces kbackend's graph and session.
    Tensors, variables and functions made before the call must not be used after it. Call it
    between independent models to start afresh and release memory.
    """
    _contract()


def manual_variable_initialization(value):
    """Sets whether kbackend leaves variable initialisation to the user.

    By default (False) kbackend initialises every new variable before anything reads it. With
    True it stops doing so, and the caller must give each variable its value (for example with
    set_value or batch_set_value, as loading saved weights does). Engines whose variables hold their
    value from the moment they are created are unaffected.

    Args:
        value: bool, True to initialise variables manually.
    """
    _contract()


def learning_phase():
    """Returns the learning-phase flag: 0 for test, 1 for training.

    After set_learning_phase(value) this is that Python int, so in_train_phase chooses its branch
    while the graph is built. Otherwise it is a symbolic scalar tensor: list it in the `inputs` of
    function to feed 0 or 1 on each call; when it is not fed it is 0 (test).

    Returns:
        The Python int 0 or 1, or a symbolic scalar tensor.
    """
    _contract()


def set_learning_phase(value):
    """Fixes the learning phase to a constant value.

    From now on learning_phase() returns `value` as a Python int, until clear_session puts the
    symbolic flag back.

    Args:
        value: 0 (test) or 1 (training).

    Raises:
        ValueError: If `value` is neither 0 nor 1.
    """
    _contract()


def get_session():
    """Returns the engine session kbackend evaluates in (engine-specific).

    On TensorFlow this is a tf.compat.v1.Session on kbackend's own graph: an active default session
    on that graph if there is one, else the one given to set_session, else one kbackend creates on
    first use. Variables not yet initialised are initialised before it is returned, unless
    manual_variable_initialization(True) is in effect. On engines without sessions the value
    returned is engine-specific: see the engine docs.

    Returns:
        The session object kbackend uses.
    """
    _contract()


def set_session(session):
    """Sets the engine session kbackend evaluates in (engine-specific).

    On TensorFlow, `session` (a tf.compat.v1.Session) is used from now on by eval, get_value,
    set_value and function, and kbackend builds new ops in the session's graph; None makes
    get_session create a fresh session. On engines without sessions the effect is
    engine-specific: see the engine docs.

    Args:
        session: The session to use, or None.
    """
    _contract()


def is_sparse(tensor):
    """Tells whether a tensor is sparse.

    Args:
        tensor: A tensor, variable or placeholder.

    Returns:
        bool, True if `tensor` is one of the engine's sparse tensors (for example a variable made
        from a scipy.sparse matrix, or a placeholder made with sparse=True).
    """
    _contract()


def to_dense(tensor):
    """Converts a sparse tensor to a dense one.

    Args:
        tensor: A tensor, sparse or not.

    Returns:
        A dense tensor with the same values; a dense input is returned unchanged.
    """
    _contract()


def name_scope(name):
    """Returns a context manager that opens a name scope.

    Names given to variables, placeholders and ops created inside the `with` block are prefixed
    with `name/`. Scopes nest, so the prefixes of enclosing scopes are joined with '/'.

    Args:
        name: str, the name of the scope.

    Returns:
        A context manager.
    """
    _contract()


def variable(value, dtype=None, name=None, constraint=None):
    """Creates a variable holding a value.

    The variable is the engine's own variable object, so engine-native code can use it too. It
    carries the Keras attributes `_keras_shape` (its static shape), `_uses_learning_phase` (False)
    and `constraint`.

    Args:
        value: A NumPy array or Python number; a scipy.sparse matrix gives a sparse variable.
        dtype: str, the dtype of the variable; defaults to floatx().
        name: Optional str, the name of the variable.
        constraint: Optional projection function that optimisers apply after each update.

    Returns:
        A variable.
    """
    _contract()


def constant(value, dtype=None, shape=None, name=None):
    """Creates a constant tensor.

    Args:
        value: A Python number, list or NumPy array.
        dtype: str, the dtype of the tensor; defaults to floatx().
        shape: Optional tuple of ints; a scalar `value` is then filled into a tensor of that shape.
        name: Optional str, the name of the tensor.

    Returns:
        A constant tensor.
    """
    _contract()


def is_keras_tensor(x):
    """Tells whether a tensor was produced by a Keras layer.

    Only tensors that carry a `_keras_history` attribute are Keras tensors: variables and plain
    placeholders give False.

    Args:
        x: A symbolic tensor or variable.

    Returns:
        bool, True if `x` has a `_keras_history` attribute.

    Raises:
        ValueError: If `x` is not a symbolic tensor (a NumPy array or Python number, say).
    """
    _contract()


def is_tensor(x):
    """Tells whether an object is a symbolic tensor of the engine in use.

    Args:
        x: Any object.

    Returns:
        bool, True for the engine's tensors, variables and placeholders; False for NumPy arrays,
        Python numbers and anything else.
    """
    _contract()


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """Creates a placeholder: a symbolic input whose value is fed when a function is called.

    The result carries `_keras_shape` and `_uses_learning_phase` (False).

    Args:
        shape: Optional tuple of ints, None for a dimension known only when data is fed.
        ndim: Optional int, the rank, used when `shape` is None (every dimension is then None).
        dtype: str, the dtype of the placeholder; defaults to floatx().
        sparse: bool, True for a sparse placeholder (2-D).
        name: Optional str, the name of the placeholder.

    Returns:
        A placeholder tensor.

    Raises:
        ValueError: If neither `shape` nor `ndim` is given.
    """
    _contract()


def is_placeholder(x):
    """Tells whether a tensor was created by placeholder.

    Args:
        x: A tensor.

    Returns:
        bool, True if `x` is a placeholder made by placeholder().
    """
    _contract()


def shape(x):
    """Returns the symbolic shape of a tensor.

    Unlike int_shape, the result is a tensor, so it also gives dimensions that are only known when
    data is fed (such as the batch size).

    Args:
        x: A tensor or variable.

    Returns:
        A 1-D integer tensor with one entry per axis of `x`; index it to get one dimension.
    """
    _contract()


def int_shape(x):
    """Returns the static shape of a tensor as a tuple.

    The `_keras_shape` attribute is used when `x` carries one; otherwise the shape the engine knows
    before any data is fed.

    Args:
        x: A tensor or variable.

    Returns:
        A tuple with an int for each known dimension and None for each unknown one.
    """
    _contract()


def ndim(x):
    """Returns the rank (number of axes) of a tensor.

    Args:
        x: A tensor or variable.

    Returns:
        int, the number of axes.
    """
    _contract()


def dtype(x):
    """Returns the dtype of a tensor or variable as a plain name.

    Args:
        x: A tensor or variable.

    Returns:
        str, such as 'float32' or 'int64' (never a reference type such as 'float32_ref').
    """
    _contract()


def eval(x):
    """Evaluates a tensor or variable to its value.

    `x` must not depend on placeholders, since nothing is fed. A sparse tensor is returned dense.

    Args:
        x: A tensor or variable.

    Returns:
        A NumPy array.
    """
    _contract()


def zeros(shape, dtype=None, name=None):
    """Creates a variable filled with zeros.

    Args:
        shape: Tuple of ints, the shape of the variable.
        dtype: str, the dtype; defaults to floatx().
        name: Optional str, the name of the variable.

    Returns:
        A variable (a plain tensor when `shape` holds symbolic dimensions).
    """
    _contract()


def ones(shape, dtype=None, name=None):
    """Creates a variable filled with ones.

    Args:
        shape: Tuple of ints, the shape of the variable.
        dtype: str, the dtype; defaults to floatx().
        name: Optional str, the name of the variable.

    Returns:
        A variable (a plain tensor when `shape` holds symbolic dimensions).
    """
    _contract()


def eye(size, dtype=None, name=None):
    """Creates an identity-matrix variable.

    Args:
        size: int, the number of rows and columns.
        dtype: str, the dtype; defaults to floatx().
        name: Optional str, the name of the variable.

    Returns:
        A variable of shape (size, size) with ones on the diagonal and zeros elsewhere.
    """
    _contract()


def zeros_like(x, dtype=None, name=None):
    """Creates a tensor of zeros with the shape of another tensor.

    Args:
        x: A tensor or variable.
        dtype: Optional str; defaults to the dtype of `x`.
        name: Optional str, the name of the result.

    Returns:
        A tensor (not a variable) of zeros with the shape of `x`.
    """
    _contract()


def ones_like(x, dtype=None, name=None):
    """Creates a tensor of ones with the shape of another tensor.

    Args:
        x: A tensor or variable.
        dtype: Optional str; defaults to the dtype of `x`.
        name: Optional str, the name of the result.

    Returns:
        A tensor (not a variable) of ones with the shape of `x`.
    """
    _contract()


def identity(x, name=None):
    """Returns a new tensor with the same value as the input.

    Args:
        x: A tensor or variable.
        name: Optional str, the name of the result.

    Returns:
        A tensor equal to `x`, of the same shape and dtype.
    """
    _contract()


def count_params(x):
    """Returns the number of scalars in a tensor or variable.

    Args:
        x: A tensor or variable whose shape is fully known before data is fed.

    Returns:
        int, the product of the dimensions of `x`.
    """
    _contract()


def cast(x, dtype):
    """Casts a tensor to another dtype.

    Args:
        x: A tensor or variable.
        dtype: str, the target dtype, such as 'float16', 'float32' or 'int32'.

    Returns:
        A tensor with the values of `x` converted to `dtype`.
    """
    _contract()


def update(x, new_x):
    """Describes setting a variable to a new value.

    Nothing changes when this is called: the update happens each time a function that lists it in
    its `updates` runs.

    Args:
        x: The variable to update.
        new_x: A tensor of the same shape, the new value.

    Returns:
        An update, for the `updates` list of function.
    """
    _contract()


def update_add(x, increment):
    """Describes adding an increment to a variable.

    Nothing changes when this is called: `x` becomes `x + increment` each time a function that lists
    the update in its `updates` runs.

    Args:
        x: The variable to update.
        increment: A tensor of the same shape as `x`.

    Returns:
        An update, for the `updates` list of function.
    """
    _contract()


def update_sub(x, decrement):
    """Describes subtracting a decrement from a variable.

    Nothing changes when this is called: `x` becomes `x - decrement` each time a function that lists
    the update in its `updates` runs.

    Args:
        x: The variable to update.
        decrement: A tensor of the same shape as `x`.

    Returns:
        An update, for the `updates` list of function.
    """
    _contract()


def moving_average_update(x, value, momentum):
    """Describes an exponential moving-average update of a variable.

    Each time a function listing the update runs, `x` becomes
    `x * momentum + value * (1 - momentum)`. No zero-debiasing is applied, so the average starts
    from the initial value of `x`.

    Args:
        x: The variable holding the moving average.
        value: A tensor of the same shape as `x`, the new observation.
        momentum: float, the weight kept by the old average (e.g. 0.99).

    Returns:
        An update, for the `updates` list of function.
    """
    _contract()


def get_value(x):
    """Returns the current value of a variable.

    Args:
        x: A variable.

    Returns:
        A NumPy array.
    """
    _contract()


def batch_get_value(ops):
    """Returns the current values of several variables at once.

    Args:
        ops: A list of variables.

    Returns:
        A list of NumPy arrays, in the order of `ops`.
    """
    _contract()


def set_value(x, value):
    """Sets the value of a variable from a NumPy array.

    Args:
        x: The variable to set.
        value: A NumPy array (or number) of the same shape as `x`; it is converted to the dtype of
            `x`.
    """
    _contract()


def batch_set_value(tuples):
    """Sets the values of several variables at once.

    Args:
        tuples: A list of `(variable, value)` pairs, each value a NumPy array of the variable's
            shape.
    """
    _contract()


def get_variable_shape(x):
    """Returns the shape of a variable as a tuple of ints.

    Args:
        x: A variable.

    Returns:
        A tuple of ints, the same as int_shape(x).
    """
    _contract()


def print_tensor(x, message=''):
    """Returns a tensor that prints a message and its value when evaluated.

    The result equals `x`; use it in place of `x` so that the printing happens each time the result
    is computed.

    Args:
        x: The tensor to print.
        message: str, printed before the value.

    Returns:
        A tensor with the same value, shape and dtype as `x`.
    """
    _contract()


def function(inputs, outputs, updates=None, **kwargs):
    """Compiles a callable that computes outputs from values fed to inputs.

    The callable takes a list of values, one for each input in order, and returns a list of NumPy
    arrays, one for each output. The updates run on every call, after the outputs are computed.

    Args:
        inputs: List of placeholders (or other tensors, such as learning_phase()) to feed.
        outputs: List of tensors to compute.
        updates: Optional list of updates (from update, update_add, update_sub,
            moving_average_update) or (variable, new_value) pairs.
        **kwargs: Engine options (engine-specific: see the engine docs); `name` is always accepted.

    Returns:
        A callable mapping a list of input values to a list of NumPy arrays.

    Raises:
        ValueError: If a keyword argument is not one the engine accepts.
    """
    _contract()


def gradients(loss, variables):
    """Returns the symbolic gradients of a loss with respect to variables.

    Args:
        loss: A scalar tensor.
        variables: A list of variables (or tensors) to differentiate with respect to.

    Returns:
        A list of gradient tensors, one for each entry of `variables` and of the same shape.
    """
    _contract()


def stop_gradient(variables):
    """Blocks the gradient from flowing through tensors.

    The result has the same value, but gradients treat it as a constant.

    Args:
        variables: A tensor, or a list of tensors.

    Returns:
        A tensor, or a list of tensors when a list was given.
    """
    _contract()



# --- math ----------------------------------------------------------------------------------------

def dot(x, y):
    """Multiplies two tensors as numpy.dot does.

    For N-D inputs the last axis of `x` is contracted with the second-to-last axis of `y`, so
    (2, 3) . (4, 3, 5) gives (2, 4, 5); there is no batch broadcasting as in numpy.matmul. A sparse
    `x` is multiplied without being densified.

    Args:
        x: A tensor with at least 2 axes, dense or sparse.
        y: A dense tensor with at least 2 axes.

    Returns:
        A dense tensor of shape x.shape[:-1] + y.shape[:-2] + y.shape[-1:].
    """
    _contract()


def batch_dot(x, y, axes=None):
    """Computes a dot product for each sample of a batch.

    Axis 0 of `x` and `y` is the batch axis, of the same size. For each sample the axis `axes[0]`
    of `x` is summed against the axis `axes[1]` of `y`. The result has the axes of `x` without the
    summed one, then the axes of `y` without the batch and summed ones; a result with only the batch
    axis is returned as (batch, 1). So (4, 2, 3) and (4, 5, 3) with axes (2, 2) give (4, 2, 5).

    Args:
        x: A tensor with at least 2 axes.
        y: A tensor with at least 2 axes.
        axes: None for (ndim(x) - 1, ndim(y) - 2), or (ndim(x) - 1, 1) when `y` is 2-D (never the
            batch axis); an int `a` for (a, a); or a pair of ints.

    Returns:
        A tensor with ndim(x) + ndim(y) - 3 axes (at least 2).

    Raises:
        ValueError: If `axes` holds a list or tuple instead of ints, names an axis out of range, or
            contracts the batch axis 0 of inputs that are not both 2-D.
    """
    _contract()


def transpose(x):
    """Reverses the order of the axes of a tensor.

    Args:
        x: A tensor.

    Returns:
        A tensor of shape reversed(x.shape), like numpy.transpose(x).
    """
    _contract()


def max(x, axis=None, keepdims=False):
    """Returns the maximum of a tensor along axes.

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the maxima.
    """
    _contract()


def min(x, axis=None, keepdims=False):
    """Returns the minimum of a tensor along axes.

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the minima.
    """
    _contract()


def sum(x, axis=None, keepdims=False):
    """Returns the sum of a tensor along axes.

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the sums.
    """
    _contract()


def prod(x, axis=None, keepdims=False):
    """Returns the product of a tensor along axes.

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the products.
    """
    _contract()


def cumsum(x, axis=0):
    """Returns the cumulative sum of a tensor along an axis.

    Args:
        x: A tensor.
        axis: int, the axis to accumulate along.

    Returns:
        A tensor of the shape of `x`, like numpy.cumsum(x, axis).
    """
    _contract()


def cumprod(x, axis=0):
    """Returns the cumulative product of a tensor along an axis.

    Args:
        x: A tensor.
        axis: int, the axis to accumulate along.

    Returns:
        A tensor of the shape of `x`, like numpy.cumprod(x, axis).
    """
    _contract()


def var(x, axis=None, keepdims=False):
    """Returns the variance of a tensor along axes.

    This is the population variance (the mean squared deviation, ddof=0). Boolean and integer inputs
    are computed in floatx().

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the variances.
    """
    _contract()


def std(x, axis=None, keepdims=False):
    """Returns the standard deviation of a tensor along axes.

    This is sqrt(var(x, axis, keepdims)), the population standard deviation (ddof=0).

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the standard deviations.
    """
    _contract()


def mean(x, axis=None, keepdims=False):
    """Returns the mean of a tensor along axes.

    Boolean and integer inputs are averaged in floatx(), so mean(equal(a, b)) is a fraction.

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the means.
    """
    _contract()


def any(x, axis=None, keepdims=False):
    """Logical OR of a tensor along axes (nonzero counts as True).

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A bool tensor.
    """
    _contract()


def all(x, axis=None, keepdims=False):
    """Logical AND of a tensor along axes (nonzero counts as True).

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A bool tensor.
    """
    _contract()


def argmax(x, axis=-1):
    """Returns the index of the largest value along an axis.

    Ties give the first index, as numpy.argmax does.

    Args:
        x: A tensor.
        axis: int, the axis to search; it is removed from the result.

    Returns:
        An integer tensor.
    """
    _contract()


def argmin(x, axis=-1):
    """Returns the index of the smallest value along an axis.

    Ties give the first index, as numpy.argmin does.

    Args:
        x: A tensor.
        axis: int, the axis to search; it is removed from the result.

    Returns:
        An integer tensor.
    """
    _contract()


def square(x):
    """Squares a tensor element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor with x ** 2.
    """
    _contract()


def abs(x):
    """Returns the absolute value of a tensor element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor with |x|.
    """
    _contract()


def sqrt(x):
    """Returns the square root of a tensor element by element.

    Negative inputs are clipped to 0 first, so their square root is 0, never NaN.

    Args:
        x: A tensor.

    Returns:
        A tensor with sqrt(max(x, 0)).
    """
    _contract()


def exp(x):
    """Returns the exponential of a tensor element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor with e ** x.
    """
    _contract()


def log(x):
    """Returns the natural logarithm of a tensor element by element.

    As in IEEE arithmetic, log(0) is -inf and the log of a negative number is NaN.

    Args:
        x: A tensor.

    Returns:
        A tensor with ln(x).
    """
    _contract()


def logsumexp(x, axis=None, keepdims=False):
    """Returns log(sum(exp(x))) along axes, computed stably.

    The maximum is subtracted before exponentiating, so large inputs do not overflow and very
    negative ones do not underflow to -inf.

    Args:
        x: A tensor.
        axis: An int, a list of ints, or None to reduce over all axes.
        keepdims: bool, keep the reduced axes with size 1.

    Returns:
        A tensor with the reduced values.
    """
    _contract()


def round(x):
    """Rounds a tensor element by element to the nearest integer.

    Halves are rounded to the nearest even integer (0.5 -> 0, 1.5 -> 2), as numpy.round does.

    Args:
        x: A tensor.

    Returns:
        A tensor of the dtype of `x`.
    """
    _contract()


def sign(x):
    """Returns the sign of a tensor element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor holding -1 for negative, 0 for zero and 1 for positive entries.
    """
    _contract()


def pow(x, a):
    """Raises a tensor to a power element by element.

    Args:
        x: A tensor.
        a: A Python number, the exponent.

    Returns:
        A tensor with x ** a.
    """
    _contract()


def clip(x, min_value, max_value):
    """Limits the values of a tensor to an interval.

    If `max_value` is smaller than `min_value`, it is raised to `min_value`.

    Args:
        x: A tensor.
        min_value: A number, the lower bound, or None for no lower bound.
        max_value: A number, the upper bound, or None for no upper bound.

    Returns:
        A tensor with min(max(x, min_value), max_value).
    """
    _contract()


def equal(x, y):
    """Element-wise equality, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A bool tensor, True where x == y.
    """
    _contract()


def not_equal(x, y):
    """Element-wise inequality, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A bool tensor, True where x != y.
    """
    _contract()


def greater(x, y):
    """Element-wise x > y, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A bool tensor, True where x > y.
    """
    _contract()


def greater_equal(x, y):
    """Element-wise x >= y, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A bool tensor, True where x >= y.
    """
    _contract()


def less(x, y):
    """Element-wise x < y, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A bool tensor, True where x < y.
    """
    _contract()


def less_equal(x, y):
    """Element-wise x <= y, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A bool tensor, True where x <= y.
    """
    _contract()


def maximum(x, y):
    """Element-wise maximum of two tensors, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A tensor with the larger of x and y at each position.
    """
    _contract()


def minimum(x, y):
    """Element-wise minimum of two tensors, with NumPy broadcasting.

    Args:
        x: A tensor.
        y: A tensor or number.

    Returns:
        A tensor with the smaller of x and y at each position.
    """
    _contract()


def sin(x):
    """Returns the sine of a tensor element by element (radians).

    Args:
        x: A tensor.

    Returns:
        A tensor with sin(x).
    """
    _contract()


def cos(x):
    """Returns the cosine of a tensor element by element (radians).

    Args:
        x: A tensor.

    Returns:
        A tensor with cos(x).
    """
    _contract()



# --- shape ---------------------------------------------------------------------------------------

def concatenate(tensors, axis=-1):
    """Joins a list of tensors along an existing axis.

    If every input is sparse the result is sparse; if only some are, they are densified first.

    Args:
        tensors: A list of tensors with the same rank and the same shape except along `axis`.
        axis: int, the axis to join along; negative values count from the end.

    Returns:
        A tensor whose size along `axis` is the sum of the inputs' sizes.
    """
    _contract()


def reshape(x, shape):
    """Gives a tensor a new shape with the same number of entries.

    Args:
        x: A tensor.
        shape: A tuple of ints (or a 1-D integer tensor); one entry may be -1, to be inferred.

    Returns:
        A tensor with the values of `x` in row-major order and the shape `shape`.
    """
    _contract()


def permute_dimensions(x, pattern):
    """Reorders the axes of a tensor.

    Args:
        x: A tensor.
        pattern: A tuple or list of axis indices, such as (0, 2, 1); axis i of the result is axis
            pattern[i] of `x`.

    Returns:
        A tensor, like numpy.transpose(x, pattern).
    """
    _contract()


def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    """Upsamples the rows and columns of a 4-D image batch by integer factors.

    'nearest' repeats each pixel height_factor x width_factor times. 'bilinear' interpolates:
    output pixel (i, j) samples the input at (i / height_factor, j / width_factor), with
    coordinates past the last row or column clamped to it. Both work for any integer factors.

    Args:
        x: A 4-D tensor, (batch, rows, cols, channels) or (batch, channels, rows, cols).
        height_factor: Positive int, the row factor.
        width_factor: Positive int, the column factor.
        data_format: 'channels_last' or 'channels_first' (required).
        interpolation: 'nearest' or 'bilinear'.

    Returns:
        A 4-D tensor with rows * height_factor rows and cols * width_factor columns.

    Raises:
        ValueError: If `data_format` or `interpolation` is not one of the values above.
    """
    _contract()


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Upsamples the three spatial axes of a 5-D tensor by integer factors.

    Each voxel is repeated depth_factor x height_factor x width_factor times (nearest neighbour).

    Args:
        x: A 5-D tensor, (batch, d1, d2, d3, channels) or (batch, channels, d1, d2, d3).
        depth_factor: Positive int, the factor for the first spatial axis.
        height_factor: Positive int, the factor for the second spatial axis.
        width_factor: Positive int, the factor for the third spatial axis.
        data_format: 'channels_last' or 'channels_first' (required).

    Returns:
        A 5-D tensor with each spatial size multiplied by its factor.

    Raises:
        ValueError: If `data_format` is neither 'channels_last' nor 'channels_first'.
    """
    _contract()


def repeat_elements(x, rep, axis):
    """Repeats each entry of a tensor along one axis.

    Like numpy.repeat(x, rep, axis): [a, b] repeated twice gives [a, a, b, b].

    Args:
        x: A tensor.
        rep: Positive int, the number of repetitions.
        axis: int, the axis to repeat along.

    Returns:
        A tensor whose size along `axis` is rep times that of `x`.
    """
    _contract()


def repeat(x, n):
    """Repeats a batch of vectors n times along a new axis.

    Args:
        x: A 2-D tensor of shape (batch, dim).
        n: Positive int, the number of repetitions.

    Returns:
        A 3-D tensor of shape (batch, n, dim).
    """
    _contract()


def arange(start, stop=None, step=1, dtype='int32'):
    """Creates a 1-D tensor holding a range of numbers, like numpy.arange.

    With `stop` None the range is [0, start); a negative `start` then gives an empty tensor.

    Args:
        start: Number or scalar tensor, the first value (or the end when `stop` is None).
        stop: Optional number or scalar tensor, the end (excluded).
        step: Number, the difference between consecutive values.
        dtype: str, the dtype of the result.

    Returns:
        A 1-D tensor.
    """
    _contract()


def tile(x, n):
    """Repeats a whole tensor along each axis, like numpy.tile.

    Args:
        x: A tensor.
        n: An int or a list of ints with one entry per axis of `x`: how many copies along each
            axis. A shorter list is padded with 1s on the left; a longer one adds leading axes.

    Returns:
        A tensor whose size along each axis is multiplied by the matching entry of `n`.
    """
    _contract()


def flatten(x):
    """Flattens a tensor into one dimension.

    Args:
        x: A tensor.

    Returns:
        A 1-D tensor with the entries of `x` in row-major order.
    """
    _contract()


def batch_flatten(x):
    """Flattens every axis except the first (batch) one.

    Args:
        x: A tensor with at least 2 axes.

    Returns:
        A 2-D tensor of shape (batch, product of the other dimensions).
    """
    _contract()


def expand_dims(x, axis=-1):
    """Inserts an axis of size 1 into a tensor.

    Args:
        x: A tensor.
        axis: int, the position of the new axis in the result; -1 appends it.

    Returns:
        A tensor with one more axis.
    """
    _contract()


def squeeze(x, axis):
    """Removes an axis of size 1 from a tensor.

    Args:
        x: A tensor.
        axis: int, the axis to remove; its size must be 1.

    Returns:
        A tensor with one axis fewer.
    """
    _contract()


def temporal_padding(x, padding=(1, 1)):
    """Pads the middle axis of a 3-D tensor with zeros.

    Args:
        x: A 3-D tensor of shape (batch, steps, channels).
        padding: A pair of ints, the number of zeros to add before and after the steps.

    Returns:
        A 3-D tensor of shape (batch, steps + padding[0] + padding[1], channels).

    Raises:
        ValueError: If `padding` is not a pair of ints.
    """
    _contract()


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Pads the rows and columns of a 4-D tensor with zeros.

    Args:
        x: A 4-D tensor, (batch, rows, cols, channels) or (batch, channels, rows, cols).
        padding: ((top, bottom), (left, right)), the numbers of zeros to add.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().

    Returns:
        A 4-D tensor, padded along the two spatial axes.

    Raises:
        ValueError: If `padding` is not two pairs of ints, or `data_format` is unknown.
    """
    _contract()


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Pads the three spatial axes of a 5-D tensor with zeros.

    Args:
        x: A 5-D tensor, (batch, d1, d2, d3, channels) or (batch, channels, d1, d2, d3).
        padding: Three (before, after) pairs of ints, one per spatial axis.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().

    Returns:
        A 5-D tensor, padded along the three spatial axes.

    Raises:
        ValueError: If `padding` is not three pairs of ints, or `data_format` is unknown.
    """
    _contract()


def stack(x, axis=0):
    """Stacks a list of tensors along a new axis.

    Args:
        x: A list of tensors of the same shape.
        axis: int, the position of the new axis in the result.

    Returns:
        A tensor with one more axis, of size len(x).
    """
    _contract()


def one_hot(indices, num_classes):
    """Converts integer class indices to one-hot vectors.

    Args:
        indices: An integer tensor of shape (d1, ..., dn).
        num_classes: int, the number of classes.

    Returns:
        A tensor of shape (d1, ..., dn, num_classes) and dtype floatx(), with 1 at each index and 0
        elsewhere.
    """
    _contract()


def reverse(x, axes):
    """Reverses a tensor along the given axes.

    Args:
        x: A tensor.
        axes: An int or a list of ints, the axes to reverse.

    Returns:
        A tensor of the shape of `x`, like numpy.flip(x, axes).
    """
    _contract()


def slice(x, start, size):
    """Extracts a rectangular block from a tensor.

    The result is x[start[0]:start[0] + size[0], start[1]:start[1] + size[1], ...]; a size of -1
    takes everything from the start to the end of that axis.

    Args:
        x: A tensor.
        start: A list of ints (or a 1-D integer tensor), one start index per axis of `x`.
        size: A list of ints (or a 1-D integer tensor), one size per axis of `x`.

    Returns:
        A tensor of shape `size` (with each -1 replaced by the remaining length).
    """
    _contract()


def gather(reference, indices):
    """Selects entries of a tensor along its first axis by index.

    Args:
        reference: A tensor.
        indices: An integer tensor of any shape, indices into axis 0 of `reference`.

    Returns:
        A tensor of shape indices.shape + reference.shape[1:], like numpy.take(reference, indices,
        axis=0).
    """
    _contract()


def pattern_broadcast(x, broadcastable):
    """Declares axes of size 1 broadcastable (Theano's broadcast pattern).

    Theano broadcasts an axis of size 1 only if the tensor's type says so; Keras code written for it
    calls this to set that flag. The values never change: on engines that broadcast by shape alone
    the result is simply `x`.

    Args:
        x: A tensor.
        broadcastable: A sequence of bools, one per axis of `x`; each axis marked True must have
            size 1.

    Returns:
        A tensor equal to `x`, broadcastable along the marked axes.
    """
    _contract()



# --- nn ------------------------------------------------------------------------------------------

def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=0.001):
    """Normalises a batch with its own mean and variance, then scales and shifts it.

    The mean and the population variance (ddof=0) are taken over `reduction_axes`, and
    normed = (x - mean) / sqrt(var + epsilon) * gamma + beta.

    Args:
        x: A tensor.
        gamma: Tensor shaped like `x` without the reduction axes (or broadcastable to `x`), or None
            for 1.
        beta: Tensor shaped like `x` without the reduction axes (or broadcastable to `x`), or None
            for 0.
        reduction_axes: List of ints, the axes to compute the statistics over (e.g. [0, 1, 2]), or
            one of Theano's modes, which Keras 2.2.4's Theano backend accepted: 'per-activation'
            (axis 0) or 'spatial' (axis 0 and every axis from 2 on, for channels-first data).
        epsilon: float, added to the variance for numerical stability.

    Returns:
        A tuple (normed, mean, var); mean and var have the shape of `x` without the reduction axes.
    """
    _contract()


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=0.001):
    """Normalises a tensor with given statistics, then scales and shifts it.

    Computes (x - mean) / sqrt(var + epsilon) * gamma + beta. Note the argument order: mean, var,
    beta, gamma.

    Args:
        x: A tensor.
        mean: Tensor broadcastable to `x`, or 1-D along `axis`.
        var: Tensor broadcastable to `x`, or 1-D along `axis`.
        beta: Tensor broadcastable to `x`, 1-D along `axis`, or None for 0.
        gamma: Tensor broadcastable to `x`, 1-D along `axis`, or None for 1.
        axis: int, the feature (channel) axis that 1-D parameters apply to.
        epsilon: float, added to the variance for numerical stability.

    Returns:
        A tensor of the shape of `x`.
    """
    _contract()


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with optional leak, cap and threshold.

    Element by element: max_value where x >= max_value, x where threshold <= x < max_value, and
    alpha * (x - threshold) where x < threshold. The defaults give max(x, 0).

    Args:
        x: A tensor.
        alpha: float, the slope below the threshold.
        max_value: Optional float, the value the output is capped at; None for no cap.
        threshold: float, the value below which the output leaks.

    Returns:
        A tensor of the shape of `x`.
    """
    _contract()


def elu(x, alpha=1.0):
    """Exponential linear unit.

    Element by element: x where x > 0, alpha * (exp(x) - 1) elsewhere.

    Args:
        x: A tensor.
        alpha: float, the scale of the negative part.

    Returns:
        A tensor of the shape of `x`.
    """
    _contract()


def softmax(x, axis=-1):
    """Softmax of a tensor along an axis.

    exp(x) / sum(exp(x)) along `axis`, computed stably (the maximum is subtracted first).

    Args:
        x: A tensor.
        axis: int, the axis to normalise over.

    Returns:
        A tensor of the shape of `x`, summing to 1 along `axis`.
    """
    _contract()


def softplus(x):
    """Softplus of a tensor, log(1 + exp(x)) element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor of the shape of `x`.
    """
    _contract()


def softsign(x):
    """Softsign of a tensor, x / (1 + |x|) element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor of the shape of `x`.
    """
    _contract()


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy between a target and an output distribution.

    With from_logits False, `output` is first rescaled to sum to 1 along `axis`, then clipped to
    [epsilon(), 1 - epsilon()]; with from_logits True a softmax along `axis` is applied instead.
    The result is -sum(target * log(output)) along `axis`.

    Args:
        target: A tensor of the shape of `output`, one probability distribution per entry.
        output: A tensor of probabilities, or of logits if `from_logits` is True.
        from_logits: bool, whether `output` holds logits.
        axis: int, the class axis.

    Returns:
        A tensor of the shape of `output` without `axis`.
    """
    _contract()


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy with integer targets.

    Equal to categorical_crossentropy(one_hot(target, classes), output, from_logits, axis), where
    `classes` is the size of the class axis of `output`.

    Args:
        target: An integer tensor of class indices, of the shape of `output` without `axis`.
        output: A tensor of probabilities, or of logits if `from_logits` is True.
        from_logits: bool, whether `output` holds logits.
        axis: int, the class axis of `output`.

    Returns:
        A tensor of the shape of `output` without `axis`.
    """
    _contract()


def binary_crossentropy(target, output, from_logits=False):
    """Binary crossentropy between targets and outputs, element by element.

    With from_logits False, `output` is clipped to [epsilon(), 1 - epsilon()] and the result is
    -(target * log(output) + (1 - target) * log(1 - output)). With from_logits True the sigmoid of
    `output` is used, computed stably. Nothing is reduced.

    Args:
        target: A tensor of the shape of `output`, with values in [0, 1].
        output: A tensor of probabilities, or of logits if `from_logits` is True.
        from_logits: bool, whether `output` holds logits.

    Returns:
        A tensor of the shape of `output`.
    """
    _contract()


def sigmoid(x):
    """Logistic sigmoid of a tensor, 1 / (1 + exp(-x)) element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor of the shape of `x`, with values in [0, 1].
    """
    _contract()


def hard_sigmoid(x):
    """Piecewise-linear approximation of the sigmoid, cheaper to compute.

    Element by element: clip(0.2 * x + 0.5, 0, 1), so 0 below -2.5 and 1 above 2.5.

    Args:
        x: A tensor.

    Returns:
        A tensor of the shape of `x`, with values in [0, 1].
    """
    _contract()


def tanh(x):
    """Hyperbolic tangent of a tensor, element by element.

    Args:
        x: A tensor.

    Returns:
        A tensor of the shape of `x`, with values in [-1, 1].
    """
    _contract()


def dropout(x, level, noise_shape=None, seed=None):
    """Sets random entries of a tensor to zero and rescales the rest (inverted dropout).

    Each entry is dropped with probability `level`; the kept ones are divided by (1 - level), so
    the expected value is unchanged. A new mask is drawn at every evaluation; it is always applied
    (use in_train_phase to apply it only in training).

    Args:
        x: A tensor.
        level: float in [0, 1), the fraction of entries to drop.
        noise_shape: Optional shape of the mask, broadcast against `x` (1 where it is shared).
        seed: Optional int; None draws one from NumPy's global generator.

    Returns:
        A tensor of the shape of `x`.

    Raises:
        ValueError: If `level` is not in [0, 1).
    """
    _contract()


def l2_normalize(x, axis=None):
    """Divides a tensor by its L2 norm along an axis.

    Computes x / sqrt(max(sum(x ** 2, axis), 1e-12)), so an all-zero slice stays zero.

    Args:
        x: A tensor.
        axis: int, or None to normalise over all axes.

    Returns:
        A tensor of the shape of `x`.
    """
    _contract()


def in_top_k(predictions, targets, k):
    """Tells whether each target class is among the k highest predictions.

    A target whose score ties with the k-th highest counts as being in the top k. k < 1 gives all
    False, and k >= the number of classes gives all True.

    Args:
        predictions: A float tensor of shape (batch, classes).
        targets: An integer tensor of shape (batch,), the target class of each sample.
        k: int, the number of top predictions to consider.

    Returns:
        A bool tensor of shape (batch,).
    """
    _contract()


def bias_add(x, bias, data_format=None):
    """Adds a bias to a tensor, along its channel axis.

    A 1-D bias is added to the channel axis given by `data_format`. A bias of rank ndim(x) - 1 is
    a full bias (spatial..., channels); with channels_first it is reshaped (not transposed) to
    (channels, spatial...) before it is added, as Keras 2.2.4 did.

    Args:
        x: A tensor, (batch, ..., channels) or (batch, channels, ...).
        bias: A tensor of shape (channels,) or of rank ndim(x) - 1.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().

    Returns:
        A tensor of the shape of `x`.

    Raises:
        ValueError: If the rank of `bias` is neither 1 nor ndim(x) - 1, or `data_format` is unknown.
    """
    _contract()


def classification_error(target, output, axis=-1):
    """Fraction of samples whose predicted class is wrong (a metric).

    The predicted class is the argmax of `output` along `axis`, the true class the argmax of
    `target` along `axis`; the result is the fraction of positions where they differ. (Keras 2.2.4
    had this on CNTK only, where it returned the fraction that match; kbackend returns the error.)

    Args:
        target: A tensor of one-hot (or score) targets.
        output: A tensor of predictions of the shape of `target`.
        axis: int, the class axis.

    Returns:
        A scalar float tensor in [0, 1].
    """
    _contract()



# --- conv ----------------------------------------------------------------------------------------

def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """1-D convolution (cross-correlation: the kernel is not flipped).

    Args:
        x: 3-D tensor, (batch, steps, in_channels) or (batch, in_channels, steps).
        kernel: Tensor of shape (kernel_size, in_channels, out_channels), whatever the data_format.
        strides: int, the step between windows.
        padding: 'valid', 'same' (output length ceil(steps / strides)) or 'causal' (zeros are
            padded before the steps only, so output t sees no input after t).
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        dilation_rate: int, the spacing between kernel taps.

    Returns:
        A 3-D tensor in the layout of `x`, with out_channels channels.

    Raises:
        ValueError: For an unknown padding or data_format, or shapes and arguments that do not fit.
    """
    _contract()


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """2-D convolution (cross-correlation: the kernel is not flipped).

    Args:
        x: 4-D tensor, (batch, rows, cols, in_channels) or (batch, in_channels, rows, cols).
        kernel: Tensor of shape (kh, kw, in_channels, out_channels), whatever the data_format.
        strides: Pair of ints, the step between windows.
        padding: 'valid' or 'same' (output size ceil(size / stride), any odd pad cell at the end).
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        dilation_rate: Pair of ints, the spacing between kernel taps.

    Returns:
        A 4-D tensor in the layout of `x`, with out_channels channels.

    Raises:
        ValueError: For an unknown padding or data_format, or shapes and arguments that do not fit.
    """
    _contract()


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """2-D transposed convolution (the gradient of conv2d with respect to its input).

    The result is the tensor of shape `output_shape` whose conv2d by `kernel`, with the same
    strides, padding and dilation, has the shape of `x`.

    Args:
        x: 4-D tensor, (batch, rows, cols, in_channels) or (batch, in_channels, rows, cols).
        kernel: Tensor of shape (kh, kw, out_channels, in_channels).
        output_shape: Full output shape in the layout of `x`, batch first; the batch may be None.
        strides: Pair of ints.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        dilation_rate: Pair of ints.

    Returns:
        A 4-D tensor of shape `output_shape`.

    Raises:
        ValueError: As conv2d, or if `output_shape` does not match the input.
    """
    _contract()


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """1-D separable convolution: a depthwise cross-correlation, then a pointwise one.

    Args:
        x: 3-D tensor, (batch, steps, in_channels) or (batch, in_channels, steps).
        depthwise_kernel: Tensor of shape (kernel_size, in_channels, depth_multiplier).
        pointwise_kernel: Tensor of shape (1, in_channels * depth_multiplier, out_channels).
        strides: int, the step between depthwise windows.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        dilation_rate: int, the spacing between depthwise kernel taps.

    Returns:
        A 3-D tensor in the layout of `x`, with out_channels channels.

    Raises:
        ValueError: For an unknown padding or data_format, or shapes and arguments that do not fit.
    """
    _contract()


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """2-D separable convolution: a depthwise cross-correlation, then a 1x1 one.

    Args:
        x: 4-D tensor, (batch, rows, cols, in_channels) or (batch, in_channels, rows, cols).
        depthwise_kernel: Tensor of shape (kh, kw, in_channels, depth_multiplier).
        pointwise_kernel: Tensor of shape (1, 1, in_channels * depth_multiplier, out_channels).
        strides: Pair of ints, the step between depthwise windows.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        dilation_rate: Pair of ints, the spacing between depthwise kernel taps.

    Returns:
        A 4-D tensor in the layout of `x`, with out_channels channels.

    Raises:
        ValueError: For an unknown padding or data_format, or shapes and arguments that do not fit.
    """
    _contract()


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """2-D depthwise convolution: each input channel is cross-correlated on its own.

    Args:
        x: 4-D tensor, (batch, rows, cols, in_channels) or (batch, in_channels, rows, cols).
        depthwise_kernel: Tensor of shape (kh, kw, in_channels, depth_multiplier).
        strides: Pair of ints, the step between windows.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        dilation_rate: Pair of ints, the spacing between kernel taps.

    Returns:
        A 4-D tensor in the layout of `x`, with in_channels * depth_multiplier channels; channel
        c * depth_multiplier + m is filter m applied to input channel c.

    Raises:
        ValueError: For an unknown padding or data_format, or shapes and arguments that do not fit.
    """
    _contract()


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1)):
    """3-D convolution (cross-correlation: the kernel is not flipped).

    Args:
        x: 5-D tensor, (batch, d1, d2, d3, in_channels) or (batch, in_channels, d1, d2, d3).
        kernel: Tensor of shape (k1, k2, k3, in_channels, out_channels), whatever the data_format.
        strides: Triple of ints, the step between windows.
        padding: 'valid' or 'same' (as in conv2d, on each spatial axis).
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        dilation_rate: Triple of ints, the spacing between kernel taps.

    Returns:
        A 5-D tensor in the layout of `x`, with out_channels channels.

    Raises:
        ValueError: For an unknown padding or data_format, or shapes and arguments that do not fit.
    """
    _contract()


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None):
    """3-D transposed convolution (the gradient of conv3d with respect to its input).

    The result is the tensor of shape `output_shape` whose conv3d by `kernel`, with the same strides
    and padding, has the shape of `x`.

    Args:
        x: 5-D tensor, (batch, d1, d2, d3, in_channels) or (batch, in_channels, d1, d2, d3).
        kernel: Tensor of shape (k1, k2, k3, out_channels, in_channels).
        output_shape: Full output shape in the layout of `x`, batch first; the batch may be None.
        strides: Triple of ints.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().

    Returns:
        A 5-D tensor of shape `output_shape`.

    Raises:
        ValueError: As conv3d, or if `output_shape` does not match the input.
    """
    _contract()


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """2-D max or average pooling.

    Args:
        x: 4-D tensor, (batch, rows, cols, channels) or (batch, channels, rows, cols).
        pool_size: Pair of ints, the window size.
        strides: Pair of ints, the step between windows.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        pool_mode: 'max' or 'avg'; padded cells never count (an average divides by real cells).

    Returns:
        A 4-D tensor in the layout of `x`.

    Raises:
        ValueError: For an unknown padding, data_format or pool_mode, or a wrong rank or size.
    """
    _contract()


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None, pool_mode='max'):
    """3-D max or average pooling.

    Args:
        x: 5-D tensor, (batch, d1, d2, d3, channels) or (batch, channels, d1, d2, d3).
        pool_size: Triple of ints, the window size.
        strides: Triple of ints, the step between windows.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().
        pool_mode: 'max' or 'avg'; padded cells never count (an average divides by real cells).

    Returns:
        A 5-D tensor in the layout of `x`.

    Raises:
        ValueError: For an unknown padding, data_format or pool_mode, or a wrong rank or size.
    """
    _contract()


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """1-D locally connected convolution: a 'valid' conv1d with unshared weights.

    Output step i uses its own weights kernel[i] on the input window starting at i * strides[0],
    flattened in the input's own axis order (steps then channels for channels_last).

    Args:
        inputs: 3-D tensor, (batch, steps, in_channels) or (batch, in_channels, steps).
        kernel: Tensor of shape (output_length, kernel_size[0] * in_channels, filters).
        kernel_size: Tuple of one int, the window length.
        strides: Tuple of one int, the step between windows.
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().

    Returns:
        A 3-D tensor, (batch, output_length, filters) or (batch, filters, output_length).

    Raises:
        ValueError: If `data_format` is unknown.
    """
    _contract()


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """2-D locally connected convolution: a 'valid' conv2d with unshared weights.

    Output position (i, j) uses its own weights kernel[i * output_shape[1] + j] on the window
    starting at (i * strides[0], j * strides[1]), flattened in the input's own axis order.

    Args:
        inputs: 4-D tensor, (batch, rows, cols, in_channels) or (batch, in_channels, rows, cols).
        kernel: Tensor of shape (out_rows * out_cols, kh * kw * in_channels, filters).
        kernel_size: Pair of ints (kh, kw).
        strides: Pair of ints.
        output_shape: Pair of ints (out_rows, out_cols).
        data_format: 'channels_last' or 'channels_first'; None means image_data_format().

    Returns:
        A 4-D tensor, (batch, out_rows, out_cols, filters) or (batch, filters, out_rows, out_cols).

    Raises:
        ValueError: If `data_format` is unknown.
    """
    _contract()



# --- control -------------------------------------------------------------------------------------

def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None, unroll=False, input_length=None):
    """Iterates a step function over the time axis (axis 1) of a tensor.

    last_output is the output of the last step processed; new_states are the final states.

    Args:
        step_function: fn(input_t, states + constants) -> (output_t, new_states).
        inputs: Tensor of shape (samples, time, ...), with at least 3 axes.
        initial_states: List of state tensors of shape (samples, ...); may be empty.
        go_backwards: Process the steps last to first; outputs keep that processing order.
        mask: Optional (samples, time) tensor; at a masked step the states and the output of the
            previous step are kept (the output is zeros before the first step).
        constants: Optional list of tensors passed to every step.
        unroll: Build an unrolled loop instead of a symbolic one (same results).
        input_length: The number of time steps, needed with unroll=True if `inputs` does not say.

    Returns:
        A tuple (last_output, outputs, new_states); outputs has shape (samples, time, ...).

    Raises:
        ValueError: If `inputs` has fewer than 3 axes, or unroll=True with an unknown step count.
    """
    _contract()


def switch(condition, then_expression, else_expression):
    """Selects between two tensors according to a condition.

    A scalar condition picks one whole branch; the branches may then be callables returning
    tensors. A tensor condition selects element by element; if it has fewer axes than the branches
    it is extended with trailing axes and broadcast, so a (batch,) condition selects whole samples.

    Args:
        condition: A scalar, or a bool or integer tensor (nonzero is True).
        then_expression: Tensor (or callable returning one) used where the condition is True.
        else_expression: Tensor (or callable returning one) used where it is False.

    Returns:
        A tensor of the shape of the branches.

    Raises:
        ValueError: If `condition` has more axes than the branches.
    """
    _contract()


def in_train_phase(x, alt, training=None):
    """Selects `x` in the training phase and `alt` in the test phase.

    With training None the global learning_phase() decides, and the result is marked
    `_uses_learning_phase` so that Keras feeds the flag. A Python 0, 1 or bool (or a phase fixed by
    set_learning_phase) picks the branch at once; a symbolic flag gives a runtime switch.

    Args:
        x: Tensor, or callable returning one, used in training.
        alt: Tensor, or callable returning one, used in testing.
        training: Optional 0, 1, bool or scalar tensor overriding the global learning phase.

    Returns:
        `x`, `alt`, or a tensor switching between them.
    """
    _contract()


def in_test_phase(x, alt, training=None):
    """Selects `x` in the test phase and `alt` in the training phase.

    The same as in_train_phase(alt, x, training).

    Args:
        x: Tensor, or callable returning one, used in testing.
        alt: Tensor, or callable returning one, used in training.
        training: Optional 0, 1, bool or scalar tensor overriding the global learning phase.

    Returns:
        `x`, `alt`, or a tensor switching between them.
    """
    _contract()


def map_fn(fn, elems, name=None, dtype=None):
    """Applies a function to each slice of a tensor along its first axis.

    Args:
        fn: Callable taking a slice elems[i] and returning a tensor.
        elems: A tensor.
        name: Optional str, a name for the op.
        dtype: Optional str, the dtype of the results of `fn` when it differs from that of `elems`.

    Returns:
        A tensor stacking fn(elems[i]) for every i along a new first axis.
    """
    _contract()


def foldl(fn, elems, initializer=None, name=None):
    """Reduces a tensor along its first axis, from first to last.

    Computes acc = fn(acc, elems[i]) for each i in order. With initializer None, acc starts as
    elems[0] and the fold runs over elems[1:].

    Args:
        fn: Callable taking (acc, elems[i]) and returning the new acc.
        elems: A tensor.
        initializer: Optional tensor, the first value of acc.
        name: Optional str, a name for the op.

    Returns:
        A tensor, the final acc.
    """
    _contract()


def foldr(fn, elems, initializer=None, name=None):
    """Reduces a tensor along its first axis, from last to first.

    Computes acc = fn(acc, elems[i]) for each i in reverse order. With initializer None, acc starts
    as elems[-1] and the fold runs over the remaining slices.

    Args:
        fn: Callable taking (acc, elems[i]) and returning the new acc.
        elems: A tensor.
        initializer: Optional tensor, the first value of acc.
        name: Optional str, a name for the op.

    Returns:
        A tensor, the final acc.
    """
    _contract()



# --- ctc -----------------------------------------------------------------------------------------

def ctc_label_dense_to_sparse(labels, label_lengths):
    """Converts padded dense CTC labels to a sparse tensor.

    Args:
        labels: Integer tensor (samples, max_label_length), padded beyond each length.
        label_lengths: Integer tensor (samples,), the number of valid labels in each row.

    Returns:
        A sparse integer tensor of dense shape (samples, max_label_length) holding
        labels[i, :label_lengths[i]] for each row i. Its type is the engine's sparse tensor
        (engine-specific: see the engine docs).
    """
    _contract()


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Computes the CTC loss of each sample of a batch.

    `y_pred` holds softmax probabilities with the blank as the last class. The loss is the negative
    log-likelihood of the label sequence over all alignments, computed on log(y_pred + epsilon()),
    with the values TensorFlow's CTC loss gives.

    Args:
        y_true: Integer tensor (samples, max_label_length) of labels in [0, num_classes - 1).
        y_pred: Tensor (samples, time_steps, num_classes) of softmax probabilities.
        input_length: Integer tensor (samples, 1), the valid time steps of each sample.
        label_length: Integer tensor (samples, 1), the number of labels of each sample.

    Returns:
        A tensor of shape (samples, 1), the loss of each sample.
    """
    _contract()


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decodes softmax outputs into label sequences, greedily or by beam search.

    Decoding works on log(y_pred + epsilon()) with the blank as the last class, with the values
    TensorFlow's CTC decoders give. Greedy decoding takes the best class at each step, merges
    repeats and drops blanks; beam search returns the `top_paths` best of `beam_width` candidates.

    Args:
        y_pred: Tensor (samples, time_steps, num_classes) of softmax probabilities.
        input_length: Integer tensor (samples,), the valid time steps of each sample.
        greedy: bool, use greedy decoding instead of beam search.
        beam_width: int, the beam size for beam search.
        top_paths: int, the number of paths beam search returns (greedy decoding returns one).

    Returns:
        A tuple (decoded, log_prob): a list of integer tensors (samples, decoded_length) padded
        with -1, and a (samples, top_paths) tensor of scores. Greedy scores are the negated sum of
        the chosen log-probabilities; beam-search scores are the paths' log-probabilities.
    """
    _contract()



# --- random --------------------------------------------------------------------------------------

def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Returns a tensor of samples from a normal distribution.

    A new sample is drawn every time the tensor is evaluated. An integer `seed` makes the
    sequence of samples repeatable; with seed None the seed is drawn from NumPy's global generator,
    so np.random.seed makes runs repeatable.

    Args:
        shape: Tuple of ints, the shape of the result.
        mean: float, the mean.
        stddev: float, the standard deviation.
        dtype: str; defaults to floatx().
        seed: Optional int.

    Returns:
        A tensor of shape `shape`.
    """
    _contract()


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Returns a tensor of samples from a uniform distribution on [minval, maxval).

    A new sample is drawn every time the tensor is evaluated. An integer `seed` makes the
    sequence of samples repeatable; with seed None the seed is drawn from NumPy's global generator,
    so np.random.seed makes runs repeatable.

    Args:
        shape: Tuple of ints, the shape of the result.
        minval: float, the lower bound (included).
        maxval: float, the upper bound (excluded).
        dtype: str; defaults to floatx().
        seed: Optional int.

    Returns:
        A tensor of shape `shape`.
    """
    _contract()


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Returns a tensor of random 0s and 1s, each 1 with probability p.

    A new sample is drawn every time the tensor is evaluated. An integer `seed` makes the
    sequence of samples repeatable; with seed None the seed is drawn from NumPy's global generator,
    so np.random.seed makes runs repeatable.

    Args:
        shape: Tuple of ints, the shape of the result.
        p: float in [0, 1], the probability of a 1.
        dtype: str; defaults to floatx().
        seed: Optional int.

    Returns:
        A tensor of shape `shape` holding 0.0 and 1.0.
    """
    _contract()


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Returns a tensor of samples from a normal distribution truncated at 2 stddev.

    Samples further than 2 * stddev from the mean are redrawn, so the standard deviation of the
    result is about 0.88 * stddev. A new sample is drawn every time the tensor is evaluated; an
    integer `seed` makes that repeatable, and seed None draws one from NumPy's global generator.

    Args:
        shape: Tuple of ints, the shape of the result.
        mean: float, the mean.
        stddev: float, the standard deviation before truncation.
        dtype: str; defaults to floatx().
        seed: Optional int.

    Returns:
        A tensor (not a variable) of shape `shape`.
    """
    _contract()


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """Creates a variable initialised with samples from a uniform distribution.

    The values are drawn once, from [low, high). An integer `seed` makes them repeatable; with seed
    None the seed is drawn from NumPy's global generator, so np.random.seed makes runs repeatable.

    Args:
        shape: Tuple of ints, the shape of the variable.
        low: float, the lower bound (included).
        high: float, the upper bound (excluded).
        dtype: str; defaults to floatx().
        name: Optional str, the name of the variable.
        seed: Optional int.

    Returns:
        A variable.
    """
    _contract()


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """Creates a variable initialised with samples from a normal distribution.

    The values are drawn once, with the given mean and standard deviation. An integer `seed` makes
    them repeatable; with seed None the seed is drawn from NumPy's global generator.

    Args:
        shape: Tuple of ints, the shape of the variable.
        mean: float, the mean.
        scale: float, the standard deviation.
        dtype: str; defaults to floatx().
        name: Optional str, the name of the variable.
        seed: Optional int.

    Returns:
        A variable.
    """
    _contract()
