"""tensorflow engine: the ctc op family (see kbackend.backend.api.FAMILIES).

TensorFlow's CTC kernels on log(y_pred + epsilon), time-major, blank = last class (Keras 2.2.4).
"""
import numpy as np

from ..common import epsilon
from ..shared.checks import check_beam_search, check_ctc_lengths, check_ctc_ranks
from ._graph import graph_scope, tf, tf1

__all__ = ['ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode']


def _lengths(lengths):
    """(samples,) int32 lengths from (samples,) or (samples, 1)."""
    return tf.reshape(tf.cast(lengths, tf.int32), [-1])


@graph_scope
def ctc_label_dense_to_sparse(labels, label_lengths):
    labels = tf.convert_to_tensor(labels)
    check_ctc_ranks('ctc_label_dense_to_sparse', labels=(labels.shape.ndims, 2))
    shape = tf.shape(labels, out_type=tf.int64)
    present = tf.sequence_mask(_lengths(label_lengths), maxlen=tf.shape(labels)[1])
    indices = tf.where(present)  # row-major: sample by sample, label by label
    return tf.SparseTensor(indices, tf.gather_nd(labels, indices), shape)


def _time_major_logits(y_pred):
    return tf.math.log(tf.transpose(y_pred, [1, 0, 2]) + epsilon())


@graph_scope
def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    y_true, y_pred = tf.convert_to_tensor(y_true), tf.convert_to_tensor(y_pred)
    check_ctc_ranks('ctc_batch_cost', y_true=(y_true.shape.ndims, 2), y_pred=(y_pred.shape.ndims, 3))
    check_ctc_lengths('ctc_batch_cost', y_pred.shape[1], input_length, label_length, y_true.shape[1])
    labels = ctc_label_dense_to_sparse(tf.cast(y_true, tf.int32), label_length)
    # Fed lengths (docs/errors.md): an input_length beyond the time steps gives NaN, a label longer
    # than its input +inf (no alignment fits; the kernel would raise or, with the flag, give 0).
    input_length, label_length = _lengths(input_length), _lengths(label_length)
    steps = tf.shape(y_pred)[1]
    loss = tf1.nn.ctc_loss(labels=labels, inputs=_time_major_logits(y_pred),
                           sequence_length=tf.minimum(input_length, steps),
                           ignore_longer_outputs_than_inputs=True)
    loss = tf.where(label_length > input_length, tf.fill(tf.shape(loss), tf.constant(np.inf, loss.dtype)), loss)
    loss = tf.where(input_length > steps, tf.fill(tf.shape(loss), tf.constant(np.nan, loss.dtype)), loss)
    return tf.expand_dims(loss, 1)


@graph_scope
def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    y_pred = tf.convert_to_tensor(y_pred)
    check_ctc_ranks('ctc_decode', y_pred=(y_pred.shape.ndims, 3))
    check_ctc_lengths('ctc_decode', y_pred.shape[1], input_length)
    if not greedy:
        check_beam_search(beam_width, top_paths)
    logits = _time_major_logits(y_pred)
    # A fed input_length beyond the time steps decodes all the steps, as on every engine.
    lengths = tf.minimum(_lengths(input_length), tf.shape(y_pred)[1])
    if greedy:
        decoded, log_prob = tf1.nn.ctc_greedy_decoder(inputs=logits, sequence_length=lengths)
    else:
        decoded, log_prob = tf1.nn.ctc_beam_search_decoder(inputs=logits, sequence_length=lengths,
                                                           beam_width=beam_width, top_paths=top_paths)
    return [tf.sparse.to_dense(path, default_value=-1) for path in decoded], log_prob
