"""Candidate sampling: tf.random.{uniform,log_uniform,all}_candidate_sampler,
tf.nn.compute_accidental_hits, tf.nn.sampled_softmax_loss and tf.nn.nce_loss.

The samplers draw as TF's do (with or without replacement over [0, range_max)); the expected
counts follow TF's formulas exactly: num_sampled * P(c) with replacement, and
-expm1(tries * log1p(-P(c))) for unique samples, where `tries` is the number of draws it took.
The sampled values come from our random streams, so they differ from TF's for the same seed.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._api import tf_export
from ..framework import dtypes
from ..framework.convert import convert_to_tensor
from ..framework.errors import InvalidArgumentError
from . import array_ops, linalg_ops, math_ops, nn_ops
from .random_ops import _seed_attrs, _stateful_gen
from .registry import NON_DIFFERENTIABLE, bind, register


class _Sampled(NamedTuple):
    sampled_candidates: object
    true_expected_count: object
    sampled_expected_count: object


def _probabilities(kind: str, classes: np.ndarray, range_max: int) -> np.ndarray:
    if kind == "uniform":
        return np.full(classes.shape, 1.0 / range_max)
    c = classes.astype(np.float64)
    return (np.log(c + 2.0) - np.log(c + 1.0)) / np.log(range_max + 1.0)


def _draw(gen, kind: str, n: int, range_max: int) -> np.ndarray:
    if kind == "uniform":
        return gen.integers(0, range_max, n, dtype=np.int64)
    # log-uniform (Zipfian) by inversion: floor(exp(u * log(range_max + 1))) - 1
    u = gen.random(n)
    return np.minimum((np.exp(u * np.log(range_max + 1.0)) - 1.0).astype(np.int64), range_max - 1)


def _sampler_kernel(kind):
    def kernel(xp, true_classes, num_true, num_sampled, unique, range_max, seed, seed2):
        tc = np.asarray(true_classes, np.int64)
        if tc.ndim != 2 or tc.shape[1] != num_true:
            raise InvalidArgumentError(None, None, "true_classes must be a matrix [batch, num_true=%d], got %s"
                                       % (num_true, list(tc.shape)))
        if unique and num_sampled > range_max:
            raise InvalidArgumentError(None, None, "Sampler's range is too small (range_max=%d < num_sampled=%d)."
                                       % (range_max, num_sampled))
        gen = _stateful_gen("%sCandidateSampler" % kind, dtypes.int64, seed, seed2)
        if unique:
            picked, seen, tries = [], set(), 0
            while len(picked) < num_sampled:  # draws in batches until enough distinct classes
                for c in _draw(gen, kind, max(2 * (num_sampled - len(picked)), 8), range_max).tolist():
                    tries += 1
                    if c not in seen:
                        seen.add(c)
                        picked.append(c)
                        if len(picked) == num_sampled:
                            break
            sampled = np.array(picked, np.int64)

            def expected(c):
                return -np.expm1(tries * np.log1p(-_probabilities(kind, c, range_max)))
        else:
            sampled = _draw(gen, kind, num_sampled, range_max)

            def expected(c):
                return num_sampled * _probabilities(kind, c, range_max)
        return sampled, expected(tc).astype(np.float32), expected(sampled).astype(np.float32)
    return kernel


def _sampler_infer(specs, attrs):
    tc = specs[0].shape.as_list() if specs[0].shape.rank is not None else [None, None]
    n = attrs["num_sampled"]
    return [((n,), dtypes.int64), (tuple(tc), dtypes.float32), ((n,), dtypes.float32)]


for _kind, _op in (("uniform", "UniformCandidateSampler"), ("log_uniform", "LogUniformCandidateSampler")):
    register(_op, kernel=_sampler_kernel(_kind), infer=_sampler_infer, grad=NON_DIFFERENTIABLE,
             api="tf.random.%s_candidate_sampler" % _kind, num_outputs=-1, stateful=True, args=("true_classes",),
             samples=lambda: [([np.array([[1], [5]], np.int64)],
                               dict(num_true=1, num_sampled=4, unique=True, range_max=10, seed=3, seed2=4)),
                              ([np.array([[0, 2]], np.int64)],
                               dict(num_true=2, num_sampled=3, unique=False, range_max=6, seed=3, seed2=4))])


def _sample(op, true_classes, num_true, num_sampled, unique, range_max, seed):
    tc = convert_to_tensor(true_classes, dtype=dtypes.int64)
    out = bind(op, [tc], dict(num_true=int(num_true), num_sampled=int(num_sampled), unique=bool(unique),
                             range_max=int(range_max), **_seed_attrs(seed)))
    return _Sampled(*out)


@tf_export("random.uniform_candidate_sampler", "nn.uniform_candidate_sampler")
def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Samples `num_sampled` classes uniformly from [0, range_max) (tf.random.uniform_candidate_sampler).

    Returns:
      (sampled_candidates [num_sampled] int64, true_expected_count [batch, num_true] float32,
      sampled_expected_count [num_sampled] float32).
    """
    return _sample("UniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max, seed)


@tf_export("random.log_uniform_candidate_sampler", "nn.log_uniform_candidate_sampler")
def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Samples classes with P(c) = log((c + 2) / (c + 1)) / log(range_max + 1), a Zipfian law
    for vocabularies sorted by decreasing frequency (tf.random.log_uniform_candidate_sampler)."""
    return _sample("LogUniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max, seed)


@tf_export("random.all_candidate_sampler", "nn.all_candidate_sampler")
def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """The classes 0..num_sampled-1, each with expected count 1 (tf.random.all_candidate_sampler)."""
    tc = convert_to_tensor(true_classes, dtype=dtypes.int64)
    values = getattr(tc, "_value", None)
    if values is not None and (np.asarray(values) >= num_sampled).any():
        raise InvalidArgumentError(None, None, "`true_candidate` out of range [0, %d), received %d"
                                   % (num_sampled, int(np.asarray(values).max())))
    return _Sampled(array_ops.range(num_sampled, dtype=dtypes.int64), array_ops.ones_like(tc, dtype=dtypes.float32),
                    array_ops.ones([num_sampled], dtypes.float32))


def _accidental_hits_kernel(xp, true_classes, sampled, num_true):
    tc = np.asarray(true_classes, np.int64)
    hits = tc[:, :, None] == np.asarray(sampled, np.int64)[None, None, :]
    rows, _, cols = np.nonzero(hits)
    order = np.lexsort((cols, rows))
    return (rows[order].astype(np.int32), cols[order].astype(np.int64),
            np.full(len(rows), -np.finfo(np.float32).max, np.float32))


register("ComputeAccidentalHits", kernel=_accidental_hits_kernel,
         infer=lambda specs, attrs: [((None,), dtypes.int32), ((None,), dtypes.int64), ((None,), dtypes.float32)],
         grad=NON_DIFFERENTIABLE, api="tf.nn.compute_accidental_hits", num_outputs=-1,
         args=("true_classes", "sampled_candidates"),
         samples=lambda: [([np.array([[1], [5]], np.int64), np.array([1, 2, 5, 1], np.int64)], dict(num_true=1))])


@tf_export("nn.compute_accidental_hits")
def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """Where a sampled class equals one of a row's true classes (tf.nn.compute_accidental_hits).

    Returns:
      (indices: int32 rows, ids: int64 positions in sampled_candidates, weights: -FLT_MAX each).
    """
    return tuple(bind("ComputeAccidentalHits", [convert_to_tensor(true_classes, dtype=dtypes.int64),
                                                convert_to_tensor(sampled_candidates, dtype=dtypes.int64)],
                      dict(num_true=int(num_true))))


def _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
                    subtract_log_q, remove_accidental_hits, seed):
    """TF's _compute_sampled_logits: logits [batch, num_true + num_sampled] and their labels."""
    if isinstance(weights, (list, tuple)):
        weights = weights[0] if len(weights) == 1 else array_ops.concat(list(weights), 0)
    labels = math_ops.cast(convert_to_tensor(labels), dtypes.int64)
    inputs = convert_to_tensor(inputs)
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed)
    sampled, true_expected, sampled_expected = (convert_to_tensor(v) for v in sampled_values)
    flat_labels = array_ops.reshape(labels, [-1])
    all_ids = array_ops.concat([flat_labels, sampled], 0)
    all_w = array_ops.gather(weights, all_ids)
    all_b = array_ops.gather(biases, all_ids)
    n_true = array_ops.size(flat_labels)
    true_w = array_ops.reshape(all_w[:n_true], array_ops.concat(
        [[-1, num_true], array_ops.shape(all_w)[1:]], 0))
    sampled_w = all_w[n_true:]
    true_logits = math_ops.reduce_sum(array_ops.expand_dims(inputs, 1) * true_w, axis=-1) + array_ops.reshape(
        all_b[:n_true], [-1, num_true])
    sampled_logits = linalg_ops.matmul(inputs, sampled_w, transpose_b=True) + all_b[n_true:]
    if remove_accidental_hits:
        rows, positions, hit_weights = compute_accidental_hits(labels, sampled, num_true)
        idx = array_ops.stack([math_ops.cast(rows, dtypes.int64), positions], axis=1)
        sampled_logits = array_ops.tensor_scatter_nd_add(sampled_logits, idx, hit_weights)
    if subtract_log_q:
        true_logits -= math_ops.log(true_expected)
        sampled_logits -= math_ops.log(sampled_expected)
    logits = array_ops.concat([true_logits, sampled_logits], 1)
    out_labels = array_ops.concat([array_ops.ones_like(true_logits) / num_true, array_ops.zeros_like(sampled_logits)],
                                  1)
    return logits, out_labels


