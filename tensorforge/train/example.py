"""tf.train.Example and friends: the protocol buffer messages of TFRecord training data.

These are the generated protobuf classes themselves (from ``tensorflow/core/example/example.proto``
and ``feature.proto``, package ``tensorflow``, TF's field numbers), exported as TensorFlow exports
its own, so a serialized message is byte-compatible both ways:

>>> ex = tf.train.Example(features=tf.train.Features(feature={
...     "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0, 2.0]))}))
>>> tf.io.parse_single_example(ex.SerializeToString(), {"x": tf.io.FixedLenFeature([2], tf.float32)})["x"]
<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
"""
from ..protos.example_pb2 import Example, SequenceExample
from ..protos.feature_pb2 import BytesList, Feature, FeatureList, FeatureLists, Features, FloatList, Int64List

__all__ = ["BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList",
           "Int64List", "SequenceExample"]
