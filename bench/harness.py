"""A tiny benchmark harness: every measurement is a ratio to a baseline timed in the same run.

Absolute times vary between machines; a ratio against something measured a moment earlier
on the same machine does not. Each benchmark module exposes `run() -> list[Measurement]`.
"""

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Measurement:
    name: str
    value: float
    unit: str
    target: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        status = "OK  " if self.ok else "FAIL"
        text = f"{status} {self.name:<58} {self.value:>10.3f} {self.unit:<14} target {self.target}"
        return f"{text}  ({self.detail})" if self.detail else text


def timed(fn: Callable[[], object], *, repeat: int = 1, setup: Callable[[], object] | None = None):
    """Return the median wall time of `fn` in seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class QueryCounter:
    """Count the statements sent to the database (works with DEBUG off)."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def ratio_at_least(name: str, measured_s: float, baseline_s: float, minimum: float, baseline: str):
    """Throughput ratio: baseline time / measured time (1.0 = as fast as the baseline)."""
    value = baseline_s / measured_s
    return Measurement(
        name=name,
        value=value,
        unit="× baseline",
        target=f">= {minimum:g}",
        ok=value >= minimum,
        detail=f"{measured_s * 1000:.1f} ms vs {baseline} {baseline_s * 1000:.1f} ms",
    )


def ratio_at_most(name: str, measured_s: float, baseline_s: float, maximum: float, baseline: str):
    """Slowdown ratio: measured time / baseline time (1.0 = as fast as the baseline)."""
    value = measured_s / baseline_s
    return Measurement(
        name=name,
        value=value,
        unit="× baseline",
        target=f"<= {maximum:g}",
        ok=value <= maximum,
        detail=f"{measured_s * 1000:.2f} ms vs {baseline} {baseline_s * 1000:.2f} ms",
    )


def at_most(name: str, value: float, maximum: float, unit: str, detail: str = ""):
    return Measurement(name, value, unit, f"<= {maximum:g}", value <= maximum, detail)


def at_least(name: str, value: float, minimum: float, unit: str, detail: str = ""):
    return Measurement(name, value, unit, f">= {minimum:g}", value >= minimum, detail)
