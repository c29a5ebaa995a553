"""tf.data iterators in tf.train.Checkpoint: saved with the model, restored to continue exactly."""
import numpy as np
import pytest

import tensorforge as tf


def _pipeline(seed):
    return (tf.data.Dataset.range(60).shuffle(20, seed=seed).repeat(2)
            .map(lambda x: x * 2, num_parallel_calls=2).batch(4).prefetch(2))


def _take(it, n):
    return [next(it).numpy().tolist() for _ in range(n)]


@pytest.mark.parametrize("seed", [7, None])
def test_restored_iterator_continues_where_it_was(tmp_path, seed):
    ds = _pipeline(seed)
    it = iter(ds)
    _take(it, 12)  # into the second epoch of the repeat
    step = tf.Variable(12)
    ckpt = tf.train.Checkpoint(step=step, iterator=it)
    path = ckpt.save(str(tmp_path / "ckpt"))
    expected = _take(it, 10)
    step.assign(99)
    ckpt.restore(path).assert_consumed()
    assert int(step) == 12 and _take(it, 10) == expected  # same process, same iterator
    # A new pipeline object and iterator, as after a restart of the program.
    fresh = iter(_pipeline(seed))
    tf.train.Checkpoint(step=tf.Variable(0), iterator=fresh).restore(path).assert_consumed()
    assert _take(fresh, 10) == expected


def test_iterator_state_is_a_string_tensor_under_tfs_key(tmp_path):
    it = iter(tf.data.Dataset.range(5))
    next(it)
    path = tf.train.Checkpoint(iterator=it).write(str(tmp_path / "c"))
    names = dict(tf.train.list_variables(path))
    assert "iterator/.ATTRIBUTES/ITERATOR_STATE" in names
    assert tf.train.load_checkpoint(path).get_variable_to_dtype_map()[
        "iterator/.ATTRIBUTES/ITERATOR_STATE"] == tf.string


def test_restoring_into_a_different_pipeline_fails_clearly(tmp_path):
    it = iter(tf.data.Dataset.range(5).map(lambda x: x + 1))
    path = tf.train.Checkpoint(iterator=it).write(str(tmp_path / "c"))
    other = iter(tf.data.Dataset.range(5))
    with pytest.raises(ValueError, match="different pipeline"):
        tf.train.Checkpoint(iterator=other).restore(path)


def test_checkpoint_manager_saves_model_and_iterator(tmp_path):
    ds = tf.data.Dataset.from_tensor_slices(np.arange(40, dtype=np.float32)).shuffle(40).batch(5)
    it = iter(ds)
    v = tf.Variable(0.0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v, it=it), str(tmp_path), max_to_keep=2)
    for _ in range(3):
        v.assign_add(float(tf.reduce_sum(next(it))))
    manager.save()
    rest = [b.numpy().tolist() for b in it]
    it2 = iter(ds)
    v2 = tf.Variable(0.0)
    tf.train.Checkpoint(v=v2, it=it2).restore(manager.latest_checkpoint).assert_consumed()
    assert float(v2) == float(v) and [b.numpy().tolist() for b in it2] == rest
