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
    'shape': (
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
    """Counter per prefix, first call returns 1. TF keeps one counter dict per default graph;
    Theano/CNTK keep one global dict.
    """
    _contract()


def reset_uids():
    """Clears the UID counters. Not in CNTK.
    """
    _contract()


def clear_session():
    """TF: resets the default graph, the UIDs and the session, and puts a new learning-phase
    placeholder in place. CNTK: sets the learning phase back to dynamic (-1) and the placeholder
    to 1.0. Not in Theano.
    """
    _contract()


def manual_variable_initialization(value):
    """TF only. True means get_session() stops initialising new variables itself.
    """
    _contract()


def learning_phase():
    """TF: one bool `placeholder_with_default(False, shape=(), name='keras_learning_phase')` per
    graph, or the Python int 0/1 if one was set. Theano: a global uint8 scalar tensor, or the
    int. CNTK: the static int if it is 0/1, otherwise a constant placeholder (value 1.0).
    """
    _contract()


def set_learning_phase(value):
    """Takes only 0 or 1 (anything else raises ValueError). Stores a Python int, so
    in_train_phase picks the branch while the graph is built. In TF the setting is per graph.
    """
    _contract()


def get_session():
    """TF only. Uses tf.get_default_session() if there is one; otherwise creates the global
    Session lazily (allow_soft_placement; OMP_NUM_THREADS sets the intra-op threads). Then
    initialises any uninitialised variables not yet marked `_keras_initialized`.
    """
    _contract()


def set_session(session):
    """TF only. Replaces the global session.
    """
    _contract()


def is_sparse(tensor):
    """TF: isinstance SparseTensor. Theano: a SparseType variable (needs theano.sparse). CNTK:
    tensor.is_sparse.
    """
    _contract()


def to_dense(tensor):
    """Converts a sparse tensor to dense; anything else is returned unchanged. Not in CNTK.
    """
    _contract()


def name_scope(name):
    """TF: alias of tf.name_scope. Theano/CNTK: a contextmanager pushing onto NAME_SCOPE_STACK,
    used as a prefix for variable/placeholder names ('a/b/name'; CNTK joins with '_').
    """
    _contract()


def variable(value, dtype=None, name=None, constraint=None):
    """dtype defaults to floatx(). A scipy.sparse value (anything with `tocoo`) gives a sparse
    tensor (TF SparseTensor, Theano sparse shared var). Sets `_keras_shape`,
    `_uses_learning_phase=False` and `.constraint`. CNTK turns int dtypes into float32.
    """
    _contract()


def constant(value, dtype=None, shape=None, name=None):
    """dtype defaults to floatx(). Theano/CNTK: value * ones(shape).
    """
    _contract()


def is_keras_tensor(x):
    """Raises ValueError if x is not a symbolic tensor (a numpy array, say). True iff x has
    `_keras_history`, so variables and plain placeholders give False.
    """
    _contract()


def is_tensor(x):
    """Whether x is a backend symbolic tensor type.
    """
    _contract()


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """Give shape (None entries allowed) or ndim. Sets `_keras_shape`. sparse=True: TF
    sparse_placeholder, Theano csr_matrix. Theano raises ValueError if neither shape nor ndim is
    given. CNTK has an extra `dynamic_axis_num=1`: the batch axis becomes a CNTK dynamic axis
    and is removed from the static shape. CK sig: `placeholder(shape=None, ndim=None,
    dtype=None, sparse=False, name=None, dynamic_axis_num=1)`.
    """
    _contract()


def is_placeholder(x):
    """TF: op.type == 'Placeholder'. Theano/CNTK: a flag set by placeholder().
    """
    _contract()


def shape(x):
    """Symbolic shape (TF: tf.shape int32 tensor; Theano: x.shape; CNTK: a list with the dynamic
    axes as None).
    """
    _contract()


def int_shape(x):
    """Tuple of int/None. Uses `_keras_shape` if set. Theano returns None when there is no
    `_keras_shape`; TF falls back to the static shape.
    """
    _contract()


def ndim(x):
    """Integer rank (TF: None if the rank is unknown).
    """
    _contract()


def dtype(x):
    """dtype as a string, e.g. 'float32' (TF uses base_dtype, so no '_ref').
    """
    _contract()


def eval(x):
    """Evaluates to a numpy array. TF: to_dense(x).eval(session=get_session()). CNTK: only
    Function/Constant/Parameter.
    """
    _contract()


def zeros(shape, dtype=None, name=None):
    """Returns a variable. TF returns a plain tensor if the shape is not fully static.
    """
    _contract()


def ones(shape, dtype=None, name=None):
    """Same as zeros.
    """
    _contract()


def eye(size, dtype=None, name=None):
    """Identity-matrix variable.
    """
    _contract()


def zeros_like(x, dtype=None, name=None):
    """Returns a tensor, not a variable. dtype None keeps x's dtype (CNTK: x*0, dtype ignored).
    """
    _contract()


def ones_like(x, dtype=None, name=None):
    """Same as zeros_like.
    """
    _contract()


def identity(x, name=None):
    """Copy of the tensor (TF tf.identity; Theano x.copy; CNTK C.alias).
    """
    _contract()


def count_params(x):
    """Product of the static shape (numpy int). Theano compiles a small function to read the
    shape. CNTK raises on dynamic dims.
    """
    _contract()


def cast(x, dtype):
    """TF tf.cast; Theano T.cast. CNTK: no-op (returns x, since CNTK computes in float only).
    """
    _contract()


def update(x, new_x):
    """TF: tf.assign op. Theano: returns the tuple (x, new_x), which function(updates=...)
    consumes. CNTK: C.assign.
    """
    _contract()


def update_add(x, increment):
    """TF assign_add; Theano (x, x+inc); CNTK assign(x, x+inc).
    """
    _contract()


def update_sub(x, decrement):
    """TF assign_sub; Theano (x, x-dec). Not in CNTK.
    """
    _contract()


def moving_average_update(x, value, momentum):
    """TF: moving_averages.assign_moving_average(x, value, momentum, zero_debias=True), which is
    zero-debiased. Theano/CNTK: x*momentum + value*(1-momentum), not debiased. The first
    parameter is called `variable` in TH/CK. TH sig: `moving_average_update(variable, value,
    momentum)`; CK sig: `moving_average_update(variable, value, momentum)`.
    """
    _contract()


def get_value(x):
    """numpy value of a variable. Theano: TypeError for a non-variable.
    """
    _contract()


def batch_get_value(ops):
    """List version (TF: one session.run; TF's parameter is named `ops`). TH sig:
    `batch_get_value(xs)`; CK sig: `batch_get_value(xs)`.
    """
    _contract()


def set_value(x, value):
    """TF caches an assign placeholder/op on the variable and runs it with a feed_dict. CNTK:
    only Parameter/Constant (otherwise NotImplementedError).
    """
    _contract()


def batch_set_value(tuples):
    """List of (variable, value) tuples.
    """
    _contract()


def get_variable_shape(x):
    """Same as int_shape (Theano reads the shared value's shape).
    """
    _contract()


def print_tensor(x, message=''):
    """Returns an identity-like tensor that prints `message` when evaluated (TF tf.Print, Theano
    Print op, CNTK user_function).
    """
    _contract()


def function(inputs, outputs, updates=None, **kwargs):
    """Returns a callable f(list_of_input_values) → list of numpy outputs. updates: (var,
    new_value) tuples or update ops. TF runs the updates after the outputs
    (control_dependencies), accepts extra kwargs `feed_dict`, `fetches`, `options`,
    `run_metadata`, `name`, and raises ValueError for other kwargs that tf.Session.run does not
    take; symbolic tensors may be fed as inputs (TF≥1.8, through _make_callable_from_options).
    Theano: theano.function(allow_input_downcast=True, on_unused_input='ignore'), duplicate
    update targets dropped (first wins), and kwargs are checked against theano.function. CNTK:
    builds a Trainer whenever the updates contain gradient placeholders. Default updates: TF
    None, TH/CK []. TH sig: `function(inputs, outputs, updates=[], **kwargs)`; CK sig:
    `function(inputs, outputs, updates=[], **kwargs)`.
    """
    _contract()


def gradients(loss, variables):
    """List of gradients of loss w.r.t. variables (TF: tf.gradients with
    colocate_gradients_with_ops=True). CNTK returns zero-constant placeholders; the real
    gradients are applied inside CNTK's trainer in Function.
    """
    _contract()


def stop_gradient(variables):
    """Takes a tensor or a list. For a list the result is a lazy `map` object in Python 3.
    """
    _contract()



# --- math ----------------------------------------------------------------------------------------

def dot(x, y):
    """Matrix product. For N-D it follows Theano/np.dot: contracts the last axis of x with the
    second-to-last axis of y, giving x.shape[:-1] + y.shape[:-2] + y.shape[-1:] (e.g.
    (2,3)·(4,3,5)→(2,4,5)). TF does this with reshape/transpose/matmul. A sparse x uses a sparse
    matmul (TF sparse_tensor_dense_matmul, Theano structured_dot).
    """
    _contract()


def batch_dot(x, y, axes=None):
    """Dot product per batch row. axes: None → (x.ndim-1, y.ndim-2); int a → (a, a); pair (ax,
    ay); a list inside axes raises ValueError. Two 2-D inputs: elementwise product summed over
    the axis. Otherwise the lower-rank input is padded with trailing 1-dims, a (batched) matmul
    with adjoint flags is used, and the padded dims are squeezed. A rank-1 result is expanded to
    (batch, 1). Output shape = x.shape without the summed axis + y.shape without the batch and
    summed axes. TF only handles contraction axes that are one of the last two dims (adjoint
    trick); Theano uses T.batched_tensordot and moves axis 0 by transposing.
    """
    _contract()


def transpose(x):
    """Reverses all axes (CNTK: swaps axes 0/1 of the non-batch shape).
    """
    _contract()


def max(x, axis=None, keepdims=False):
    """axis: int, list or None; keepdims.
    """
    _contract()


def min(x, axis=None, keepdims=False):
    """As max.
    """
    _contract()


def sum(x, axis=None, keepdims=False):
    """As max.
    """
    _contract()


def prod(x, axis=None, keepdims=False):
    """As max.
    """
    _contract()


def cumsum(x, axis=0):
    """Not in CNTK. Default axis=0.
    """
    _contract()


def cumprod(x, axis=0):
    """Not in CNTK.
    """
    _contract()


def var(x, axis=None, keepdims=False):
    """Population variance (ddof=0). TF: mean of squared deviations, and bool input is cast to
    floatx.
    """
    _contract()


def std(x, axis=None, keepdims=False):
    """sqrt(var).
    """
    _contract()


def mean(x, axis=None, keepdims=False):
    """bool input is cast to floatx (Theano: int/bool too).
    """
    _contract()


def any(x, axis=None, keepdims=False):
    """Casts to bool, then reduces. CNTK fakes it with sum + element_select.
    """
    _contract()


def all(x, axis=None, keepdims=False):
    """Casts to bool, then reduces.
    """
    _contract()


def argmax(x, axis=-1):
    """Default axis=-1, no keepdims.
    """
    _contract()


def argmin(x, axis=-1):
    """Default axis=-1.
    """
    _contract()


def square(x):
    """Square.
    """
    _contract()


def abs(x):
    """Abs.
    """
    _contract()


def sqrt(x):
    """TF/Theano clip the input to [0, inf) first, so sqrt(negative) = 0, not NaN (the numpy
    reference maps NaN to 0 to match). CNTK does not clip.
    """
    _contract()


def exp(x):
    """Exp.
    """
    _contract()


def log(x):
    """CNTK returns about -85.1 instead of NaN for x≤0 (so test_log is skipped on CNTK).
    """
    _contract()


def logsumexp(x, axis=None, keepdims=False):
    """TF reduce_logsumexp (stable). Theano writes log(sum(exp)) and relies on Theano's graph
    optimisation for stability. CNTK is naive.
    """
    _contract()


def round(x):
    """Half to even (banker's rounding) in TF and Theano, matching np.round.
    """
    _contract()


def sign(x):
    """CNTK: x/|x|, which gives NaN at 0.
    """
    _contract()


def pow(x, a):
    """Pow.
    """
    _contract()


def clip(x, min_value, max_value):
    """If max_value < min_value, max_value is set to min_value. max_value None means +inf (CNTK
    also takes min None as -inf).
    """
    _contract()


def equal(x, y):
    """Elementwise comparison, returns bool.
    """
    _contract()


def not_equal(x, y):
    """Not equal.
    """
    _contract()


def greater(x, y):
    """Greater.
    """
    _contract()


def greater_equal(x, y):
    """Greater equal.
    """
    _contract()


def less(x, y):
    """Less.
    """
    _contract()


def less_equal(x, y):
    """Less equal.
    """
    _contract()


def maximum(x, y):
    """Elementwise.
    """
    _contract()


def minimum(x, y):
    """Elementwise.
    """
    _contract()


def sin(x):
    """Sin.
    """
    _contract()


def cos(x):
    """Cos.
    """
    _contract()



# --- shape ---------------------------------------------------------------------------------------

def concatenate(tensors, axis=-1):
    """Negative axis is normalised. If every input is sparse, the result is sparse (TF
    sparse_concat; Theano csr hstack/vstack, axis 0/1 only); a mix is densified first.
    """
    _contract()


def reshape(x, shape):
    """Theano infers `_keras_shape` from positive ints. CNTK cannot fold the batch axis when it
    has an inferred dim (it warns and does nothing).
    """
    _contract()


def permute_dimensions(x, pattern):
    """pattern is a tuple/list of axes. CNTK cannot permute the batch (dynamic) axis.
    """
    _contract()


def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    """Integer factors; data_format is required (no default). interpolation 'nearest' or
    'bilinear' (else ValueError). TF: resize_nearest_neighbor/resize_bilinear to (H*hf, W*wf),
    then sets the static shape. Theano: nearest = repeat_elements; bilinear only for factor
    (2,2) (T.nnet.abstract_conv.bilinear_upsampling), other factors raise NotImplementedError.
    CNTK: nearest only (NotImplementedError otherwise).
    """
    _contract()


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Nearest-neighbour 3-D upsampling by repeat_elements on the three spatial axes.
    """
    _contract()


def repeat_elements(x, rep, axis):
    """np.repeat semantics along one axis. TF: split/concat when the axis is static, else
    tile+reshape (the static shape is kept).
    """
    _contract()


def repeat(x, n):
    """2-D (batch, dim) → 3-D (batch, n, dim).
    """
    _contract()


def arange(start, stop=None, step=1, dtype='int32'):
    """numpy semantics; start alone with start<0 gives an empty result; start may be a tensor;
    default dtype int32. Not in CNTK.
    """
    _contract()


def tile(x, n):
    """n is an int or a list. CNTK: NotImplementedError when len(n) > rank.
    """
    _contract()


def flatten(x):
    """To 1-D.
    """
    _contract()


def batch_flatten(x):
    """(batch, prod(rest)).
    """
    _contract()


def expand_dims(x, axis=-1):
    """Default axis=-1 (appends an axis).
    """
    _contract()


def squeeze(x, axis):
    """Removes one axis, which must have size 1.
    """
    _contract()


def temporal_padding(x, padding=(1, 1)):
    """Pads axis 1 of a 3-D tensor with zeros, (left, right).
    """
    _contract()


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """((top,bottom),(left,right)), placed according to data_format (None → global default).
    """
    _contract()


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Three (before, after) pairs.
    """
    _contract()


def stack(x, axis=0):
    """Not in CNTK.
    """
    _contract()


def one_hot(indices, num_classes):
    """Adds a last axis of size num_classes (TF gives float32).
    """
    _contract()


def reverse(x, axes):
    """axes is an int or a list. The CNTK test skips multi-axis reverse.
    """
    _contract()


def slice(x, start, size):
    """TF tf.slice(x, start, size). Theano and CNTK raise NotImplementedError (stubs).
    """
    _contract()


def gather(reference, indices):
    """Gathers along axis 0 (TF embedding_lookup). Output shape indices.shape +
    reference.shape[1:].
    """
    _contract()


def pattern_broadcast(x, broadcastable):
    """Theano only: T.patternbroadcast.
    """
    _contract()



# --- nn ------------------------------------------------------------------------------------------

def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=0.001):
    """Returns (normed, mean, var) over reduction_axes; gamma/beta may be None. TF uses
    fused_batch_norm for 4-D with axes [0,1,2] (NHWC) or [0,2,3] (NCHW, when a GPU is there),
    otherwise the regular or broadcast path. Theano uses bn.batch_normalization_train and var =
    1/stdinv² (it also accepts Theano's string modes, e.g. 'per-activation').
    """
    _contract()


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=0.001):
    """(x-mean)/sqrt(var+eps)*gamma+beta. The argument order is mean, var, beta, gamma. `axis`
    is only used by TF's fused path for 4-D input.
    """
    _contract()


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """alpha (leaky slope), max_value (clip), threshold: f(x) = x for threshold ≤ x < max_value;
    max_value above that; alpha*(x-threshold) below threshold. TF uses leaky_relu/relu6 fast
    paths.
    """
    _contract()


