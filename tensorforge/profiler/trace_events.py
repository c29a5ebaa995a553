"""Profiles as Chrome trace-event JSON (what Perfetto and chrome://tracing open), and the
op-level summary of a profile.

The file is `{"traceEvents": [...], "displayTimeUnit": "ms"}`: one complete event (`"ph": "X"`,
`ts` and `dur` in microseconds from the start of the profile) per op execution, graph node,
tf.function run and Trace span, plus metadata events (`"ph": "M"`) naming the process and threads.
"""
from __future__ import annotations

import glob
import gzip
import json
import os
import socket
import time

from . import recorder as rec

_PROCESS_NAME = "/host:CPU"


def _json_value(v):
    return v if isinstance(v, (str, int, float, bool)) or v is None else str(v)


def to_chrome_trace(session: rec.Session) -> dict:
    """The session's events as a Chrome trace-event JSON object."""
    events = sorted(session.events[:], key=lambda e: (e[1], -e[2]))  # parents before children
    base, pid = session.start_ns, session.pid
    tids: dict[int, int] = {}
    out = []
    for (cat, name, op_type, extra), start, end, ident in events:
        tid = tids.get(ident)
        if tid is None:
            tid = tids[ident] = len(tids) + 1
        if cat == rec.GRAPH_NODE:
            args = {"op_type": op_type, "long_name": "%s:%s" % (name, op_type), "function": extra}
        elif cat == rec.EAGER_OP:
            args = {"op_type": op_type, "long_name": "%s:%s" % (name, op_type)}
        elif cat == rec.TRACE:
            args = {k: _json_value(v) for k, v in (extra or {}).items()}
        else:
            args = {}
        out.append({"name": name, "cat": cat, "ph": "X", "ts": (start - base) / 1000.0,
                    "dur": (end - start) / 1000.0, "pid": pid, "tid": tid, "args": args})
    meta = [{"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {"name": _PROCESS_NAME}}]
    for ident, tid in tids.items():
        name = session.thread_names.get(ident, "Thread %d" % ident)
        meta.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": name}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid, "args": {"sort_index": tid}})
    return {"traceEvents": meta + out, "displayTimeUnit": "ms",
            "otherData": {"producer": "tensorforge", "host": socket.gethostname(),
                          "start_time_unix_s": session.start_wall,
                          "duration_us": (session.stop_ns - session.start_ns) / 1000.0}}


def run_directory(logdir: str) -> str:
    """A new `<logdir>/plugins/profile/<YYYY_MM_DD_HH_MM_SS>` folder (suffixed if taken)."""
    stamp = time.strftime("%Y_%m_%d_%H_%M_%S", time.localtime())
    base = os.path.join(logdir, "plugins", "profile", stamp)
    path, n = base, 1
    while os.path.exists(path):
        path, n = "%s_%d" % (base, n), n + 1
    os.makedirs(path)
    return path


def write(trace: dict, logdir: str) -> str:
    """Writes `<run>/<hostname>.trace.json.gz` and an uncompressed `.trace.json` beside it; returns
    the `.trace.json.gz` path."""
    data = json.dumps(trace, separators=(",", ":")).encode()
    stem = os.path.join(run_directory(logdir), socket.gethostname() + ".trace.json")
    for path, payload in ((stem, data), (stem + ".gz", gzip.compress(data, compresslevel=1))):
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    return stem + ".gz"


def load(path_or_events) -> list:
    """Trace events from a `.trace.json[.gz]` file, a log directory (its newest profile), a trace
    dict, or a list of events."""
    if isinstance(path_or_events, dict):
        return path_or_events.get("traceEvents", [])
    if isinstance(path_or_events, (list, tuple)):
        return list(path_or_events)
    path = os.fspath(path_or_events)
    if os.path.isdir(path):
        found = glob.glob(os.path.join(path, "**", "*.trace.json.gz"), recursive=True)
        if not found:
            raise FileNotFoundError("no *.trace.json.gz profile under %s" % path)
        path = max(found, key=os.path.getmtime)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return json.load(f).get("traceEvents", [])


def _spans(events: list) -> list:
    """Complete events as (thread, start µs, end µs, op type or None for spans that are not ops)."""
    out = []
    for e in events:
        if e.get("ph") != "X":
            continue
        op_type = ((e.get("args") or {}).get("op_type") or e["name"]) if e.get("cat") in rec.OP_CATEGORIES else None
        out.append(((e.get("pid"), e.get("tid")), float(e["ts"]), float(e["ts"]) + float(e["dur"]), op_type))
    return out


def session_spans(session: rec.Session) -> list:
    """`_spans` of a recorded session, straight from its event tuples."""
    base = session.start_ns  # the same arithmetic as the file's ts and dur
    out = []
    for meta, start, end, ident in session.events[:]:
        ts = (start - base) / 1000.0
        out.append((ident, ts, ts + (end - start) / 1000.0, meta[2] if meta[0] in rec.OP_CATEGORIES else None))
    return out


def op_self_times(events: list) -> list:
    """(op type, self time in µs) per op execution; an op's self time leaves out the ops it ran
    inside it (the nodes of an If/While body, the ops of a py_function)."""
    return _self_times(_spans(events))


def _self_times(spans: list) -> list:
    ops = sorted((s for s in spans if s[3] is not None), key=lambda s: (s[0], s[1], -s[2]))
    self_time = [end - start for _, start, end, _ in ops]
    stacks: dict = {}
    for i, (thread, start, end, _) in enumerate(ops):
        stack = stacks.get(thread)
        if stack is None:
            stack = stacks[thread] = []
        while stack and ops[stack[-1]][2] <= start + 1e-3:
            stack.pop()
        if stack:
            self_time[stack[-1]] -= end - start
        stack.append(i)
    return [(s[3], max(t, 0.0)) for s, t in zip(ops, self_time)]


def summary(path_or_events, top: int = 20) -> str:
    """A text table of the `top` op types by total self time: count, total ms, mean µs, % of op time."""
    return summarize_spans(_spans(load(path_or_events)), top)


def summarize_spans(spans: list, top: int = 20) -> str:
    per_op = _self_times(spans)
    totals: dict[str, list] = {}
    for op_type, t in per_op:
        acc = totals.get(op_type)
        if acc is None:
            acc = totals[op_type] = [0, 0.0]
        acc[0] += 1
        acc[1] += t
    op_us = sum(t for _, t in totals.values())
    wall_us = (max(s[2] for s in spans) - min(s[1] for s in spans)) if spans else 0.0
    threads = {s[0] for s in spans}
    lines = ["Profile: %d op executions on %d thread(s), %.3f ms traced, %.3f ms in ops"
             % (len(per_op), len(threads), wall_us / 1000.0, op_us / 1000.0),
             "%-32s %9s %12s %12s %7s" % ("Op type", "Count", "Total ms", "Mean us", "%")]
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][1])[:top]
    for op_type, (count, t) in ranked:
        lines.append("%-32s %9d %12.3f %12.1f %7.2f" % (op_type[:32], count, t / 1000.0, t / count,
                                                        100.0 * t / op_us if op_us else 0.0))
    return "\n".join(lines)
