"""TFRecord files: framing bytes, round trips (plain, GZIP, ZLIB), TF-written fixtures, and
DataLossError for damaged files after every good record before the damage."""
import gzip
import json
import pathlib
import re
import struct
import zlib

import google_crc32c
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.framework import errors
from tensorforge.io.tfrecord import TFRecordCompressionType, iter_tfrecords, masked_crc32c

FIXTURES = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
RECORDS = [b"", b"a", b"hello world", bytes(range(256)) * 5, b"\x00" * 1000]


def _spec_masked_crc(data: bytes) -> int:
    """The masked CRC-32C as formats.md states it, computed with NumPy uint32 arithmetic."""
    crc = np.uint32(google_crc32c.value(data))
    rotated = (crc >> np.uint32(15)) | (crc << np.uint32(17))
    return int((rotated.astype(np.uint64) + np.uint64(0xA282EAD8)) % np.uint64(2 ** 32))


def _spec_frame(record: bytes) -> bytes:
    length = np.array([len(record)], dtype="<u8").tobytes()
    return (length + np.array([_spec_masked_crc(length)], "<u4").tobytes() + record
            + np.array([_spec_masked_crc(record)], "<u4").tobytes())


def _write(path, records, options=None):
    with tf.io.TFRecordWriter(str(path), options) as w:
        for r in records:
            w.write(r)


# ---------------------------------------------------------------- framing
def test_masked_crc_matches_spec():
    for data in RECORDS + [struct.pack("<Q", 12345)]:
        assert masked_crc32c(data) == _spec_masked_crc(data)


def test_plain_file_bytes_are_the_spec_framing(tmp_path):
    path = tmp_path / "x.tfrecord"
    _write(path, RECORDS)
    assert path.read_bytes() == b"".join(_spec_frame(r) for r in RECORDS)


@pytest.mark.parametrize("compression, decompress", [("GZIP", gzip.decompress), ("ZLIB", zlib.decompress)])
def test_compressed_stream_is_the_whole_framed_stream(tmp_path, compression, decompress):
    path = tmp_path / "x.tfrecord"
    _write(path, RECORDS, tf.io.TFRecordOptions(compression_type=compression))
    raw = path.read_bytes()
    if compression == "GZIP":
        assert raw[:2] == b"\x1f\x8b"
    else:
        assert raw[0] == 0x78  # a zlib header (deflate, 32K window)
    assert decompress(raw) == b"".join(_spec_frame(r) for r in RECORDS)


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("options", [None, "", "GZIP", "ZLIB", tf.io.TFRecordOptions("GZIP", compression_level=9),
                                     tf.io.TFRecordOptions(TFRecordCompressionType.ZLIB)])
def test_round_trip(tmp_path, options):
    path = tmp_path / "x.tfrecord"
    rng = np.random.default_rng(0)
    records = RECORDS + [rng.bytes(int(n)) for n in rng.integers(0, 3000, 200)]
    _write(path, records, options)
    ct = tf.io.TFRecordOptions.get_compression_type_string(options)
    assert list(iter_tfrecords(str(path), ct)) == records


@pytest.mark.parametrize("compression", ["", "GZIP"])
def test_round_trip_records_larger_than_the_read_buffer(tmp_path, compression):
    path = tmp_path / "big.tfrecord"
    rng = np.random.default_rng(1)
    records = [rng.bytes(700_000), b"x", rng.bytes(300_000), rng.bytes(1_200_000)]
    _write(path, records, compression)
    assert list(iter_tfrecords(path, compression, buffer_size=256 << 10)) == records


def test_writer_accepts_str_and_bytearray_and_refuses_other_types(tmp_path):
    path = tmp_path / "x.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as w:
        w.write("héllo")
        w.write(bytearray(b"ab"))
        with pytest.raises(TypeError):
            w.write(5)
    assert list(iter_tfrecords(str(path))) == ["héllo".encode(), b"ab"]


def test_writer_lifecycle(tmp_path):
    path = tmp_path / "x.tfrecord"
    w = tf.io.TFRecordWriter(str(path), "GZIP")
    assert path.exists()  # created in place when the writer is made, as TF does
    w.write(b"one")
    w.flush()  # a zlib partial flush, as TF: what was written so far is readable
    assert list(iter_tfrecords(str(path), "GZIP")) == [b"one"]
    w.write(b"two")
    w.close()
    w.close()  # closing twice is fine
    assert list(iter_tfrecords(str(path), "GZIP")) == [b"one", b"two"]
    with pytest.raises(errors.FailedPreconditionError, match="Writer is closed."):
        w.write(b"x")
    with pytest.raises(errors.FailedPreconditionError, match="Writer is closed."):
        w.flush()


def test_writer_errors(tmp_path):
    with pytest.raises(errors.NotFoundError, match=r"nodir/x.tfrecord; No such file or directory"):
        tf.io.TFRecordWriter(str(tmp_path / "nodir" / "x.tfrecord"))
    with pytest.raises(ValueError, match='Not a valid compression_type: "BZIP"'):
        tf.io.TFRecordWriter(str(tmp_path / "x"), "BZIP")


def test_options_compression_type_string():
    get = tf.io.TFRecordOptions.get_compression_type_string
    assert get(None) == "" and get("") == "" and get("GZIP") == "GZIP" and get("ZLIB") == "ZLIB"
    assert get(tf.io.TFRecordOptions("ZLIB")) == "ZLIB"
    assert get(TFRecordCompressionType.GZIP) == "GZIP" and get(TFRecordCompressionType.NONE) == ""
    with pytest.raises(ValueError, match='Not a valid compression_type: "gzip"'):
        tf.io.TFRecordOptions("gzip")


