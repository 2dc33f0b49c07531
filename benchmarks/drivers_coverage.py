"""Coverage of the delta-method intervals of driver importance, by form and n.

Usage: ``.venv/bin/python benchmarks/drivers_coverage.py [--reps 1000]``.

The population of ``tests/unit/test_drivers_coverage.py`` (an outcome and three
correlated drivers, multivariate normal, so the true importance of each method is
its value at the population correlation matrix). For every method, n ∈ {100, 300,
1000} and equal or gamma-distributed weights, it draws ``--reps`` seeded samples
and prints the coverage of each driver's 95% interval in two forms built from the
same estimate and standard error: symmetric (θ̂ ± z·SE) and on the square-root
scale ((√θ̂ ± z·SE / 2√θ̂)², what the library reports for the non-negative
measures). Nothing is asserted; docs/drivers.md quotes the table.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit"))
from test_drivers_coverage import SIGMA

from cxmetrics import drivers
from cxmetrics.estimators import relimp
from cxmetrics.results.drivers import NONNEGATIVE, delta_limits

Z = 1.959963984540054
DRIVERS = ["a", "b", "c"]


def coverage(method: str, n: int, weighted: bool, reps: int) -> dict[str, np.ndarray]:
    truth = relimp.importance(SIGMA, method)
    rng = np.random.default_rng(11)
    chol = np.linalg.cholesky(SIGMA)
    estimate, se, low, high = [], [], [], []
    for _ in range(reps):
        frame = pd.DataFrame(rng.normal(size=(n, 4)) @ chol.T, columns=["y", *DRIVERS])
        frame["w"] = rng.gamma(2.0, 0.5, size=n) if weighted else 1.0
        table = (
            drivers(frame, "y", DRIVERS, weights="w", method=method)
            .to_frame()
            .set_index("driver")
            .loc[DRIVERS]
        )
        estimate.append(table["importance"].to_numpy())
        se.append(table["std_error"].to_numpy())
        low.append(table["ci_low"].to_numpy())
        high.append(table["ci_high"].to_numpy())
    est, err = np.array(estimate), np.array(se)
    forms = {
        "symmetric": (est - Z * err, est + Z * err),
        "square root": delta_limits(est, err, Z, nonnegative=True),
        "library": (np.array(low), np.array(high)),
    }
    return {
        name: ((lo <= truth) & (truth <= hi)).mean(axis=0)
        for name, (lo, hi) in forms.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=1000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # sign-conflict notes of chance samples
    start = time.perf_counter()
    print(f"{args.reps} samples a cell; coverage % of drivers a, b, c")
    print(f"{'method':<17} {'n':>5} {'weights':<8} {'symmetric':<20} square root")
    for method in ("shapley", "relative_weights", "pratt", "last"):
        for n in (100, 300, 1000):
            for weighted in (False, True):
                cov = coverage(method, n, weighted, args.reps)
                form = "square root" if method in NONNEGATIVE else "symmetric"
                assert np.array_equal(cov["library"], cov[form])
                sym, root = (
                    " ".join(f"{100 * c:5.1f}" for c in cov[k])
                    for k in ("symmetric", "square root")
                )
                label = "gamma" if weighted else "equal"
                print(f"{method:<17} {n:>5} {label:<8} {sym:<20} {root}", flush=True)
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
