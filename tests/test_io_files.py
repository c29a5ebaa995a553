"""tf.io.gfile, the file ops (ReadFile, WriteFile, MatchingFiles), and TensorProto
serialisation (make_tensor_proto / make_ndarray, SerializeTensor / ParseTensor)."""
import os
import struct

import ml_dtypes
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.framework import errors
from tensorforge.io.tensor_proto import make_ndarray, make_tensor_proto

gfile = tf.io.gfile


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(b"line1\r\nline2\nlast")
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / ".hidden").write_bytes(b"h")
    (tmp_path / "sub" / "c.txt").write_bytes(b"c")
    return tmp_path


# ---------------------------------------------------------------- gfile queries
def test_exists_isdir_listdir_stat(tree):
    assert gfile.exists(str(tree / "a.txt")) and gfile.exists(tree) and not gfile.exists(str(tree / "nope"))
    assert gfile.isdir(str(tree / "sub")) and not gfile.isdir(str(tree / "a.txt")) and not gfile.isdir("/nope/x")
    assert gfile.listdir(str(tree)) == [".hidden", "a.txt", "b.bin", "sub"]
    with pytest.raises(errors.NotFoundError, match="Could not find directory .*nope"):
        gfile.listdir(str(tree / "nope"))
    with pytest.raises(errors.NotFoundError, match="Could not find directory"):
        gfile.listdir(str(tree / "a.txt"))
    st = gfile.stat(str(tree / "a.txt"))
    assert st.length == 17 and not st.is_directory
    assert st.mtime_nsec == st.mtime_nsecs == int(os.stat(tree / "a.txt").st_mtime) * 10 ** 9
    assert gfile.stat(str(tree / "sub")).is_directory
    with pytest.raises(errors.NotFoundError, match="nope; No such file or directory"):
        gfile.stat(str(tree / "nope"))


def test_glob(tree):
    t = str(tree)
    assert gfile.glob(t + "/*.txt") == [t + "/a.txt"]
    assert gfile.glob(t + "/*") == [t + "/.hidden", t + "/a.txt", t + "/b.bin", t + "/sub"]  # '*' matches dot files
    assert gfile.glob(t + "/*/*.txt") == [t + "/sub/c.txt"]
    assert gfile.glob(t + "/[ab].*") == [t + "/a.txt", t + "/b.bin"]
    assert gfile.glob(t + "/a.txt") == [t + "/a.txt"] and gfile.glob(t + "/zz*") == []
    assert gfile.glob(t + "/nodir/*") == []
    assert gfile.glob([t + "/a*", t + "/b*"]) == [t + "/a.txt", t + "/b.bin"]


def test_walk(tree):
    t = str(tree)
    assert list(gfile.walk(t)) == [(t, ["sub"], [".hidden", "a.txt", "b.bin"]), (t + "/sub", [], ["c.txt"])]
    assert [d for d, _, _ in gfile.walk(t, topdown=False)] == [t + "/sub", t]
    assert list(gfile.walk(t + "/nope")) == []
    seen = []
    list(gfile.walk(t + "/nope", onerror=seen.append))
    assert len(seen) == 1 and isinstance(seen[0], errors.NotFoundError)


def test_join():
    assert gfile.join("a", "b", "c.txt") == os.path.join("a", "b", "c.txt")
    assert gfile.join("gs://bucket/dir", "f") == "gs://bucket/dir/f"


# ---------------------------------------------------------------- gfile changes
def test_mkdir_makedirs(tree):
    gfile.mkdir(str(tree / "new"))
    gfile.mkdir(str(tree / "new"))  # an existing directory is fine, as in TF
    assert (tree / "new").is_dir()
    with pytest.raises(errors.NotFoundError, match="x/y; No such file or directory"):
        gfile.mkdir(str(tree / "x" / "y"))
    gfile.makedirs(str(tree / "x" / "y" / "z"))
    gfile.makedirs(str(tree / "x" / "y" / "z"))
    assert (tree / "x" / "y" / "z").is_dir()
    with pytest.raises(errors.FailedPreconditionError, match="a.txt is not a directory"):
        gfile.makedirs(str(tree / "a.txt" / "q"))