def elu(x, alpha=1.0):
    """TF: where(x>0, elu(x), alpha*elu(x)).
    """
    _contract()


def softmax(x, axis=-1):
    """Along `axis` (default -1).
    """
    _contract()


def softplus(x):
    """Softplus.
    """
    _contract()


def softsign(x):
    """Softsign.
    """
    _contract()


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Arguments are (target, output). Without from_logits: output is rescaled to sum to 1 along
    axis, clipped to [eps, 1-eps], result -sum(target*log(output), axis). TF from_logits=True
    uses softmax_cross_entropy_with_logits, which ignores `axis` (always the last axis). Theano
    moves the axis to the end. Reduces the class axis.
    """
    _contract()


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Integer targets (flattened, cast to int64); the channel axis is moved last. Result has
    output.shape[:-1].
    """
    _contract()


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise, no reduction. TF clips the probabilities to [eps, 1-eps], converts them to
    logits log(p/(1-p)) and uses sigmoid_cross_entropy_with_logits. Theano/CNTK apply the
    clipped formula directly.
    """
    _contract()


def sigmoid(x):
    """Sigmoid.
    """
    _contract()


def hard_sigmoid(x):
    """clip(0.2*x + 0.5, 0, 1).
    """
    _contract()


def tanh(x):
    """Tanh.
    """
    _contract()


def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout (kept values scaled by 1/(1-level)). seed None → numpy randint.
    noise_shape broadcasts. Theano/CNTK raise ValueError unless 0 ≤ level < 1; TF relies on
    tf.nn.dropout's own keep_prob range check (level −0.5 also raises ValueError). CNTK ignores
    noise_shape and seed.
    """
    _contract()


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x²), floor)). TF floor 1e-12 (tf.nn.l2_normalize); Theano floor
    epsilon(); CNTK no floor.
    """
    _contract()


def in_top_k(predictions, targets, k):
    """predictions (batch, classes) float32, targets (batch,) int → bool (batch,). TF counts
    ties as in the top k. k<1 → all False; k ≥ classes → all True (Theano special-cases both to
    match TF).
    """
    _contract()


def bias_add(x, bias, data_format=None):
    """bias is either 1-D (channels,) or of rank ndim(x)-1 (a full bias with channels last in
    its own layout). channels_first with a full bias: the bias is *reshaped*, not transposed, to
    (1, C, spatial...); the numpy reference does the same. Wrong bias rank or data_format →
    ValueError. TF uses tf.nn.bias_add for 2-D input and for 4-D input with a 1-D bias (NHWC, or
    NCHW when a GPU is present); otherwise it reshapes the bias and adds.
    """
    _contract()


def classification_error(target, output, axis=-1):
    """CNTK only.
    """
    _contract()



# --- conv ----------------------------------------------------------------------------------------

def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """x (batch, steps, ch) or channels_first. Kernel always (k, in, out), whatever data_format.
    padding 'valid'|'same'|'causal' (causal = left-pad dilation*(k-1), then valid; TF requires
    channels_last). TF: tf.nn.convolution, which is cross-correlation. Theano: conv2d with an
    added dim, true convolution (tests flip the kernel for Theano).
    """
    _contract()


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """Kernel (kh, kw, in, out), whatever data_format. data_format None → image_data_format().
    padding 'valid'|'same' (Theano also 'full'). TF uses NCHW natively only when a GPU is
    visible and the scope is not pinned to CPU; otherwise it transposes. Theano T.nnet.conv2d
    flips the filter (true convolution, not TF's cross-correlation) and crops 'same' output for
    even kernels.
    """
    _contract()


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """output_shape includes the batch dim (TF accepts None for the batch). Kernel (kh, kw, out,
    in). TF: conv2d_transpose, or atrous_conv2d_transpose when dilated (equal rates only;
    channels_first transposed to NHWC). Theano: AbstractConv2d_gradInputs; 'same' with an even
    kernel raises ValueError.
    """
    _contract()


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """Depthwise (k, in, mult) + pointwise (1, in*mult, out). TF does it as separable_conv2d
    with a dummy dim.
    """
    _contract()


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """Depthwise kernel (kh, kw, in, mult), pointwise (1, 1, in*mult, out). Depthwise is cross-
    correlation in every backend (Theano pre-flips the depthwise kernel). CNTK: dilation must be
    square with stride 1.
    """
    _contract()


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """Kernel (kh, kw, in, mult) → in*mult output channels.
    """
    _contract()


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None, dilation_rate=(1, 1, 1)):
    """Kernel (k1, k2, k3, in, out). Theano: true convolution (flipped).
    """
    _contract()


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid', data_format=None):
    """No dilation_rate. output_shape includes the batch dim.
    """
    _contract()


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """pool_size/strides are tuples; padding 'valid'|'same'; pool_mode 'max'|'avg' (invalid
    values raise ValueError). Theano average pooling excludes padding ('average_exc_pad'),
    matching TF SAME avg; Theano 'same' is emulated with pad + crop.
    """
    _contract()


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None, pool_mode='max'):
    """As pool2d, in 3-D.
    """
    _contract()


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Unshared weights: kernel (output_length, kernel_size*in, filters); inputs (batch, steps,
    in). Slices + batch_dot. TF/Theano ignore data_format for 1-D.
    """
    _contract()


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """kernel (out_rows*out_cols, kh*kw*in, filters); output_shape = (out_rows, out_cols);
    data_format respected.
    """
    _contract()



# --- control -------------------------------------------------------------------------------------

def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None, unroll=False, input_length=None):
    """Loops over axis 1 of inputs (samples, time, ...), at least 3-D. step_function(input_t,
    states + constants) → (output_t, new_states). Returns (last_output, outputs (samples, time,
    ...), new_states). go_backwards iterates in reverse and returns the outputs in that reversed
    order. mask (samples, time): at a masked step the state (and output) are carried over from
    the previous step. TF symbolic loop: while_loop, uses states[0] as the previous output,
    needs at least one state when masked, input_length → maximum_iterations. unroll=True: TF
    needs a static time dim; Theano needs input_length. Theano uses scan and squeezes
    broadcastable dims of the outputs. CNTK: unroll or no dynamic axis → static loop; otherwise
    sequence recurrence (go_backwards not supported with variable-length sequences). Marks
    `last_output._uses_learning_phase`.
    """
    _contract()


