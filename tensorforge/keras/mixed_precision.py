"""tf.keras.mixed_precision: dtype policies and loss scaling (Keras 3's names).

Example:

>>> tf.keras.mixed_precision.set_global_policy("mixed_float16")
>>> layer = tf.keras.layers.Dense(4)
>>> layer.compute_dtype.name, layer.variable_dtype.name
('float16', 'float32')
>>> tf.keras.mixed_precision.set_global_policy("float32")
"""
from .dtype_policies import DTypePolicy, global_policy, set_global_policy
from .optimizers.loss_scale import LossScaleOptimizer

Policy = DTypePolicy
dtype_policy = global_policy
set_dtype_policy = set_global_policy

__all__ = ["DTypePolicy", "Policy", "LossScaleOptimizer", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy"]