def test_remove_rmtree(tree):
    gfile.remove(str(tree / "b.bin"))
    assert not (tree / "b.bin").exists()
    with pytest.raises(errors.NotFoundError, match="b.bin; No such file or directory"):
        gfile.remove(str(tree / "b.bin"))
    with pytest.raises(errors.FailedPreconditionError, match="sub; Is a directory"):
        gfile.remove(str(tree / "sub"))
    gfile.rmtree(str(tree / "sub"))
    assert not (tree / "sub").exists()
    with pytest.raises(errors.NotFoundError, match="sub not found"):
        gfile.rmtree(str(tree / "sub"))


def test_rename_and_copy(tree):
    a, b = str(tree / "a.txt"), str(tree / "b.bin")
    with pytest.raises(errors.AlreadyExistsError, match="file already exists"):
        gfile.rename(a, b)
    with pytest.raises(errors.AlreadyExistsError, match="file already exists"):
        gfile.copy(a, b)
    with pytest.raises(errors.NotFoundError, match="nope; No such file or directory"):
        gfile.rename(str(tree / "nope"), str(tree / "z"))
    with pytest.raises(errors.NotFoundError, match="nope; No such file or directory"):
        gfile.copy(str(tree / "nope"), str(tree / "z"))
    gfile.copy(a, str(tree / "copy.txt"))
    assert (tree / "copy.txt").read_bytes() == (tree / "a.txt").read_bytes()
    gfile.copy(b, a, overwrite=True)
    assert (tree / "a.txt").read_bytes() == b"\x00\x01\x02"
    assert not [n for n in os.listdir(tree) if n.endswith(".tmp")]  # the temporary file is gone
    gfile.rename(a, str(tree / "moved"), overwrite=False)
    gfile.rename(str(tree / "moved"), b, overwrite=True)
    assert not (tree / "a.txt").exists() and (tree / "b.bin").read_bytes() == b"\x00\x01\x02"


# ---------------------------------------------------------------- GFile
def test_gfile_text_and_binary_reads(tree):
    f = gfile.GFile(str(tree / "a.txt"))
    assert f.read(3) == "lin" and f.tell() == 3
    assert f.readline() == "e1\n"  # TF's readline drops '\r'
    assert f.readlines() == ["line2\n", "last"] and f.read() == ""
    f.seek(2)
    assert f.read() == "ne1\r\nline2\nlast" and f.size() == 17
    f.seek(-4, 2)
    assert f.read() == "last"
    f.close()
    assert list(gfile.GFile(str(tree / "a.txt"))) == ["line1\n", "line2\n", "last"]
    with gfile.GFile(str(tree / "b.bin"), "rb") as g:
        assert g.read() == b"\x00\x01\x02" and g.name.endswith("b.bin") and g.mode == "rb"


def test_gfile_write_append_and_errors(tree):
    path = str(tree / "w.txt")
    w = gfile.GFile(path, "w")
    assert not os.path.exists(path)  # opened on first write, as in TF
    w.write("héllo")
    w.write(b" bytes")
    assert w.tell() == 12
    w.flush()
    assert open(path, "rb").read() == "héllo bytes".encode()
    with pytest.raises(TypeError, match="Expected binary or unicode string, got 5"):
        w.write(5)
    with pytest.raises(errors.PermissionDeniedError, match="File isn't open for reading"):
        w.read()
    w.close()
    with gfile.GFile(path, "a") as a:
        a.write("!")
    assert open(path, "rb").read() == "héllo bytes!".encode()
    with pytest.raises(errors.PermissionDeniedError, match="File isn't open for writing"):
        gfile.GFile(path).write("x")
    with pytest.raises(errors.InvalidArgumentError, match="mode is not 'r' or 'w'"):
        gfile.GFile(path, "x")
    missing = gfile.GFile(str(tree / "nope"))  # no error until it is read, as in TF
    with pytest.raises(errors.NotFoundError, match="nope; No such file or directory"):
        missing.read()
    with pytest.raises(errors.NotFoundError, match="No such file or directory"):
        gfile.GFile(str(tree / "nodir" / "x"), "w").write("x")


# ---------------------------------------------------------------- file ops
def test_read_file_write_file_eager(tree):
    out = tf.io.read_file(str(tree / "b.bin"))
    assert out.dtype == tf.string and out.shape == () and out.numpy() == b"\x00\x01\x02"
    target = tree / "deep" / "er" / "w.bin"
    assert tf.io.write_file(str(target), tf.constant(b"\xffdata")) is None
    assert target.read_bytes() == b"\xffdata"  # missing directories are created
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o666 & ~_umask())
    with pytest.raises(errors.NotFoundError, match=r"nope; No such file or directory \[Op:ReadFile\]"):
        tf.io.read_file(str(tree / "nope"))
    with pytest.raises(errors.FailedPreconditionError, match="Is a directory"):
        tf.io.read_file(str(tree))
    with pytest.raises(errors.InvalidArgumentError, match=r"Input filename tensor must be scalar, but had shape: \[1\]"):
        tf.io.read_file([str(tree / "a.txt")])
    with pytest.raises(errors.InvalidArgumentError, match=r"Contents tensor must be scalar, but had shape: \[1\]"):
        tf.io.write_file(str(target), ["x"])


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


