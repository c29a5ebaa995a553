"""CTC (Connectionist Temporal Classification) ops: tf.nn.ctc_loss and its decoders.

The loss runs TF's batched forward-backward algorithm (Sim et al., 2017) in log space: a
lattice of 2 * (max_label_length + 1) states per batch element (label states, the first one
a start state, then blank states), one vectorised step over the whole batch per frame. The
kernel returns the loss and, like TF's CTCLoss op, the gradient w.r.t. the logits, which the
registered gradient scales by the incoming loss gradient.
"""
from __future__ import annotations

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError, UnimplementedError
from ..framework.tensor import Tensor
from . import array_ops, math_ops
from . import sample_inputs as S
from . import shapes as sh
from .registry import NON_DIFFERENTIABLE, bind, register

_t = convert_to_tensor
_FLOATS = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
_INTS = (dtypes.int32, dtypes.int64)
# TF's log(0): log(1e-307) rounded to float32, so an impossible alignment costs ~707 per
# missing state rather than inf (the dense TF implementation's initial/final state values).
_LOG_0 = float(np.float32(np.log(1e-307)))


def _work(a):
    return a.astype(np.float32) if a.dtype.kind != "f" or a.dtype.itemsize < 4 else a


def _log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    s = x - m
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def _lse_rows(a, b):
    """logsumexp over the last axis of the concatenation of `a` and `b` (both [B, n])."""
    m = np.maximum(a.max(axis=1), b.max(axis=1))
    m = np.where(np.isfinite(m), m, 0)
    return m + np.log(np.exp(a - m[:, None]).sum(axis=1) + np.exp(b - m[:, None]).sum(axis=1))


def _ctc_core(logits, labels, label_length, logit_length):
    """CTC loss and gradient for time-major `logits` [T, B, C] with the blank at class 0.

    `labels` [B, L] (padded), `label_length`, `logit_length` [B]. Returns (loss [B], grad [T, B, C])
    in the working dtype (float32, or float64 for float64 logits).
    """
    x = _work(logits)
    dt = x.dtype.type
    nt, nb, nc = x.shape
    labels = np.asarray(labels, np.int64).reshape(nb, -1)
    nl = labels.shape[1]
    lp = _log_softmax(x) if nc else x
    valid = (labels >= 0) & (labels < nc)
    safe = np.where(valid, labels, 0)
    # Observation log-probabilities of the label states 1..L and the blank states 0..L.
    obs_lab = np.where(valid[None], np.take_along_axis(lp, np.broadcast_to(safe[None], (nt, nb, nl)), axis=2), 0)
    obs_lab = obs_lab.astype(dt, copy=False)
    obs_blk = lp[:, :, :1] if nc else np.zeros((nt, nb, 1), dt)
    ninf = dt(-np.inf)
    # Label i-1 -> label i (i >= 2) only between different labels; start -> label 1 always.
    allow = np.zeros((nb, nl + 1), dt)
    allow[:, 0] = ninf
    if nl > 1:
        allow[:, 2:] = np.where(labels[:, 1:] == labels[:, :-1], ninf, dt(0))
    lens = np.clip(np.asarray(label_length, np.int64).reshape(nb), 0, nl)
    steps = np.asarray(logit_length, np.int64).reshape(nb)
    rows = np.arange(nb)
    final_lab = np.full((nb, nl + 1), dt(_LOG_0), dt)
    final_lab[rows, lens] = 0
    final_blk = final_lab.copy()
    col = np.full((nb, 1), ninf, dt)
    # Forward pass (normalised per frame).
    a_lab = np.full((nb, nl + 1), dt(_LOG_0), dt)
    a_lab[:, 0] = 0
    a_blk = np.full((nb, nl + 1), dt(_LOG_0), dt)
    alpha_lab = np.empty((nt, nb, nl + 1), dt)
    alpha_blk = np.empty((nt, nb, nl + 1), dt)
    for t in range(nt):
        prev_lab = np.concatenate([col, a_lab[:, :-1]], 1) + allow
        prev_blk = np.concatenate([col, a_blk[:, :-1]], 1)
        n_lab = np.logaddexp(np.logaddexp(a_lab, prev_lab), prev_blk)
        n_lab[:, 1:] += obs_lab[t]
        n_lab[:, 0] = ninf  # the start state observes nothing
        n_blk = np.logaddexp(a_blk, a_lab) + obs_blk[t]
        c = _lse_rows(n_lab, n_blk)[:, None]
        a_lab = alpha_lab[t] = n_lab - c
        a_blk = alpha_blk[t] = n_blk - c
    # Backward pass, restarting from the final states past each sequence's end.
    b_lab, b_blk = final_lab, final_blk
    beta_lab = np.empty((nt + 1, nb, nl + 1), dt)
    beta_blk = np.empty((nt + 1, nb, nl + 1), dt)
    beta_lab[nt], beta_blk[nt] = final_lab, final_blk
    cum = np.zeros(nb, dt)
    for t in range(nt - 1, -1, -1):
        s_lab = b_lab.copy()
        s_lab[:, 1:] += obs_lab[t]
        s_lab[:, 0] = ninf
        s_blk = b_blk + obs_blk[t]
        nxt = np.concatenate([s_lab[:, 1:] + allow[:, 1:], col], 1)
        n_lab = np.logaddexp(np.logaddexp(s_lab, nxt), s_blk)
        n_blk = np.logaddexp(s_blk, np.concatenate([s_lab[:, 1:], col], 1))
        c = _lse_rows(n_lab, n_blk)
        live = t < steps
        cum += np.where(live, c, 0)
        m = live[:, None]
        b_lab = beta_lab[t] = np.where(m, n_lab - c[:, None], final_lab)
        b_blk = beta_blk[t] = np.where(m, n_blk - c[:, None], final_blk)
    loss = -(beta_lab[0][:, 0] + cum)
    # State posteriors per frame, summed into class posteriors.
    p_lab = alpha_lab + beta_lab[1:]
    p_blk = alpha_blk + beta_blk[1:]
    z = np.maximum(p_lab.max(axis=2), p_blk.max(axis=2))[:, :, None]
    z = np.where(np.isfinite(z), z, 0)
    e_lab = np.exp(p_lab - z)
    e_blk = np.exp(p_blk - z)
    total = e_lab.sum(axis=2, keepdims=True) + e_blk.sum(axis=2, keepdims=True)
    e_lab = e_lab[:, :, 1:] / total
    post = np.zeros((nt, nb, nc), dt)
    if nc:
        post[:, :, 0] = e_blk.sum(axis=2) / total[:, :, 0]
        onehot = (labels[:, :, None] == np.arange(1, nc)) & valid[:, :, None]  # [B, L, C-1]
        post[:, :, 1:] = np.einsum("tbl,blc->tbc", e_lab, onehot.astype(dt))
    grad = np.exp(lp) - post
    grad *= (np.arange(nt)[:, None] < steps[None, :])[:, :, None]
    return loss, grad


