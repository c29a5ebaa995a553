"""Keras 3's Optimizer base class, on tensorforge variables and ops.

The update loop is written with public ops only, so one code path serves eager execution and
tf.function tracing: slot variables are made on the first call (the first trace), and the
learning rate and `iterations` are read through variable reads, so a traced step uses their
current values on every call. Per-step scalars (the cast learning rate, bias corrections) are
computed once per step and dtype (`_step_constant`), not once per variable.
"""
from __future__ import annotations

import re
import warnings

import tensorforge as tf

from .._registry import keras_export
from . import _serial
from .schedules import LearningRateSchedule

IndexedSlices = tf.IndexedSlices
_NAME_UIDS: dict[str, int] = {}


def _auto_name(class_name: str) -> str:
    """Keras' auto_name: snake_case of the class name, made unique per process ('adam', 'adam_1')."""
    base = re.sub(r"\W+", "", class_name)
    base = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", base)
    base = re.sub("([a-z])([A-Z])", r"\1_\2", base).lower()
    n = _NAME_UIDS.get(base, 0)
    _NAME_UIDS[base] = n + 1
    return base if n == 0 else "%s_%d" % (base, n)


def _is_variable(v) -> bool:
    return isinstance(v, tf.Variable)


# ---------------------------------------------------------------- IndexedSlices helpers
# Keras 3 (TF backend) runs its update rules with sparse-aware ops: element-wise ops act on the
# slices' values and mixing them with dense tensors sums duplicate rows. So a sparse gradient
# behaves as its dense sum, except that `square(g)` (and `abs(g)`) sum the squares (absolute values)
# of the duplicate rows. These helpers reproduce that.
def _rows_to_dense(values, indices, variable):
    return tf.math.unsorted_segment_sum(values, indices, variable.shape[0])


def dense_gradient(gradient, variable):
    """The gradient as a dense tensor of the variable's dtype (IndexedSlices rows summed)."""
    if isinstance(gradient, IndexedSlices):
        return _rows_to_dense(tf.cast(gradient.values, variable.dtype), gradient.indices, variable)
    return tf.cast(gradient, variable.dtype)


def squared_gradient(gradient, dense, variable):
    """square(gradient) as Keras' sparse-aware ops compute it (`dense` is the densified gradient)."""
    if isinstance(gradient, IndexedSlices):
        return _rows_to_dense(tf.square(tf.cast(gradient.values, variable.dtype)), gradient.indices, variable)
    return tf.square(dense)


def abs_gradient(gradient, dense, variable):
    """abs(gradient) as Keras' sparse-aware ops compute it."""
    if isinstance(gradient, IndexedSlices):
        return _rows_to_dense(tf.abs(tf.cast(gradient.values, variable.dtype)), gradient.indices, variable)
    return tf.abs(dense)


def _map_values(g, fn):
    if isinstance(g, IndexedSlices):
        return IndexedSlices(fn(g.values), g.indices, g.dense_shape)
    return fn(g)


