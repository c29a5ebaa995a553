"""TFRecord read throughput: a 100 MB file of 100,000 records of 1,000 bytes, written with
tf.io.TFRecordWriter, read back with tf.data.TFRecordDataset (plain; extra: GZIP); MB/s of
record payload, median of 3 reads."""
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import run  # noqa: E402

RECORDS, SIZE = 100_000, 1_000


def _read_rate(tf, path, compression):
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        n = 0
        for _ in tf.data.TFRecordDataset(path, compression_type=compression):
            n += 1
        rates.append(RECORDS * SIZE / 1e6 / (time.perf_counter() - t0))
        assert n == RECORDS
    return statistics.median(rates)


def workload(tf):
    payload = np.random.default_rng(0).integers(0, 256, SIZE, dtype=np.uint8).tobytes()
    with tempfile.TemporaryDirectory() as d:
        plain, gz = os.path.join(d, "data.tfrecord"), os.path.join(d, "data.tfrecord.gz")
        for path, comp in ((plain, ""), (gz, "GZIP")):
            with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type=comp)) as w:
                for i in range(RECORDS):
                    w.write(payload[i % 7:] + payload[:i % 7])
        return _read_rate(tf, plain, ""), {"gzip_MB_per_s": _read_rate(tf, gz, "GZIP")}


if __name__ == "__main__":
    run("tfrecord_read", workload, "MB/s", True, os.path.abspath(__file__), records=RECORDS, record_bytes=SIZE)
