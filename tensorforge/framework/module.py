"""tf.Module, tf.name_scope and tf.device."""
from __future__ import annotations

import contextlib
import re

from .context import ctx
from .variables import Variable

_VALID_NAME = re.compile(r"^[A-Za-z_][\w.\-/]*$")


class name_scope:  # noqa: N801 - TF's public name
    """A context manager that prefixes the names of variables and ops (tf.name_scope).

    Args:
      name: the scope name; a trailing '/' makes it absolute.
    """

    def __init__(self, name: str):
        if not isinstance(name, str) or not name:
            raise ValueError("name for name_scope must be a non-empty string, got %r" % (name,))
        self._name = name
        self._saved = None

    @property
    def name(self) -> str:
        return self._name

    def __enter__(self) -> str:
        self._saved = ctx.name_scope
        if self._name.endswith("/"):
            ctx.name_scope = [p for p in self._name.rstrip("/").split("/") if p]
        else:
            ctx.name_scope = ctx.name_scope + [self._name]
        return "/".join(ctx.name_scope) + "/"

    def __exit__(self, *exc):
        ctx.name_scope = self._saved


@contextlib.contextmanager
def device(device_name: str):
    """Places ops on a device (tf.device); only CPU exists, other names are recorded."""
    prev = ctx.device
    if device_name:
        spec = device_name.upper()
        if "GPU" in spec or "TPU" in spec:
            pass  # soft placement, as TF does with no GPU: ops stay on the CPU
        ctx.device = "/job:localhost/replica:0/task:0/device:CPU:0"
    try:
        yield
    finally:
        ctx.device = prev


def _walk(obj, seen, predicate, recurse_modules=True):
    """Yield attributes of `obj` (depth-first, sorted by name) that satisfy `predicate`."""
    if isinstance(obj, Module):
        items = sorted((k, v) for k, v in vars(obj).items() if k not in obj._TF_MODULE_IGNORED_PROPERTIES)
        values = [v for _, v in items]
    elif isinstance(obj, dict):
        values = [obj[k] for k in sorted(obj, key=str)]
    elif isinstance(obj, (list, tuple)):
        values = list(obj)
    else:
        return
    for v in values:
        if id(v) in seen:
            continue
        if predicate(v):
            seen.add(id(v))
            yield v
        if isinstance(v, Module):
            if recurse_modules:
                seen.add(id(v))
                yield from _walk(v, seen, predicate)
        elif isinstance(v, (list, tuple, dict)):
            yield from _walk(v, seen, predicate)


class Module:
    """A container of variables and submodules, found by walking attributes (tf.Module).

    Example:

    >>> class Dense(tf.Module):
    ...     def __init__(self, n_in, n_out):
    ...         super().__init__()
    ...         self.w = tf.Variable(tf.ones([n_in, n_out]))
    >>> len(Dense(2, 3).trainable_variables)
    1
    """

    _TF_MODULE_IGNORED_PROPERTIES = frozenset(("_self_unconditional_checkpoint_dependencies",))

    def __init__(self, name: str | None = None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError("%r is not a valid module name. Module names must be valid Python 3 identifiers." % name)
        self._name = name
        self._scope_name = "/".join(ctx.name_scope + [name])

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> name_scope:
        return name_scope(self._scope_name + "/")

    @property
    def variables(self) -> tuple:
        """All variables of this module and its submodules."""
        return tuple(_walk(self, set(), lambda v: isinstance(v, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(_walk(self, set(), lambda v: isinstance(v, Variable) and v.trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(_walk(self, set(), lambda v: isinstance(v, Variable) and not v.trainable))

    @property
    def submodules(self) -> tuple:
        return tuple(_walk(self, set(), lambda v: isinstance(v, Module)))

    # -- checkpoint dependencies (tf.train.Checkpoint; see tensorforge/train/_trackable.py)
    _tf_checkpoint_setattr_hook = True

    def _trackable_children(self) -> dict:
        """The checkpoint dependencies: the attributes in assignment order (the checkpoint keeps
        those that are variables, modules, layers or lists/dicts of them)."""
        ignored = self._TF_MODULE_IGNORED_PROPERTIES
        return {k: v for k, v in vars(self).items() if k not in ignored}

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        # A restore waiting for this module's attributes (deferred restoration) is told of new ones.
        restorer = self.__dict__.get("_tf_checkpoint_restorer")
        if restorer is not None:
            restorer.on_new_objects()

    @classmethod
    def with_name_scope(cls, method):
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__ = method.__name__
        wrapped.__doc__ = method.__doc__
        return wrapped


def _camel_to_snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


Module.__module__ = "tensorforge"
