"""Element-wise and ordering transformations: map, filter, shuffle, repeat, take, skip, cache,
window, scan, reduce, shard, take_while, unique, with_options."""
from __future__ import annotations

import os
import random as _pyrandom

import numpy as np

from ..framework import nest
from ..framework.errors import InvalidArgumentError
from ..framework.tensor import Tensor, TensorSpec
from . import functions, structure
from .dataset import AUTOTUNE, INFINITE, UNKNOWN, Dataset, UnaryDataset, as_int, pipeline_options, unseeded_rng
from .sources import _rows


# ---------------------------------------------------------------- map
class Map(UnaryDataset):
    def __init__(self, input_ds, map_func, num_parallel_calls=None, deterministic=None):
        super().__init__(input_ds, spec=None)
        self._fn = functions.trace(map_func, input_ds.element_spec, _fn_name(map_func, "map"))
        self._spec = self._fn.output_spec
        if num_parallel_calls is not None:
            num_parallel_calls = as_int(num_parallel_calls, "num_parallel_calls")
            if num_parallel_calls != AUTOTUNE and num_parallel_calls <= 0:
                raise ValueError("num_parallel_calls must be positive or AUTOTUNE, got %d" % num_parallel_calls)
        self._parallel = num_parallel_calls
        self._deterministic = deterministic


    _skip_errors = False  # set on the copies ignore_errors makes (see _tolerant)

    def _elements(self):
        fn = self._fn
        if fn._eager:
            pack = structure.packer(self._input.element_spec)
            run = lambda c: structure.to_components(fn.call_eager(pack(c)))  # noqa: E731
        else:
            run = fn.run
            if fn.vectorizable and not self._skip_errors:
                chunks = self._input._chunks(64)
                if chunks is not None:
                    return _rows(fn.run_chunk(c) for c in chunks)
        if self._skip_errors:
            run = _or_skipped(run)
        if self._parallel is not None and self._parallel != 1 and not fn._eager:
            from .parallel import parallel_map
            opts = pipeline_options(self)
            det = self._deterministic if self._deterministic is not None else opts.is_deterministic
            out = parallel_map(run, self._input._elements(), self._parallel, det, opts)
        else:
            out = (run(c) for c in self._input._elements())
        return (r for r in out if r is not _SKIPPED) if self._skip_errors else out

    def _chunks(self, size):
        if not self._fn.vectorizable or self._skip_errors:
            return None
        chunks = self._input._chunks(size)
        if chunks is None:
            return None
        return (self._fn.run_chunk(c) for c in chunks)

    def _random_access(self):
        if not self._fn.vectorizable or self._skip_errors:
            return None
        ra = self._input._random_access()
        if ra is None:
            return None
        n, gather = ra
        run = self._fn.run_chunk
        return n, lambda idx: run(gather(idx))


def _fn_name(fn, default):
    name = getattr(fn, "__name__", default)
    return default if name == "<lambda>" else name


# ---------------------------------------------------------------- filter
def _check_predicate(fn: functions.StructuredFunction, what: str):
    spec = fn.output_spec
    if not isinstance(spec, TensorSpec) or spec.dtype.name != "bool" or spec.shape.rank not in (0, None):
        raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its return "
                         "type is %r." % (spec,))


class Filter(UnaryDataset):
    def __init__(self, input_ds, predicate):
        super().__init__(input_ds)
        self._fn = functions.trace(predicate, self._spec, _fn_name(predicate, "filter"))
        _check_predicate(self._fn, "filter")

    def _cardinality(self):
        c = self._input._cardinality()
        return INFINITE if c == INFINITE else UNKNOWN

    _skip_errors = False

    def _elements(self):
        fn = self._fn
        if fn._eager:
            pack = structure.packer(self._spec)
            pred = lambda c: bool(fn.call_eager(pack(c)))  # noqa: E731
        else:
            pred = fn.predicate
            if fn.vectorizable and not self._skip_errors:
                chunks = self._input._chunks(256)
                if chunks is not None:
                    return _rows(self._filter_chunk(c) for c in chunks)
        if self._skip_errors:
            checked = _or_skipped(pred)
            return (c for c in self._input._elements() if checked(c) is True)
        return (c for c in self._input._elements() if pred(c))

    def _filter_chunk(self, chunk):
        keep = np.asarray(self._fn.run_chunk(chunk)[0], bool)
        return tuple(a[keep] for a in chunk)

    def _chunks(self, size):
        if not self._fn.vectorizable or self._skip_errors:
            return None
        chunks = self._input._chunks(size)
        if chunks is None:
            return None
        return (f for f in (self._filter_chunk(c) for c in chunks) if len(f[0]))