def test_matching_files(tree):
    t = str(tree)
    out = tf.io.matching_files(t + "/*.txt")
    assert out.dtype == tf.string and out.numpy().tolist() == [(t + "/a.txt").encode()]
    both = tf.io.matching_files([t + "/[ab]*", t + "/sub/*"]).numpy().tolist()
    assert both == sorted([(t + "/a.txt").encode(), (t + "/b.bin").encode(), (t + "/sub/c.txt").encode()])
    assert tf.io.matching_files(t + "/none*").shape == (0,)
    with pytest.raises(errors.InvalidArgumentError, match="must be scalar or vector"):
        tf.io.matching_files([[t]])


def test_file_ops_in_tf_function(tree):
    path = str(tree / "a.txt")
    read = tf.function(lambda p: tf.io.read_file(p))
    assert read(tf.constant(path)).numpy() == b"line1\r\nline2\nlast"

    @tf.function
    def write_then_read(p, c):
        tf.io.write_file(p, c)
        return tf.io.read_file(p)

    out = str(tree / "fn.txt")
    assert write_then_read(tf.constant(out), tf.constant("v1")).numpy() == b"v1"
    # Stateful ops run on every call, in program order: the second call sees its own write.
    assert write_then_read(tf.constant(out), tf.constant("v2")).numpy() == b"v2"
    match = tf.function(lambda p: tf.io.matching_files(p))
    assert match(tf.constant(str(tree) + "/*.bin")).numpy().tolist() == [(str(tree) + "/b.bin").encode()]


def test_file_op_static_shapes():
    from tensorforge.ops.registry import REGISTRY
    from tensorforge.framework.tensor_shape import TensorShape

    class Spec:
        def __init__(self, shape, dtype):
            self.shape, self.dtype = TensorShape(shape), dtype

    assert REGISTRY["ReadFile"].infer([Spec((), tf.string)], {}) == [((), tf.string)]
    assert REGISTRY["MatchingFiles"].infer([Spec((None,), tf.string)], {}) == [((None,), tf.string)]
    assert REGISTRY["WriteFile"].infer([Spec((), tf.string)] * 2, {}) == []
    assert REGISTRY["ParseTensor"].infer([Spec((), tf.string)], {"out_type": tf.int64}) == [(None, tf.int64)]


# ---------------------------------------------------------------- TensorProto
def _expected_serialization(arr: np.ndarray, dtype_enum: int) -> bytes:
    """SerializeTensor's bytes from the TensorProto wire format, by hand (numeric tensors)."""
    def varint(n):
        out = b""
        while True:
            b, n = n & 0x7F, n >> 7
            out += bytes([b | (0x80 if n else 0)])
            if not n:
                return out

    def dim(d):  # TensorShapeProto.Dim{size=1}; proto3 leaves out a zero size
        body = b"\x08" + varint(d) if d else b""
        return b"\x12" + varint(len(body)) + body

    dims = b"".join(dim(d) for d in arr.shape)
    msg = b"\x08" + varint(dtype_enum) + b"\x12" + varint(len(dims)) + dims
    content = arr.tobytes()
    if content:
        msg += b"\x22" + varint(len(content)) + content
    return msg


@pytest.mark.parametrize("value, enum", [(np.array([1.5, -2.0], np.float32), 1),
                                         (np.arange(6, dtype=np.int64).reshape(2, 3), 9),
                                         (np.array([[True, False]]), 10),
                                         (np.float32(3.0), 1),
                                         (np.zeros((0, 3), np.float32), 1)])
def test_serialize_tensor_wire_bytes(value, enum):
    out = tf.io.serialize_tensor(tf.constant(value))
    assert out.dtype == tf.string and out.shape == ()
    assert out.numpy() == _expected_serialization(np.asarray(value), enum)


