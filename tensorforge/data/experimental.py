"""tf.data.experimental: the CSV readers, cardinality constants and helpers TF keeps here."""
from __future__ import annotations

from ..framework import dtypes
from .dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset
from .options import AutoShardPolicy, AutotuneOptions, DistributeOptions, ExternalStatePolicy, OptimizationOptions, \
    ThreadingOptions
from .extras import (Reducer, at, copy_to_device, dense_to_ragged_batch, dense_to_sparse_batch,  # noqa: F401
                     get_single_element, group_by_reducer, make_batched_features_dataset, parallel_interleave,
                     prefetch_to_device)
from .readers import CsvDataset, make_csv_dataset

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN


def cardinality(dataset: Dataset):
    """The cardinality of `dataset` (tf.data.experimental.cardinality)."""
    return dataset.cardinality()


def assert_cardinality(expected_cardinality):
    """A transformation asserting the dataset has `expected_cardinality` elements."""
    from .transforms import AssertCardinality
    return lambda ds: AssertCardinality(ds, expected_cardinality)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    return Dataset.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    return Dataset.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def enumerate_dataset(start=0):
    return lambda ds: ds.enumerate(start)


def ignore_errors(log_warning=False):
    """A transformation dropping elements whose production raised an error."""
    from .transforms import IgnoreErrors
    return lambda ds: IgnoreErrors(ds, log_warning)


def Counter(start=0, step=1, dtype=dtypes.int64):  # noqa: N802 - TF's name
    """tf.data.experimental.Counter: Dataset.counter."""
    return Dataset.counter(start, step, dtype)


def save(dataset, path, compression=None, shard_func=None, checkpoint_args=None):
    """tf.data.experimental.save: Dataset.save."""
    dataset.save(path, compression, shard_func, checkpoint_args)


def load(path, element_spec=None, compression=None, reader_func=None):
    """tf.data.experimental.load: Dataset.load."""
    return Dataset.load(path, element_spec, compression, reader_func)


def rejection_resample(class_func, target_dist, initial_dist=None, seed=None):
    return lambda ds: ds.rejection_resample(class_func, target_dist, initial_dist, seed)


def snapshot(path, compression="AUTO", reader_func=None, shard_func=None):
    return lambda ds: ds.snapshot(path, compression, reader_func, shard_func)


def unique():
    return lambda ds: ds.unique()


def take_while(predicate):
    return lambda ds: ds.take_while(predicate)


def scan(initial_state, scan_func):
    return lambda ds: ds.scan(initial_state, scan_func)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    return lambda ds: ds.group_by_window(key_func, reduce_func, window_size, window_size_func)


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes=None,
                              padding_values=None, pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    return lambda ds: ds.bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes,
                                                   padded_shapes, padding_values, pad_to_bucket_boundary,
                                                   no_padding, drop_remainder)


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AutoShardPolicy", "AutotuneOptions",
           "DistributeOptions", "ExternalStatePolicy", "OptimizationOptions", "ThreadingOptions", "CsvDataset",
           "make_csv_dataset", "cardinality", "assert_cardinality", "sample_from_datasets", "choose_from_datasets",
           "enumerate_dataset", "ignore_errors", "Counter", "save", "load", "rejection_resample", "snapshot", "unique",
           "take_while", "scan", "group_by_window", "bucket_by_sequence_length", "Reducer", "at", "copy_to_device",
           "dense_to_ragged_batch", "dense_to_sparse_batch", "get_single_element", "group_by_reducer",
           "make_batched_features_dataset", "parallel_interleave", "prefetch_to_device"]
from .experimental_extra import *  # noqa: F401,F403,E402 - Optional, from_list, map_and_batch, TFRecordWriter, ...