@tf_export("nn.sampled_softmax_loss")
def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
                         remove_accidental_hits=True, seed=None, name="sampled_softmax_loss"):
    """Softmax cross-entropy over the true classes and `num_sampled` sampled ones, per example
    (tf.nn.sampled_softmax_loss); classes are log-uniformly sampled unless `sampled_values` is given."""
    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                      sampled_values, True, remove_accidental_hits, seed)
    return nn_ops.softmax_cross_entropy_with_logits(labels=array_ops.stop_gradient(targets), logits=logits)


@tf_export("nn.nce_loss")
def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1, sampled_values=None,
             remove_accidental_hits=False, name="nce_loss"):
    """Noise-contrastive estimation loss per example (tf.nn.nce_loss): sigmoid cross-entropy of the
    true classes against `num_sampled` sampled ones."""
    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                      sampled_values, True, remove_accidental_hits, None)
    xent = nn_ops.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits)
    return math_ops.reduce_sum(xent, axis=1)


# ---------------------------------------------------------------- unigram samplers (fixed and learned)
def _unigram_weights(range_max, vocab_file, distortion, num_reserved_ids, num_shards, shard, unigrams):
    """TF's FixedUnigramSampler weights: zeros for the reserved ids, then the unigram counts
    (or a vocab file's last CSV field) to the power `distortion`, kept for ids in this shard."""
    if vocab_file:
        from ..io import gfile
        with gfile.GFile(vocab_file, "r") as f:
            counts = [float(line.rstrip("\n").split(",")[-1]) for line in f if line.strip()]
    elif unigrams:
        counts = list(unigrams)
    else:
        raise InvalidArgumentError(None, None, "Must provide either vocab_file or unigrams.")
    reserved = np.arange(num_reserved_ids)
    weights = [np.zeros(int((reserved % num_shards == shard).sum()))]
    # TF numbers the unigrams from the count of reserved ids kept so far (its own quirk)
    ids = np.arange(len(counts)) + weights[0].size
    keep = ids % num_shards == shard
    weights.append(np.power(np.asarray(counts, np.float64)[keep], distortion))
    w = np.concatenate(weights)
    if w.size != range_max:
        raise InvalidArgumentError(None, None, "range is %d must be equal to weights size  %d" % (range_max, w.size))
    return w


