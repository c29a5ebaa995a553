"""compile / fit / evaluate / predict: the one Keras trainer, built on tf.function.

`fit` slices NumPy/tensor data into batches on the host, traces `train_step` once with
tf.function (unless `run_eagerly`), runs `steps_per_execution` steps per call, and drives
callbacks and the progress bar.
"""
from __future__ import annotations

import numpy as np

from ..autodiff.tape import GradientTape
from ..framework.convert import convert_to_tensor
from ..framework.nest import flatten, map_structure, pack_sequence_as
from ..framework.tensor import Tensor
from ..graph.function import function as tf_function
from ..ops import math_ops


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch given as x, (x,), (x, y) or (x, y, sample_weight)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     "found: %r" % (data,))


def _accuracy_for(loss):
    """Keras's choice for the metric string 'accuracy' given the compiled loss."""
    from . import metrics
    if isinstance(loss, str):
        name = loss
    else:  # a Loss class instance, or a wrapped loss function whose name says what it is
        name = "%s %s %s" % (type(loss).__name__, getattr(loss, "name", ""), getattr(loss, "__name__", ""))
    key = name.lower().replace("_", "")
    if "sparsecategorical" in key:
        return metrics.SparseCategoricalAccuracy(name="accuracy")
    if "categorical" in key:
        return metrics.CategoricalAccuracy(name="accuracy")
    if "binary" in key:
        return metrics.BinaryAccuracy(name="accuracy")
    return metrics.Accuracy(name="accuracy")


def _as_loss(losses_mod, identifier):
    """A Loss object for a compile() loss: functions (and their string names) are wrapped so that
    the loss is reduced over the batch, as Keras does."""
    if identifier is None:
        return None
    fn = losses_mod.get(identifier)
    if isinstance(fn, losses_mod.Loss):
        return fn
    return losses_mod.LossFunctionWrapper(fn, name=getattr(fn, "__name__", None))


def _class_weights_to_sample_weights(y, class_weight: dict, sample_weight=None):
    """Keras's class_weight: each sample weighted by its class (integer or one-hot labels)."""
    if y is None or isinstance(y, (dict, list, tuple)):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    labels = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = np.argmax(labels, axis=-1)
    labels = labels.reshape(len(labels), -1)[:, 0].astype(np.int64)
    table = np.ones(max(max(class_weight) + 1, labels.max() + 1 if labels.size else 1), np.float32)
    for k, v in class_weight.items():
        table[int(k)] = v
    weights = table[labels]
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, np.float32).reshape(len(weights))
    return weights


class _ArrayData:
    """Batches of in-memory arrays (NumPy, tensors, nested structures of them)."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, seed=None):
        self.structure = (x, y, sample_weight) if sample_weight is not None else ((x, y) if y is not None else (x,))
        self.flat = [np.asarray(a.numpy() if hasattr(a, "numpy") else a) for a in flatten(self.structure)]
        sizes = {a.shape[0] for a in self.flat}
        if len(sizes) != 1:
            raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the same number of "
                             "samples. Sizes: %s" % sorted(sizes))
        self.n = sizes.pop()
        self.batch_size = batch_size
        self.shuffle = shuffle

    @property
    def steps(self) -> int:
        return -(-self.n // self.batch_size)

    def batches(self):
        order = np.random.permutation(self.n) if self.shuffle else None
        for start in range(0, self.n, self.batch_size):
            sl = slice(start, start + self.batch_size)
            parts = [convert_to_tensor(a[order[sl]] if order is not None else a[sl]) for a in self.flat]
            yield pack_sequence_as(self.structure, parts)

    def split(self, fraction):
        """Keras's validation_split: the last `fraction` of the samples (before shuffling)."""
        cut = int(self.n * (1.0 - fraction))
        head = [a[:cut] for a in self.flat]
        tail = [a[cut:] for a in self.flat]
        a = _ArrayData.__new__(_ArrayData)
        b = _ArrayData.__new__(_ArrayData)
        for obj, arrays, n in ((a, head, cut), (b, tail, self.n - cut)):
            obj.structure, obj.flat, obj.n = self.structure, arrays, n
            obj.batch_size, obj.shuffle = self.batch_size, self.shuffle
        return a, b


def _is_dataset(x) -> bool:
    return type(x).__module__.startswith("tensorforge.data.")


class _DatasetData:
    """Batches from a tf.data.Dataset of x, (x, y) or (x, y, sample_weight) elements.

    Each epoch iterates the dataset afresh (so a shuffle reshuffles), except with
    steps_per_epoch, where one iterator continues across epochs as in Keras.
    """

    def __init__(self, ds, steps_per_epoch=None, class_weight=None):
        self.ds = ds
        n = int(ds.cardinality().numpy())
        if n == -1 and steps_per_epoch is None:
            raise ValueError("When passing an infinitely repeating dataset, please specify a `steps_per_epoch` value "
                             "so that epoch level callbacks continue to work. The value should be the number of steps "
                             "required to go through the dataset once.")
        self.steps = steps_per_epoch if steps_per_epoch is not None else (n if n >= 0 else None)
        self._persistent = None if steps_per_epoch is None else iter(ds)
        self._class_weight = class_weight

    def batches(self):
        it = self._persistent if self._persistent is not None else iter(self.ds)
        for i, batch in enumerate(it):
            if self._class_weight is not None:
                x, y, sw = unpack_x_y_sample_weight(batch)
                sw = _class_weights_to_sample_weights(y, self._class_weight, sw)
                batch = (x, y, convert_to_tensor(sw))
            yield batch
            if self._persistent is not None and i + 1 >= self.steps:
                return


