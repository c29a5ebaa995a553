"""Combining datasets: concatenate, sample_from_datasets, choose_from_datasets."""
from __future__ import annotations

import numpy as np

from ..framework import dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor, TensorSpec
from . import structure
from .dataset import INFINITE, UNKNOWN, Dataset, unseeded_rng


class Concatenate(Dataset):
    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError("concatenate expects a tf.data.Dataset, got %r" % (second,))
        try:
            self._spec = structure.most_specific(first.element_spec, second.element_spec)
        except (TypeError, ValueError) as e:
            raise TypeError("Incompatible dataset elements:\n  %r vs.   %r (%s)"
                            % (first.element_spec, second.element_spec, e)) from None
        self._inputs = (first, second)

    def _cardinality(self):
        a, b = (d._cardinality() for d in self._inputs)
        if INFINITE in (a, b):
            return INFINITE
        if UNKNOWN in (a, b):
            return UNKNOWN
        return a + b

    def _elements(self):
        for d in self._inputs:
            yield from d._elements()


def _check_compatible(datasets):
    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    spec = datasets[0].element_spec
    for d in datasets[1:]:
        spec = structure.most_specific(spec, d.element_spec)
    return spec


class ChooseFromDatasets(Dataset):
    def __init__(self, datasets, choice_dataset, stop_on_empty_dataset):
        datasets = list(datasets)
        self._spec = _check_compatible(datasets)
        cs = choice_dataset.element_spec
        if not (isinstance(cs, TensorSpec) and cs.dtype == dtypes.int64 and cs.shape.rank in (0, None)):
            raise TypeError("Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar of `tf.int64` "
                            "dtype, but got %r." % (cs,))
        self._datasets = datasets
        self._choice = choice_dataset
        self._inputs = tuple(datasets) + (choice_dataset,)
        self._stop = stop_on_empty_dataset

    def _elements(self):
        its = [d._elements() for d in self._datasets]
        done = [False] * len(its)
        for (k,) in self._choice._elements():
            k = int(k)
            if not 0 <= k < len(its):
                raise InvalidArgumentError(None, None, "`selector_input` contained %d, which is outside the range "
                                           "[0, %d)." % (k, len(its)))
            if done[k]:
                continue
            c = next(its[k], None)
            if c is None:
                done[k] = True
                if self._stop:
                    return
                continue
            yield c


class SampleFromDatasets(Dataset):
    def __init__(self, datasets, weights, seed, stop_on_empty_dataset):
        datasets = list(datasets)
        self._spec = _check_compatible(datasets)
        n = len(datasets)
        if weights is None:
            w = np.full(n, 1.0 / n)
        else:
            w = np.asarray(weights._value if isinstance(weights, Tensor) else weights, np.float64)
            if w.shape != (n,):
                raise ValueError("Invalid `weights`. The shape of `weights` should be compatible with `[len(datasets)]` "
                                 "but is %s." % (w.shape,))
        self._w = w / w.sum()
        self._datasets = datasets
        self._inputs = tuple(datasets)
        self._stop = stop_on_empty_dataset
        from ..ops.random_ops import get_seed
        s1, s2 = get_seed(seed)
        self._seed = None if s1 is None and s2 is None else [s1 or 0, s2 or 0]
        self._epoch = 0

    def _elements(self):
        rng = unseeded_rng() if self._seed is None else np.random.default_rng(self._seed + [self._epoch])
        self._epoch += 1
        its = [d._elements() for d in self._datasets]
        w = self._w.copy()
        while w.sum() > 0:
            k = int(rng.choice(len(its), p=w / w.sum()))
            c = next(its[k], None)
            if c is None:
                if self._stop:
                    return
                w[k] = 0.0
                continue
            yield c