def _weighted_sample(gen, p, num_sampled, unique):
    """(sampled classes, expected-count function) for class probabilities `p`."""
    n = p.size
    if not unique:
        sampled = gen.choice(n, num_sampled, p=p).astype(np.int64)
        return sampled, lambda c: num_sampled * p[c]
    if num_sampled > np.count_nonzero(p):
        raise InvalidArgumentError(None, None, "Sampler's range is too small (%d classes with a nonzero "
                                   "probability < num_sampled=%d)." % (np.count_nonzero(p), num_sampled))
    draws = np.empty(0, np.int64)
    while True:  # draw in batches until enough distinct classes, then cut at the num_sampled-th one
        draws = np.concatenate([draws, gen.choice(n, max(2 * num_sampled, 16), p=p)])
        _, first = np.unique(draws, return_index=True)
        if first.size >= num_sampled:
            first = np.sort(first)[:num_sampled]
            tries = int(first[-1]) + 1
            return draws[first], lambda c, _n=tries: -np.expm1(_n * np.log1p(-p[c]))


def _check_true_classes(tc, num_true):
    if tc.ndim != 2 or tc.shape[1] != num_true:
        raise InvalidArgumentError(None, None, "true_classes must be a matrix [batch, num_true=%d], got %s"
                                   % (num_true, list(tc.shape)))