def _data(x, y, sample_weight, batch_size, shuffle, steps=None, class_weight=None):
    if _is_dataset(x):
        if y is not None:
            raise ValueError("When providing `x` as a tf.data.Dataset, `y` should not be passed. Instead, the targets "
                             "should be included as part of the tf.data.Dataset.")
        if sample_weight is not None:
            raise ValueError("`sample_weight` argument is not supported when using a tf.data.Dataset as input; "
                             "include the weights in the dataset's elements.")
        return _DatasetData(x, steps, class_weight)
    if hasattr(x, "__next__") or (hasattr(x, "__iter__") and not isinstance(x, (np.ndarray, Tensor, list, tuple, dict))):
        return _IterableData(x)
    return _ArrayData(x, y, sample_weight, batch_size or 32, shuffle)


class _IterableData:
    """Batches from a generator or any iterable of (x, y[, sample_weight]) (tf.data arrives later)."""

    def __init__(self, it):
        self.it = it
        self.steps = None

    def batches(self):
        return iter(self.it)


class Trainer:
    """The training API mixed into keras.Model."""

    _compiled = False
    train_function = test_function = predict_function = None
    # What compile() sets, for models used without it (predict on a loaded or new model).
    run_eagerly = False
    steps_per_execution = 1
    jit_compile = "auto"

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training (tf.keras.Model.compile)."""
        from . import losses as losses_mod
        from . import metrics as metrics_mod
        from . import optimizers
        self.optimizer = optimizers.get(optimizer)
        policy = getattr(self, "dtype_policy", None)
        if (auto_scale_loss and policy is not None and policy.name == "mixed_float16" and self.optimizer is not None
                and not isinstance(self.optimizer, optimizers.LossScaleOptimizer)):
            # As Keras: float16 gradients need loss scaling, so the optimizer is wrapped.
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
        self.loss = loss
        self._loss_fns = [_as_loss(losses_mod, l) for l in (loss if isinstance(loss, (list, tuple)) else [loss])]
        self._loss_weights = loss_weights
        self._loss_tracker = metrics_mod.Mean(name="loss")
        self._compiled_metrics = []
        for m in flatten(metrics or []):
            if m in ("accuracy", "acc"):
                obj = _accuracy_for(self._loss_fns[0] if self._loss_fns[0] is not None else loss)
            else:
                obj = metrics_mod.get(m)
            if isinstance(m, str):
                obj.name = m  # Keras names a metric given as a string by that string ('AUC', 'acc')
            self._compiled_metrics.append(obj)
        self.run_eagerly = run_eagerly
        self.steps_per_execution = int(steps_per_execution)
        self.jit_compile = jit_compile
        self.train_function = self.test_function = self.predict_function = None
        self._compiled = True

    @property
    def metrics(self) -> list:
        if not self._compiled:
            return []
        return [self._loss_tracker] + list(self._compiled_metrics)

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # -- steps
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        ys, preds = flatten(y), flatten(y_pred)
        total = None
        for i, fn in enumerate(self._loss_fns):
            if fn is None:
                continue
            term = fn(ys[i], preds[i], sample_weight=sample_weight) if sample_weight is not None else fn(ys[i],
                                                                                                    preds[i])
            if self._loss_weights is not None:
                w = self._loss_weights[i] if isinstance(self._loss_weights, (list, tuple)) else self._loss_weights
                term = term * w
            total = term if total is None else total + term
        reg = self.losses
        if reg:
            total = math_ops.add_n([total] + [math_ops.cast(r, total.dtype) for r in reg])
        return total

    def _update_metrics(self, loss, x, y, y_pred, sample_weight):
        batch = flatten(x)[0].shape[0]
        self._loss_tracker.update_state(loss, sample_weight=batch if batch is not None else None)
        for m in self._compiled_metrics:
            m.update_state(y, y_pred, sample_weight=sample_weight) if sample_weight is not None else \
                m.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        """One optimisation step on a batch; returns the metrics' current results."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
            scaled = self.optimizer.scale_loss(loss)  # loss_scale_factor or a LossScaleOptimizer's scale
        variables = self.trainable_variables
        grads = tape.gradient(scaled, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return self._update_metrics(loss, x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        return self._update_metrics(loss, x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _function(self, step):
        if self.run_eagerly:
            return step
        return tf_function(step, autograph=False)

    def make_train_function(self):
        """The compiled step. With steps_per_execution=k it takes a tuple of up to k batches and
        runs them in one call, so the per-call overhead is paid once per k steps."""
        if self.train_function is None:
            if self.steps_per_execution > 1:
                def multi_step(batches):
                    logs = None
                    for b in batches:
                        logs = self.train_step(b)
                    return logs
                self.train_function = self._function(multi_step)
            else:
                self.train_function = self._function(self.train_step)
        return self.train_function

    def make_test_function(self):
        if self.test_function is None:
            self.test_function = self._function(self.test_step)
        return self.test_function

    def make_predict_function(self):
        if self.predict_function is None:
            self.predict_function = self._function(self.predict_step)
        return self.predict_function

    # -- loops
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Trains the model for `epochs` epochs; returns a History (tf.keras.Model.fit)."""
        from .callbacks import CallbackList, History, ProgbarLogger
        if not self._compiled:
            raise ValueError("You must call `compile()` before using the model.")
        if class_weight is not None and not _is_dataset(x):
            sample_weight = _class_weights_to_sample_weights(y, class_weight, sample_weight)
        data = _data(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, class_weight)
        val = None
        if validation_split and not isinstance(data, _ArrayData):
            raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, found following types "
                             "in the input: %s" % type(x))
        if validation_split:
            data, val = data.split(validation_split)
        elif validation_data is not None:
            vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
            val = _data(vx, vy, vsw, validation_batch_size or batch_size, False, validation_steps)
        verbose = 1 if verbose == "auto" else verbose
        history = History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(ProgbarLogger(verbose))
        cbs.append(history)
        steps = steps_per_epoch or getattr(data, "steps", None)
        if steps and self.steps_per_execution > 1:
            steps = -(-steps // self.steps_per_execution)
        cb = CallbackList(cbs, model=self, verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        train_fn = self.make_train_function()
        self._initial_epoch = initial_epoch
        cb.on_train_begin()  # BackupAndRestore may move _initial_epoch forward
        logs = {}
        for epoch in range(self._initial_epoch, epochs):
            self.reset_metrics()
            cb.on_epoch_begin(epoch)
            for step, batch in enumerate(self._grouped(data.batches(), steps_per_epoch)):
                cb.on_train_batch_begin(step)
                results = train_fn(batch)
                logs = {k: float(v) for k, v in sorted(results.items())}  # Keras sorts its logs
                cb.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_data(val, cb)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cb.on_train_end(logs)
        history.model = self
        history.params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        return history

    def _grouped(self, batches, limit):
        """Batches one by one, or in tuples of steps_per_execution (at most `limit` batches)."""
        k = self.steps_per_execution
        group = []
        for i, b in enumerate(batches):
            if limit is not None and i >= limit:
                break
            if k <= 1:
                yield b
                continue
            group.append(b)
            if len(group) == k:
                yield tuple(group)
                group = []
        if group:
            yield tuple(group)

    def _evaluate_data(self, data, callbacks=None) -> dict:
        """Runs the test step over `data`; `callbacks` (a CallbackList) get the on_test_* hooks."""
        self.reset_metrics()
        test_fn = self.make_test_function()
        logs = {}
        if callbacks is None:
            for batch in data.batches():
                logs = test_fn(batch)
            return {k: float(v) for k, v in sorted(logs.items())}
        callbacks.on_test_begin()
        for step, batch in enumerate(data.batches()):
            callbacks.on_test_batch_begin(step)
            logs = {k: float(v) for k, v in sorted(test_fn(batch).items())}
            callbacks.on_test_batch_end(step, logs)
        callbacks.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """The loss and metrics on the data (tf.keras.Model.evaluate)."""
        if not self._compiled:
            raise ValueError("You must call `compile()` before using the model.")
        from .callbacks import CallbackList, ProgbarLogger
        data = _data(x, y, sample_weight, batch_size, False, steps)
        verbose = 1 if verbose == "auto" else verbose
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(ProgbarLogger(verbose))
        cb = CallbackList(cbs, model=self, verbose=verbose, epochs=1, steps=getattr(data, "steps", None)) \
            if cbs else None
        logs = self._evaluate_data(data, cb)
        if return_dict:
            return logs
        values = [logs[m.name] for m in self.metrics if m.name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs on `x`, batch by batch, as NumPy arrays (tf.keras.Model.predict)."""
        data = _data(x, None, None, batch_size, False)
        fn = self.make_predict_function()
        outs = [map_structure(lambda t: np.asarray(t), fn(batch)) for batch in data.batches()]
        if not outs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                             "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
                             "for more information of where went wrong, or file a issue/bug to `keras`.")
        return map_structure(lambda *xs: np.concatenate(xs, axis=0), *outs) if len(outs) > 1 else outs[0]

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        logs = self.make_train_function()((x, y, sample_weight) if sample_weight is not None else (x, y))
        logs = {k: float(v) for k, v in sorted(logs.items())}
        return logs if return_dict else [logs[m.name] for m in self.metrics]

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self.reset_metrics()
        logs = self.make_test_function()((x, y, sample_weight) if sample_weight is not None else (x, y))
        logs = {k: float(v) for k, v in sorted(logs.items())}
        return logs if return_dict else [logs[m.name] for m in self.metrics]

    def predict_on_batch(self, x):
        return map_structure(lambda t: np.asarray(t), self.make_predict_function()((x,)))