def _lae(a, da, b, db):
    """logaddexp(a, b) and its tangent."""
    r = np.logaddexp(a, b)
    ok = np.isfinite(r)
    rr = np.where(ok, r, 0)
    wa = np.where(ok, np.exp(a - rr), 0)
    wb = np.where(ok, np.exp(b - rr), 0)
    return r, wa * da + wb * db


def _norm_t(n_lab, dn_lab, n_blk, dn_blk):
    """Per-row normalisation of the state log-probs (logsumexp over both halves) with tangents."""
    c = _lse_rows(n_lab, n_blk)[:, None]
    w_lab, w_blk = np.exp(n_lab - c), np.exp(n_blk - c)
    dc = (w_lab * dn_lab).sum(1, keepdims=True) + (w_blk * dn_blk).sum(1, keepdims=True)
    return n_lab - c, dn_lab - dc, n_blk - c, dn_blk - dc


def _ctc_second_order(logits, labels, label_length, logit_length, v):
    """d<v, grad>/d logits for the CTC gradient output `grad` (blank at class 0): the softmax part in
    closed form, the posterior part by forward-mode differentiation of the forward-backward pass."""
    x = _work(logits)
    dt = x.dtype.type
    nt, nb, nc = x.shape
    labels = np.asarray(labels, np.int64).reshape(nb, -1)
    nl = labels.shape[1]
    steps = np.asarray(logit_length, np.int64).reshape(nb)
    tmask = (np.arange(nt)[:, None] < steps[None, :])[:, :, None]
    v = np.where(tmask, v.astype(dt, copy=False), 0)
    lp = _log_softmax(x)
    sm = np.exp(lp)
    out = sm * (v - (v * sm).sum(-1, keepdims=True))  # through softmax(logits)
    dlp = v  # direction for the posterior's JVP (w.r.t. the log-probabilities)
    valid = (labels >= 0) & (labels < nc)
    safe = np.broadcast_to(np.where(valid, labels, 0)[None], (nt, nb, nl))
    obs_lab = np.where(valid[None], np.take_along_axis(lp, safe, axis=2), 0).astype(dt, copy=False)
    dobs_lab = np.where(valid[None], np.take_along_axis(dlp, safe, axis=2), 0).astype(dt, copy=False)
    obs_blk, dobs_blk = lp[:, :, :1], dlp[:, :, :1]
    ninf = dt(-np.inf)
    allow = np.zeros((nb, nl + 1), dt)
    allow[:, 0] = ninf
    if nl > 1:
        allow[:, 2:] = np.where(labels[:, 1:] == labels[:, :-1], ninf, dt(0))
    lens = np.clip(np.asarray(label_length, np.int64).reshape(nb), 0, nl)
    final = np.full((nb, nl + 1), dt(_LOG_0), dt)
    final[np.arange(nb), lens] = 0
    zero = np.zeros((nb, nl + 1), dt)
    col = np.full((nb, 1), ninf, dt)
    zc = np.zeros((nb, 1), dt)
    a_lab = np.full((nb, nl + 1), dt(_LOG_0), dt)
    a_lab[:, 0] = 0
    a_blk = a_lab.copy()
    a_blk[:, 0] = dt(_LOG_0)
    da_lab, da_blk = zero, zero
    al, dal, ab, dab = (np.empty((nt, nb, nl + 1), dt) for _ in range(4))
    for t in range(nt):
        r, dr = _lae(a_lab, da_lab, np.concatenate([col, a_lab[:, :-1]], 1) + allow,
                     np.concatenate([zc, da_lab[:, :-1]], 1))
        r, dr = _lae(r, dr, np.concatenate([col, a_blk[:, :-1]], 1), np.concatenate([zc, da_blk[:, :-1]], 1))
        r[:, 1:] += obs_lab[t]
        dr[:, 1:] += dobs_lab[t]
        r[:, 0], dr[:, 0] = ninf, 0
        q, dq = _lae(a_blk, da_blk, a_lab, da_lab)
        a_lab, da_lab, a_blk, da_blk = _norm_t(r, dr, q + obs_blk[t], dq + dobs_blk[t])
        al[t], dal[t], ab[t], dab[t] = a_lab, da_lab, a_blk, da_blk
    bl, dbl, bb, dbb = (np.empty((nt + 1, nb, nl + 1), dt) for _ in range(4))
    bl[nt], bb[nt], dbl[nt], dbb[nt] = final, final, zero, zero
    b_lab, b_blk, db_lab, db_blk = final, final, zero, zero
    for t in range(nt - 1, -1, -1):
        s_lab, ds_lab = b_lab.copy(), db_lab.copy()
        s_lab[:, 1:] += obs_lab[t]
        ds_lab[:, 1:] += dobs_lab[t]
        s_lab[:, 0], ds_lab[:, 0] = ninf, 0
        s_blk, ds_blk = b_blk + obs_blk[t], db_blk + dobs_blk[t]
        r, dr = _lae(s_lab, ds_lab, np.concatenate([s_lab[:, 1:] + allow[:, 1:], col], 1),
                     np.concatenate([ds_lab[:, 1:], zc], 1))
        r, dr = _lae(r, dr, s_blk, ds_blk)
        q, dq = _lae(s_blk, ds_blk, np.concatenate([s_lab[:, 1:], col], 1), np.concatenate([ds_lab[:, 1:], zc], 1))
        n_lab, dn_lab, n_blk, dn_blk = _norm_t(r, dr, q, dq)
        m = (t < steps)[:, None]
        b_lab = bl[t] = np.where(m, n_lab, final)
        b_blk = bb[t] = np.where(m, n_blk, final)
        db_lab = dbl[t] = np.where(m, dn_lab, 0)
        db_blk = dbb[t] = np.where(m, dn_blk, 0)
    p_lab, p_blk = al + bl[1:], ab + bb[1:]
    dp_lab, dp_blk = dal + dbl[1:], dab + dbb[1:]
    z = np.maximum(p_lab.max(axis=2), p_blk.max(axis=2))[:, :, None]
    z = np.where(np.isfinite(z), z, 0)
    e_lab, e_blk = np.exp(p_lab - z), np.exp(p_blk - z)
    total = e_lab.sum(2, keepdims=True) + e_blk.sum(2, keepdims=True)
    q_lab, q_blk = e_lab / total, e_blk / total
    mean = (q_lab * dp_lab).sum(2, keepdims=True) + (q_blk * dp_blk).sum(2, keepdims=True)
    dq_lab, dq_blk = q_lab * (dp_lab - mean), q_blk * (dp_blk - mean)
    dpost = np.zeros((nt, nb, nc), dt)
    dpost[:, :, 0] = dq_blk.sum(2)
    onehot = (labels[:, :, None] == np.arange(1, nc)) & valid[:, :, None]
    dpost[:, :, 1:] = np.einsum("tbl,blc->tbc", dq_lab[:, :, 1:], onehot.astype(dt))
    dpost *= tmask
    # grad = softmax - posterior(log_softmax(logits)): subtract the posterior's JVP pulled back through log_softmax.
    out -= dpost - sm * dpost.sum(-1, keepdims=True)
    return out