def switch(condition, then_expression, else_expression):
    """Elementwise/conditional select. TF: a scalar condition uses tf.cond (branches may be
    callables, which stay lazy); a tensor condition uses tf.where. A rank-1 condition selects
    whole rows natively (TF1 tf.where); a condition of rank 2 or more below the branch rank is
    reshaped/tiled up to it; a condition whose rank is higher than the branches' raises
    ValueError. Theano: the condition is expanded on the right, then T.switch. CNTK:
    element_select.
    """
    _contract()


def in_train_phase(x, alt, training=None):
    """training=None → learning_phase() and the result is marked `_uses_learning_phase`.
    training 1/True → x, 0/False → alt (callables are called); otherwise a runtime switch (TF
    switch/cond, Theano ifelse, CNTK element_select).
    """
    _contract()


def in_test_phase(x, alt, training=None):
    """in_train_phase(alt, x, training).
    """
    _contract()


def map_fn(fn, elems, name=None, dtype=None):
    """TF tf.map_fn; Theano theano.map (dtype ignored). Not in CNTK.
    """
    _contract()


def foldl(fn, elems, initializer=None, name=None):
    """fn(acc, x). initializer None → elems[0] (Theano swaps argument order internally).
    """
    _contract()


def foldr(fn, elems, initializer=None, name=None):
    """From the right; initializer None → elems[-1].
    """
    _contract()



