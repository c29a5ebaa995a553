"""tf.data.experimental: the CSV readers, cardinality constants and helpers TF keeps here."""
from __future__ import annotations

from .dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset
from .options import AutoShardPolicy, AutotuneOptions, DistributeOptions, ExternalStatePolicy, OptimizationOptions, \
    ThreadingOptions
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
    return lambda ds: IgnoreErrors(ds)


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "AutoShardPolicy", "AutotuneOptions",
           "DistributeOptions", "ExternalStatePolicy", "OptimizationOptions", "ThreadingOptions", "CsvDataset",
           "make_csv_dataset", "cardinality", "assert_cardinality", "sample_from_datasets", "choose_from_datasets",
           "enumerate_dataset", "ignore_errors"]