def _rotate_blank(x, blank, to_front=True):
    """Moves class `blank` of `x` [..., C] to the front (or from the front back to `blank`)."""
    if blank == 0:
        return x
    if to_front:
        return np.concatenate([x[..., blank:blank + 1], x[..., :blank], x[..., blank + 1:]], -1)
    return np.concatenate([x[..., 1:blank + 1], x[..., :1], x[..., blank + 1:]], -1)


# ================================================================ dense labels (tf.nn.ctc_loss)
def _ctc_dense_kernel(xp, logits, labels, label_length, logit_length, blank_index):
    nc = logits.shape[-1]
    blank = blank_index + nc if blank_index < 0 else blank_index
    if blank:
        logits = _rotate_blank(logits, blank)
        labels = np.where(labels < blank, labels + 1, labels)
    loss, grad = _ctc_core(logits, labels, label_length, logit_length)
    if blank:
        grad = _rotate_blank(grad, blank, to_front=False)
    return loss.astype(logits.dtype, copy=False), grad.astype(logits.dtype, copy=False)


def _check_rank(api, op, spec, rank, name):
    d = sh.dims(spec)
    if d is not None and len(d) != rank:
        raise sh.error(api, op, "%s must be %d-D, but got shape %s" % (name, rank, sh.fmt(d)))
    return d


def _ctc_dense_infer(specs, attrs):
    api, op = "tf.nn.ctc_loss", "CTCLossDense"
    sh.check_dtype(api, op, specs[0], _FLOATS, "logits")
    for s, n in zip(specs[1:], ("labels", "label_length", "logit_length")):
        sh.check_dtype(api, op, s, _INTS, n)
    x = _check_rank(api, op, specs[0], 3, "logits")
    lab = _check_rank(api, op, specs[1], 2, "labels")
    _check_rank(api, op, specs[2], 1, "label_length")
    _check_rank(api, op, specs[3], 1, "logit_length")
    b = None if x is None else x[1]
    if b is None and lab is not None:
        b = lab[0]
    return [((b,), specs[0].dtype), (None if x is None else (x[0], b, x[2]), specs[0].dtype)]


