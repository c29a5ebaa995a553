"""The one export decorator: publishes a function or class under its TF names.

`@tf_export("math.add", "add")` makes the object `tf.math.add` and `tf.add`. The public
namespace (tensorforge/__init__.py) is built from this table, so a name is declared once,
next to its definition.
"""
from __future__ import annotations

EXPORTS: dict[str, object] = {}


def tf_export(*names: str):
    def deco(obj):
        for n in names:
            prev = EXPORTS.get(n)
            if prev is not None and prev is not obj:
                raise ValueError("tf.%s exported twice" % n)
            EXPORTS[n] = obj
        return obj
    return deco
