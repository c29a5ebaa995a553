"""Automatic differentiation: GradientTape and custom gradients."""
from .tape import GradientTape, UnconnectedGradients  # noqa: F401
