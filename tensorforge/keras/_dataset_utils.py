"""tf.data builders of tf.keras.utils: timeseries windows, dataset splitting, and datasets of
image / text files laid out as `directory/<class_name>/<file>`."""
from __future__ import annotations

import os

import numpy as np

import tensorforge as tf

_IMAGE_EXTS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None):
    """A dataset of sliding windows over `data` (and the target of each window's first step).

    Window i holds `data[start + p_i + k * sampling_rate]` for k < sequence_length, with
    p_i = i * sequence_stride; its target is `targets[start + p_i]`.
    """
    if sampling_rate <= 0:
        raise ValueError("`sampling_rate` must be higher than 0. Received: sampling_rate=%s" % sampling_rate)
    if sequence_stride <= 0:
        raise ValueError("`sequence_stride` must be higher than 0. Received: sequence_stride=%s" % sequence_stride)
    data = np.asarray(data)
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    start_positions = np.arange(0, max(num_seqs, 0), sequence_stride)
    if shuffle:
        rng = np.random.RandomState(np.random.randint(1e6) if seed is None else seed)
        rng.shuffle(start_positions)
    window = start_positions[:, None] + np.arange(sequence_length)[None, :] * sampling_rate
    dataset = tf.data.Dataset.from_tensor_slices(data[start_index:end_index][window])
    if targets is not None:
        target_ds = tf.data.Dataset.from_tensor_slices(np.asarray(targets)[start_index:end_index][start_positions])
        dataset = tf.data.Dataset.zip((dataset, target_ds))
    if batch_size is not None:
        if shuffle:
            dataset = dataset.shuffle(buffer_size=batch_size * 8, seed=seed)
        return dataset.batch(batch_size)
    return dataset.shuffle(buffer_size=1024, seed=seed) if shuffle else dataset


def _sizes(total: int, left_size, right_size) -> tuple[int, int]:
    def count(s):
        if s is None:
            return None
        if isinstance(s, float):
            if not 0 < s < 1:
                raise ValueError("A float split size must be in (0, 1). Received: %s" % s)
            return int(round(s * total))
        if s <= 0 or s > total:
            raise ValueError("An integer split size must be in [1, %d]. Received: %s" % (total, s))
        return s
    left, right = count(left_size), count(right_size)
    if left is None and right is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified.")
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError("The sum of `left_size` and `right_size` is greater than the total number of samples "
                         "(%d + %d > %d)." % (left, right, total))
    return left, right


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False, seed: int | None = None):
    """Splits arrays (or a tuple/dict of arrays, or a finite tf.data.Dataset) into two datasets.

    Sizes are fractions (floats in (0, 1)) or sample counts; a missing one is the complement.
    """
    if isinstance(dataset, tf.data.Dataset):
        samples = [tf.nest.map_structure(lambda t: t.numpy(), s) for s in dataset]
        structure = samples[0]
        columns = [np.stack(c) for c in zip(*[tf.nest.flatten(s) for s in samples])]
        data = tf.nest.pack_sequence_as(structure, columns)
    else:
        data = tf.nest.map_structure(np.asarray, tuple(dataset) if isinstance(dataset, list) else dataset)
    total = len(tf.nest.flatten(data)[0])
    left, right = _sizes(total, left_size, right_size)
    order = np.arange(total)
    if shuffle:
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(order)
    left_ds = tf.data.Dataset.from_tensor_slices(tf.nest.map_structure(lambda a: a[order[:left]], data))
    right_ds = tf.data.Dataset.from_tensor_slices(tf.nest.map_structure(lambda a: a[order[left:left + right]], data))
    return left_ds, right_ds


def _index_directory(directory, labels, formats, class_names, shuffle, seed, follow_links):
    """File paths and integer labels of `directory/<class>/...` (sorted; shuffled when asked)."""
    if labels == "inferred":
        subdirs = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
        if class_names is not None:
            if sorted(class_names) != sorted(subdirs) and set(class_names) - set(subdirs):
                raise ValueError("The `class_names` passed did not match the names of the subdirectories of the "
                                 "target directory. Expected: %s, but received: %s" % (subdirs, class_names))
            subdirs = list(class_names)
    else:
        subdirs = [""]
    paths, label_ids = [], []
    for i, sub in enumerate(subdirs):
        root = os.path.join(directory, sub)
        found = []
        for dirpath, _, files in os.walk(root, followlinks=follow_links):
            found += [os.path.join(dirpath, f) for f in files if f.lower().endswith(formats)]
        found.sort()
        paths += found
        label_ids += [i] * len(found)
    if labels not in ("inferred", None):
        if len(labels) != len(paths):
            raise ValueError("Expected the lengths of `labels` to match the number of files in the target "
                             "directory. len(labels) is %d while we found %d files in directory %s."
                             % (len(labels), len(paths), directory))
        label_ids = list(labels)
    paths, label_ids = np.array(paths), np.array(label_ids, dtype="int32")
    if shuffle:
        order = np.random.RandomState(np.random.randint(1e6) if seed is None else seed).permutation(len(paths))
        paths, label_ids = paths[order], label_ids[order]
    print("Found %d files belonging to %d classes." % (len(paths), len(subdirs) if labels == "inferred" else 0))
    return paths, label_ids, subdirs if labels == "inferred" else None