# ---------------------------------------------------------------- shuffle
def _op_seeds(seed):
    from ..ops.random_ops import get_seed
    return get_seed(seed)


class Shuffle(UnaryDataset):
    def __init__(self, input_ds, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_ds)
        buffer_size = as_int(buffer_size, "buffer_size")
        if buffer_size == AUTOTUNE:
            buffer_size = 10_000
        if buffer_size <= 0:
            raise InvalidArgumentError(None, None, "buffer_size must be greater than zero.")
        self._buffer = buffer_size
        s1, s2 = _op_seeds(None if seed is None else as_int(seed, "seed"))
        self._fixed = s1 is not None or s2 is not None
        self._seed = (s1 or 0, s2 or 0)
        self._reshuffle = reshuffle_each_iteration is None or bool(reshuffle_each_iteration)
        self._epoch = 0


    def _rng(self):
        """This iteration's generator: fixed seeds give the same orders in every run of the program."""
        epoch = self._epoch
        if self._reshuffle:
            self._epoch += 1
        if self._fixed:
            return np.random.default_rng([self._seed[0], self._seed[1], epoch if self._reshuffle else 0])
        if not self._reshuffle:
            if not hasattr(self, "_fixed_entropy"):
                self._fixed_entropy = _pyrandom.SystemRandom().getrandbits(63)
            return np.random.default_rng(self._fixed_entropy)
        return unseeded_rng()

    def _order(self, n: int, rng) -> np.ndarray:
        """The permutation a shuffle buffer of `self._buffer` elements produces over n indices."""
        b = self._buffer
        if b >= n:
            return rng.permutation(n)
        # Simulate the buffer: fill b slots, then repeatedly emit a random slot and refill it.
        buf = list(range(b))
        picks = (rng.random(n) * np.minimum(b, n - np.arange(n)).clip(min=1)).astype(np.int64).tolist()
        out = np.empty(n, np.int64)
        nxt = b
        for i, j in enumerate(picks):
            out[i] = buf[j]
            if nxt < n:
                buf[j] = nxt
                nxt += 1
            else:
                buf[j] = buf[-1]
                buf.pop()
        return out

    def _chunks(self, size):
        ra = self._input._random_access()
        if ra is None:
            return None
        n, gather = ra
        order = self._order(n, self._rng())
        return (gather(order[i:i + size]) for i in range(0, n, size))

    def _elements(self):
        chunks = self._chunks(256)
        if chunks is not None:
            return _rows(chunks)
        return self._buffered(self._input._elements(), self._rng())

    def _buffered(self, it, rng):
        b = self._buffer
        buf = []
        for c in it:
            if len(buf) < b:
                buf.append(c)
                continue
            j = int(rng.integers(b))
            out, buf[j] = buf[j], c
            yield out
        while buf:
            j = int(rng.integers(len(buf)))
            buf[j], buf[-1] = buf[-1], buf[j]
            yield buf.pop()


# ---------------------------------------------------------------- repeat / take / skip
class Repeat(UnaryDataset):
    def __init__(self, input_ds, count):
        super().__init__(input_ds)
        self._count = -1 if count is None else as_int(count, "count")

    def _cardinality(self):
        c = self._input._cardinality()
        if self._count == 0 or c == 0:
            return 0
        if self._count < 0 or c == INFINITE:
            return INFINITE
        return UNKNOWN if c == UNKNOWN else c * self._count

    def _epochs(self):
        k = 0
        while self._count < 0 or k < self._count:
            yield k
            k += 1

    def _elements(self):
        for _ in self._epochs():
            empty = True
            for c in self._input._elements():
                empty = False
                yield c
            if empty:
                return

    def _chunks(self, size):
        if self._input._chunks(size) is None:
            return None
        return self._chunk_gen(size)

    def _chunk_gen(self, size):
        for _ in self._epochs():
            empty = True
            for c in self._input._chunks(size):
                empty = False
                yield c
            if empty:
                return


