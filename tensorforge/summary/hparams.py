"""The TensorBoard HParams dashboard's summaries (what `tensorboard.plugins.hparams.api` offers for TF2).

Example:

>>> from tensorforge.summary import hparams as hp
>>> HP_UNITS = hp.HParam("units", hp.Discrete([16, 32]))
>>> with tf.summary.create_file_writer("logs").as_default():
...     hp.hparams_config(hparams=[HP_UNITS], metrics=[hp.Metric("accuracy")])
>>> with tf.summary.create_file_writer("logs/run-0").as_default():
...     hp.hparams({HP_UNITS: 16})
...     tf.summary.scalar("accuracy", 0.9, step=1)

Each summary is a `Summary.Value` with tag "_hparams_/experiment", "_hparams_/session_start_info"
or "_hparams_/session_end_info", a null float tensor of shape [0], and metadata with plugin
name "hparams" whose content is a serialized `HParamsPluginData` (version 0), written at step 0,
as tensorboard's summary_v2 writes them.

The messages (package `tensorboard.hparams`, TensorBoard's field numbers) live in a private
descriptor pool: the tensorboard package registers the same names in the default pool, and a
second registration would fail there. `tensorboard.plugins.hparams.api` itself needs the real
TensorFlow (it imports it); with tensorforge, use this module, or write its `hparams_pb(...)`
protos with `tf.summary.experimental.write_raw_pb(pb.SerializeToString(), step=0)`.
"""
from __future__ import annotations

import abc
import ast
import hashlib
import json
import os
import random
import time

import numpy as np

from .ops import summary_scope, write_raw_pb
from .writer import SummaryWriter, create_file_writer

# KerasCallback is public too; it is made on first access (see __getattr__ below).
__all__ = ["HParam", "Domain", "IntInterval", "RealInterval", "Discrete", "Metric", "hparams", "hparams_pb",
           "hparams_config", "hparams_config_pb"]

PLUGIN_NAME = "hparams"
PLUGIN_DATA_VERSION = 0
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"
# TensorProto{dtype: DT_FLOAT, tensor_shape: {dim: [{size: 0}]}}: the value's placeholder tensor.
_NULL_TENSOR = b"\x08\x01\x12\x02\x12\x00"


# ---------------------------------------------------------------- messages (private pool)
def _serialized_file(module: str) -> bytes:
    """The serialized FileDescriptorProto inside a generated *_pb2.py, read without importing it."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "protos", module + ".py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "AddSerializedFile":
            return ast.literal_eval(node.args[0])
    raise ImportError("no serialized descriptor in %s" % path)


def _load_messages() -> dict:
    from google.protobuf import descriptor_pool, message_factory, struct_pb2
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(struct_pb2.DESCRIPTOR.serialized_pb)
    for module in ("hparams_api_pb2", "hparams_plugin_data_pb2"):
        pool.AddSerializedFile(_serialized_file(module))
    names = ("Experiment", "HParamInfo", "Interval", "MetricName", "MetricInfo", "HParamsPluginData",
             "SessionStartInfo", "SessionEndInfo")
    out = {n: message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorboard.hparams." + n)) for n in names}
    for enum in ("DataType", "DatasetType", "Status"):
        out[enum] = {v.name: v.number for v in pool.FindEnumTypeByName("tensorboard.hparams." + enum).values}
    return out


_pb = _load_messages()
Experiment = _pb["Experiment"]
HParamInfo = _pb["HParamInfo"]
Interval = _pb["Interval"]
MetricName = _pb["MetricName"]
MetricInfo = _pb["MetricInfo"]
HParamsPluginData = _pb["HParamsPluginData"]
SessionStartInfo = _pb["SessionStartInfo"]
SessionEndInfo = _pb["SessionEndInfo"]
DATA_TYPE_STRING = _pb["DataType"]["DATA_TYPE_STRING"]
DATA_TYPE_BOOL = _pb["DataType"]["DATA_TYPE_BOOL"]
DATA_TYPE_FLOAT64 = _pb["DataType"]["DATA_TYPE_FLOAT64"]
STATUS_SUCCESS = _pb["Status"]["STATUS_SUCCESS"]
STATUS_FAILURE = _pb["Status"]["STATUS_FAILURE"]


def parse_plugin_data(content: bytes):
    """The `HParamsPluginData` in a value's `metadata.plugin_data.content`."""
    return HParamsPluginData.FromString(content)