def _is_zero(t) -> bool:
    """Whether `t` is known to be zeros: an eager all-zero tensor or a traced ZerosLike (no cotangent)."""
    if type(t) is Tensor:
        return not t._value.any()
    node = getattr(t, "node", None)
    return node is not None and node.type in ("ZerosLike", "Zeros")


def _ctc_grad_fn(second_order_op):
    def grad(op, dloss, dgrad):
        g = math_ops.multiply(array_ops.reshape(dloss, [1, -1, 1]), op.outputs[1])
        if dgrad is not None and not _is_zero(dgrad):  # the gradient output itself is differentiated
            g = math_ops.add(g, bind(second_order_op, list(op.inputs) + [dgrad], op.attrs))
        return [g] + [None] * (len(op.inputs) - 1)
    return grad


def _second_order_infer(specs, attrs):
    return [(sh.dims(specs[0]), specs[0].dtype)]


def _dense_second_order_kernel(xp, logits, labels, label_length, logit_length, v, blank_index):
    nc = logits.shape[-1]
    blank = blank_index + nc if blank_index < 0 else blank_index
    if blank:
        logits, v = _rotate_blank(logits, blank), _rotate_blank(v, blank)
        labels = np.where(labels < blank, labels + 1, labels)
    out = _ctc_second_order(logits, labels, label_length, logit_length, v)
    if blank:
        out = _rotate_blank(out, blank, to_front=False)
    return out.astype(logits.dtype, copy=False)


def _with_v(samples):
    def make():
        return [(arrays + [S.normal(*arrays[0].shape)], attrs) for arrays, attrs in samples()]
    return make


def _ctc_dense_samples():
    labels = np.array([[1, 2, 0], [3, 3, 0], [2, 1, 3]], np.int32)
    return [([S.normal(6, 3, 4), labels, np.array([2, 2, 3], np.int32), np.array([6, 5, 4], np.int32)],
             {"blank_index": 0}),
            ([S.normal(5, 2, 4), np.array([[0, 2], [1, 1]], np.int64), np.array([2, 1], np.int64),
              np.array([5, 3], np.int64)], {"blank_index": 3})]


register("CTCLossDense", kernel=_ctc_dense_kernel, infer=_ctc_dense_infer, grad=_ctc_grad_fn("CTCLossDenseGradGrad"),
         api="tf.nn.ctc_loss",
         num_outputs=2, args=("logits", "labels", "label_length", "logit_length"), samples=_ctc_dense_samples)
register("CTCLossDenseGradGrad", kernel=_dense_second_order_kernel, infer=_second_order_infer,
         grad=NON_DIFFERENTIABLE, api="tf.nn.ctc_loss", args=("logits", "labels", "label_length", "logit_length", "v"),
         samples=_with_v(_ctc_dense_samples))


# ================================================================ sparse labels: TF's CTCLoss / CTCLossV2 ops
def _sparse_to_dense_labels(indices, values, nb):
    """Label sequences [B, L] (padded with 0) and lengths [B] from a SparseTensor's indices/values."""
    indices = np.asarray(indices, np.int64).reshape(-1, 2)
    values = np.asarray(values, np.int64).reshape(-1)
    b = indices[:, 0]
    if b.size and (b.min() < 0 or b.max() >= nb):
        raise InvalidArgumentError(None, None, "labels batch index must be between 0 and %d" % (nb - 1))
    lens = np.bincount(b, minlength=nb)[:nb]
    order = np.lexsort((indices[:, 1], b))
    b, values = b[order], values[order]
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    pos = np.arange(b.size) - starts[b]
    dense = np.zeros((nb, int(lens.max()) if nb and lens.size else 0), np.int64)
    dense[b, pos] = values
    return dense, lens


def _collapse(labels, lens):
    """Merges consecutive repeated labels (vectorised over the batch)."""
    nb, nl = labels.shape
    keep = np.arange(nl)[None] < lens[:, None]
    if nl:
        keep[:, 1:] &= labels[:, 1:] != labels[:, :-1]
    new_lens = keep.sum(1)
    out = np.zeros((nb, int(new_lens.max()) if nb else 0), np.int64)
    rows = np.repeat(np.arange(nb), new_lens)
    cols = np.arange(rows.size) - np.repeat(np.cumsum(new_lens) - new_lens, new_lens)
    out[rows, cols] = labels[keep]
    return out, new_lens