def test_serialize_string_tensor_uses_string_val():
    out = tf.io.serialize_tensor(tf.constant([b"ab", b"c"])).numpy()
    # dtype 7, shape [2], then string_val (field 8) once per element
    assert out == b"\x08\x07\x12\x04\x12\x02\x08\x02" + b"\x42\x02ab" + b"\x42\x01c"


@pytest.mark.parametrize("value", [np.array([[1.5, 2.0]], np.float32), np.arange(5, dtype=np.int64),
                                   np.array([b"x", b"", b"yz"], dtype=object), np.array(True),
                                   np.array([1, 2], np.float16), np.array([1 + 2j], np.complex64),
                                   np.array([1.5], ml_dtypes.bfloat16), np.zeros((2, 0), np.int32)])
def test_serialize_parse_round_trip(value):
    t = tf.constant(value)
    back = tf.io.parse_tensor(tf.io.serialize_tensor(t), t.dtype)
    assert back.dtype == t.dtype and back.shape == t.shape
    np.testing.assert_array_equal(np.asarray(back._value), np.asarray(t._value))


def test_parse_tensor_errors():
    s = tf.io.serialize_tensor(tf.constant([1.5, 2.0]))
    with pytest.raises(errors.InvalidArgumentError,
                       match=r"Type mismatch between parsed tensor \(float\) and dtype \(int32\)"):
        tf.io.parse_tensor(s, tf.int32)
    with pytest.raises(errors.InvalidArgumentError, match="Could not parse `serialized` as TensorProto, base64: //8="):
        tf.io.parse_tensor(b"\xff\xff", tf.int32)


def test_parse_tensor_in_tf_function():
    s = tf.io.serialize_tensor(tf.constant([[1, 2]], tf.int64))
    f = tf.function(lambda p: tf.io.parse_tensor(p, tf.int64))
    np.testing.assert_array_equal(f(s).numpy(), [[1, 2]])


def test_make_tensor_proto_fields():
    p = make_tensor_proto([1.5, 2.0])
    assert p.dtype == 1 and [d.size for d in p.tensor_shape.dim] == [2]
    assert p.tensor_content == np.array([1.5, 2.0], np.float32).tobytes()  # Python floats become float32
    assert make_tensor_proto([1, 2]).dtype == 3 and make_tensor_proto([1 << 40, 1]).dtype == 9
    scalar = make_tensor_proto(3.0)
    assert list(scalar.float_val) == [3.0] and not scalar.tensor_content
    half = make_tensor_proto(np.float16(1.5))
    assert list(half.half_val) == [int(np.float16(1.5).view(np.uint16))]
    strings = make_tensor_proto(["a", b"bc"])
    assert strings.dtype == 7 and list(strings.string_val) == [b"a", b"bc"]
    assert list(make_tensor_proto(np.array([True, False])).bool_val) == [True, False]
    filled = make_tensor_proto(1.0, shape=[2, 3])
    assert list(filled.float_val) == [1.0]
    np.testing.assert_array_equal(make_ndarray(filled), np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="Too many elements provided"):
        make_tensor_proto([1, 2, 3], shape=[2])
    with pytest.raises(TypeError):
        make_tensor_proto([1.5], dtype=tf.int32)
    with pytest.raises(ValueError, match="None values not supported"):
        make_tensor_proto(None)


@pytest.mark.parametrize("value", [np.arange(6, dtype=np.float64).reshape(2, 3), np.array([1, -2], np.int8),
                                   np.array([7], np.uint64), np.array(2.5, np.float16),
                                   np.array([1.5, 2], ml_dtypes.bfloat16), np.array([1 + 1j, 2], np.complex128),
                                   np.array([[b"a"], [b"bc"]], dtype=object), np.array(5, np.int64)])
def test_make_tensor_proto_round_trip(value):
    back = make_ndarray(make_tensor_proto(value))
    assert back.dtype == value.dtype and back.shape == value.shape
    np.testing.assert_array_equal(back, value)
    # a tensor goes through the same way, and the proto survives the wire
    from tensorforge.protos import tensor_pb2
    wire = tensor_pb2.TensorProto.FromString(make_tensor_proto(tf.constant(value)).SerializeToString())
    np.testing.assert_array_equal(make_ndarray(wire), value)


def test_half_val_holds_bit_patterns():
    p = make_tensor_proto(np.array([0.5], np.float16), shape=[3])
    assert list(p.half_val) == [struct.unpack("<H", np.float16(0.5).tobytes())[0]]
    np.testing.assert_array_equal(make_ndarray(p), np.full(3, 0.5, np.float16))