class Take(UnaryDataset):
    def __init__(self, input_ds, count):
        super().__init__(input_ds)
        self._count = as_int(count, "count")

    def _cardinality(self):
        c = self._input._cardinality()
        if self._count < 0:
            return c
        if c == INFINITE:
            return self._count
        return min(c, self._count) if c >= 0 else UNKNOWN

    def _elements(self):
        if self._count < 0:
            return self._input._elements()
        return _islice(self._input._elements(), self._count)

    def _chunks(self, size):
        chunks = self._input._chunks(size)
        if chunks is None or self._count < 0:
            return chunks
        return self._take_chunks(chunks)

    def _take_chunks(self, chunks):
        left = self._count
        if left == 0:
            return
        try:
            for c in chunks:
                k = len(c[0])
                if k >= left:
                    yield tuple(a[:left] for a in c)
                    return
                left -= k
                yield c
        finally:
            chunks.close()

    def _random_access(self):
        ra = self._input._random_access()
        if ra is None:
            return None
        n = ra[0] if self._count < 0 else min(ra[0], self._count)
        return n, ra[1]


def _islice(it, n):
    try:
        for i, c in enumerate(it):
            if i >= n:
                return
            yield c
            if i + 1 >= n:
                return
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()


class Skip(UnaryDataset):
    def __init__(self, input_ds, count):
        super().__init__(input_ds)
        self._count = as_int(count, "count")

    def _cardinality(self):
        c = self._input._cardinality()
        if self._count < 0:
            return 0
        return max(0, c - self._count) if c >= 0 else c

    def _elements(self):
        it = self._input._elements()
        if self._count < 0:
            return iter(())
        for _ in range(self._count):
            if next(it, None) is None:
                return iter(())
        return it

    def _random_access(self):
        ra = self._input._random_access()
        if ra is None:
            return None
        k = max(self._count, 0) if self._count >= 0 else ra[0]
        n, gather = ra
        return max(0, n - k), lambda idx: gather(idx + k)

    def _chunks(self, size):
        ra = self._random_access()
        if ra is None:
            return None
        from .sources import _chunks_from_random_access
        return _chunks_from_random_access(ra[0], ra[1], size)


# ---------------------------------------------------------------- cache
class Cache(UnaryDataset):
    """Caches elements after the first complete pass (in memory, or in files at `filename`)."""

    def __init__(self, input_ds, filename):
        super().__init__(input_ds)
        self._filename = os.fspath(filename.numpy().decode() if hasattr(filename, "numpy") else filename)
        self._memory = None


    def _elements(self):
        if self._memory is not None:
            return iter(self._memory)
        if self._filename:
            from .saving import read_cache, write_cache
            cached = read_cache(self._filename, self._spec)
            if cached is not None:
                return iter(cached)
            return self._fill(lambda elems: write_cache(self._filename, elems, self._spec))
        return self._fill(self._keep)

    def _keep(self, elems):
        self._memory = elems

    def _fill(self, done):
        elems = []
        for c in self._input._elements():
            elems.append(c)
            yield c
        done(elems)  # only a complete pass is cached, as in TF


# ---------------------------------------------------------------- window
class Window(UnaryDataset):
    def __init__(self, input_ds, size, shift, stride, drop_remainder):
        super().__init__(input_ds, spec=None)
        self._size = as_int(size, "size")
        self._shift = self._size if shift is None else as_int(shift, "shift")
        self._stride = as_int(stride, "stride")
        for v, n in ((self._size, "size"), (self._shift, "shift"), (self._stride, "stride")):
            if v <= 0:
                raise InvalidArgumentError(None, None, "Window %s must be greater than zero, but got %d." % (n, v))
        self._drop = bool(drop_remainder)
        spec = input_ds.element_spec
        self._spec = nest.map_structure(lambda s: structure.DatasetSpec(s), spec)
        self._leaf_specs = structure.flat_specs(spec)

    def _elements(self):
        from collections import deque

        size, shift, stride = self._size, self._shift, self._stride
        span = (size - 1) * stride + 1
        buf = deque()
        it = self._input._elements()
        start = 0  # index of buf[0]
        pos = 0
        exhausted = False
        while True:
            while not exhausted and len(buf) < span:
                c = next(it, None)
                if c is None:
                    exhausted = True
                    break
                buf.append(c)
                pos += 1
            if not buf:
                return
            items = list(buf)[::stride][:size]
            if len(items) < size and (self._drop or not items):
                return
            if exhausted and len(items) < size and self._drop:
                return
            yield tuple(_window_dataset([c[i] for c in items], s)
                        for i, s in enumerate(self._leaf_specs))
            # advance by shift
            drop = shift
            while drop and buf:
                buf.popleft()
                drop -= 1
            start += shift
            if drop:  # shift beyond the buffered elements: skip ahead in the input
                for _ in range(drop):
                    if next(it, None) is None:
                        exhausted = True
                        break
            if exhausted and not buf:
                return


