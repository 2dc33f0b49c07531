"""Peak resident-memory sampling for side-by-side benchmarks (Linux /proc)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def measure(func: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """Best wall time of ``repeat`` runs and peak extra RSS (MiB) of the first."""
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_bytes())
            time.sleep(0.002)

    base = rss_bytes()
    peak = base
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start = time.perf_counter()
    out = func()
    first = time.perf_counter() - start
    stop.set()
    thread.join()
    extra = (max(peak, rss_bytes()) - base) / 2**20
    times = [first]
    for _ in range(repeat - 1):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times), extra, out