# ---------------------------------------------------------------- hyperparameters and domains
class HParam:
    """A hyperparameter in an experiment: a name and an optional domain of values.

    Args:
      name: a string ID for this hyperparameter, unique within an experiment.
      domain: an optional `Domain` describing the values it can take.
      display_name: an optional human-readable display name.
      description: an optional Markdown description.

    Raises:
      ValueError: if `domain` is not a `Domain`.
    """

    def __init__(self, name, domain=None, display_name=None, description=None):
        self._name = name
        self._domain = domain
        self._display_name = display_name
        self._description = description
        if not isinstance(self._domain, (Domain, type(None))):
            raise ValueError("not a domain: %r" % (self._domain,))

    def __str__(self):
        return "<HParam %r: %s>" % (self._name, self._domain)

    def __repr__(self):
        fields = [("name", self._name), ("domain", self._domain), ("display_name", self._display_name),
                  ("description", self._description)]
        return "HParam(%s)" % ", ".join("%s=%r" % kv for kv in fields)

    name = property(lambda self: self._name)
    domain = property(lambda self: self._domain)
    display_name = property(lambda self: self._display_name)
    description = property(lambda self: self._description)


class Domain(metaclass=abc.ABCMeta):
    """The domain of a hyperparameter: values of one of the types float, int, str and bool."""

    @property
    @abc.abstractmethod
    def dtype(self):
        """Data type of this domain: `float`, `int`, `str`, or `bool`."""

    @abc.abstractmethod
    def sample_uniform(self, rng=random):
        """Samples a value from this domain uniformly at random."""

    @abc.abstractmethod
    def update_hparam_info(self, hparam_info) -> None:
        """Sets the `type` and the domain of an `HParamInfo` proto."""


class _Interval(Domain):
    _type = None

    def __init__(self, min_value=None, max_value=None):
        for arg, v in (("min_value", min_value), ("max_value", max_value)):
            if not isinstance(v, self._type):
                raise TypeError("%s must be a%s %s: %r" % (arg, "n" if self._type is int else "",
                                                           self._type.__name__, v))
        if min_value > max_value:
            raise ValueError("%r > %r" % (min_value, max_value))
        self._min_value = min_value
        self._max_value = max_value

    def __str__(self):
        return "[%s, %s]" % (self._min_value, self._max_value)

    def __repr__(self):
        return "%s(%r, %r)" % (type(self).__name__, self._min_value, self._max_value)

    @property
    def dtype(self):
        return self._type

    min_value = property(lambda self: self._min_value)
    max_value = property(lambda self: self._max_value)

    def update_hparam_info(self, hparam_info) -> None:
        hparam_info.type = DATA_TYPE_FLOAT64  # TensorBoard has no int type (its TODO #1998)
        hparam_info.domain_interval.min_value = self._min_value
        hparam_info.domain_interval.max_value = self._max_value


class IntInterval(_Interval):
    """A domain that takes on all integer values in a closed interval.

    Raises:
      TypeError: if `min_value` or `max_value` is not an `int`.
      ValueError: if `min_value > max_value`.
    """

    _type = int

    def sample_uniform(self, rng=random):
        return rng.randint(self._min_value, self._max_value)


class RealInterval(_Interval):
    """A domain that takes on all real values in a closed interval.

    Raises:
      TypeError: if `min_value` or `max_value` is not a `float`.
      ValueError: if `min_value > max_value`.
    """

    _type = float

    def sample_uniform(self, rng=random):
        return rng.uniform(self._min_value, self._max_value)


