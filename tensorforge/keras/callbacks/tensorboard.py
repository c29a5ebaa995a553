"""The TensorBoard callback: epoch and batch metrics, weight histograms and images, the model's
config, and sampled profiling, written with the public tf.summary and tf.profiler APIs as Keras 3
writes them."""
from __future__ import annotations

import json
import logging
import os
import sys
import time

import numpy as np

from .._registry import keras_export
from .callback import Callback

_EMBEDDING_TENSOR = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"


@keras_export("keras.callbacks.TensorBoard")
class TensorBoard(Callback):
    """Enable visualizations for TensorBoard (tf.keras.callbacks.TensorBoard).

    Logs, under `log_dir/train` and `log_dir/validation`: the epoch metrics as scalars named
    `epoch_<metric>` (with `epoch_learning_rate`, and `epoch_steps_per_second` when asked) at step
    = epoch; batch metrics `batch_<metric>` at step = the global batch number when `update_freq` is
    `"batch"` or an integer N (every N batches); `evaluation_<metric>_vs_iterations` at step =
    `optimizer.iterations` after each evaluation; weight histograms (and images with
    `write_images`) every `histogram_freq` epochs; the model's config (`write_graph`); and a
    profile of the batches `profile_batch` names, under `log_dir/train/plugins/profile/`.

    Args:
      log_dir: the path of the directory where to save the log files to be parsed by TensorBoard.
      histogram_freq: frequency (in epochs) at which to compute weight histograms; 0 disables them.
      write_graph: whether to write the model (its Keras config, and the train step's graph).
      write_images: whether to write model weights to visualize as image in TensorBoard.
      write_steps_per_second: whether to log the training steps per second.
      update_freq: `"batch"`, `"epoch"` or an integer: how often batch-level metrics are written.
      profile_batch: the batch (1-based, an int) or the `(start, stop)` range of batches to profile;
        0 disables profiling.
      embeddings_freq: frequency (in epochs) at which embedding layers are saved for the projector.
      embeddings_metadata: a file name, or a dict from embedding layer name to file name, of the
        projector metadata.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._summary_module = None
        self._init_profile_batch(profile_batch)
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0.0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._writers: dict = {}
        self._prev_summary_state: list = []

    # -- modules, writers
    @property
    def summary(self):
        """The tf.summary module (imported on first use)."""
        if self._summary_module is None:
            from ... import summary
            self._summary_module = summary
        return self._summary_module

    @staticmethod
    def _profiler():
        from ...profiler import experimental
        return experimental

    def set_model(self, model):
        """Sets the Keras model and writes its config if `write_graph`."""
        super().set_model(model)
        self._log_write_dir = self.log_dir
        self._train_dir = os.path.join(self._log_write_dir, "train")
        self._val_dir = os.path.join(self._log_write_dir, "validation")
        self._writers = {}
        self._should_write_train_graph = False
        if self.write_graph:
            self._write_keras_model_summary()
            self._should_write_train_graph = True
        if self.embeddings_freq:
            self._configure_embeddings()

    @property
    def _train_writer(self):
        if "train" not in self._writers:
            self._writers["train"] = self.summary.create_file_writer(self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self):
        if "val" not in self._writers:
            self._writers["val"] = self.summary.create_file_writer(self._val_dir)
        return self._writers["val"]

    def _push_writer(self, writer, step):
        """Makes `writer` the default (for the model's own batch-level summaries) at `step`,
        recording every `update_freq` batches."""
        if self.update_freq == "epoch":
            return
        freq = self.update_freq
        contexts = (writer.as_default(step), self.summary.record_if(lambda: step % freq == 0))
        self._prev_summary_state.append(contexts)
        contexts[0].__enter__()
        contexts[1].__enter__()

    def _pop_writer(self):
        if self.update_freq == "epoch" or not self._prev_summary_state:
            return
        contexts = self._prev_summary_state.pop()
        contexts[1].__exit__(*sys.exc_info())
        contexts[0].__exit__(*sys.exc_info())

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()

    # -- model and graph
    def _write_keras_model_summary(self):
        """Writes the model's Keras config (the `keras` tag TensorBoard's graph tab reads)."""
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        with self._train_writer.as_default():
            keras_model_summary("keras", self.model, step=0)

    def _write_keras_model_train_graph(self):
        """Writes the graph of the traced train step."""
        graph_fn = getattr(self.summary, "graph", None)
        concrete = _first_concrete_function(self.model.train_function)
        if graph_fn is None or concrete is None:
            return
        with self._train_writer.as_default():
            try:
                graph_fn(concrete.graph)
            except Exception as e:  # noqa: BLE001 - a graph that cannot be written must not stop training
                logging.warning("TensorBoard: could not write the train graph: %s", e)

    def _configure_embeddings(self):
        """Writes `projector_config.pbtxt` for the model's Embedding layers."""
        from ..layers.embedding import Embedding
        metadata = self.embeddings_metadata
        lines = []
        for layer in self.model.layers:
            if isinstance(layer, Embedding):
                lines.append("embeddings {\n  tensor_name: %s\n" % _pbtxt_string(_EMBEDDING_TENSOR))
                path = None
                if isinstance(metadata, str):
                    path = metadata
                elif metadata is not None and layer.name in metadata:
                    path = metadata.pop(layer.name)
                if path is not None:
                    lines.append("  metadata_path: %s\n" % _pbtxt_string(path))
                lines.append("}\n")
        if metadata and not isinstance(metadata, str):
            raise ValueError("Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` "
                             "`embeddings_metadata` argument: %s" % (metadata.keys(),))
        os.makedirs(self._log_write_dir, exist_ok=True)
        with open(os.path.join(self._log_write_dir, "projector_config.pbtxt"), "w") as f:
            f.write("".join(lines))

    # -- profiling
    def _init_profile_batch(self, profile_batch):
        message = ("profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair of "
                   "positive integers signifies a range of batches to profile. Found: %s" % (profile_batch,))
        if isinstance(profile_batch, str):  # the legacy "start,stop" form
            profile_batch = [int(p) for p in profile_batch.split(",")]
        if isinstance(profile_batch, int) and not isinstance(profile_batch, bool):
            self._start_batch = self._stop_batch = profile_batch
        elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
            self._start_batch, self._stop_batch = profile_batch
        else:
            raise ValueError(message)
        if self._start_batch < 0 or self._stop_batch < self._start_batch:
            raise ValueError(message)
        self._profiler_started = False
        self._batch_trace_context = None
        if self._start_batch > 0:  # warm up, as Keras does
            self._start_profiler(logdir="")
            self._stop_profiler(save=False)
        self._is_tracing = False
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)

    def _start_trace(self):
        trace_on = getattr(self.summary, "trace_on", None)
        if trace_on is not None:
            trace_on(graph=True, profiler=False)
        self._start_profiler(logdir=self._train_dir)
        self._is_tracing = True

    def _stop_trace(self, batch=None):
        if batch is None:
            batch = self._stop_batch
        trace_export = getattr(self.summary, "trace_export", None)
        if trace_export is not None:
            with self._train_writer.as_default():
                trace_export(name="batch_%d" % batch, step=batch)
        self._stop_profiler()
        self._is_tracing = False

    def _start_profiler(self, logdir):
        if self._profiler_started:
            return
        try:
            self._profiler().start(logdir)
            self._profiler_started = True
        except Exception as e:  # noqa: BLE001 - profiler errors are not fatal
            logging.error("Failed to start profiler: %s", e)

    def _stop_profiler(self, save=True):
        if not self._profiler_started:
            return
        try:
            self._profiler().stop(save=save)
        except Exception as e:  # noqa: BLE001
            logging.error("Failed to stop profiler: %s", e)
        finally:
            self._profiler_started = False

    # -- hooks
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0.0
        self._push_writer(self._train_writer, self._global_train_batch)

    def on_train_end(self, logs=None):
        self._pop_writer()
        if self._is_tracing:
            self._stop_trace()
        self._close_writers()

    def on_test_begin(self, logs=None):
        self._push_writer(self._val_writer, self._global_test_batch)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations") and logs:
            step = int(np.asarray(optimizer.iterations))
            with self._val_writer.as_default():
                for name, value in logs.items():
                    self.summary.scalar("evaluation_%s_vs_iterations" % name, value, step=step)
        self._pop_writer()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer(self._train_writer, self._global_train_batch)
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if not self._should_trace:
            return
        if self._global_train_batch == self._start_batch:
            self._start_trace()
        if self._profiler_started:
            self._batch_trace_context = self._profiler().Trace("Profiled batch", step_num=batch)
            self._batch_trace_context.__enter__()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_write_train_graph:
            self._write_keras_model_train_graph()
            self._should_write_train_graph = False
        if self.update_freq != "epoch" or self._default_writer_set():
            if self.write_steps_per_second:
                self.summary.scalar("batch_steps_per_second", 1.0 / max(time.time() - self._batch_start_time, 1e-9),
                                    step=self._global_train_batch)
            if isinstance(logs, dict):
                for name, value in logs.items():
                    self.summary.scalar("batch_%s" % name, value, step=self._global_train_batch)
        if not self._should_trace:
            return
        if self._is_tracing:
            if self._profiler_started and self._batch_trace_context is not None:
                self._batch_trace_context.__exit__(None, None, None)
                self._batch_trace_context = None
            if self._global_train_batch >= self._stop_batch:
                self._stop_trace()

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer(self._val_writer, self._global_test_batch)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = float(np.asarray(self.model.optimizer.iterations))
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        """Writes the epoch's metrics, and the weights every `histogram_freq` epochs."""
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)

    # -- what is written
    def _default_writer_set(self) -> bool:
        """Whether summaries go anywhere outside our own writer contexts (a writer the user set)."""
        should_record = getattr(self.summary, "should_record_summaries", None)
        return True if should_record is None else bool(should_record())

    def _collect_learning_rate(self, logs):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if hasattr(optimizer, "optimizers"):
            for opt in optimizer.optimizers:
                logs["learning_rate_%s" % opt.name] = float(np.asarray(opt.learning_rate))
        elif optimizer is not None and hasattr(optimizer, "learning_rate"):
            logs["learning_rate"] = float(np.asarray(optimizer.learning_rate))
        return logs

    def _compute_steps_per_second(self):
        iterations = float(np.asarray(self.model.optimizer.iterations))
        return float((iterations - self._previous_epoch_iterations) / (time.time() - self._epoch_start_time))

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._compute_steps_per_second()
        scalar = self.summary.scalar
        if train_logs:
            with self._train_writer.as_default():
                for name, value in train_logs.items():
                    scalar("epoch_%s" % name, value, step=epoch)
        if val_logs:
            with self._val_writer.as_default():
                for name, value in val_logs.items():
                    scalar("epoch_%s" % name[4:], value, step=epoch)

    def _log_weights(self, epoch):
        with self._train_writer.as_default():
            for layer in self.model.layers:
                for weight in layer.weights:
                    weight_name = weight.path.replace(":", "_")
                    self.summary.histogram("%s/histogram" % weight_name, weight, step=epoch)
                    if self.write_images:
                        self._log_weight_as_image(weight, "%s/image" % weight_name, epoch)
            self._train_writer.flush()

    def _log_weight_as_image(self, weight, weight_name, epoch):
        w_img = np.squeeze(np.asarray(weight))
        shape = w_img.shape
        if len(shape) == 1:  # a bias
            w_img = w_img.reshape(1, shape[0], 1, 1)
        elif len(shape) == 2:  # a Dense kernel
            if shape[0] > shape[1]:
                w_img = w_img.T
            w_img = w_img.reshape(1, w_img.shape[0], w_img.shape[1], 1)
        elif len(shape) == 3:  # a conv kernel, channels_last: one image per kernel
            w_img = np.transpose(w_img, (2, 0, 1))
            w_img = w_img.reshape(w_img.shape + (1,))
        if w_img.ndim == 4 and w_img.shape[-1] in (1, 3, 4):
            self.summary.image(weight_name, w_img, step=epoch)

    def _log_embeddings(self, epoch):
        path = os.path.join(self._log_write_dir, "train", "keras_embedding.ckpt-%d.weights.h5" % epoch)
        self.model.save_weights(path)


def keras_model_summary(name, data, step=None) -> bool:
    """Writes a Keras model's config as JSON, as a `graph_keras_model` summary (Keras's helper)."""
    from ... import summary
    from ...protos import summary_pb2
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "graph_keras_model"
    metadata.plugin_data.content = b"1"
    try:
        json_string = _model_json(data)
    except Exception as exc:  # noqa: BLE001 - Keras warns and goes on
        logging.warning("Model failed to serialize as JSON. Ignoring... %s", exc)
        return False
    with summary.experimental.summary_scope(name, "graph_keras_model", [data, step]) as (tag, _):
        return summary.write(tag=tag, tensor=json_string, step=step, metadata=metadata)


def _model_json(model) -> str:
    to_json = getattr(model, "to_json", None)
    if to_json is not None:
        return to_json()
    from ..saving.keras_archive import model_config
    return json.dumps(model_config(model))


def _first_concrete_function(fn):
    """A traced ConcreteFunction of the tf.function `fn`, if it has one."""
    cache = getattr(fn, "_cache", None)
    if not cache:
        return None
    return next(iter(cache.values()), None)


def _pbtxt_string(s: str) -> str:
    """A protobuf text-format string literal."""
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
