"""tf.summary: TensorBoard event files written as TF2 writes them.

This package is the ``tf.summary`` namespace (loaded on first use). Writers: writer.py (event
files, the background flush, the default writer); the summary kinds: scalar_text.py,
histogram.py, image.py, audio.py; ops.py (tf.summary.write, record_if, steps, and the graph ops
used inside tf.function); graph.py (graphs and trace_on/trace_export); reader.py (reading event
files back); hparams.py (TensorBoard's HParams dashboard, `from tensorforge.summary import hparams as hp`).
"""
from . import experimental, hparams  # noqa: F401
from .audio import audio  # noqa: F401
from .graph import graph, trace_export, trace_off, trace_on  # noqa: F401
from .histogram import histogram  # noqa: F401
from .image import image  # noqa: F401
from .ops import record_if, should_record_summaries, write  # noqa: F401
from .scalar_text import scalar, text  # noqa: F401
from .writer import SummaryWriter, create_file_writer, create_noop_writer, flush  # noqa: F401