def _ctc_sparse_kernel(op_name):
    api = "tf.nn.ctc_loss"

    def kernel(xp, logits, indices, values, sequence_length, preprocess_collapse_repeated=False,
               ctc_merge_repeated=True, ignore_longer_outputs_than_inputs=False):
        nt, nb, nc = logits.shape
        if sequence_length.shape[0] != nb:
            raise sh.error(api, op_name, "len(sequence_length) != batch_size.  len(sequence_length):  %d batch_size: %d"
                           % (sequence_length.shape[0], nb))
        if not ctc_merge_repeated:
            raise UnimplementedError(None, None, "%s: ctc_merge_repeated=False is not supported [Op:%s]"
                                     % (api, op_name))
        steps = np.asarray(sequence_length, np.int64)
        if (steps > nt).any():
            b = int(np.argmax(steps > nt))
            raise sh.error(api, op_name, "sequence_length(%d) <= %d" % (b, nt))
        labels, lens = _sparse_to_dense_labels(indices, values, nb)
        if preprocess_collapse_repeated:
            labels, lens = _collapse(labels, lens)
        in_seq = np.arange(labels.shape[1])[None] < lens[:, None]
        bad = in_seq & ((labels < 0) | (labels >= nc - 1))
        if bad.any():
            b = int(np.argmax(bad.any(1)))
            raise sh.error(api, op_name, "Saw a non-null label (index >= num_classes - 1) following a null label, "
                           "batch: %d num_classes: %d labels: %s" % (b, nc, ",".join(map(str, labels[b, :lens[b]]))))
        repeats = (in_seq[:, 1:] & (labels[:, 1:] == labels[:, :-1])).sum(1) if labels.shape[1] else 0
        required = lens + repeats
        short = required > steps
        if short.any() and not ignore_longer_outputs_than_inputs:
            b = int(np.argmax(short))
            raise sh.error(api, op_name, "Not enough time for target transition sequence (required: %d, available: "
                           "%d)%dYou can turn this error into a warning by using the flag "
                           "ignore_longer_outputs_than_inputs" % (required[b], steps[b], b))
        # The blank is class C-1; the core wants it at 0.
        x = np.concatenate([logits[..., -1:], logits[..., :-1]], -1)
        loss, grad = _ctc_core(x, labels + 1, lens, steps)
        grad = np.concatenate([grad[..., 1:], grad[..., :1]], -1)
        if short.any():
            loss[short] = 0
            grad[:, short] = 0
        return loss.astype(logits.dtype, copy=False), grad.astype(logits.dtype, copy=False)
    return kernel


def _sparse_second_order_kernel(xp, logits, indices, values, sequence_length, v, preprocess_collapse_repeated=False,
                                ctc_merge_repeated=True, ignore_longer_outputs_than_inputs=False):
    nb = logits.shape[1]
    labels, lens = _sparse_to_dense_labels(indices, values, nb)
    if preprocess_collapse_repeated:
        labels, lens = _collapse(labels, lens)
    steps = np.asarray(sequence_length, np.int64)
    in_seq = np.arange(labels.shape[1])[None] < lens[:, None]
    repeats = (in_seq[:, 1:] & (labels[:, 1:] == labels[:, :-1])).sum(1) if labels.shape[1] else 0
    short = lens + repeats > steps
    x = np.concatenate([logits[..., -1:], logits[..., :-1]], -1)
    vv = np.concatenate([v[..., -1:], v[..., :-1]], -1)
    out = _ctc_second_order(x, labels + 1, lens, steps, vv)
    out = np.concatenate([out[..., 1:], out[..., :1]], -1)
    out[:, short] = 0
    return out.astype(logits.dtype, copy=False)


def _ctc_sparse_infer(op_name, allowed):
    def infer(specs, attrs):
        api = "tf.nn.ctc_loss"
        sh.check_dtype(api, op_name, specs[0], allowed, "logits")
        x = _check_rank(api, op_name, specs[0], 3, "inputs")
        _check_rank(api, op_name, specs[1], 2, "labels_indices")
        _check_rank(api, op_name, specs[2], 1, "labels_values")
        seq = _check_rank(api, op_name, specs[3], 1, "sequence_length")
        for s, d in zip(specs[1:], (dtypes.int64, dtypes.int32, dtypes.int32)):
            if s.dtype is not d:
                raise InvalidArgumentError(None, None, "cannot compute %s as input #%d(zero-based) was expected to be "
                                           "a %s tensor but is a %s tensor [Op:%s]" % (
                                               op_name, specs.index(s), d.name, s.dtype.name, op_name))
        b = None if x is None else x[1]
        if b is None and seq is not None:
            b = seq[0]
        return [((b,), specs[0].dtype), (None if x is None else (x[0], b, x[2]), specs[0].dtype)]
    return infer


def _ctc_sparse_samples():
    idx = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [2, 2]], np.int64)
    vals = np.array([0, 1, 2, 2, 1, 0, 2], np.int32)
    return [([S.normal(6, 3, 4), idx, vals, np.array([6, 5, 4], np.int32)], {}),
            ([S.normal(5, 3, 4), idx, vals, np.array([5, 5, 3], np.int32)], {"preprocess_collapse_repeated": True})]


register("CTCLoss", kernel=_ctc_sparse_kernel("CTCLoss"), infer=_ctc_sparse_infer("CTCLoss", _FLOATS[2:]),
         grad=_ctc_grad_fn("CTCLossGradGrad"), api="tf.nn.ctc_loss", num_outputs=2,
         args=("inputs", "labels_indices", "labels_values", "sequence_length"), samples=_ctc_sparse_samples)
register("CTCLossGradGrad", kernel=_sparse_second_order_kernel, infer=_second_order_infer, grad=NON_DIFFERENTIABLE,
         api="tf.nn.ctc_loss", args=("inputs", "labels_indices", "labels_values", "sequence_length", "v"),
         samples=_with_v(_ctc_sparse_samples))


