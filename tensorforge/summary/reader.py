"""Reading event files: tf.compat.v1.train.summary_iterator."""
from __future__ import annotations

from typing import Iterator

from ..io.gfile import os_error, path_str
from ..io.tfrecord import iter_tfrecords

__all__ = ["summary_iterator"]


def summary_iterator(path) -> Iterator:
    """Yields the `Event` protos of an event file, in order (tf.compat.v1.train.summary_iterator).

    Example:

    >>> for event in tf.compat.v1.train.summary_iterator(path):
    ...     for value in event.summary.value:
    ...         print(event.step, value.tag, tf.make_ndarray(value.tensor))

    Args:
      path: the path of an event file (``events.out.tfevents.*``).

    Returns:
      An iterator of `tensorforge.protos.event_pb2.Event` messages (TF's `tf.compat.v1.Event`).

    Raises:
      NotFoundError: if the file does not exist.
      DataLossError: for a damaged record (after the good records before it).
    """
    path = path_str(path)
    try:
        open(path, "rb").close()  # a missing file fails here, as TF's iterator does, not at the first next()
    except OSError as e:
        raise os_error(e, path) from None
    return _events(path)


def _events(path: str) -> Iterator:
    from ..protos import event_pb2
    parse = event_pb2.Event.FromString
    for record in iter_tfrecords(path):
        yield parse(record)