def _subset(paths, label_ids, validation_split, subset):
    if not validation_split:
        return paths, label_ids
    n_val = int(validation_split * len(paths))
    if subset == "training":
        print("Using %d files for training." % (len(paths) - n_val))
        return paths[:len(paths) - n_val], label_ids[:len(paths) - n_val]
    if subset == "validation":
        print("Using %d files for validation." % n_val)
        return paths[len(paths) - n_val:], label_ids[len(paths) - n_val:]
    raise ValueError('`subset` must be either "training" or "validation", received: %s' % (subset,))


def _labels_ds(label_ids, label_mode, num_classes):
    if label_mode == "binary":
        return tf.data.Dataset.from_tensor_slices(label_ids.astype("float32")[:, None])
    if label_mode == "categorical":
        return tf.data.Dataset.from_tensor_slices(np.eye(num_classes, dtype="float32")[label_ids])
    return tf.data.Dataset.from_tensor_slices(label_ids)


def _finish(ds, paths, label_ids, labels, label_mode, class_names, batch_size, shuffle, seed, subset):
    if labels is not None and label_mode is not None:
        ds = tf.data.Dataset.zip((ds, _labels_ds(label_ids, label_mode, len(class_names or [0, 1]))))
    if batch_size is not None:
        if shuffle:
            ds = ds.shuffle(buffer_size=batch_size * 8, seed=seed)
        ds = ds.batch(batch_size)
    elif shuffle:
        ds = ds.shuffle(buffer_size=1024, seed=seed)
    ds.class_names = class_names
    ds.file_paths = list(paths)
    if subset == "both":
        return ds
    return ds


def _both(fn, validation_split, subset, **kw):
    if subset == "both":
        return fn(subset="training", validation_split=validation_split, **kw), \
            fn(subset="validation", validation_split=validation_split, **kw)
    return fn(subset=subset, validation_split=validation_split, **kw)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                batch_size: int | None = 32, max_length: int | None = None, shuffle: bool = True,
                                seed: int | None = None, validation_split: float | None = None, subset=None,
                                follow_links: bool = False, verbose: bool = True, **kwargs):
    """A dataset of (text, label) from `.txt` files in `directory/<class_name>/` (strings, int labels)."""
    def build(subset, validation_split):
        if validation_split and seed is None and shuffle:
            raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed`.")
        paths, ids, names = _index_directory(directory, labels, (".txt",), class_names, shuffle, seed, follow_links)
        paths, ids = _subset(paths, ids, validation_split, subset)
        texts = [open(p, "rb").read() for p in paths]
        if max_length is not None:
            texts = [t[:max_length] for t in texts]
        ds = tf.data.Dataset.from_tensor_slices(np.array(texts, dtype=object) if texts else
                                                tf.constant([], dtype=tf.string))
        return _finish(ds, paths, ids, labels, label_mode, names, batch_size, shuffle, seed, subset)
    return _both(build, validation_split, subset)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode: str = "rgb", batch_size: int | None = 32, image_size=(256, 256),
                                 shuffle: bool = True, seed: int | None = None,
                                 validation_split: float | None = None, subset=None,
                                 interpolation: str = "bilinear", follow_links: bool = False,
                                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                                 data_format=None, verbose: bool = True, **kwargs):
    """A dataset of (image, label) from image files in `directory/<class_name>/`, decoded with
    tf.io.decode_image and resized to `image_size` (float32 images)."""
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. Received: color_mode=%s'
                         % color_mode)
    from .config import standardize_data_format
    data_format = standardize_data_format(data_format)

    def load(path):
        img = tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
        img = tf.image.resize(img, image_size, method=interpolation)
        img = tf.ensure_shape(img, tuple(image_size) + (channels,)) if hasattr(tf, "ensure_shape") else img
        return tf.transpose(img, (2, 0, 1)) if data_format == "channels_first" else img

    def build(subset, validation_split):
        if validation_split and seed is None and shuffle:
            raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed`.")
        paths, ids, names = _index_directory(directory, labels, _IMAGE_EXTS, class_names, shuffle, seed,
                                             follow_links)
        paths, ids = _subset(paths, ids, validation_split, subset)
        ds = tf.data.Dataset.from_tensor_slices(np.array(paths, dtype=object)).map(load)
        return _finish(ds, paths, ids, labels, label_mode, names, batch_size, shuffle, seed, subset)
    return _both(build, validation_split, subset)