def _window_dataset(values, spec):
    from .sources import ElementList
    return ElementList([(v,) for v in values], spec)


# ---------------------------------------------------------------- scan / reduce
def _state_fn(fn, state_spec, elem_spec, name):
    return functions.StructuredFunction(_StateCall(fn), (state_spec, elem_spec), name, unpack=False)


class _StateCall:
    """Calls fn(state, element) where element tuples are unpacked: fn(state, *element)."""

    def __init__(self, fn):
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", "fn")

    def __call__(self, pair):
        state, elem = pair
        if type(elem) is tuple:
            return self.fn(state, *elem)
        return self.fn(state, elem)


def reduce(ds: Dataset, initial_state, reduce_func):
    initial = structure.normalize(initial_state)
    state_spec = structure.spec_of(initial)
    traced = _state_fn(reduce_func, state_spec, ds.element_spec, "reduce")
    out_spec = traced.output_spec
    try:
        nest.assert_same_structure(state_spec, out_spec)
    except (ValueError, TypeError):
        raise TypeError("The element types for the new state must match the initial state. Expected %r; got %r."
                        % (state_spec, out_spec)) from None
    for a, b in zip(structure.flat_specs(state_spec), structure.flat_specs(out_spec)):
        if a.dtype != b.dtype:
            raise TypeError("The element types for the new state must match the initial state. Expected %r; got %r."
                            % (state_spec, out_spec))
    if any(a.shape != b.shape for a, b in zip(structure.flat_specs(state_spec), structure.flat_specs(out_spec))):
        relaxed = nest.map_structure(lambda a, b: TensorSpec(a.shape.most_specific_compatible_shape(b.shape), a.dtype),
                                     state_spec, out_spec)
        traced = _state_fn(reduce_func, relaxed, ds.element_spec, "reduce")
    state = structure.to_components(initial)
    n = len(state)
    for c in ds._elements():
        state = tuple(traced.run(state + c))[:n]
    return nest.pack_sequence_as(state_spec, [Tensor(np.asarray(s)) for s in state]) if nest.is_nested(state_spec) \
        else Tensor(np.asarray(state[0]))


class Scan(UnaryDataset):
    def __init__(self, input_ds, initial_state, scan_func):
        super().__init__(input_ds, spec=None)
        initial = structure.normalize(initial_state)
        self._initial = structure.to_components(initial)
        state_spec = structure.spec_of(initial)
        traced = _state_fn(scan_func, state_spec, input_ds.element_spec, "scan")
        out = traced.output_spec
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("The scan function must return a pair comprising the new state and the output value.")
        new_state = out[0]
        if any(a.shape != b.shape for a, b in zip(structure.flat_specs(state_spec), structure.flat_specs(new_state))):
            relaxed = nest.map_structure(
                lambda a, b: TensorSpec(a.shape.most_specific_compatible_shape(b.shape), a.dtype), state_spec, new_state)
            traced = _state_fn(scan_func, relaxed, input_ds.element_spec, "scan")
            out = traced.output_spec
        self._fn = traced
        self._n_state = len(structure.flat_specs(state_spec))
        self._spec = out[1]


    def _elements(self):
        state = self._initial
        n = self._n_state
        for c in self._input._elements():
            out = tuple(self._fn.run(state + c))
            state = out[:n]
            yield out[n:]


# ---------------------------------------------------------------- shard / take_while / unique / options
class Shard(UnaryDataset):
    def __init__(self, input_ds, num_shards, index):
        super().__init__(input_ds)
        self._n = as_int(num_shards, "num_shards")
        self._i = as_int(index, "index")
        if self._n <= 0:
            raise InvalidArgumentError(None, None, "Number of shards must be greater than zero (currently "
                                       "num_shards = %d)." % self._n)
        if not 0 <= self._i < self._n:
            raise InvalidArgumentError(None, None, "Index must be between 0 and %d (currently index = %d)."
                                       % (self._n - 1, self._i))

    def _cardinality(self):
        c = self._input._cardinality()
        if c < 0:
            return c
        return c // self._n + (1 if c % self._n > self._i else 0)

    def _elements(self):
        n, i = self._n, self._i
        return (c for k, c in enumerate(self._input._elements()) if k % n == i)

    def _random_access(self):
        ra = self._input._random_access()
        if ra is None:
            return None
        m, gather = ra
        return self._cardinality() if m >= 0 else 0, lambda idx: gather(idx * self._n + self._i)


