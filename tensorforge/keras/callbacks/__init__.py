"""tf.keras.callbacks."""
from .callback import Callback, CallbackList, History, ProgbarLogger  # noqa: F401
from .training_control import (CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler,  # noqa: F401
                               ReduceLROnPlateau, TerminateOnNaN)
from .checkpointing import BackupAndRestore, ModelCheckpoint  # noqa: F401
from .tensorboard import TensorBoard  # noqa: F401
