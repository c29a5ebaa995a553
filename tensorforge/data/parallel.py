"""Background threads: parallel map, prefetch, and parallel interleave, with AUTOTUNE.

NumPy kernels release the GIL, so map functions doing real array work run concurrently on
threads. Every stage here keeps a bounded number of elements in flight, delivers them in input
order unless told it need not, and shuts its threads down when its consumer stops early (the
generator's `close`, called when an iterator is dropped).

AUTOTUNE measures instead of guessing: parallel map first runs a few elements on the calling
thread to time the function; if an element costs less than the cost of handing it to a thread
it stays sequential, otherwise it makes one call per CPU at a time (or the cap in the dataset's
threading options): worker threads, plus the consuming thread itself whenever it would otherwise
wait. Prefetch with AUTOTUNE grows its buffer while its consumer finds it empty.
"""
from __future__ import annotations

import collections
import contextvars
import os
import threading
import time

from ..framework import nest
from ..ops.registry import quiet_numpy
from . import structure
from .dataset import AUTOTUNE, Dataset, UnaryDataset, as_int

# Below this cost per element, a thread hand-off costs more than it saves.
_MIN_PARALLEL_COST_S = 50e-6
_PROBE = 8


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _threads(requested: int, options) -> int:
    cap = options.threading.private_threadpool_size if options is not None else None
    n = _cpus() if requested == AUTOTUNE else requested
    if cap:
        n = min(n, cap)
    return max(1, n)


def parallel_map(fn, inputs, num_parallel_calls: int, deterministic: bool, options=None):
    """Yields fn(c) for each component tuple c of `inputs`, computed on worker threads."""
    autotune = num_parallel_calls == AUTOTUNE and (options is None or options.autotune.enabled is not False)
    n_threads = _threads(num_parallel_calls, options)
    if n_threads == 1:
        for c in inputs:
            yield fn(c)
        return
    in_flight = max(16, n_threads * 4)
    if not autotune:
        yield from _run_pool(fn, inputs, n_threads, in_flight, deterministic)
        return
    # Probe: time a few elements here (the first one, which may warm caches up, is not counted).
    # Cheap functions stay on this thread.
    probe = []
    t0 = None
    for c in inputs:
        probe.append(fn(c))
        if t0 is None:
            t0 = time.perf_counter()
        if len(probe) > _PROBE:
            break
    if len(probe) <= _PROBE:
        yield from probe
        return
    per = (time.perf_counter() - t0) / _PROBE
    yield from probe
    if per < _MIN_PARALLEL_COST_S:
        for c in inputs:
            yield fn(c)
        return
    # Trial: threads pay only for functions that spend their time outside the GIL (NumPy loops
    # on large arrays). After _TRIAL elements, if the pool has not beaten the sequential cost
    # per element by _MIN_GAIN, it finishes what it has in flight and the rest runs here.
    control = _PoolControl()
    inside = 0.0  # time spent in this generator, i.e. what the consumer waited for
    count = 0
    t = time.perf_counter()
    for r in _run_pool(fn, inputs, n_threads, in_flight, deterministic, control):
        inside += time.perf_counter() - t
        count += 1
        if count == _TRIAL and inside / count * _MIN_GAIN > per:
            control.draining = True
        yield r
        t = time.perf_counter()
    if control.draining:
        for c in inputs:
            yield fn(c)


_TRIAL = 48
_MIN_GAIN = 1.15


class _PoolControl:
    __slots__ = ("draining",)

    def __init__(self):
        self.draining = False


class _Task:
    __slots__ = ("arg", "state", "value", "error", "done")
    # state: 0 waiting, 1 claimed by a thread, 2 finished

    def __init__(self, arg):
        self.arg = arg
        self.state = 0
        self.value = self.error = None
        self.done = threading.Event()