class TakeWhile(UnaryDataset):
    def __init__(self, input_ds, predicate):
        super().__init__(input_ds)
        self._fn = functions.trace(predicate, self._spec, _fn_name(predicate, "take_while"))
        _check_predicate(self._fn, "take_while")

    def _elements(self):
        pred = self._fn.predicate
        for c in self._input._elements():
            if not pred(c):
                return
            yield c


class Unique(Dataset):
    def __init__(self, input_ds):
        spec = input_ds.element_spec
        if not isinstance(spec, TensorSpec):
            raise TypeError("`tf.data.Dataset.unique` does not support nested or composite elements.")
        if spec.dtype.name not in ("int32", "int64", "string") or spec.shape.rank not in (0, 1, None):
            raise TypeError("`tf.data.Dataset.unique` only supports inputs with a single `tf.int32`, `tf.int64`, or "
                            "`tf.string` component.")
        self._input = input_ds
        self._inputs = (input_ds,)
        self._spec = spec

    def _elements(self):
        seen = set()
        for c in self._input._elements():
            a = c[0]
            key = a.tobytes() if a.dtype != object else tuple(np.asarray(a).reshape(-1))
            key = (a.shape, key)
            if key in seen:
                continue
            seen.add(key)
            yield c


class WithOptions(Dataset):
    def __init__(self, input_ds, options):
        from .options import Options
        if not isinstance(options, Options):
            raise TypeError("options must be a tf.data.Options, got %r" % (options,))
        self._input = input_ds
        self._inputs = (input_ds,)
        self._spec = input_ds.element_spec
        self._opts = options

    def options(self):
        return self._input.options().merge(self._opts)


    def _elements(self):
        return self._input._elements()

    def _chunks(self, size):
        return self._input._chunks(size)

    def _random_access(self):
        return self._input._random_access()



class AssertCardinality(UnaryDataset):
    def __init__(self, input_ds, expected):
        super().__init__(input_ds)
        self._expected = as_int(expected, "expected_cardinality")

    def _cardinality(self):
        return self._expected

    def _elements(self):
        from ..framework.errors import FailedPreconditionError
        n = 0
        for c in self._input._elements():
            n += 1
            if self._expected >= 0 and n > self._expected:
                raise FailedPreconditionError(None, None, "Input dataset was expected to contain %d elements but "
                                              "contained at least %d elements." % (self._expected, n))
            yield c
        if self._expected != INFINITE and n < self._expected:
            raise FailedPreconditionError(None, None, "Input dataset was expected to contain %d elements but "
                                          "contained only %d elements." % (self._expected, n))


class IgnoreErrors(UnaryDataset):
    """ignore_errors: elements whose map or filter function raised are dropped (TF's semantics).

    The skipping happens where the error arises: the map and filter stages upstream are copied
    with error skipping on (the original datasets, which other pipelines may share, are left
    alone). An error raised by another kind of stage (a reader finding a corrupt file) ends the
    iteration there, since that stage cannot go on past it.
    """

    def __init__(self, input_ds, log_warning=False):
        super().__init__(_tolerant(input_ds))
        self._log = bool(log_warning)

    def _elements(self):
        it = self._input._elements()
        while True:
            try:
                c = next(it)
            except StopIteration:
                return
            except Exception as e:  # noqa: BLE001 - that is the transformation's purpose
                if self._log:
                    import logging
                    logging.getLogger("tensorforge").warning("Ignoring an error in tf.data: %s", e)
                return
            yield c


_SKIPPED = object()


def _or_skipped(fn):
    """fn, returning _SKIPPED instead of raising (an element ignore_errors drops)."""
    def run(c):
        try:
            return fn(c)
        except Exception:  # noqa: BLE001 - TF drops the element on any error status
            return _SKIPPED
    return run


def _tolerant(ds):
    """A copy of the chain of one-input stages above `ds`, its maps and filters skipping errors."""
    import copy
    if not isinstance(ds, UnaryDataset):
        return ds
    c = copy.copy(ds)
    c._input = _tolerant(ds._input)
    c._inputs = (c._input,)
    if isinstance(c, (Map, Filter)):
        c._skip_errors = True
    return c
