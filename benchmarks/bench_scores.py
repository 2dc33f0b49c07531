"""NPS with intervals on 10M responses × 1,000 segments, side by side with peers.

Run: `.venv/bin/python benchmarks/bench_scores.py [--rows 10_000_000]`.

Prints, from one run, the best-of-3 wall time and the peak extra resident memory of:
- the floor: three ``np.bincount`` calls on precomputed segment × score codes
  (counts, Σw, Σw² — the minimum work for the sufficient statistics);
- an idiomatic pandas ``groupby(...).apply`` computing the weighted NPS per segment;
- ``cxmetrics.nps(..., by=, weights=)`` on pandas (with the threads the process
  may use, and with ``CXMETRICS_NUM_THREADS=1``), polars and DuckDB input;
- polars' and DuckDB's own group-by for the same sums (the engine floor).

An engine's own group-by and cxmetrics on it take 60–100 ms each, where the
machine's noise is ±15 %: after the memory run they alternate for ``--rounds``
rounds, and the engine ratios are those of the medians (the minima beside them).
Ratios are printed beside each; nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _memory import measure

import cxmetrics as cx
from cxmetrics.data.frame import available_threads


def make_data(rows: int, segments: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = np.array([f"seg{i:04d}" for i in range(segments)])
    probs = np.r_[np.full(7, 0.045), 0.1, 0.14, 0.2, 0.245]
    return pd.DataFrame(
        {
            "segment": pd.Categorical.from_codes(
                rng.integers(0, segments, rows), categories=labels
            ),
            "nps": rng.choice(11, size=rows, p=probs / probs.sum()).astype(np.int8),
            "weight": rng.gamma(4.0, 0.25, rows),
        }
    )


def pandas_apply(data: pd.DataFrame) -> pd.DataFrame:
    """What an analyst writes by hand: weighted NPS, shares, SE and interval per group."""

    def summary(g: pd.DataFrame) -> pd.Series:
        w = g["weight"].to_numpy()
        z = np.where(g["nps"] >= 9, 1.0, np.where(g["nps"] <= 6, -1.0, 0.0))
        total = w.sum()
        nps = (w * z).sum() / total
        u = w * (z - nps) / total
        n = len(g)
        se = np.sqrt(n / (n - 1) * (u**2).sum())
        return pd.Series(
            {
                "nps": 100 * nps,
                "promoters": w[z > 0].sum() / total,
                "detractors": w[z < 0].sum() / total,
                "std_error": 100 * se,
                "ci_low": 100 * (nps - 1.96 * se),
                "ci_high": 100 * (nps + 1.96 * se),
                "n": n,
                "n_eff": total**2 / (w**2).sum(),
            }
        )

    return data.groupby("segment", observed=True)[["nps", "weight"]].apply(summary)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--segments", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    data = make_data(args.rows, args.segments)
    codes = (
        data["segment"].cat.codes.to_numpy().astype(np.int64) * 11
        + data["nps"].to_numpy()
    )
    w = data["weight"].to_numpy()
    size = args.segments * 11

    def floor() -> tuple[np.ndarray, ...]:
        return (
            np.bincount(codes, minlength=size),
            np.bincount(codes, weights=w, minlength=size),
            np.bincount(codes, weights=w * w, minlength=size),
        )

    rows: list[tuple[str, float, float]] = []

    def run(name: str, func, repeat: int = 3) -> object:
        gc.collect()
        seconds, mib, out = measure(func, repeat)
        rows.append((name, seconds, mib))
        print(f"  {name:<38} {seconds:8.3f} s  {mib:8.1f} MiB", flush=True)
        return out

    print(
        f"{args.rows:,} responses, {args.segments:,} segments, "
        f"{available_threads()} thread(s) for the pandas reduce"
    )
    run("floor: 3 × np.bincount", floor)
    run("pandas groupby-apply", lambda: pandas_apply(data), repeat=1)
    reference = run(
        "cxmetrics on pandas",
        lambda: cx.nps(data, "nps", weights="weight", by="segment"),
    )
    os.environ["CXMETRICS_NUM_THREADS"] = "1"
    run(
        "cxmetrics on pandas, 1 thread",
        lambda: cx.nps(data, "nps", weights="weight", by="segment"),
    )
    del os.environ["CXMETRICS_NUM_THREADS"]

    # engine -> (median own, median cxmetrics, best own, best cxmetrics)
    engines: dict[str, tuple[float, float, float, float]] = {}

    def versus(engine: str, own, ours) -> None:
        run(f"{engine} own group-by (sums)", own)
        check(reference, run(f"cxmetrics on {engine}", ours))
        times: dict[str, list[float]] = {"own": [], "ours": []}
        for _ in range(args.rounds):
            for name, func in (("own", own), ("ours", ours)):
                start = time.perf_counter()
                func()
                times[name].append(time.perf_counter() - start)
        median = {name: statistics.median(t) for name, t in times.items()}
        engines[engine] = (
            median["own"],
            median["ours"],
            min(times["own"]),
            min(times["ours"]),
        )
        print(
            f"  {engine}: {args.rounds} alternating rounds, median own "
            f"{median['own']:.3f} s, cxmetrics {median['ours']:.3f} s",
            flush=True,
        )

    try:
        import polars as pl

        lazy = pl.from_pandas(data).lazy()
        versus(
            "polars",
            lambda: (
                lazy.with_columns(w2=pl.col("weight") ** 2, n=pl.lit(1))
                .group_by("segment", "nps")
                .agg(pl.col("n").sum(), pl.col("weight").sum(), pl.col("w2").sum())
                .collect()
            ),
            lambda: cx.nps(lazy, "nps", weights="weight", by="segment"),
        )
    except ImportError:
        print("  polars not installed")
    try:
        import duckdb

        con = duckdb.connect()
        con.register("responses", data)
        con.execute("create table t as select * from responses")
        rel = con.table("t")
        versus(
            "duckdb",
            lambda: con.execute(
                "select segment, nps, count(*), sum(weight), sum(weight*weight) "
                "from t group by all"
            ).fetchnumpy(),
            lambda: cx.nps(rel, "nps", weights="weight", by="segment"),
        )
    except ImportError:
        print("  duckdb not installed")

    times = {name: seconds for name, seconds, _ in rows}
    floor_time = times["floor: 3 × np.bincount"]
    print("\nratios (targets in brackets)")
    print(
        f"  cxmetrics pandas / bincount floor     {times['cxmetrics on pandas'] / floor_time:6.2f}×  [≤ 3]"
    )
    print(
        f"  pandas groupby-apply / cxmetrics      {times['pandas groupby-apply'] / times['cxmetrics on pandas']:6.1f}×  [≥ 20]"
    )
    print(
        f"  same, cxmetrics on 1 thread           {times['pandas groupby-apply'] / times['cxmetrics on pandas, 1 thread']:6.1f}×"
    )
    mem = {name: mib for name, _, mib in rows}
    print(
        f"  cxmetrics pandas extra memory         {mem['cxmetrics on pandas'] / 1024:6.2f} GiB [≤ 0.5]"
    )
    for engine, (own, ours, best_own, best_ours) in engines.items():
        print(
            f"  cxmetrics {engine} / {engine} group-by  "
            f"{ours / own:6.2f}×  [≤ 1.3]  (medians; minima {best_ours / best_own:.2f}×)"
        )


def check(reference: cx.NPSResult, got: cx.NPSResult) -> None:
    a = reference.to_frame().sort_values("segment")
    b = (
        got.to_frame()
        .assign(segment=lambda d: d["segment"].astype(str))
        .sort_values("segment")
    )
    np.testing.assert_allclose(
        a["estimate"].to_numpy(), b["estimate"].to_numpy(), rtol=1e-9
    )
    np.testing.assert_allclose(
        a["std_error"].to_numpy(), b["std_error"].to_numpy(), rtol=1e-9
    )


if __name__ == "__main__":
    main()