class Discrete(Domain):
    """A domain that takes on a fixed set of values of one type.

    Args:
      values: an iterable of the values in this domain.
      dtype: `int`, `float`, `bool` or `str`; inferred from the first value when None.

    Raises:
      ValueError: if `values` is empty and no `dtype` is given, or the dtype is unknown.
      TypeError: if a value is not an instance of `dtype`.
    """

    def __init__(self, values, dtype=None):
        self._values = list(values)
        if dtype is None:
            if not self._values:
                raise ValueError("Empty domain with no dtype specified")
            dtype = type(self._values[0])
        if dtype not in (int, float, bool, str):
            raise ValueError("Unknown dtype: %r" % (dtype,))
        self._dtype = dtype
        for value in self._values:
            if not isinstance(value, self._dtype):
                raise TypeError("dtype mismatch: not isinstance(%r, %s)" % (value, self._dtype.__name__))
        self._values.sort()

    def __str__(self):
        return "{%s}" % ", ".join(repr(x) for x in self._values)

    def __repr__(self):
        return "Discrete(%r)" % (self._values,)

    @property
    def dtype(self):
        return self._dtype

    @property
    def values(self):
        return list(self._values)

    def sample_uniform(self, rng=random):
        return rng.choice(self._values)

    def update_hparam_info(self, hparam_info) -> None:
        hparam_info.type = {int: DATA_TYPE_FLOAT64, float: DATA_TYPE_FLOAT64, bool: DATA_TYPE_BOOL,
                            str: DATA_TYPE_STRING}[self._dtype]
        hparam_info.ClearField("domain_discrete")
        hparam_info.domain_discrete.extend(self._values)


class Metric:
    """A metric in an experiment: the tag of a scalar summary written by each session.

    Args:
      tag: the tag of the scalar summary holding the metric.
      group: an optional subdirectory of the session's log directory where the metric's
        summaries are (for instance "train" or "validation").
      display_name: an optional human-readable display name.
      description: an optional Markdown description.
      dataset_type: `Metric.TRAINING`, `Metric.VALIDATION` or None.
    """

    TRAINING = _pb["DatasetType"]["DATASET_TRAINING"]
    VALIDATION = _pb["DatasetType"]["DATASET_VALIDATION"]

    def __init__(self, tag, group=None, display_name=None, description=None, dataset_type=None):
        self._tag = tag
        self._group = group
        self._display_name = display_name
        self._description = description
        self._dataset_type = dataset_type
        if self._dataset_type not in (None, Metric.TRAINING, Metric.VALIDATION):
            raise ValueError("invalid dataset type: %r" % (self._dataset_type,))

    def as_proto(self):
        """This metric as a `tensorboard.hparams.MetricInfo` message."""
        return MetricInfo(name=MetricName(group=self._group, tag=self._tag), display_name=self._display_name,
                          description=self._description, dataset_type=self._dataset_type)


# ---------------------------------------------------------------- summaries
def _summary_pb(tag: str, plugin_data):
    from ..protos import summary_pb2, tensor_pb2
    content = HParamsPluginData()
    content.CopyFrom(plugin_data)
    content.version = PLUGIN_DATA_VERSION
    metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name=PLUGIN_NAME, content=content.SerializeToString()))
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, metadata=metadata, tensor=tensor_pb2.TensorProto.FromString(_NULL_TENSOR))
    return summary


def _write_summary(name: str, pb):
    with summary_scope(name):
        return write_raw_pb(pb.SerializeToString(), step=0)


def _normalize_hparams(hparams) -> dict:
    result = {}
    for k, v in hparams.items():
        if isinstance(k, HParam):
            k = k.name
        if k in result:
            raise ValueError("multiple values specified for hparam %r" % (k,))
        result[k] = v.item() if isinstance(v, np.generic) else v
    return result


