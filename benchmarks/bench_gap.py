"""Gap and key experiences on 1M respondents × 20 attributes with weights.

Run: `.venv/bin/python benchmarks/bench_gap.py [--rows 1_000_000] [--attributes 20]
[--resamples 1000] [--progress]`.

Prints, from one run, the wall time and the peak extra resident memory of:
- a plain pandas/numpy computation of the same point estimates (weighted mean
  experience, expectation and gap per attribute, and importance × gap);
- ``cxmetrics.gap.gap`` (design-based SEs, tests, shares, index reliability);
- ``cxmetrics.priority.key_experiences`` with stated importance and ``--resamples``
  bootstrap resamples (vectorised: one matrix product per chunk of resamples);
- ``cxmetrics.priority.asymmetric_impact`` (moments per pattern, no row loop).
The point estimates are checked against the plain computation; nothing is asserted
about time. ``--progress`` shows a tqdm bar (the ``progress`` extra).
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _memory import measure

from cxmetrics.gap import gap
from cxmetrics.priority import asymmetric_impact, key_experiences


def make_data(rows: int, attributes: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.normal(size=rows)
    columns: dict[str, np.ndarray] = {}
    for j in range(attributes):
        columns[f"exp_a{j:02d}"] = np.clip(
            np.rint(6.5 + 0.05 * j + 2 * (0.5 * level + rng.normal(size=rows))), 0, 10
        ).astype(np.int8)
        columns[f"expct_a{j:02d}"] = np.clip(
            np.rint(7.5 + 1.5 * rng.normal(size=rows)), 0, 10
        ).astype(np.int8)
        columns[f"imp_a{j:02d}"] = np.clip(
            np.rint(7 + 1.5 * rng.normal(size=rows)), 0, 10
        ).astype(np.int8)
    columns["satisfaction"] = np.clip(
        np.rint(6 + 1.5 * level + rng.normal(size=rows)), 0, 10
    )
    columns["weight"] = rng.gamma(4.0, 0.25, rows)
    return pd.DataFrame(columns)


def plain(data: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    w = data["weight"].to_numpy()
    out = {}
    for a in names:
        e = data[f"exp_{a}"].to_numpy(dtype=float)
        x = data[f"expct_{a}"].to_numpy(dtype=float)
        i = data[f"imp_{a}"].to_numpy(dtype=float)
        gap_ = np.average(e - x, weights=w)
        out[a] = {
            "experience": np.average(e, weights=w),
            "expectation": np.average(x, weights=w),
            "gap": gap_,
            "priority": np.average(i, weights=w) * gap_,
        }
    return pd.DataFrame(out).T


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--attributes", type=int, default=20)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    data = make_data(args.rows, args.attributes)
    names = [f"a{j:02d}" for j in range(args.attributes)]
    exp = [f"exp_{a}" for a in names]
    expct = [f"expct_{a}" for a in names]
    imp = [f"imp_{a}" for a in names]
    print(f"{args.rows:,} respondents × {args.attributes} attributes, weighted")
    rows: list[tuple[str, float, float]] = []

    def run(name: str, func, repeat: int = 1) -> object:
        gc.collect()
        seconds, mib, out = measure(func, repeat)
        rows.append((name, seconds, mib))
        print(f"  {name:<46} {seconds:8.2f} s  {mib:8.1f} MiB", flush=True)
        return out

    reference = run("plain pandas/numpy point estimates", lambda: plain(data, names), 3)
    gaps = run(
        "cxmetrics gap (SEs, tests, shares)",
        lambda: gap(data, exp, expct, attributes=names, weights="weight"),
        3,
    )
    keys = run(
        f"cxmetrics key_experiences ({args.resamples} resamples)",
        lambda: key_experiences(
            data,
            exp,
            expct,
            attributes=names,
            importance=imp,
            weights="weight",
            n_resamples=args.resamples,
            rng=1,
            progress=args.progress,
        ),
    )
    run(
        "cxmetrics asymmetric_impact (20 attributes)",
        lambda: asymmetric_impact(
            data, "satisfaction", exp, attributes=names, weights="weight"
        ),
    )
    g = gaps.to_frame().set_index("attribute")  # type: ignore[attr-defined]
    k = keys.to_frame().set_index("attribute")  # type: ignore[attr-defined]
    np.testing.assert_allclose(g["estimate"], reference["gap"], rtol=1e-9)
    np.testing.assert_allclose(g["experience"], reference["experience"], rtol=1e-9)
    np.testing.assert_allclose(k["priority"], reference["priority"], rtol=1e-9)
    times = {name: seconds for name, seconds, _ in rows}
    base = times["plain pandas/numpy point estimates"]
    print("\nratios to the plain point estimates (which have no SEs or intervals)")
    for name, seconds, _ in rows[1:]:
        print(f"  {name:<46} {seconds / base:8.1f}×")
    per = (
        times[f"cxmetrics key_experiences ({args.resamples} resamples)"]
        / args.resamples
    )
    print(f"  bootstrap: {1000 * per:.1f} ms per resample of {args.rows:,} rows")


if __name__ == "__main__":
    main()
