"""Raking 1M rows and comparing 24 waves of 10M rows, side by side with peers.

Run: `.venv/bin/python benchmarks/bench_weighting.py [--rows 1_000_000]
[--period-rows 10_000_000] [--no-peers]`. The peers are optional:
`.venv/bin/pip install weightipy ipfn` (they are not dependencies of cxmetrics).

Part 1 rakes ``--rows`` respondents (unit base weights) to three margins with 20, 20
and 10 categories (50 in all) and prints, from one run, the best-of-3 wall time and
peak extra resident memory of cxmetrics (pandas, polars and DuckDB input) and of the
PyPI packages weightipy and ipfn, and checks that every peer gives the same weights
to 1e-10.

Part 2 compares ``--period-rows`` responses × 24 waves × 100 segments held in DuckDB
and in a polars LazyFrame (``compare_periods(..., by="segment")``), with and without
the tracking view's 2,400 × 2,400 covariance, and reports time and memory. Nothing
is asserted about speed.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _memory import measure

from cxmetrics.compare import compare_periods
from cxmetrics.weighting import rake

SIZES = {"region": 20, "age": 20, "income": 10}


def make_panel(
    rows: int, seed: int = 1
) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    rng = np.random.default_rng(seed)
    data = {}
    margins: dict[str, dict[str, float]] = {}
    for column, size in SIZES.items():
        labels = np.array([f"{column}{i:02d}" for i in range(size)])
        p = rng.dirichlet(np.full(size, 5.0))
        data[column] = pd.Categorical.from_codes(
            rng.choice(size, rows, p=p), categories=labels
        )
        # population shares near the sample's (realistic non-response), so the
        # weights stay moderate (design effect about 1.1)
        target = p * rng.uniform(0.75, 1.33, size)
        target /= target.sum()
        margins[column] = dict(zip(labels.tolist(), target.tolist(), strict=True))
    return pd.DataFrame(data), margins


def run_weightipy(
    frame: pd.DataFrame, margins: dict[str, dict[str, float]]
) -> np.ndarray:
    import weightipy

    percent = {c: {k: 100 * v for k, v in t.items()} for c, t in margins.items()}
    scheme = weightipy.scheme_from_dict(
        percent, rim_params={"convcrit": 1e-12, "max_iterations": 5000}
    )
    return np.asarray(weightipy.weight(frame, scheme), dtype=np.float64)


def run_ipfn(frame: pd.DataFrame, margins: dict[str, dict[str, float]]) -> np.ndarray:
    from ipfn import ipfn

    n = len(frame)
    seed = frame.assign(total=1.0)
    aggregates = [
        pd.Series({k: v * n for k, v in t.items()}).rename_axis(c)
        for c, t in margins.items()
    ]
    fit = ipfn.ipfn(
        seed,
        aggregates,
        [[c] for c in margins],
        weight_col="total",
        convergence_rate=1e-14,
        max_iteration=500,
        rate_tolerance=0,
    )
    return np.asarray(fit.iteration()["total"], dtype=np.float64)


def part_raking(rows: int, peers: bool) -> None:
    frame, margins = make_panel(rows)
    print(f"Raking {rows:,} rows to 3 margins ({sum(SIZES.values())} categories)")
    results: dict[str, tuple[float, float]] = {}

    def run(name: str, func, repeat: int = 3) -> object:
        gc.collect()
        seconds, mib, out = measure(func, repeat)
        results[name] = (seconds, mib)
        print(f"  {name:<34} {seconds:8.3f} s  {mib:8.1f} MiB", flush=True)
        return out

    ours = run("cxmetrics on pandas", lambda: rake(frame, margins, tol=1e-12))
    reference = ours.weights.to_numpy()  # type: ignore[attr-defined]
    d = ours.diagnostics  # type: ignore[attr-defined]
    print(f"  {'':<34} design effect {d.design_effect:.3f}, {ours.iterations} sweeps")  # type: ignore[attr-defined]
    try:
        import polars as pl

        lazy = pl.from_pandas(frame).lazy()
        got = run(
            "cxmetrics on polars (lazy, factors)",
            lambda: rake(lazy, margins, tol=1e-12),
        )
        check_factors(ours, got)
    except ImportError:
        print("  polars not installed")
    try:
        import duckdb

        con = duckdb.connect()
        con.register("panel", frame)
        con.execute("create table t as select * from panel")
        got = run(
            "cxmetrics on duckdb (factors)",
            lambda: rake(con.table("t"), margins, tol=1e-12),
        )
        check_factors(ours, got)
    except ImportError:
        print("  duckdb not installed")
    if peers:
        for name, func in (("weightipy", run_weightipy), ("ipfn", run_ipfn)):
            try:
                out = run(name, lambda f=func: f(frame, margins), repeat=1)
            except ImportError:
                print(f"  {name} not installed (pip install {name})")
                continue
            diff = np.max(np.abs(np.asarray(out) / reference - 1))
            status = "ok" if diff <= 1e-10 else "DIFFERENT"
            print(
                f"  {'':<34} weights vs cxmetrics: max rel diff {diff:.1e} [{status}]"
            )
    base = results["cxmetrics on pandas"][0]
    print("\nratios (target ≥ 5× faster than weightipy)")
    for name in ("weightipy", "ipfn"):
        if name in results:
            print(
                f"  {name} / cxmetrics pandas          {results[name][0] / base:8.1f}×"
            )


def check_factors(reference: object, got: object) -> None:
    key = list(SIZES)
    a = reference.cells.set_index(key)["factor"]  # type: ignore[attr-defined]
    b = got.cells.set_index(key)["factor"].loc[a.index]  # type: ignore[attr-defined]
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-10)


def make_waves(rows: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    probs = np.r_[np.full(7, 0.045), 0.1, 0.14, 0.2, 0.245]
    periods = np.array([f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(24)])
    return pd.DataFrame(
        {
            "period": pd.Categorical.from_codes(
                rng.integers(0, 24, rows), categories=periods
            ),
            "segment": pd.Categorical.from_codes(
                rng.integers(0, 100, rows),
                categories=[f"seg{i:03d}" for i in range(100)],
            ),
            "nps": rng.choice(11, size=rows, p=probs / probs.sum()).astype(np.int8),
            "weight": rng.gamma(4.0, 0.25, rows),
        }
    )


def part_periods(rows: int) -> None:
    print(f"\nPeriod comparison: {rows:,} rows × 24 waves × 100 segments")
    start = time.perf_counter()
    data = make_waves(rows)
    print(f"  (data generated in {time.perf_counter() - start:.1f} s)")

    def run(name: str, func, repeat: int = 2) -> object:
        gc.collect()
        seconds, mib, out = measure(func, repeat)
        print(f"  {name:<42} {seconds:8.3f} s  {mib:8.1f} MiB", flush=True)
        return out

    reference = None
    try:
        import duckdb

        con = duckdb.connect()
        con.register("waves", data)
        con.execute(
            "create table t as select period::varchar as period, "
            "segment::varchar as segment, nps, weight from waves"
        )
        rel = con.table("t")
        run(
            "duckdb own group-by (the floor)",
            lambda: con.execute(
                "select period, segment, nps, count(*), sum(weight), "
                "sum(weight*weight) from t group by all"
            ).fetchnumpy(),
        )
        reference = run(
            "compare_periods on duckdb, by segment",
            lambda: compare_periods(
                rel, "nps", "period", weights="weight", by="segment"
            ),
        )
        run(
            "compare_periods on duckdb, overall",
            lambda: compare_periods(rel, "nps", "period", weights="weight"),
        )
    except ImportError:
        print("  duckdb not installed")
    try:
        import polars as pl

        lazy = pl.from_pandas(data).lazy()
        got = run(
            "compare_periods on polars (lazy), by segment",
            lambda: compare_periods(
                lazy, "nps", "period", weights="weight", by="segment"
            ),
        )
        if reference is not None:
            a = reference.to_frame().sort_values(["segment", "period"])  # type: ignore[attr-defined]
            b = got.to_frame().sort_values(["segment", "period"])  # type: ignore[attr-defined]
            np.testing.assert_allclose(
                a["std_error"].to_numpy(), b["std_error"].to_numpy(), rtol=1e-9
            )
    except ImportError:
        print("  polars not installed")
    run(
        "compare_periods on pandas, by segment",
        lambda: compare_periods(data, "nps", "period", weights="weight", by="segment"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--period-rows", type=int, default=10_000_000)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    part_raking(args.rows, not args.no_peers)
    part_periods(args.period_rows)


if __name__ == "__main__":
    main()