# --- ctc -----------------------------------------------------------------------------------------

def ctc_label_dense_to_sparse(labels, label_lengths):
    """TF only. Turns dense padded labels plus lengths into a SparseTensor.
    """
    _contract()


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """y_true (samples, max_label_len) int labels; y_pred (samples, time, classes) softmax
    probabilities (blank = last class); input_length and label_length (samples, 1). TF:
    log(y_pred+eps), time-major ctc_loss, returns (samples, 1). Theano: pure-Theano scan
    (alpha=1e-4 smoothing), returns (1, samples), values differ from TF. Not in CNTK.
    """
    _contract()


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """TF only. greedy (ctc_greedy_decoder) or beam search (beam_width, top_paths). Returns
    (list of dense int decoded tensors padded with -1, log_prob (samples, top_paths)); input is
    log(y_pred+eps), time-major.
    """
    _contract()



# --- random --------------------------------------------------------------------------------------

def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """seed None → np.random.randint(10e6) (Theano 1..10e6, CNTK 10e3), so numpy seeding governs
    it. TF ops are stateful: each eval draws a new sample. Theano uses MRG_RandomStreams(seed).
    CNTK needs a fully static shape.
    """
    _contract()


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """As random_normal.
    """
    _contract()


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """TF: where(uniform ≤ p, 1, 0). Theano rng.binomial. CNTK bernoulli.
    """
    _contract()


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Truncated at ±2 stddev, so the sample std is about 0.88*stddev (asserted in tests;
    VarianceScaling depends on it). Theano falls back to clipping on old versions. CNTK returns
    a *Parameter* (variable) from a truncated_normal initializer and ignores mean.
    """
    _contract()


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """TF: seed None is replaced by np.random.randint(10e8), so numpy seeding reaches the graph.
    Theano has no seed parameter and draws with numpy directly. TH sig:
    `random_uniform_variable(shape, low, high, dtype=None, name=None)`.
    """
    _contract()


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """As above. Theano bug in 2.2.4: `mean` is ignored (it draws with loc=0.0). TH sig:
    `random_normal_variable(shape, mean, scale, dtype=None, name=None)`.
    """
    _contract()