# ---------------------------------------------------------------- fixtures written by real TF
def _manifest_expectation(name):
    expect = json.loads((FIXTURES / "MANIFEST.json").read_text())["files"][name]["expect"]
    m = re.match(r"(\d+) records", expect)
    assert m, expect
    return int(m.group(1))


@pytest.mark.parametrize("name, compression", [("examples.tfrecord", ""), ("examples.tfrecord.gz", "GZIP")])
def test_tf_written_fixture_reads_back(name, compression):
    if not (FIXTURES / name).exists():
        pytest.skip("shared fixtures not available")
    from tensorforge.protos import example_pb2
    records = list(iter_tfrecords(str(FIXTURES / name), compression))
    assert len(records) == _manifest_expectation(name)
    for i, rec in enumerate(records):
        feature = example_pb2.Example.FromString(rec).features.feature
        # MANIFEST: record i: image=[0, .5i, i, 1.5i], label=i%3, name=b'item-i'
        np.testing.assert_array_equal(np.array(feature["image"].float_list.value, np.float32),
                                      np.array([0, 0.5 * i, i, 1.5 * i], np.float32))
        assert list(feature["label"].int64_list.value) == [i % 3]
        assert list(feature["name"].bytes_list.value) == [b"item-%d" % i]


def test_fixture_plain_equals_our_rewrite(tmp_path):
    """Writing the fixture's records again gives the same bytes as TF's writer did."""
    src = FIXTURES / "examples.tfrecord"
    if not src.exists():
        pytest.skip("shared fixtures not available")
    out = tmp_path / "again.tfrecord"
    _write(out, list(iter_tfrecords(str(src))))
    assert out.read_bytes() == src.read_bytes()


# ---------------------------------------------------------------- damaged files
def _read_until_error(path, compression=""):
    got = []
    with pytest.raises(errors.DataLossError) as info:
        for r in iter_tfrecords(str(path), compression):
            got.append(r)
    return got, str(info.value)


def _offsets(records):
    out, pos = [], 0
    for r in records:
        out.append(pos)
        pos += len(r) + 16
    return out


def test_bad_data_crc_raises_after_the_good_records(tmp_path):
    path = tmp_path / "bad.tfrecord"
    data = bytearray(b"".join(_spec_frame(r) for r in RECORDS))
    start = _offsets(RECORDS)[3]
    data[start + 12 + 7] ^= 0x01  # a bit of record 3's data
    path.write_bytes(bytes(data))
    got, msg = _read_until_error(path)
    assert got == RECORDS[:3]
    # As TF: a data CRC failure names the data's offset (record start + 12).
    assert "corrupted record at %d" % (start + 12) in msg and str(path) in msg


def test_bad_length_crc_raises_with_the_record_offset(tmp_path):
    path = tmp_path / "bad.tfrecord"
    data = bytearray(b"".join(_spec_frame(r) for r in RECORDS))
    start = _offsets(RECORDS)[2]
    data[start + 9] ^= 0x40  # record 2's length CRC
    path.write_bytes(bytes(data))
    got, msg = _read_until_error(path)
    assert got == RECORDS[:2]
    assert "corrupted record at %d" % start in msg and str(path) in msg


def test_truncated_file_raises_after_the_good_records(tmp_path):
    path = tmp_path / "cut.tfrecord"
    data = b"".join(_spec_frame(r) for r in RECORDS)
    start = _offsets(RECORDS)[4]
    path.write_bytes(data[:start + 12 + 500])  # header whole, data cut short
    got, msg = _read_until_error(path)
    assert got == RECORDS[:4]
    assert "truncated record at %d" % start in msg and str(path) in msg


def test_truncated_gzip_stream_raises_after_the_good_records(tmp_path):
    path = tmp_path / "cut.tfrecord.gz"
    framed = b"".join(_spec_frame(r) for r in RECORDS)
    start = _offsets(RECORDS)[4]
    path.write_bytes(gzip.compress(framed[:start + 100]))
    got, msg = _read_until_error(path, "GZIP")
    assert got == RECORDS[:4]
    assert "truncated record at %d" % start in msg


def test_partial_header_at_the_end_ends_the_records_as_in_tf(tmp_path):
    path = tmp_path / "cut.tfrecord"
    data = b"".join(_spec_frame(r) for r in RECORDS)
    path.write_bytes(data[:_offsets(RECORDS)[2] + 5])
    assert list(iter_tfrecords(str(path))) == RECORDS[:2]


def test_not_a_tfrecord_file(tmp_path):
    path = tmp_path / "x.gz"
    _write(path, RECORDS, "GZIP")
    got, msg = _read_until_error(path)  # read as plain: TF's hint at offset 0
    assert got == [] and "corrupted record at 0 (Is this even a TFRecord file?)" in msg
    plain = tmp_path / "plain"
    _write(plain, RECORDS)
    got, msg = _read_until_error(plain, "GZIP")
    assert got == [] and "inflate() failed with error -3" in msg


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(errors.NotFoundError, match="nope.tfrecord; No such file or directory"):
        list(iter_tfrecords(str(tmp_path / "nope.tfrecord")))
    with pytest.raises(errors.FailedPreconditionError, match="Is a directory"):
        list(iter_tfrecords(str(tmp_path)))
