"""tf.compat: so far only tf.compat.v1.train.summary_iterator."""
import sys as _sys
import types as _types

from ..summary.reader import summary_iterator as _summary_iterator

v1 = _types.ModuleType(__name__ + ".v1", "tf.compat.v1")
v1.train = _types.ModuleType(__name__ + ".v1.train", "tf.compat.v1.train")
v1.train.summary_iterator = _summary_iterator
_sys.modules.setdefault(v1.__name__, v1)
_sys.modules.setdefault(v1.train.__name__, v1.train)
from .helpers import *  # noqa: F401,F403,E402 - as_bytes, as_text, dimension_value, forward_compatible, v2, ...
