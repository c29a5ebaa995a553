"""Automatic differentiation: GradientTape and custom gradients."""
from .tape import GradientTape, UnconnectedGradients  # noqa: F401
from .forward_accumulator import ForwardAccumulator  # noqa: F401,E402  (tf.autodiff.ForwardAccumulator)
