"""tf.keras.layers."""
from .core import Activation, Dense, Dropout, Flatten, Identity, Reshape  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .layer import Layer  # noqa: F401
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells  # noqa: F401
from .wrappers import Bidirectional, TimeDistributed, Wrapper  # noqa: F401
from .attention import Attention, MultiHeadAttention  # noqa: F401
from .convolutional import (  # noqa: F401
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, Convolution1D, Convolution1DTranspose,
    Convolution2D, Convolution2DTranspose, Convolution3D, Convolution3DTranspose, DepthwiseConv1D, DepthwiseConv2D,
    SeparableConv1D, SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D)
from .embedding import Embedding  # noqa: F401
from .merging import (  # noqa: F401
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average, concatenate, dot, maximum,
    minimum, multiply, subtract)
from .normalization import BatchNormalization, GroupNormalization, LayerNormalization  # noqa: F401
from .pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D, GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D,
    GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D, GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D,
    MaxPool1D, MaxPool2D, MaxPool3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .reshaping import (  # noqa: F401
    Cropping2D, Lambda, Permute, RepeatVector, Rescaling, UpSampling2D, ZeroPadding2D)
from .preprocessing import (  # noqa: F401
    CategoryEncoding, Hashing, IntegerLookup, Normalization, RandomFlip, RandomRotation, Resizing, StringLookup,
    TextVectorization)
from .activations import ELU, PReLU, ReLU, LeakyReLU, Softmax, ThresholdedReLU  # noqa: F401
from .input_spec import InputSpec  # noqa: F401
from .masking import Masking  # noqa: F401
from .regularization import (  # noqa: F401
    ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
    SpatialDropout3D)
from .unit_normalization import RMSNormalization, UnitNormalization  # noqa: F401
from .attention import AdditiveAttention  # noqa: F401
from .einsum_dense import EinsumDense  # noqa: F401
from .image_preprocessing import (  # noqa: F401
    CenterCrop, RandomBrightness, RandomContrast, RandomCrop, RandomTranslation, RandomZoom)
from .discretization import Discretization  # noqa: F401
from .hashed_crossing import HashedCrossing  # noqa: F401
from .reshaping import Cropping1D, Cropping3D, UpSampling1D, UpSampling3D, ZeroPadding1D, ZeroPadding3D  # noqa: F401,E402
from .adaptive_pooling import (  # noqa: F401,E402
    AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D, AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
from .conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: F401,E402
from .embedding import ReversibleEmbedding  # noqa: F401,E402
from .attention import GroupQueryAttention  # noqa: F401,E402
from .audio_preprocessing import MelSpectrogram  # noqa: F401,E402
from .image_augmentation import (  # noqa: F401,E402
    AugMix, AutoContrast, ContrastLimitedAdaptiveHistogramEqualization, CutMix, Equalization, MaxNumBoundingBoxes,
    MixUp, Pipeline, RandAugment, RandomColorDegeneration, RandomColorJitter, RandomElasticTransform, RandomErasing,
    RandomGaussianBlur, RandomGrayscale, RandomHue, RandomInvert, RandomPerspective, RandomPosterization,
    RandomSaturation, RandomSharpness, RandomShear, Solarization)