@keras_export("keras.optimizers.Optimizer", "keras.Optimizer")
class Optimizer:
    """Base class of Keras optimizers (tf.keras.optimizers.Optimizer).

    Subclasses create their slot variables in `build(var_list)` (with
    `add_variable_from_reference`) and implement `update_step(gradient, variable, learning_rate)`
    with `self.assign`, `self.assign_add` and `self.assign_sub`.

    Example:

    >>> v = tf.Variable([1.0, 2.0])
    >>> opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    >>> _ = opt.apply_gradients([(tf.constant([1.0, 1.0]), v)])
    >>> v.numpy()
    array([0.9, 1.9], dtype=float32)

    Args:
      learning_rate: a float, a `LearningRateSchedule`, or a callable returning the rate.
      weight_decay: if set, variables decay by `variable * weight_decay * learning_rate` before each
        update (decoupled weight decay).
      clipnorm: clip each gradient to this L2 norm.
      clipvalue: clip each gradient element to [-clipvalue, clipvalue].
      global_clipnorm: clip all gradients together to this global norm.
      use_ema: keep an exponential moving average of the variables.
      ema_momentum: the EMA's momentum.
      ema_overwrite_frequency: overwrite the variables by their average every this many steps.
      loss_scale_factor: gradients are divided by it (the loss is multiplied by it in `scale_loss`).
      gradient_accumulation_steps: update every this many steps, with the mean of the gradients.
      name: the optimizer's name (prefix of its variables).
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        self._lock = False
        self._variables: list = []
        self._tracked_ids: set = set()
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=2)
        if kwargs:
            raise ValueError("Argument(s) not recognized: %s" % (kwargs,))
        self.name = name if name is not None else _auto_name(self.__class__.__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             "gradient_accumulation_steps=%s" % (gradient_accumulation_steps,))
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=%s"
                                 % (ema_momentum,))
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                                 "ema_overwrite_frequency=%s" % (ema_overwrite_frequency,))
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             "clipnorm=%s, clipvalue=%s, global_clipnorm=%s" % (clipnorm, clipvalue, global_clipnorm))
        self.built = False
        self._trainable_variables: list = []
        self._trainable_variables_indices: dict = {}
        self._step_cache = None
        self._iterations = self._make_variable(0, tf.int64, "iteration")
        self._track_variable(self._iterations)
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if not isinstance(learning_rate, float):
                raise ValueError("Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
                                 "or a callable (that takes in the current iteration value and returns the "
                                 "corresponding learning rate value). Received instead: learning_rate=%s"
                                 % (learning_rate,))
            self._learning_rate = self._make_variable(learning_rate, tf.float32, "learning_rate")
            self._track_variable(self._learning_rate)

    # -- variables
    def _make_variable(self, initial_value, dtype, name, scoped=True):
        """A non-trainable variable whose Keras `path` is '<optimizer name>/<name>'."""
        var = tf.Variable(initial_value, dtype=dtype, trainable=False, name=name)
        var.path = "%s/%s" % (self.name, name) if scoped else name
        return var

    def __setattr__(self, name, value):
        # Variables assigned as attributes (e.g. in a subclass's build) join `variables`, as Keras tracks them.
        if _is_variable(value) and "_tracked_ids" in self.__dict__:
            self._track_variable(value)
        object.__setattr__(self, name, value)

    def _track_variable(self, variable) -> None:
        if id(variable) not in self._tracked_ids:
            self._tracked_ids.add(id(variable))
            self._variables.append(variable)

    def _untrack_variable(self, variable) -> None:
        if id(variable) in self._tracked_ids:
            self._tracked_ids.discard(id(variable))
            self._variables = [v for v in self._variables if v is not variable]

    @property
    def variables(self) -> list:
        """All the optimizer's variables: iterations, learning rate, then the slots."""
        return self._variables[:]

    @property
    def iterations(self):
        """The number of update steps taken (an int64 variable; divided by the accumulation steps)."""
        if self.gradient_accumulation_steps:
            return tf.math.floordiv(self._iterations, self.gradient_accumulation_steps)
        return self._iterations

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none", layout=None, name=None):
        """Creates a non-trainable optimizer variable of `shape`, filled by `initializer`."""
        from .. import initializers
        init = initializers.get(initializer)
        dtype = tf.float32 if dtype is None else tf.as_dtype(dtype)
        shape = tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)
        var = self._make_variable(lambda: init(shape, dtype=dtype), dtype, name or "variable")
        self._track_variable(var)
        return var

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A variable shaped like `reference_variable`, named '<reference>_<name>' (a momentum slot, ...)."""
        name = name or "var"
        if getattr(reference_variable, "path", None):
            name = "%s_%s" % (reference_variable.path.replace("/", "_"), name)
        else:
            name = "%s_%s" % (str(reference_variable.name).replace("/", "_").replace(":", "_"), name)
        return self.add_variable(shape=reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name in `name` (a string gives one list, a list a tuple of lists).
        Variables with `overwrite_with_gradient` get None."""
        names = [name] if isinstance(name, str) else list(name)
        if isinstance(name, str):
            inits = [initializer]
        elif isinstance(initializer, (list, tuple)):
            inits = list(initializer)
        else:
            inits = [initializer] * len(names)
        if len(names) != len(inits):
            raise ValueError("The number of provided names must match the number of provided initializers.  "
                             "Received name='%s', initializer='%s'" % (name, initializer))
        out = tuple([] for _ in names)
        for variable in trainable_variables:
            overwrite = getattr(variable, "overwrite_with_gradient", False)
            for i, (n, init) in enumerate(zip(names, inits)):
                out[i].append(None if overwrite else self.add_variable_from_reference(variable, n, init))
        return out[0] if isinstance(name, str) else out

    def build(self, variables) -> None:
        """Creates the optimizer's variables for `variables` (EMA averages, gradient accumulators)."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = []
        for i, variable in enumerate(variables):
            self._trainable_variables_indices[self._var_key(variable)] = i
            if self.gradient_accumulation_steps:
                self._accumulated_gradients.append(
                    self.add_variable_from_reference(variable, name="gradient_accumulator"))
        self._trainable_variables = list(variables)
        self.built = True

    def _var_key(self, variable):
        return id(variable)

    def _get_variable_index(self, variable) -> int:
        return self._trainable_variables_indices[self._var_key(variable)]

    def _check_variables_are_known(self, variables) -> None:
        for v in variables:
            if self._var_key(v) not in self._trainable_variables_indices:
                raise ValueError("Unknown variable: %s. This optimizer can only be called for the variables it was "
                                 "originally built with. When working with a new set of variables, you should "
                                 "recreate a new optimizer instance." % (v,))

    # -- variable updates (IndexedSlices values become scatter updates)
    def assign(self, variable, value) -> None:
        """variable = value (a scatter update for IndexedSlices)."""
        if isinstance(value, IndexedSlices):
            self._scatter(variable, value, tf.tensor_scatter_nd_update)
        else:
            variable.assign(tf.cast(value, variable.dtype))

    def assign_add(self, variable, value) -> None:
        """variable += value (a scatter-add for IndexedSlices)."""
        if isinstance(value, IndexedSlices):
            self._scatter(variable, value, tf.tensor_scatter_nd_add)
        else:
            variable.assign_add(tf.cast(value, variable.dtype))

    def assign_sub(self, variable, value) -> None:
        """variable -= value (a scatter-subtract for IndexedSlices)."""
        if isinstance(value, IndexedSlices):
            self._scatter(variable, value, tf.tensor_scatter_nd_sub)
        else:
            variable.assign_sub(tf.cast(value, variable.dtype))

    @staticmethod
    def _scatter(variable, slices, op) -> None:
        indices = tf.expand_dims(slices.indices, -1)
        variable.assign(op(variable.value(), indices, tf.cast(slices.values, variable.dtype)))

    # -- learning rate
    @property
    def learning_rate(self):
        """The current learning rate: the rate variable, or the schedule's value at `iterations`."""
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        prev = self._learning_rate if _is_variable(self._learning_rate) else None
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            object.__setattr__(self, "_learning_rate", learning_rate)
        else:
            if isinstance(self._learning_rate, LearningRateSchedule):
                raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                                "`learning_rate` constructor argument, hence its learning rate is not settable. If "
                                "you need the learning rate to be settable, you should instantiate the optimizer "
                                "with a float `learning_rate` argument.")
            self._learning_rate.assign(tf.cast(learning_rate, self._learning_rate.dtype))
        if prev is not None and not _is_variable(self._learning_rate):
            self._untrack_variable(prev)

    def _get_current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        if _is_variable(lr):
            return lr
        if callable(lr):
            return lr()
        return lr

    # -- applying gradients
    def apply_gradients(self, grads_and_vars):
        """Applies `(gradient, variable)` pairs; returns the `iterations` variable."""
        pairs = list(grads_and_vars)
        if pairs:
            self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Updates the variables with `grads` (1:1); `trainable_variables` may be omitted once built."""
        grads = list(grads)
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first. ")
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError("When passing `grads` as a list of gradient tensors, the gradients must match "
                                 "`optimizer.variables` one-to-on. Received a list of %d gradients, but the optimizer "
                                 "is tracking %d trainable variables." % (len(grads), len(self._trainable_variables)))
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
                self.built = True
            self._check_variables_are_known(trainable_variables)
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads, trainable_variables = self._overwrite_variables_directly_with_gradients(grads, trainable_variables)
        if grads:
            scale = self.loss_scale_factor
            if scale is not None:
                grads = [_map_values(g, lambda x: x / scale) for g in grads]
            self._backend_apply_gradients(grads, trainable_variables)
            for variable in trainable_variables:
                if variable.constraint is not None:
                    variable.assign(variable.constraint(variable))
        self._iterations.assign_add(1)

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of `loss` (a tensor with its `tape`, or a callable) for `var_list` and
        applies them; returns the `iterations` variable."""
        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. Received: loss=%s, tape=None."
                             % (loss,))
        if tape is None:
            tape = tf.GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        elif callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(list(zip(grads, var_list)))

    def _backend_apply_gradients(self, grads, trainable_variables) -> None:
        if self.gradient_accumulation_steps:
            steps = self.gradient_accumulation_steps
            grads = [dense_gradient(g, v) if isinstance(g, IndexedSlices) else g
                     for g, v in zip(grads, trainable_variables)]
            is_update_step = tf.equal((self._iterations + 1) % steps, 0)
            acc_grads = [self._accumulated_gradients[self._get_variable_index(v)] for v in trainable_variables]

            def update_fn():
                new_grads = [(g + acc) / steps for g, acc in zip(grads, acc_grads)]
                new_grads = self._clip_gradients(new_grads)
                self._apply_weight_decay(trainable_variables)
                self._backend_update_step(new_grads, trainable_variables, self.learning_rate)
                for acc in self._accumulated_gradients:
                    if acc is not None:
                        acc.assign(tf.zeros(acc.shape, dtype=acc.dtype))

            def increment_fn():
                for g, acc in zip(grads, acc_grads):
                    acc.assign(g + acc)

            tf.cond(is_update_step, update_fn, increment_fn)
        else:
            grads = self._clip_gradients(grads, trainable_variables)
            self._apply_weight_decay(trainable_variables)
            self._backend_update_step(grads, trainable_variables, self.learning_rate)
        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
            if self.ema_overwrite_frequency:
                should_overwrite = tf.equal((self.iterations + 1) % self.ema_overwrite_frequency, 0)
                tf.cond(should_overwrite,
                        lambda: self._overwrite_model_variables_with_average_value(self._trainable_variables),
                        lambda: None)

    def _backend_update_step(self, grads, trainable_variables, learning_rate) -> None:
        self._step_cache = {}
        try:
            for grad, var in zip(grads, trainable_variables):
                self.update_step(grad, var, learning_rate)
        finally:
            self._step_cache = None

    def _step_constant(self, key, fn):
        """`fn()`, computed once per update step for `key` (e.g. the learning rate cast to a dtype)."""
        cache = self._step_cache
        if cache is None:
            return fn()
        value = cache.get(key)
        if value is None:
            value = cache[key] = fn()
        return value

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Updates one variable from its gradient; optimizers implement it."""
        raise NotImplementedError

    def _filter_empty_gradients(self, grads, variables):
        if all(g is not None for g in grads):
            return list(grads), list(variables)
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        missing = [getattr(v, "path", None) or v.name for g, v in zip(grads, variables) if g is None]
        warnings.warn("Gradients do not exist for variables %s when minimizing the loss. If using "
                      "`model.compile()`, did you forget to provide a `loss` argument?" % (missing,), stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _overwrite_variables_directly_with_gradients(self, grads, variables):
        if not any(getattr(v, "overwrite_with_gradient", False) for v in variables):
            return grads, variables
        kept_grads, kept_vars = [], []
        for g, v in zip(grads, variables):
            if not getattr(v, "overwrite_with_gradient", False):
                kept_grads.append(g)
                kept_vars.append(v)
                continue
            if self.gradient_accumulation_steps:
                is_update_step = tf.equal((self._iterations + 1) % self.gradient_accumulation_steps, 0)
                acc = self._accumulated_gradients[self._get_variable_index(v)]
                g_max = tf.maximum(g, acc)
                v.assign(tf.where(is_update_step, g_max, v.value()))
                acc.assign(tf.where(is_update_step, tf.zeros_like(g_max), g_max))
            else:
                v.assign(tf.cast(g, v.dtype))
        return kept_grads, kept_vars

    # -- clipping, weight decay, EMA
    def _clip_gradients(self, grads, variables=None):
        if self.clipnorm and self.clipnorm > 0:
            return [None if g is None else tf.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            clipped = clip_by_global_norm(grads, self.global_clipnorm)
            if variables is not None:  # Keras' `slices * scale` densifies sparse gradients
                clipped = [dense_gradient(g, v) if isinstance(g, IndexedSlices) else g
                           for g, v in zip(clipped, variables)]
            return clipped
        if self.clipvalue and self.clipvalue > 0:
            v = self.clipvalue
            return [None if g is None else tf.clip_by_value(g, -v, v) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exempts variables (or those whose name contains one of `var_names`) from weight decay;
        call before the optimizer is built."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_from_weight_decay = {self._var_key(v) for v in var_list} if var_list else set()
        self._exclude_from_weight_decay_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._exclude_from_weight_decay_cache = {}

    def _use_weight_decay(self, variable) -> bool:
        cache = self.__dict__.setdefault("_exclude_from_weight_decay_cache", {})
        key = self._var_key(variable)
        if key in cache:
            return cache[key]
        use = key not in getattr(self, "_exclude_from_weight_decay", set())
        pattern = getattr(self, "_exclude_from_weight_decay_pattern", None)
        if use and pattern is not None and re.search(pattern, variable.name) is not None:
            use = False
        cache[key] = use
        return use

    def _apply_weight_decay(self, variables) -> None:
        if self.weight_decay is None:
            return
        learning_rate = self.learning_rate
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = tf.cast(learning_rate, variable.dtype)
                wd = tf.cast(self.weight_decay, variable.dtype)
                variable.assign_sub(variable * wd * lr)

    def _update_model_variables_moving_average(self, trainable_variables) -> None:
        not_first_step = tf.not_equal(self.iterations, 0)
        for var, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is not None:
                momentum = tf.cast(not_first_step, var.dtype) * self.ema_momentum
                average.assign(momentum * average + (1 - momentum) * var)

    def _overwrite_model_variables_with_average_value(self, trainable_variables) -> None:
        if len(trainable_variables) != len(self._model_variables_moving_average):
            raise ValueError("The length of model variables (%d) to override does not match the length of model "
                             "variables stored in the optimizer (%d). Please check if the optimizer was called on "
                             "your model." % (len(trainable_variables), len(self._model_variables_moving_average)))
        for var, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is not None:
                var.assign(average)

    def finalize_variable_values(self, var_list) -> None:
        """With EMA, overwrites the variables by their moving averages (fit does this at the end)."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    def scale_loss(self, loss):
        """The loss times `loss_scale_factor` (when set)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        raise ValueError("stateless_apply is not supported with the TensorFlow backend (as it is incompatible "
                         "with tf.distribute).")

    # -- state
    def set_weights(self, weights) -> None:
        """Sets the optimizer variables (in `variables` order) from arrays."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                             "calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(weight.shape):
                raise ValueError("Optimizer variable %s has shape %s not compatible with provided weight shape %s."
                                 % (self._var_key(variable), tuple(variable.shape), tuple(weight.shape)))
            variable.assign(tf.cast(weight, variable.dtype))

    def get_weights(self) -> list:
        return [v.numpy() for v in self._variables]

    def save_own_variables(self, store) -> None:
        """Writes the variables' values into `store` under '0', '1', ..."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        """Reads the variables back from `store` (a warning and no change if the counts differ)."""
        if len(store.keys()) != len(self.variables):
            msg = ("Skipping variable loading for optimizer '%s', because it has %d variables whereas the saved "
                   "optimizer has %d variables. " % (self.name, len(self.variables), len(store.keys())))
            if len(self.variables) == 0:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        for i, variable in enumerate(self.variables):
            variable.assign(tf.cast(store[str(i)], variable.dtype))

    # -- checkpoint dependencies (tf.train.Checkpoint; see tensorforge/train/_trackable.py)
    def _trackable_children(self) -> dict:
        """The checkpoint dependencies, named as Keras 3 names them: `_variables` (iterations, the
        learning rate, then every slot), `_trainable_variables`, `_iterations`, `_learning_rate`, then
        the slot lists (`_momentums`, `_velocities`, ...)."""
        skip = ("_tracked_ids", "_trainable_variables_indices", "_step_cache", "_tf_checkpoint_restorer")
        return {k: v for k, v in vars(self).items() if k not in skip}

    # -- config
    def get_config(self) -> dict:
        """The optimizer's hyperparameters (Keras 3's keys)."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            learning_rate = _serial.serialize_object(lr)
        elif _is_variable(lr):
            learning_rate = float(lr.numpy())
        elif tf.is_tensor(lr):
            learning_rate = float(lr)
        elif callable(lr):
            learning_rate = _serial.serialize_object(lr)
        else:
            learning_rate = 0.5
        return {"name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency, "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """An optimizer (without state) from `get_config()` output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from . import schedules
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)


def global_norm(value_list):
    """sqrt of the sum of squares of all the tensors (None skipped; IndexedSlices by their values)."""
    squared = [tf.reduce_sum(tf.square(v.values if isinstance(v, IndexedSlices) else v))
               for v in value_list if v is not None]
    return tf.sqrt(tf.reduce_sum(tf.stack(squared)))


def clip_by_global_norm(value_list, clip_norm):
    """Keras 3's global-norm clipping: every tensor times clip_norm * min(1 / norm, 1 / clip_norm)."""
    use_norm = global_norm(value_list)
    scale = clip_norm * tf.minimum(1.0 / use_norm, 1.0 / clip_norm)
    scale = scale + (use_norm - use_norm)  # NaN when the norm is not finite
    return [None if v is None else _map_values(v, lambda x: x * tf.cast(scale, x.dtype)) for v in value_list]