@tf_export("nn.ctc_loss")
def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True, unique=None, blank_index=None,
             name=None) -> Tensor:
    """Computes CTC (Connectionist Temporal Classification) loss (tf.nn.ctc_loss).

    Args:
      labels: int `Tensor` [batch_size, max_label_seq_length] (padded) or a `SparseTensor`.
      logits: `Tensor` [frames, batch_size, num_labels] (or [batch_size, frames, num_labels]
        when `logits_time_major=False`), unnormalised log-probabilities.
      label_length: `Tensor` [batch_size], the label lengths (None for a `SparseTensor`).
      logit_length: `Tensor` [batch_size], the input sequence lengths.
      logits_time_major: whether `logits` is time-major.
      unique: optional `ctc_unique_labels(labels)`; accepted for compatibility (same result).
      blank_index: the blank class (default 0 for dense labels; required for a SparseTensor).
        Negative values count from `num_labels`.
      name: unused.

    Returns:
      loss: `Tensor` [batch_size], the negative log-probabilities of the label sequences.
    """
    from .sparse_ops import SparseTensor

    logits = _t(logits)
    orig = logits.dtype
    if orig in (dtypes.float16, dtypes.bfloat16):
        logits = math_ops.cast(logits, dtypes.float32)
    if not logits_time_major:
        logits = array_ops.transpose(logits, [1, 0, 2])
    if isinstance(labels, SparseTensor):
        if blank_index is None:
            raise ValueError("Argument `blank_index` must be provided when `labels` is a `SparseTensor`.")
        nc = logits.shape[2]
        if blank_index < 0:
            blank_index += nc
        values = labels.values
        if values.dtype is not dtypes.int32:
            raise InvalidArgumentError(None, None, "cannot compute CTCLoss as input #2(zero-based) was expected to be a "
                                       "int32 tensor but is a %s tensor [Op:CTCLoss]" % values.dtype.name)
        if blank_index != nc - 1:
            parts = [logits[:, :, :blank_index], logits[:, :, blank_index + 1:], logits[:, :, blank_index:blank_index + 1]]
            logits = array_ops.concat(parts, 2)
            values = array_ops.where(math_ops.less(values, blank_index), values, math_ops.subtract(values, 1))
        loss = bind("CTCLoss", [logits, labels.indices, values, _t(logit_length, dtype=dtypes.int32)],
                    {"preprocess_collapse_repeated": False, "ctc_merge_repeated": True,
                     "ignore_longer_outputs_than_inputs": False})[0]
    else:
        labels = _t(labels)
        label_length = _t(label_length)
        logit_length = _t(logit_length)
        loss = bind("CTCLossDense", [logits, labels, label_length, logit_length],
                    {"blank_index": 0 if blank_index is None else int(blank_index)})[0]
    return math_ops.cast(loss, orig) if orig is not loss.dtype else loss


# ================================================================ greedy decoder
def _greedy_kernel(xp, inputs, sequence_length, merge_repeated=True, blank_index=-1):
    nt, nb, nc = inputs.shape
    blank = blank_index + nc if blank_index < 0 else blank_index
    steps = np.asarray(sequence_length, np.int64)
    if (steps > nt).any():
        b = int(np.argmax(steps > nt))
        raise sh.error("tf.nn.ctc_greedy_decoder", "CTCGreedyDecoder", "sequence_length(%d) <= %d" % (b, nt))
    best = inputs.argmax(axis=2) if nc else np.zeros((nt, nb), np.int64)  # [T, B]
    live = np.arange(nt)[:, None] < steps[None]
    top = np.take_along_axis(inputs, best[:, :, None], 2)[:, :, 0] if nc else np.zeros((nt, nb), inputs.dtype)
    logp = -(np.where(live, top, 0).sum(0))
    emit = live & (best != blank)
    if merge_repeated and nt:
        emit[1:] &= best[1:] != best[:-1]
    eb = emit.T  # [B, T] in batch-major order
    counts = eb.sum(1)
    rows = np.repeat(np.arange(nb), counts)
    cols = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
    ind = np.stack([rows, cols], 1).astype(np.int64)
    vals = best.T[eb].astype(np.int64)
    shape = np.array([nb, counts.max() if nb else 0], np.int64)
    return ind, vals, shape, logp.reshape(nb, 1).astype(inputs.dtype, copy=False)


def _decoder_infer(op_name, api, outs):
    def infer(specs, attrs):
        sh.check_dtype(api, op_name, specs[0], _FLOATS[2:], "inputs")
        x = _check_rank(api, op_name, specs[0], 3, "inputs")
        seq = _check_rank(api, op_name, specs[1], 1, "sequence_length")
        if specs[1].dtype is not dtypes.int32:
            raise sh.error(api, op_name, "sequence_length must be an int32 tensor, got %s" % specs[1].dtype.name)
        b = None if x is None else x[1]
        if b is None and seq is not None:
            b = seq[0]
        if x is not None and seq is not None and None not in (x[1], seq[0]) and x[1] != seq[0]:
            raise sh.error(api, op_name, "len(sequence_length) != batch_size.  len(sequence_length):  %d "
                           "batch_size: %d" % (seq[0], x[1]))
        values = [array_ops._const(s) for s in specs]
        if all(v is not None for v in values):  # known inputs: the decoded sizes too
            res = REGISTRY_KERNELS[op_name](np, *values, **attrs)
            return [(r.shape, specs[0].dtype if r.dtype.kind == "f" else dtypes.int64) for r in res]
        return outs(b, attrs, specs[0].dtype)
    return infer


REGISTRY_KERNELS = {"CTCGreedyDecoder": _greedy_kernel}


