"""tf.data: input pipelines (`tf.data.Dataset`), with real background parallelism.

Loaded on first use of `tf.data`. See dataset.py for how stages pass elements and chunks.
"""
from . import experimental, graph_iteration  # noqa: F401 - graph_iteration registers the iterator ops
from .dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset, OwnedIterator as Iterator  # noqa: F401
from .options import Options, ThreadingOptions  # noqa: F401
from .readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset  # noqa: F401
from .structure import DatasetSpec  # noqa: F401

INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN
from .experimental_extra import IteratorSpec, NumpyIterator  # noqa: F401,E402