def _run_pool(fn, inputs, n_threads, in_flight, deterministic, control=None):
    """Runs fn over `inputs` with n_threads calls at a time: n_threads - 1 worker threads, and the
    consuming thread itself whenever it would otherwise wait for a result.

    A consumer that helps instead of sleeping saves a thread wake-up per element, and keeps the
    number of threads contending for the GIL at the number of calls (a pool of n workers plus a
    waiting consumer is n + 1): on 2 cores, 1.9x the sequential speed instead of 1.7x for the
    same NumPy-heavy function. Once `control.draining` is set it takes no more inputs and ends
    after yielding those in flight (the rest of `inputs` is left to the caller).
    """
    claim = threading.Lock()
    queue = collections.deque()  # tasks not yet claimed, oldest first
    pending = collections.deque()  # tasks in input order, not yet yielded
    work = threading.Semaphore(0)
    stop = []

    def execute(task):
        try:
            task.value = fn(task.arg)
        except BaseException as e:  # noqa: BLE001 - raised on the consumer's thread, in order
            task.error = e
        task.state = 2
        task.done.set()

    def next_task():
        with claim:
            while queue:
                task = queue.popleft()
                if task.state == 0:
                    task.state = 1
                    return task
        return None

    def worker():
        quiet_numpy()
        while True:
            work.acquire()
            if stop:
                return
            task = next_task()
            if task is not None:
                execute(task)

    threads = [threading.Thread(target=worker, name="tf_data_map_%d" % i, daemon=True)
               for i in range(n_threads - 1)]
    for t in threads:
        t.start()

    def result(task):
        if task.error is not None:
            raise task.error
        return task.value

    try:
        it = iter(inputs)
        exhausted = False
        while True:
            while not exhausted and len(pending) < in_flight and not (control is not None and control.draining):
                c = next(it, None)
                if c is None:
                    exhausted = True
                    break
                task = _Task(c)
                pending.append(task)
                with claim:
                    queue.append(task)
                work.release()
            if not pending:
                return
            if deterministic:
                head = pending[0]
                while head.state != 2:
                    mine = next_task()
                    if mine is None:
                        head.done.wait()
                        break
                    execute(mine)
                pending.popleft()
                yield result(head)
            else:
                done = next((t for t in pending if t.state == 2), None)
                if done is None:
                    done = next_task()
                    if done is not None:
                        execute(done)
                    else:  # every task is running on a worker: wait for the oldest
                        done = pending[0]
                        done.done.wait()
                pending.remove(done)
                yield result(done)
    finally:
        stop.append(True)
        with claim:
            queue.clear()
        for _ in threads:
            work.release()
        for t in threads:
            t.join()


# ---------------------------------------------------------------- prefetch
_END = object()


class _Failure:
    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc


def background(iterator_factory, buffer_size: int, name: str = "tf_data_prefetch"):
    """Runs `iterator_factory()` on a thread, yielding its items through a bounded buffer.

    buffer_size == AUTOTUNE starts at 2 and doubles (up to 64) each time the consumer finds the
    buffer empty. Closing the returned generator stops the thread.
    """
    autotune = buffer_size == AUTOTUNE
    limit = [2 if autotune else max(1, buffer_size)]
    q = collections.deque()
    cond = threading.Condition()
    stop = threading.Event()

    def produce():
        quiet_numpy()
        it = None
        try:
            it = iterator_factory()
            for item in it:
                with cond:
                    while len(q) >= limit[0] and not stop.is_set():
                        cond.wait(0.1)
                    if stop.is_set():
                        return
                    q.append(item)
                    cond.notify_all()
            with cond:
                q.append(_END)
                cond.notify_all()
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, raised there
            with cond:
                q.append(_Failure(e))
                cond.notify_all()
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001
                    pass

    # The producer runs in a copy of this context: the iterating iterator's seeds come along.
    t = threading.Thread(target=contextvars.copy_context().run, args=(produce,), name=name, daemon=True)
    t.start()
    try:
        while True:
            with cond:
                if not q:
                    if autotune and limit[0] < 64:
                        limit[0] *= 2
                    while not q:
                        cond.wait()
                item = q.popleft()
                cond.notify_all()
            if item is _END:
                return
            if type(item) is _Failure:
                raise item.exc
            yield item
    finally:
        stop.set()
        with cond:
            cond.notify_all()
        t.join(timeout=5)


class Prefetch(UnaryDataset):
    def __init__(self, input_ds, buffer_size):
        super().__init__(input_ds)
        b = as_int(buffer_size, "buffer_size")
        if b != AUTOTUNE and b < 0:
            raise ValueError("buffer_size must be >= 0 or AUTOTUNE, got %d" % b)
        self._buffer = b


    def _elements(self):
        if self._buffer == 0:
            return self._input._elements()
        return background(self._input._elements, self._buffer)


