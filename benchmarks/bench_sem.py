"""SEM fit time: cxmetrics vs semopy (SLSQP, trust-constr) vs lavaan, in one run.

Run: `.venv/bin/python benchmarks/bench_sem.py [--repeats 7] [--bootstrap 1000]`.

Models: lavaan's PoliticalDemocracy SEM (75 rows, 11 items, 31 parameters) and the
ACSI model on 3,000 rows of the simulated ACSI survey (14 items, 35 parameters).
For each engine it prints the median wall time of a full fit (cxmetrics: estimates,
standard errors, standardized solution, R² and fit indices; semopy: ``fit`` only;
lavaan: ``sem()``, timed inside R so R's start-up is excluded) and the largest
absolute difference of the estimates from lavaan's. lavaan is run through
``Rscript`` when R with lavaan is installed. Then the time of a 1,000-resample
bootstrap of the ACSI model (warm-started refits) on one and on all cores.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from statistics import median
from typing import Any

import pandas as pd

from cxmetrics._engines.model_syntax import build_partable, parse_model
from cxmetrics._engines.semopy_engine import semopy_syntax
from cxmetrics.datasets._acsi import ACSI_CONSTRUCTS, make_acsi_survey
from cxmetrics.sem import DriverSEM, acsi_model

DATA = Path(__file__).parents[1] / "tests" / "reference" / "data"
POLDEM = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\n")
data <- read.csv(args[2])
repeats <- as.integer(args[3])
fit <- sem(model, data = data)  # warm-up
times <- numeric(repeats)
for (i in seq_len(repeats)) {
  t0 <- proc.time()[["elapsed"]]
  fit <- sem(model, data = data)
  times[i] <- proc.time()[["elapsed"]] - t0
}
pe <- parameterEstimates(fit)
pe <- pe[pe$op %in% c("=~", "~", "~~"), ]
out <- list(seconds = median(times), version = as.character(packageVersion("lavaan")),
            lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est)
cat(jsonlite::toJSON(out, digits = NA, auto_unbox = TRUE))
"""


def timed(func: Any, repeats: int) -> tuple[float, Any]:
    func()  # warm-up (imports, caches)
    times = []
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return median(times), out


def estimates_of(result: Any) -> dict[tuple[str, str, str], float]:
    table = result.to_frame()
    table = table[table["op"] != ":="]
    return {
        (r.lhs, r.op, r.rhs): float(r.estimate) for r in table.itertuples(index=False)
    }


def semopy_fit(model: str, data: pd.DataFrame, solver: str) -> Any:
    import semopy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            m = semopy.Model(model)
            m.fit(data, obj="MLW", solver=solver)
        finally:
            logging.disable(logging.NOTSET)
        return m


def semopy_estimates(m: Any, latent: set[str]) -> dict[tuple[str, str, str], float]:
    out = {}
    for row in m.inspect().itertuples(index=False):
        lval, op, rval, value = str(row[0]), str(row[1]), str(row[2]), float(row[3])
        if op == "~" and rval in latent and lval not in latent:
            out[(rval, "=~", lval)] = value
        elif op == "~~":
            out[(lval, "~~", rval)] = value
            out[(rval, "~~", lval)] = value
        else:
            out[(lval, op, rval)] = value
    return out


def lavaan(model: str, data: pd.DataFrame, repeats: int) -> dict[str, Any] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        model_file = Path(tmp) / "model.lav"
        data_file = Path(tmp) / "data.csv"
        script = Path(tmp) / "bench.R"
        model_file.write_text(model)
        data.to_csv(data_file, index=False)
        script.write_text(R_SCRIPT)
        out = subprocess.run(
            [rscript, str(script), str(model_file), str(data_file), str(repeats)],
            capture_output=True,
            text=True,
        )
    if out.returncode != 0:
        print("  lavaan failed:", out.stderr.strip().splitlines()[-1:])
        return None
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def max_diff(
    ours: dict[tuple[str, str, str], float],
    reference: dict[tuple[str, str, str], float],
) -> float:
    diffs = [abs(v - reference[k]) for k, v in ours.items() if k in reference]
    return max(diffs) if diffs else float("nan")


def bench_model(name: str, model: str, data: pd.DataFrame, repeats: int) -> None:
    sem = DriverSEM(model)
    data = data.dropna(subset=list(sem.observed))  # listwise, the same for all
    print(f"\n{name}: {len(data)} complete rows")
    t_ours, result = timed(lambda: sem.fit(data), repeats)
    ours = estimates_of(result)
    ref_run = lavaan(model, data, repeats)
    reference = None
    if ref_run is not None:
        reference = {
            (lhs, op, rhs): est
            for lhs, op, rhs, est in zip(
                ref_run["lhs"],
                ref_run["op"],
                ref_run["rhs"],
                ref_run["est"],
                strict=True,
            )
        }
    rows = []

    def report(
        label: str, seconds: float, est: dict[tuple[str, str, str], float]
    ) -> None:
        diff = max_diff(est, reference) if reference else float("nan")
        rows.append((label, seconds, diff))

    report("cxmetrics (Fisher scoring + Newton)", t_ours, ours)
    latent = set(sem.latent)
    # semopy gets the full parameter table (lavaan's defaults written out, e.g.
    # the zero residual variance of a single indicator), so all fit one model
    explicit = semopy_syntax(build_partable(parse_model(model)).rows)
    try:
        t_slsqp, m = timed(lambda: semopy_fit(explicit, data, "SLSQP"), repeats)
        report("semopy SLSQP (default)", t_slsqp, semopy_estimates(m, latent))
        t_trust, m = timed(lambda: semopy_fit(explicit, data, "trust-constr"), 1)
        report("semopy trust-constr", t_trust, semopy_estimates(m, latent))
    except ImportError:
        print("  semopy not installed; skipped")
    if ref_run is not None:
        rows.append((f"lavaan {ref_run['version']} sem()", ref_run["seconds"], 0.0))
    else:
        print("  R with lavaan not found; lavaan skipped")
    base = t_ours
    print(
        f"  {'engine':<38}{'time':>10}{'× cxmetrics':>13}{'max |Δ est| vs lavaan':>24}"
    )
    for label, seconds, diff in rows:
        print(
            f"  {label:<38}{1e3 * seconds:>8.1f} ms{seconds / base:>12.1f}×{diff:>24.2e}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    poldem = pd.read_csv(DATA / "political_democracy.csv")
    bench_model("PoliticalDemocracy", POLDEM, poldem, args.repeats)
    survey = make_acsi_survey(3000, rng=1)
    constructs = {k: list(v) for k, v in ACSI_CONSTRUCTS.items() if k != "image"}
    acsi = acsi_model(**constructs)
    columns = list(acsi.observed)
    bench_model("ACSI model", acsi.model, survey[columns], args.repeats)

    print(f"\nACSI bootstrap, {args.bootstrap} resamples (warm-started refits):")
    cores = os.cpu_count() or 1
    for jobs in sorted({1, cores}):
        start = time.perf_counter()
        result = acsi.fit(
            survey, se="bootstrap", n_resamples=args.bootstrap, rng=1, n_jobs=jobs
        )
        seconds = time.perf_counter() - start
        print(
            f"  n_jobs={jobs}: {seconds:6.2f} s "
            f"({1e3 * seconds / args.bootstrap:.1f} ms per resample, "
            f"{result.n_failed} failed)"
        )


if __name__ == "__main__":
    main()