def _greedy_outs(b, attrs, dt):
    return [((None, 2), dtypes.int64), ((None,), dtypes.int64), ((2,), dtypes.int64), ((b, 1), dt)]


def _greedy_samples():
    return [([S.normal(5, 3, 4), np.array([5, 4, 2], np.int32)], {"merge_repeated": True, "blank_index": -1}),
            ([S.normal(4, 2, 3), np.array([4, 0], np.int32)], {"merge_repeated": False, "blank_index": 0})]


register("CTCGreedyDecoder", kernel=_greedy_kernel,
         infer=_decoder_infer("CTCGreedyDecoder", "tf.nn.ctc_greedy_decoder", _greedy_outs),
         grad=NON_DIFFERENTIABLE, api="tf.nn.ctc_greedy_decoder", num_outputs=4, args=("inputs", "sequence_length"),
         samples=_greedy_samples)


def _sparse_outputs(ind, vals, shape):
    from .sparse_ops import SparseTensor
    return SparseTensor(ind, vals, shape)


@tf_export("nn.ctc_greedy_decoder")
def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Greedy (best path) decoding of `inputs` [max_time, batch_size, num_classes] (tf.nn.ctc_greedy_decoder).

    Returns `([decoded], neg_sum_logits)`: `decoded` a SparseTensor of int64 classes with dense
    shape [batch_size, max_decoded_length]; `neg_sum_logits` [batch_size, 1], minus the sum of the
    largest logit of each frame. `blank_index` defaults to num_classes - 1.
    """
    outs = bind("CTCGreedyDecoder", [_t(inputs), _t(sequence_length, dtype=dtypes.int32)],
                {"merge_repeated": bool(merge_repeated), "blank_index": -1 if blank_index is None else int(blank_index)})
    return [_sparse_outputs(*outs[:3])], outs[3]


# ================================================================ beam search decoder
def _bottom(beam):
    return min(v[2] for v in beam.values())


def _beam_search_one(lp, beam_width, top_paths, merge_repeated):
    """TF's CTC beam search (default scorer) for one sequence of log-softmax frames `lp` [T, C],
    blank C-1. Returns [(labels tuple, log_prob)] best first."""
    nc = lp.shape[1]
    blank = nc - 1
    neg = -np.inf
    # prefix -> [p_blank, p_label, p_total] (new) ; prefixes in the beam
    beams = {(): [0.0, neg, 0.0]}
    for t in range(lp.shape[0]):
        x = lp[t]
        old = {k: v[2] for k, v in beams.items()}
        old_blank = {k: v[0] for k, v in beams.items()}
        new = {}
        for k, v in beams.items():
            p_label = v[1]
            if k:
                parent = k[:-1]
                if parent in beams:
                    prev = old_blank[parent] if (len(parent) and parent[-1] == k[-1]) else old[parent]
                    p_label = np.logaddexp(p_label, prev)
                p_label = p_label + x[k[-1]]
            p_blank = old[k] + x[blank]
            new[k] = [p_blank, p_label, np.logaddexp(p_blank, p_label)]
        order = sorted(beams, key=lambda k: -old[k])
        beam = dict(new)

        for k in order:
            if not (old[k] > neg and (len(beam) < beam_width or old[k] > _bottom(beam))):
                continue
            for c in range(nc - 1):
                child = k + (c,)
                if child in beams:
                    continue
                prev = old_blank[k] if (k and k[-1] == c) else old[k]
                p = x[c] + prev
                if p > neg and (len(beam) < beam_width or p > _bottom(beam)):
                    if len(beam) >= beam_width:
                        worst = min(beam, key=lambda q: beam[q][2])
                        del beam[worst]
                    beam[child] = [neg, p, p]
        beams = beam
    ranked = sorted(beams.items(), key=lambda kv: -kv[1][2])[:top_paths]
    out = []
    for k, v in ranked:
        seq = list(k)
        if merge_repeated and seq:
            seq = [seq[0]] + [b for a, b in zip(seq, seq[1:]) if a != b]
        out.append((seq, v[2]))
    return out


def _beam_kernel(xp, inputs, sequence_length, beam_width=100, top_paths=1, merge_repeated=True):
    api, op = "tf.nn.ctc_beam_search_decoder", "CTCBeamSearchDecoder"
    nt, nb, nc = inputs.shape
    if top_paths > beam_width:
        raise sh.error(api, op, "top_paths must be <= beam_width")
    steps = np.asarray(sequence_length, np.int64)
    if (steps > nt).any():
        b = int(np.argmax(steps > nt))
        raise sh.error(api, op, "sequence_length(%d) <= %d" % (b, nt))
    lp = _log_softmax(inputs.astype(np.float64))
    results = [_beam_search_one(lp[:steps[b], b], beam_width, top_paths, merge_repeated) for b in range(nb)]
    for r in results:
        if len(r) < top_paths:
            raise sh.error(api, op, "Less leaves in the beam search than requested.")
    outs = []
    for p in range(top_paths):
        seqs = [results[b][p][0] for b in range(nb)]
        counts = np.array([len(s) for s in seqs], np.int64)
        rows = np.repeat(np.arange(nb), counts)
        cols = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
        vals = np.array([v for s in seqs for v in s], np.int64)
        outs.append((np.stack([rows, cols], 1).astype(np.int64), vals,
                     np.array([nb, counts.max() if nb else 0], np.int64)))
    logp = np.array([[results[b][p][1] for p in range(top_paths)] for b in range(nb)]).reshape(nb, top_paths)
    return (tuple(o[0] for o in outs) + tuple(o[1] for o in outs) + tuple(o[2] for o in outs)
            + (logp.astype(inputs.dtype),))


REGISTRY_KERNELS["CTCBeamSearchDecoder"] = _beam_kernel


def _beam_outs(b, attrs, dt):
    k = attrs.get("top_paths", 1)
    return ([((None, 2), dtypes.int64)] * k + [((None,), dtypes.int64)] * k + [((2,), dtypes.int64)] * k
            + [((b, k), dt)])


def _beam_samples():
    return [([S.normal(5, 3, 4), np.array([5, 4, 2], np.int32)], {"beam_width": 4, "top_paths": 2,
                                                                  "merge_repeated": False}),
            ([S.normal(4, 2, 3), np.array([4, 3], np.int32)], {"beam_width": 3, "top_paths": 1,
                                                              "merge_repeated": True})]


register("CTCBeamSearchDecoder", kernel=_beam_kernel,
         infer=_decoder_infer("CTCBeamSearchDecoder", "tf.nn.ctc_beam_search_decoder", _beam_outs),
         grad=NON_DIFFERENTIABLE, api="tf.nn.ctc_beam_search_decoder", num_outputs=-1,
         args=("inputs", "sequence_length"), samples=_beam_samples)


@tf_export("nn.ctc_beam_search_decoder")
def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1):
    """Beam search decoding of logits `inputs` [max_time, batch_size, num_classes], blank num_classes - 1
    (tf.nn.ctc_beam_search_decoder).

    Returns `(decoded, log_probabilities)`: a list of `top_paths` SparseTensors (int64 classes,
    dense shape [batch_size, max_decoded_length[j]]) and the [batch_size, top_paths] beam
    log-probabilities.
    """
    top_paths = int(top_paths)
    outs = bind("CTCBeamSearchDecoder", [_t(inputs), _t(sequence_length, dtype=dtypes.int32)],
                {"beam_width": int(beam_width), "top_paths": top_paths, "merge_repeated": False})
    k = top_paths
    return [_sparse_outputs(outs[i], outs[k + i], outs[2 * k + i]) for i in range(k)], outs[3 * k]


# ================================================================ label helpers
@tf_export("nn.collapse_repeated")
def collapse_repeated(labels, seq_length, name=None):
    """Merges repeated labels into single labels (tf.nn.collapse_repeated).

    Returns `(collapsed_labels, new_seq_length)`: labels [batch, new_max_length] with repeats
    merged and zero padding, and the new lengths (in `seq_length`'s dtype).
    """
    labels = _t(labels)
    seq_length = _t(seq_length)
    first = array_ops.ones_like(labels[:, :1], dtype=dtypes.bool)
    label_mask = array_ops.concat([first, math_ops.not_equal(labels[:, 1:], labels[:, :-1])], 1)
    maxlen = array_ops.shape(labels)[1]
    label_mask = math_ops.logical_and(label_mask, array_ops.sequence_mask(seq_length, maxlen=maxlen))
    new_len = math_ops.reduce_sum(math_ops.cast(label_mask, dtypes.int32), axis=1)
    new_max = math_ops.reduce_max(new_len)
    idx_mask = array_ops.sequence_mask(new_len, maxlen=new_max)
    flat_idx = array_ops.reshape(idx_mask, [-1])
    idx = array_ops.boolean_mask(array_ops.range(array_ops.size(flat_idx)), flat_idx)
    flat = array_ops.scatter_nd(array_ops.expand_dims(idx, 1),
                                array_ops.boolean_mask(array_ops.reshape(labels, [-1]),
                                                       array_ops.reshape(label_mask, [-1])),
                                array_ops.shape(flat_idx))
    out = array_ops.reshape(flat, array_ops.stack([array_ops.shape(labels)[0], new_max]))
    return out, math_ops.cast(new_len, seq_length.dtype)


@tf_export("nn.ctc_unique_labels")
def ctc_unique_labels(labels, name=None):
    """Unique labels of each row (in order of first appearance, padded with 0) and the index of each
    label in them, for `tf.nn.ctc_loss(unique=...)` (tf.nn.ctc_unique_labels).

    Returns `(unique_labels int64 [batch, max_length], indices int32 [batch, max_length])`.
    """
    labels = _t(labels)
    eq = math_ops.equal(array_ops.expand_dims(labels, 2), array_ops.expand_dims(labels, 1))  # [B, L, L]
    first = math_ops.argmax(math_ops.cast(eq, dtypes.int32), axis=2, output_type=dtypes.int32)  # first equal j
    n = array_ops.shape(labels)[1]
    is_first = math_ops.equal(first, array_ops.range(n))
    pos = math_ops.cumsum(math_ops.cast(is_first, dtypes.int32), axis=1) - 1
    idx = array_ops.gather(pos, first, batch_dims=1)
    onehot = array_ops.one_hot(array_ops.where(is_first, pos, array_ops.fill(array_ops.shape(pos), -1)), n,
                               dtype=dtypes.int64)  # [B, L(i), L(k)]
    y = math_ops.reduce_sum(onehot * array_ops.expand_dims(math_ops.cast(labels, dtypes.int64), 2), axis=1)
    return [y, idx]
