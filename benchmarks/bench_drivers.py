"""Exact Shapley (LMG) driver importance, side by side with the Python peers.

Run: `.venv/bin/python benchmarks/bench_drivers.py [--rows 5000] [--p 6 8 10 12 15 20 25]`.

Peers (benchmark-only installs, not cxmetrics dependencies):
    .venv/bin/pip install dominance-analysis pingouin "bokeh>=3"
(dominance-analysis pins bokeh 2.4.3, which no longer imports with numpy 2; it works
with bokeh 3.)

For n = 5,000 simulated respondents and each number of drivers p it prints the best
wall time (of up to 3 runs) and the peak extra resident memory of:
- ``cxmetrics`` exact Shapley from the correlation matrix (``drivers(...,
  method="shapley")``, point estimates only, so no interval work is timed);
- ``dominance-analysis`` (``Dominance(...).incremental_rsquare()``), which refits
  every sub-model with statsmodels;
- ``pingouin.linear_regression(..., relimp=True)``;
and the largest absolute difference of the peer's values from cxmetrics'.
A peer is skipped at a size where its previous time, doubled per extra driver,
predicts more than 5 minutes. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _memory import measure

from cxmetrics.drivers import drivers

BUDGET = 300.0


def make_data(rows: int, p: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(rows, 1))
    x = rng.normal(size=(rows, p)) + 0.6 * common
    y = x @ np.linspace(0.6, 0.05, p) + rng.normal(size=rows)
    frame = pd.DataFrame(x, columns=[f"x{j:02d}" for j in range(p)])
    frame["y"] = y
    return frame


def ours(data: pd.DataFrame, names: list[str]) -> np.ndarray:
    """The full public call: coefficients, all methods, dominance, delta intervals."""
    result = drivers(data, "y", names, method="shapley", n_resamples=0, max_exact=27)
    return result.methods["shapley"].to_numpy()


def point_only(data: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Exact Shapley values alone (what the peers compute)."""
    from cxmetrics.data.crossprod import reduce_crossprod
    from cxmetrics.estimators import relimp

    cp = reduce_crossprod(data, ["y", *names]).stats
    return relimp.importance(cp.correlation(), "shapley")


def dominance_analysis(data: pd.DataFrame, names: list[str]) -> np.ndarray:
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        from dominance_analysis import Dominance

        dom = Dominance(
            data=data[[*names, "y"]], target="y", objective=1, top_k=len(names)
        )
        values = dom.incremental_rsquare()
    return np.array([values[n] for n in names])


def pingouin(data: pd.DataFrame, names: list[str]) -> np.ndarray:
    import pingouin as pg

    table = pg.linear_regression(data[names], data["y"], relimp=True)
    return table.set_index("names").loc[names, "relimp"].to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--p", type=int, nargs="+", default=[6, 8, 10, 12, 15, 20, 25])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    peers: dict[str, Callable[[pd.DataFrame, list[str]], np.ndarray]] = {}
    for name, func, module in (
        ("dominance-analysis", dominance_analysis, "dominance_analysis"),
        ("pingouin", pingouin, "pingouin"),
    ):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                __import__(module)
            peers[name] = func
        except Exception as err:
            print(f"  {name} not available: {type(err).__name__}: {err}")
    last: dict[str, tuple[int, float]] = {}
    rows: list[dict[str, Any]] = []
    print(f"n = {args.rows:,} rows; exact Shapley (LMG) importance\n")
    print(
        f"  {'p':>3} {'tool':<22} {'time (s)':>10} {'memory (MiB)':>13} {'max |diff|':>11}"
    )
    for p in args.p:
        data = make_data(args.rows, p)
        names = [f"x{j:02d}" for j in range(p)]
        gc.collect()
        repeat = 3 if p <= 20 else 1
        seconds, mib, reference = measure(
            lambda d=data, n=names: point_only(d, n), repeat
        )
        print(
            f"  {p:>3} {'cxmetrics (point)':<22} {seconds:>10.4f} {mib:>13.1f} {'':>11}",
            flush=True,
        )
        rows.append({"p": p, "tool": "cxmetrics", "seconds": seconds, "mib": mib})
        if p <= 15:
            full, fmib, _ = measure(lambda d=data, n=names: ours(d, n), 1)
            print(
                f"  {p:>3} {'cxmetrics (+delta CI)':<22} {full:>10.4f} {fmib:>13.1f} {'':>11}",
                flush=True,
            )
        for name, func in peers.items():
            if name in last:
                p0, t0 = last[name]
                if t0 * 2.0 ** (p - p0) > BUDGET:
                    print(
                        f"  {p:>3} {name:<22} {'skipped':>10} (predicted > {BUDGET:.0f} s)"
                    )
                    continue
            gc.collect()
            seconds_peer, mib_peer, values = measure(
                lambda f=func, d=data, n=names: f(d, n), 1
            )
            diff = float(np.max(np.abs(values - reference)))
            last[name] = (p, seconds_peer)
            rows.append(
                {"p": p, "tool": name, "seconds": seconds_peer, "mib": mib_peer}
            )
            print(
                f"  {p:>3} {name:<22} {seconds_peer:>10.4f} {mib_peer:>13.1f} {diff:>11.2e}",
                flush=True,
            )
    table = pd.DataFrame(rows)
    print("\nspeed-up of cxmetrics (peer time / cxmetrics time)")
    ours_t = table[table["tool"] == "cxmetrics"].set_index("p")["seconds"]
    for name in peers:
        peer_t = table[table["tool"] == name].set_index("p")["seconds"]
        for p, t in peer_t.items():
            print(f"  {name:<20} p = {p:>2}: {t / ours_t[p]:>10.0f}×")
    if 25 in ours_t.index:
        print(f"\nexact p = 25: {ours_t[25]:.1f} s  [target ≤ 60 s]")


if __name__ == "__main__":
    main()