# ---------------------------------------------------------------- interleave
class Interleave(UnaryDataset):
    """interleave / flat_map: map_func returns a dataset per input element; their elements are
    taken `block_length` at a time from `cycle_length` open datasets in turn."""

    def __init__(self, input_ds, map_func, cycle_length, block_length, num_parallel_calls, deterministic):
        super().__init__(input_ds, spec=None)
        spec = input_ds.element_spec
        self._fn = map_func
        self._in_pack = structure.packer(spec)
        out = _call(map_func, self._in_pack, spec)
        if isinstance(out, _Deferred):  # learn the spec from the first real element instead
            first = next(iter(input_ds._elements()), None)
            if first is None:
                raise out.error
            out = self._call_on(first)
        if not isinstance(out, Dataset):
            raise TypeError("The `map_func` argument must return a `Dataset` object. Got %r." % (type(out),))
        self._spec = out.element_spec
        self._cycle = AUTOTUNE if cycle_length is None else as_int(cycle_length, "cycle_length")
        self._block = 1 if block_length is None else as_int(block_length, "block_length")
        if self._block <= 0:
            raise ValueError("block_length must be positive")
        self._parallel = None if num_parallel_calls is None else as_int(num_parallel_calls, "num_parallel_calls")
        self._deterministic = deterministic

    def _open(self, c):
        ds = self._call_on(c)
        if not isinstance(ds, Dataset):
            raise TypeError("The `map_func` argument must return a `Dataset` object. Got %r." % (type(ds),))
        return ds

    def _call_on(self, c):
        value = self._in_pack(c)
        if type(value) is tuple:
            return self._fn(*value)
        return self._fn(value)

    def _elements(self):
        cycle = self._cycle if self._cycle != AUTOTUNE else _cpus()
        block = self._block
        parallel = self._parallel is not None and self._parallel != 1 and cycle > 1
        inputs = self._input._elements()
        if cycle == 1 and not parallel:
            for c in inputs:
                yield from self._open(c)._elements()
            return
        # TF's interleave: a slot opens its next input when the cycle reaches it empty; a slot
        # that ends is emptied and the cycle moves on.
        slots: list = [None] * cycle
        open_count = 0
        end_of_input = False
        i = 0
        taken = 0
        try:
            while not end_of_input or open_count:
                it = slots[i]
                if it is not None:
                    c = next(it, None)
                    if c is not None:
                        taken += 1
                        if taken == block:
                            taken, i = 0, (i + 1) % cycle
                        yield c
                        continue
                    slots[i] = None
                    open_count -= 1
                    taken, i = 0, (i + 1) % cycle
                elif not end_of_input:
                    c = next(inputs, None)
                    if c is None:
                        end_of_input = True
                        continue
                    ds = self._open(c)
                    slots[i] = background(ds._elements, 8, "tf_data_interleave") if parallel else ds._elements()
                    open_count += 1
                else:
                    taken, i = 0, (i + 1) % cycle
        finally:
            for it in slots:
                close = getattr(it, "close", None)
                if close is not None:
                    close()


def _call(fn, pack, spec):
    """Calls an element -> dataset function once on an empty prototype to learn its output spec."""
    def proto(s):
        from .dataset import _Empty
        if isinstance(s, structure.DatasetSpec):
            return _Empty(s.element_spec)
        from ..framework.tensor import Tensor, TensorSpec
        if isinstance(s, TensorSpec):
            import numpy as np
            shape = [d if d is not None else 0 for d in (s.shape.as_list() if s.shape.rank is not None else [])]
            return Tensor(np.zeros(shape, s.dtype.as_numpy_dtype) if s.dtype.name != "string"
                          else np.full(shape, b"", dtype=object))
        raise TypeError("interleave/flat_map over elements of type %r is not supported yet." % (s,))
    value = nest.map_structure(proto, spec)
    try:
        return fn(*value) if type(value) is tuple else fn(value)
    except Exception as e:  # noqa: BLE001 - the prototype may not suit every function (e.g. a file name)
        return _Deferred(fn, spec, e)


class _Deferred:
    """Stands for a map_func whose output spec could not be learnt from a prototype."""

    def __init__(self, fn, spec, error):
        self.error = error