def _fixed_unigram_kernel(xp, true_classes, num_true, num_sampled, unique, range_max, vocab_file, distortion,
                          num_reserved_ids, num_shards, shard, unigrams, seed, seed2):
    tc = np.asarray(true_classes, np.int64)
    _check_true_classes(tc, num_true)
    w = _unigram_weights(range_max, vocab_file, distortion, num_reserved_ids, num_shards, shard, unigrams)
    gen = _stateful_gen("FixedUnigramCandidateSampler", dtypes.int64, seed, seed2)
    sampled, expected = _weighted_sample(gen, w / w.sum(), num_sampled, unique)
    return sampled, expected(tc).astype(np.float32), expected(sampled).astype(np.float32)


# The learned sampler's counts live with the kernel, as in TF: one state per op configuration.
_learned_counts: dict = {}


def _learned_unigram_kernel(xp, true_classes, num_true, num_sampled, unique, range_max, seed, seed2):
    tc = np.asarray(true_classes, np.int64)
    _check_true_classes(tc, num_true)
    key = (num_true, num_sampled, unique, range_max, seed, seed2)
    counts = _learned_counts.get(key)
    if counts is None:
        counts = _learned_counts[key] = np.ones(range_max)
    gen = _stateful_gen("LearnedUnigramCandidateSampler", dtypes.int64, seed, seed2)
    sampled, expected = _weighted_sample(gen, counts / counts.sum(), num_sampled, unique)
    out = sampled, expected(tc).astype(np.float32), expected(sampled).astype(np.float32)
    seen = tc[(tc >= 0) & (tc < range_max)]
    counts += np.bincount(seen, minlength=range_max)  # TF's Update(true_classes) after sampling
    return out


register("FixedUnigramCandidateSampler", kernel=_fixed_unigram_kernel, infer=_sampler_infer, grad=NON_DIFFERENTIABLE,
         api="tf.random.fixed_unigram_candidate_sampler", num_outputs=-1, stateful=True, args=("true_classes",),
         samples=lambda: [([np.array([[1], [2]], np.int64)],
                           dict(num_true=1, num_sampled=4, unique=True, range_max=5, vocab_file="", distortion=1.0,
                                num_reserved_ids=0, num_shards=1, shard=0, unigrams=(1.0, 2.0, 3.0, 4.0, 5.0),
                                seed=3, seed2=4)),
                          ([np.array([[0, 2]], np.int64)],
                           dict(num_true=2, num_sampled=3, unique=False, range_max=3, vocab_file="", distortion=0.5,
                                num_reserved_ids=2, num_shards=2, shard=0, unigrams=(1.0, 2.0, 3.0, 4.0, 5.0),
                                seed=3, seed2=4))])
register("LearnedUnigramCandidateSampler", kernel=_learned_unigram_kernel, infer=_sampler_infer,
         grad=NON_DIFFERENTIABLE, api="tf.random.learned_unigram_candidate_sampler", num_outputs=-1, stateful=True,
         args=("true_classes",),
         samples=lambda: [([np.array([[1], [5]], np.int64)],
                           dict(num_true=1, num_sampled=4, unique=True, range_max=10, seed=3, seed2=4)),
                          ([np.array([[0, 2]], np.int64)],
                           dict(num_true=2, num_sampled=3, unique=False, range_max=6, seed=3, seed2=4))])


@tf_export("random.fixed_unigram_candidate_sampler", "nn.fixed_unigram_candidate_sampler")
def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, vocab_file="",
                                    distortion=1.0, num_reserved_ids=0, num_shards=1, shard=0, unigrams=(),
                                    seed=None, name=None) -> _Sampled:
    """Samples classes with probabilities proportional to given unigram counts (or a vocab file's
    last CSV column) raised to `distortion` (tf.random.fixed_unigram_candidate_sampler)."""
    tc = convert_to_tensor(true_classes, dtype=dtypes.int64)
    attrs = dict(num_true=int(num_true), num_sampled=int(num_sampled), unique=bool(unique), range_max=int(range_max),
                 vocab_file=str(vocab_file), distortion=float(distortion), num_reserved_ids=int(num_reserved_ids),
                 num_shards=int(num_shards), shard=int(shard), unigrams=tuple(float(u) for u in unigrams),
                 **_seed_attrs(seed))
    return _Sampled(*bind("FixedUnigramCandidateSampler", [tc], attrs))


@tf_export("random.learned_unigram_candidate_sampler", "nn.learned_unigram_candidate_sampler")
def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                                      name=None) -> _Sampled:
    """Samples classes with probabilities proportional to how often each appeared in `true_classes`
    so far (every class starts at a count of 1) (tf.random.learned_unigram_candidate_sampler)."""
    return _sample("LearnedUnigramCandidateSampler", true_classes, num_true, num_sampled, unique, range_max, seed)
