"""tf.summary.image: TensorBoard's "images" plugin.

As tensorboard's summary_v2 does under TF2, the images are converted to uint8
(tf.image.convert_image_dtype with saturation: floats in [0, 1] are scaled by 255.5 and
clipped), the first `max_outputs` are PNG-encoded, and the value is the string tensor
`[width, height, png_1, ..., png_n]`.
"""
from __future__ import annotations

from ..framework import dtypes, errors
from ..framework.context import ctx
from ..framework.convert import convert_to_tensor
from .ops import choose_step, emit, plugin_metadata, summary_scope

__all__ = ["image"]


def check_rank(t, rank: int) -> None:
    """TF's static tf.debugging.assert_rank error."""
    r = t.shape.rank
    if r is not None and r != rank:
        name = t.name if ctx.graph is not None else ""
        raise ValueError("Tensor %s must have rank %d.  Received rank %d, shape %s" % (name, rank, r, t.shape))


def check_max_outputs(max_outputs) -> int:
    n = int(max_outputs.numpy()) if hasattr(max_outputs, "numpy") else int(max_outputs)
    if n < 0:
        raise errors.InvalidArgumentError(None, None, "max_outputs must be non-negative, got %d" % n)
    return n


def encoded_images(data, max_outputs):
    """The `[2 + n]` string tensor tensorboard's image summary writes."""
    from ..io.image import encode_png
    from ..ops import array_ops, image_ops, string_ops
    t = convert_to_tensor(data)
    check_rank(t, 4)
    n = check_max_outputs(max_outputs)
    images = image_ops.convert_image_dtype(t, dtypes.uint8, saturate=True)
    encoded = encode_png(images[:n])
    shape = array_ops.shape(images)
    dimensions = array_ops.stack([string_ops.as_string(shape[2]), string_ops.as_string(shape[1])])
    return array_ops.concat([dimensions, encoded], 0)


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes an image summary (tf.summary.image).

    Args:
      name: a name for this summary. The summary tag used for TensorBoard will be this name
        prefixed by any active name scopes.
      data: a `Tensor` of shape `[k, h, w, c]` with `c` 1 (grayscale), 2 (grayscale + alpha),
        3 (RGB) or 4 (RGBA). Floating point values are expected in `[0, 1]`; integers span the
        dtype's range (uint8: 0..255).
      step: explicit `int64`-castable monotonic step value for this summary. If omitted, this
        defaults to `tf.summary.experimental.get_step()`, which must not be None.
      max_outputs: at most this many images of the batch are written. Default 3.
      description: optional long-form description for this summary, as a constant `str`.
        Markdown is supported. Defaults to empty.

    Returns:
      True on success, or False if no summary was written because no default summary writer
      was available.

    Raises:
      ValueError: if a default writer exists, but no step was provided and
        `tf.summary.experimental.get_step()` is None; or if `data` is not of rank 4.
    """
    metadata = plugin_metadata("images", description)
    with summary_scope(name, "image_summary") as (tag, _):
        if step is not None:
            step = choose_step(step)
        return emit(tag, lambda: encoded_images(data, max_outputs), step, metadata)