def _group_name(trial_id, hparams: dict) -> str:
    if trial_id is not None:
        if not isinstance(trial_id, str):
            raise TypeError("`trial_id` should be a `str`, but got: %r" % (trial_id,))
        return trial_id
    jparams = json.dumps(hparams, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(jparams.encode("utf-8")).hexdigest()


def hparams_pb(hparams, trial_id=None, start_time_secs=None):
    """The summary (a `Summary` proto) recording one trial's hyperparameter values.

    Args:
      hparams: a dict mapping `HParam` objects or their names to `bool`, `int`, `float` or `str`
        values (NumPy scalars too).
      trial_id: an optional `str` ID for this set of values; defaults to a hash of them.
      start_time_secs: the trial's start time in seconds since the epoch; defaults to now.

    Raises:
      ValueError: if two entries share a hyperparameter name.
      TypeError: for a value of another type.
    """
    if start_time_secs is None:
        start_time_secs = time.time()
    hparams = _normalize_hparams(hparams)
    info = SessionStartInfo(group_name=_group_name(trial_id, hparams), start_time_secs=start_time_secs)
    for name in sorted(hparams):
        value = hparams[name]
        if isinstance(value, bool):
            info.hparams[name].bool_value = value
        elif isinstance(value, (float, int)):
            info.hparams[name].number_value = value
        elif isinstance(value, str):
            info.hparams[name].string_value = value
        else:
            raise TypeError("hparams[%r] = %r, of unsupported type %r" % (name, value, type(value)))
    return _summary_pb(SESSION_START_INFO_TAG, HParamsPluginData(session_start_info=info))


def hparams(hparams, trial_id=None, start_time_secs=None):
    """Writes one trial's hyperparameter values to the default writer (at step 0).

    Args:
      hparams: a dict mapping `HParam` objects or their names to the values of this trial.
      trial_id: an optional `str` ID for this set of values; defaults to a hash of them.
      start_time_secs: the trial's start time in seconds since the epoch; defaults to now.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.
    """
    return _write_summary("hparams", hparams_pb(hparams, trial_id=trial_id, start_time_secs=start_time_secs))


def hparams_config_pb(hparams, metrics, time_created_secs=None):
    """The summary (a `Summary` proto) describing an experiment's hyperparameters and metrics.

    Args:
      hparams: a list of `HParam`.
      metrics: a list of `Metric`.
      time_created_secs: the experiment's creation time in seconds since the epoch; defaults to now.
    """
    infos = []
    for hp in hparams:
        info = HParamInfo(name=hp.name, description=hp.description, display_name=hp.display_name)
        if hp.domain is not None:
            hp.domain.update_hparam_info(info)
        infos.append(info)
    experiment = Experiment(hparam_infos=infos, metric_infos=[m.as_proto() for m in metrics],
                            time_created_secs=time_created_secs)
    return _summary_pb(EXPERIMENT_TAG, HParamsPluginData(experiment=experiment))


def hparams_config(hparams, metrics, time_created_secs=None):
    """Writes an experiment's configuration (its hyperparameters and metrics) to the default writer.

    Write it to the top-level log directory, once, before or after the trials.

    Args:
      hparams: a list of `HParam`.
      metrics: a list of `Metric`.
      time_created_secs: the experiment's creation time in seconds since the epoch; defaults to now.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.
    """
    return _write_summary("hparams_config", hparams_config_pb(hparams, metrics, time_created_secs))


def session_end_pb(status, end_time_secs=None):
    """The summary that ends a trial's session (`status`: STATUS_SUCCESS or STATUS_FAILURE)."""
    if end_time_secs is None:
        end_time_secs = time.time()
    return _summary_pb(SESSION_END_INFO_TAG, HParamsPluginData(
        session_end_info=SessionEndInfo(status=status, end_time_secs=end_time_secs)))


# ---------------------------------------------------------------- Keras
def _make_keras_callback():
    from ..keras.callbacks import Callback

    class KerasCallback(Callback):
        """Writes a trial's hyperparameters when `fit` starts and the session's end when it ends.

        Args:
          writer: a `SummaryWriter`, or a log directory for `tf.summary.create_file_writer`.
          hparams: a dict mapping `HParam` objects or their names to the values of this trial.
          trial_id: an optional `str` ID for this set of values; defaults to a hash of them.

        Raises:
          ValueError: if two entries in `hparams` share a hyperparameter name.
          TypeError: if `writer` is None.
        """

        def __init__(self, writer, hparams, trial_id=None):
            super().__init__()
            self._hparams = dict(hparams)
            self._trial_id = trial_id
            hparams_pb(self._hparams, trial_id=self._trial_id)  # fail fast on bad values
            if writer is None:
                raise TypeError("writer must be a `SummaryWriter` or `str`, not None")
            self._writer = create_file_writer(writer) if isinstance(writer, (str, os.PathLike)) else writer

        def _get_writer(self) -> SummaryWriter:
            if self._writer is None:
                raise RuntimeError("hparams Keras callback cannot be reused across training sessions")
            return self._writer

        def on_train_begin(self, logs=None):
            with self._get_writer().as_default():
                hparams(self._hparams, trial_id=self._trial_id)

        def on_train_end(self, logs=None):
            with self._get_writer().as_default():
                write_raw_pb(session_end_pb(STATUS_SUCCESS).SerializeToString(), step=0)
            self._writer = None

    return KerasCallback


def __getattr__(name: str):
    # The Keras callback class is made on first use: summaries do not import Keras otherwise.
    if name == "KerasCallback":
        cls = _make_keras_callback()
        globals()["KerasCallback"] = cls
        return cls
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
