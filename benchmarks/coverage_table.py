"""Coverage table of every interval method; writes ``docs/coverage.md``.

Usage (from the repository root)::

    .venv/bin/python benchmarks/coverage_table.py          # full grid, docs/coverage.md
    .venv/bin/python benchmarks/coverage_table.py --quick  # small grid, page to stdout

Options: ``--jobs J`` (worker processes, default 2), ``--output PATH``.

The simulation itself lives in ``tests/coverage/_simulate.py`` (one implementation,
shared with ``tests/coverage/test_coverage.py``). This script only schedules the
cells, checks the vectorised Bayes intervals against the library's ``nps_bayes``,
adds the exact (enumerated) coverage of the equal-weight cells and renders the
page. Every cell has its own seeds, so results do not depend on ``--jobs`` or on
the order in which cells run.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import scipy.stats

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "_data" / "coverage_results.pkl"
sys.path.insert(0, str(ROOT / "tests" / "coverage"))

import _simulate as sim  # noqa: E402

import cxmetrics  # noqa: E402

UNITS = {
    "nps": ("NPS points", 100.0),
    "share": ("percentage points", 100.0),
    "mean": ("scale points", 1.0),
}
TITLES = {
    "nps": "Net Promoter Score",
    "share": "Top-box shares",
    "mean": "Mean scores (1–5 scale)",
}
EXACT_METHODS = {"nps": sim.NPS_ANALYTIC, "share": sim.SHARE_METHODS}
CHECK_REPS = 2  # Bayes replications per cell recomputed with the library's nps_bayes
FULL = {
    "reps": sim.REPS,
    "bayes_reps": sim.BAYES_REPS,
    "bayes_width_reps": sim.BAYES_WIDTH_REPS,
    "bootstrap_reps": sim.BOOTSTRAP_REPS,
    "n_resamples": sim.BOOTSTRAP_RESAMPLES,
}
QUICK = {
    "reps": 2_000,
    "bayes_reps": 500,
    "bayes_width_reps": 100,
    "bootstrap_reps": 200,
    "n_resamples": 999,
}

Key = tuple[str, str, int, str]  # family, profile, n, weighting


# --- running ------------------------------------------------------------------------


def _tasks(quick: bool) -> list[tuple[Any, ...]]:
    """(cost, kind, family, profile, n, weighting, methods) for every task."""
    tasks = []
    for family in sim.FAMILIES:
        for _, profile, n, weighting in sim.grid(family):
            cell = (family, profile, n, weighting)
            if family != "nps":
                tasks.append((1 + n / 1000, "sim", *cell, sim.FAMILY_METHODS[family]))
                continue
            tasks.append((2 + n / 500, "sim", *cell, sim.NPS_ANALYTIC))
            tasks.append((3 + n / 500, "sim", *cell, sim.NPS_BAYES))
            if n in sim.BOOTSTRAP_N:
                tasks.append((n / 40, "sim", *cell, sim.NPS_BOOTSTRAP))
        if family in EXACT_METHODS:
            for profile in sim.FAMILIES[family].profiles:
                for n in sim.N_VALUES:
                    cell = (family, profile, n, "equal")
                    tasks.append((n / 100, "exact", *cell, EXACT_METHODS[family]))
    return sorted(tasks, key=lambda t: -t[0])


def _run(task: tuple[Any, ...], quick: bool) -> tuple[str, Any]:
    _, kind, family, profile, n, weighting, methods = task
    # The library no longer warns for samples with only passives (nps_score) or
    # with a variance of −1e-16 (mean_interval); any warning is left visible.
    if kind == "exact":
        exact = sim.exact_coverage(family, profile, n, methods)
        return kind, {(family, profile, n, m): v for m, v in exact.items()}
    opts = QUICK if quick else FULL
    results = sim.run_cell(family, profile, n, weighting, methods, **opts)
    bayes = methods == sim.NPS_BAYES
    diffs = _check_bayes(family, profile, n, weighting) if bayes else []
    return kind, (results, diffs)


def _check_bayes(family: str, profile: str, n: int, weighting: str) -> list[float]:
    """|vectorised − library| limits for the first replications of the cell."""
    fam = sim.FAMILIES[family]
    inp = sim.inputs(fam, sim.simulate_counts(fam, profile, n, weighting, CHECK_REPS))
    diffs = []
    for method in sim.NPS_BAYES:
        low, high = sim.bayes_limits(sim.bayes_cdf(inp, method), CHECK_REPS)
        ref_low, ref_high = sim.limits(fam, method, inp)
        diffs.extend(np.abs(np.r_[low - ref_low, high - ref_high]).tolist())
    return diffs


def run(
    quick: bool, jobs: int
) -> tuple[list[sim.CellResult], dict[tuple[str, str, int, str], float], list[float]]:
    tasks = _tasks(quick)
    results: list[sim.CellResult] = []
    exact: dict[tuple[str, str, int, str], float] = {}
    diffs: list[float] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        outputs = pool.map(_run, tasks, [quick] * len(tasks), chunksize=1)
        for done, (kind, out) in enumerate(outputs, start=1):
            if kind == "exact":
                exact.update(out)
            else:
                results.extend(out[0])
                diffs.extend(out[1])
            if done % 25 == 0 or done == len(tasks):
                print(f"{done}/{len(tasks)} tasks", file=sys.stderr, flush=True)
    return results, exact, diffs


# --- rendering ----------------------------------------------------------------------


def _outside(coverage: float) -> bool:
    return not (sim.BAND[0] <= coverage <= sim.BAND[1])


def _pct(coverage: float, bold: bool = True) -> str:
    text = f"{100 * coverage:.1f}"
    return f"**{text}**" if bold and _outside(coverage) else text


def _fmt_cell(r: sim.CellResult | None, scale: float) -> str:
    if r is None:
        return "—"
    if math.isnan(r.mean_width):
        width = "n/a"
    else:
        value = scale * r.mean_width
        width = f"{value:.{1 if value >= 10 else 2 if value >= 1 else 3}f}"
    undefined = f" ({r.undefined} undef.)" if r.undefined else ""
    return f"{_pct(r.coverage)} · {width}{undefined}"


def _truth(family: str, profile: str, weighting: str) -> str:
    theta = sim.truth(sim.FAMILIES[family], profile, weighting)
    if family == "nps":
        return f"{100 * theta:+.1f}"
    if family == "share":
        return f"{100 * theta:.1f}%"
    return f"{theta:.3f}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(family: str, results: list[sim.CellResult]) -> list[str]:
    fam = sim.FAMILIES[family]
    methods = sim.FAMILY_METHODS[family]
    unit, scale = UNITS[family]
    mine = [r for r in results if r.family == family]
    by_key = {(r.profile, r.n, r.weighting, r.method): r for r in mine}
    head = ["profile", "n", "weights", "truth", *[f"`{m}`" for m in methods]]
    lines = [_row(head), "|" + "---|" * len(head)]
    for profile in fam.profiles:
        for n in sim.N_VALUES:
            for weighting in fam.weightings:
                cells = [by_key.get((profile, n, weighting, m)) for m in methods]
                lines.append(
                    _row(
                        [
                            profile,
                            str(n),
                            weighting,
                            _truth(family, profile, weighting),
                            *[_fmt_cell(c, scale) for c in cells],
                        ]
                    )
                )
    lines.append("")
    note = (
        f"Cells: simulated coverage in % · mean interval width in {unit}. "
        f"**Bold**: outside {100 * sim.BAND[0]:.0f}–{100 * sim.BAND[1]:.0f}%."
    )
    if any(r.undefined for r in mine):
        note += (
            " “undef.”: samples for which the method returns no interval (NaN); "
            "they count as not covering."
        )
    lines.append(note)
    return lines


def _exact_table(family: str, exact: dict[Key, float]) -> list[str]:
    methods = EXACT_METHODS[family]
    head = ["profile", "n", *[f"`{m}`" for m in methods]]
    lines = [_row(head), "|" + "---|" * len(head)]
    for profile in sim.FAMILIES[family].profiles:
        for n in sim.N_VALUES:
            values = [_pct(exact[(family, profile, n, m)]) for m in methods]
            lines.append(_row([profile, str(n), *values]))
    return lines


def _summary(results: list[sim.CellResult]) -> list[str]:
    lines = [
        _row(
            [
                "family",
                "method",
                "samples per cell",
                "n = 10: min–max",
                "n ≥ 30: min–max",
                "n ≥ 30, equal weights",
                "n ≥ 30, unequal",
                "n ≥ 30, informative",
                "cells outside 94–96% at n ≥ 30",
            ]
        ),
        "|" + "---|" * 9,
    ]
    for family, methods in sim.FAMILY_METHODS.items():
        for method in methods:
            rs = [r for r in results if r.family == family and r.method == method]
            large = [r for r in rs if r.n >= 30]
            out = sum(_outside(r.coverage) for r in large)
            default = " (default)" if sim.DEFAULT_METHOD[family] == method else ""
            by_weighting = [
                _range(results, family, method, weighting=w)
                for w in ("equal", "unequal", "informative")
            ]
            lines.append(
                _row(
                    [
                        family,
                        f"`{method}`{default}",
                        f"{rs[0].reps:,}",
                        _range(results, family, method, 10, 10),
                        _range(results, family, method),
                        *by_weighting,
                        f"{out} of {len(large)}",
                    ]
                )
            )
    return lines


def _shortfalls(results: list[sim.CellResult], exact: dict[Key, float]) -> list[str]:
    lines = []
    for family, methods in sim.FAMILY_METHODS.items():
        for method in methods:
            items: dict[int, list[str]] = {n: [] for n in sim.N_VALUES}
            count = 0
            for r in results:
                if r.family != family or r.method != method:
                    continue
                key = (family, r.profile, r.n, method)
                if r.weighting == "equal" and key in exact:
                    if not _outside(exact[key]):
                        continue
                    text = (
                        f"{r.profile} equal: exact {100 * exact[key]:.1f} "
                        f"(simulated {100 * r.coverage:.1f})"
                    )
                else:
                    if not _outside(r.coverage):
                        continue
                    lo, hi = r.mc_interval
                    text = f"{r.profile} {r.weighting}: {100 * r.coverage:.1f}"
                    if lo <= sim.BAND[1] and hi >= sim.BAND[0]:
                        text += " (MC)"
                items[r.n].append(text)
                count += 1
            if not count:
                lines.append(f"- {family} `{method}`: none.")
                continue
            parts = [
                f"*n = {n}*: " + "; ".join(texts) for n, texts in items.items() if texts
            ]
            lines.append(
                f"- {family} `{method}` ({count} cells). " + ". ".join(parts) + "."
            )
    return lines


def _range(
    results: list[sim.CellResult],
    family: str,
    method: str,
    n_min: int = 30,
    n_max: int = 10**9,
    weighting: str | None = None,
    profiles: tuple[str, ...] | None = None,
) -> str:
    cov = [
        r.coverage
        for r in results
        if r.family == family
        and r.method == method
        and n_min <= r.n <= n_max
        and (weighting is None or r.weighting == weighting)
        and (profiles is None or r.profile in profiles)
    ]
    if not cov:
        return "—"
    low, high = f"{100 * min(cov):.1f}", f"{100 * max(cov):.1f}"
    return low if low == high else f"{low}–{high}"


def _design(
    quick: bool, runtime: tuple[float, float, float], jobs: int, diffs: list[float]
) -> list[str]:
    opts = QUICK if quick else FULL
    deff = {
        w: sim.mean_kish_deff("nps", "typical (50/30/20)", 100, w, 2000)
        for w in sim.NPS.weightings
    }

    def mc(reps: int) -> str:
        return f"±{100 * 1.96 * math.sqrt(0.95 * 0.05 / reps):.2f}"

    mean_profiles = "; ".join(f"{k} {tuple(v)}" for k, v in sim.MEAN.profiles.items())
    shares = ", ".join(p.removeprefix("p = ") for p in sim.SHARE.profiles)
    largest = max(diffs) if diffs else float("nan")
    command = "`.venv/bin/python benchmarks/coverage_table.py" + (
        " --quick`" if quick else "`"
    )
    return [
        f"- **Sample sizes**: n ∈ {{{', '.join(map(str, sim.N_VALUES))}}}. Nominal "
        f"level {100 * sim.CONFIDENCE_LEVEL:.0f}%; target band "
        f"{100 * sim.BAND[0]:.0f}–{100 * sim.BAND[1]:.0f}%.",
        "- **NPS profiles** (% promoters / passives / detractors): "
        + "; ".join(sim.NPS.profiles)
        + ".",
        f"- **Top-box profiles**: true share {shares}.",
        f"- **Mean profiles** (1–5 scale; shares of 1, 2, 3, 4, 5): {mean_profiles}.",
        "- **Weights**: three scenarios for every profile.",
        "  - *equal*: no weights, so the counts are multinomial.",
        f"  - *unequal*: lognormal weights, σ = √ln {sim.KISH_DEFF}, independent "
        f"of the answer. The population Kish design effect is {sim.KISH_DEFF}; "
        f"the samples average n/n_eff = {deff['unequal']:.2f} at n = 100. The "
        "weights are not trimmed (largest/smallest often > 20 at n = 100).",
        "  - *informative*: the same weights times exp(shift), with a shift that "
        "depends on the answer, so that less satisfied respondents carry larger "
        "weights: +0.3 / 0 / −0.3 for detractors / passives / promoters; +0.3 / "
        "−0.3 for not top box / top box; +0.3, +0.15, 0, −0.15, −0.3 for scale "
        f"points 1…5. The samples average n/n_eff = {deff['informative']:.2f}. "
        "The weighted estimate then targets the population value Σ q_k x_k, "
        "with q_k ∝ p_k·exp(shift_k), not the respondents' mix. The **truth** "
        "column gives the value used.",
        f"- **Samples per cell**: {opts['reps']:,} for `wald`, `adjusted_wald`, "
        f"`score` and all share and mean methods (Monte Carlo error "
        f"{mc(opts['reps'])} points at 95% coverage, 2 SE). "
        f"{opts['bayes_reps']:,} for `bayes_jeffreys` / `bayes_uniform` "
        f"({mc(opts['bayes_reps'])}), with widths from the first "
        f"{opts['bayes_width_reps']:,}. {opts['bootstrap_reps']:,} for "
        f"`bootstrap_bca` / `bootstrap_percentile` with {opts['n_resamples']} "
        f"resamples each, at n ≤ {max(sim.BOOTSTRAP_N)} only "
        f"({mc(opts['bootstrap_reps'])}). All methods in a cell see the same "
        "samples (the Bayes and bootstrap ones: the first samples, or their own "
        "stream).",
        f"- **Exact coverage**: for equal weights, NPS and shares, coverage is "
        "also computed without simulation. Every possible count vector is "
        "weighted by its multinomial probability; vectors with probability "
        f"below {sim.EXACT_MASS:g} are left out.",
        f"- **Seeds**: each block of {sim.CHUNK:,} samples uses "
        f"`numpy.random.default_rng([{sim.BASE_SEED}, family, profile, n, "
        "weighting, stream, block])`, so any cell can be rerun alone "
        "(`tests/coverage/_simulate.py`, `run_cell`).",
        "- **Code under test**: each sample is reduced to "
        "`cxmetrics.suffstats.CategoryCounts` (one group per sample, one "
        "stratum). It then goes through `domain_means(..., independent=True)` and "
        "the interval functions of `cxmetrics.estimators`, with the arguments "
        "that `nps_frame`, `share_frame` and `mean_frame` pass: the effective "
        "sample size n* = `interval_sample_size(counts, scores, method=…)` "
        "(the design-based n* after pooling the spread of the weights over the "
        "answers, times (z/t_ν)² with ν = Kish's n_eff − 1 when the weights "
        "vary; `clopper_pearson` keeps the plain design-based n*), "
        "df = n − 1. The bootstraps call "
        "`bootstrap_domain_means` and "
        "`bootstrap_limits`. The Bayes intervals use the quadrature of "
        "`nps_bayes`, vectorised over samples, and their coverage is read from "
        "the posterior CDF at the true value. The vectorised limits were checked "
        f"against `nps_bayes` on {len(diffs) // 2} intervals (largest "
        f"difference {largest:.1e}).",
        f"- **Runtime**: {runtime[0] / 60:.1f} min wall clock with {jobs} worker "
        f"processes on {os.cpu_count()} CPU cores, {runtime[1] / 60:.1f} CPU "
        f"minutes in all (1-minute load average at the end: {runtime[2]:.1f}; "
        "above the number of cores, other jobs shared the machine). Python "
        f"{platform.python_version()}, numpy "
        f"{np.__version__}, scipy {scipy.__version__}, cxmetrics "
        f"{cxmetrics.__version__}. Command: {command}.",
    ]


CHANGES = """\
## Changes

- 2026-11-23 (stop 11): the count-based intervals with weights use the
  design-based n* after pooling the weight spread over the answers, with
  Kish's equivalent degrees of freedom (`interval_sample_size`), instead of
  min(Kish's n_eff, design-based n*); pinned counts in
  `tests/coverage/test_coverage.py` and `KNOWN_SHORTFALLS` re-pinned.
- 2026-11-23: the count-based intervals with weights use min(Kish's n_eff,
  design-based n*); pinned counts and `KNOWN_SHORTFALLS` re-pinned.
- 2026-11-23 (earlier): Kish's n_eff replaced the design-based n* for the
  count-based intervals except `clopper_pearson`; pinned counts and
  `KNOWN_SHORTFALLS` re-pinned."""


INTRO = """\
A 95% confidence interval should contain the true value in 95% of samples. That
share is the interval's **coverage**. An interval that covers only 90% of the
time is too narrow: differences look significant more often than they should. One
that covers 99% is wider than it needs to be. Coverage depends on the sample size,
on how extreme the score is (an NPS near ±100, a share near 0% or 100%) and on the
weights. This page measures it by simulation: draw many samples from a known
population, compute the interval for each sample, and count how often it contains
the population value.

Read each cell as “coverage % · average width”. First look for coverage close to
95%. Among methods with similar coverage, prefer the narrower one."""


def _exact_range(
    exact: dict[Key, float],
    family: str,
    method: str,
    n_min: int = 30,
    n_max: int = 10**9,
    profiles: tuple[str, ...] | None = None,
) -> str:
    values = [
        v
        for (fam, profile, n, m), v in exact.items()
        if fam == family
        and m == method
        and n_min <= n <= n_max
        and (profiles is None or profile in profiles)
    ]
    return f"{100 * min(values):.1f}–{100 * max(values):.1f}%"


def _choose(results: list[sim.CellResult], exact: dict[Key, float]) -> list[str]:
    # The wording was written from the full run's numbers; the figures are filled
    # in by the run that renders the page.
    def sim_(*args: Any, **kwargs: Any) -> str:
        return _range(results, *args, **kwargs) + "%"

    def ex(*args: Any, **kwargs: Any) -> str:
        return _exact_range(exact, *args, **kwargs)

    def one(family: str, profile: str, n: int, method: str) -> str:
        return f"{100 * exact[(family, profile, n, method)]:.1f}%"

    def kish(family: str, profile: str) -> str:
        return f"{sim.kish_variance_ratio(family, profile, 'informative'):.2f}"

    ratio = {
        n: 1 - sim.variance_ratio("nps", "typical (50/30/20)", n, "unequal", sim.REPS)
        for n in (30, 100)
    }
    extreme, passive = "extreme (90/7/3)", "passive (10/80/10)"
    negative = "negative (15/25/60)"
    usual = ("left-skewed CSAT", "symmetric", "U-shaped")
    no_passive_extreme = tuple(
        p for p in sim.NPS.profiles if p not in (passive, extreme)
    )
    inf = {"weighting": "informative"}
    return [
        "- **NPS: keep the default `adjusted_wald`.** Without weights its exact "
        f"coverage is {ex('nps', 'adjusted_wald')} at n ≥ 30 and "
        f"{ex('nps', 'adjusted_wald', 10, 10)} at n = 10. Its misses at n ≥ 30 are "
        "on the safe side: an NPS near +90 at n = 30 and 100, and 80% passives at "
        "n = 30. Among the methods that hold the level, its intervals are the "
        "narrowest or close to it. `score` "
        f"({ex('nps', 'score')} at n ≥ 30) is as good and a little closer to 95% in "
        "those cells, but slower. It gives an interval even when every "
        "respondent is a passive, and with 80% passives at n = 10 it over-covers "
        f"({one('nps', passive, 10, 'score')}), as `adjusted_wald` does "
        f"({one('nps', passive, 10, 'adjusted_wald')}). `wald` under-covers "
        f"without weights at n ≤ 30 ({ex('nps', 'wald', 10, 30)}), and for an NPS "
        f"near +90 even at n = 100 ({one('nps', extreme, 100, 'wald')}). "
        "`bayes_jeffreys` stays near or above the level without weights "
        f"({sim_('nps', 'bayes_jeffreys', 10, weighting='equal')} simulated, "
        "n ≥ 10). `bayes_uniform` pulls extreme scores toward 0: for an NPS of +87 "
        "it covers "
        f"{sim_('nps', 'bayes_uniform', 10, 10, weighting='equal', profiles=(extreme,))}"
        " at n = 10 and "
        f"{sim_('nps', 'bayes_uniform', 30, 30, weighting='equal', profiles=(extreme,))}"
        " at n = 30. The bootstraps under-cover at n ≤ 30 (BCa "
        f"{sim_('nps', 'bootstrap_bca', 10, 30)}, percentile "
        f"{sim_('nps', 'bootstrap_percentile', 10, 30)}). At n = 100 they are no "
        "better than `adjusted_wald`, and they cost far more.",
        "- **With weights, the count-based intervals use a pooled design-based "
        "n\\*.** `adjusted_wald`, `score`, the Bayesian intervals, `wilson` and "
        "`jeffreys` turn the weighted shares into counts n*·p̂ "
        "(`interval_sample_size`). n* is the sample size of a simple random "
        "sample with the same variance, from the linearisation variance computed "
        "after one change: within each answer the mean weight is kept, but the "
        "spread of the weights around it is pooled over the answers. Weights "
        "that depend on the answer still count, while a rare answer given by "
        "three respondents no longer brings the noise of their three squared "
        "weights. Because that design effect is estimated, n* is then multiplied "
        "by (z/t_ν)², with ν = n_eff − 1 from Kish's formula (Korn and Graubard's "
        "adjustment, with the equivalent degrees of freedom of a weighted "
        "variance); with equal weights the factor is 1 and the textbook "
        "formulas result. `clopper_pearson` (Korn–Graubard) keeps the plain "
        'design-based n*, as R\'s `svyciprop(method = "beta")` does. Three '
        "earlier rules were measured on this grid and dropped: the plain "
        "design-based n* (the same as R's `survey`; its variance is too small on "
        f"average by {ratio[30]:.0%} at n = 30 and {ratio[100]:.0%} at n = 100, "
        "typical profile, unequal weights): `adjusted_wald` 90.4–98.8% and "
        "`wilson` 89.7–95.3% in the weighted cells at n ≥ 30; Kish's n_eff, "
        "which ignores weights that depend on the answer: 89.5–97.8% and "
        "87.0–98.9% with informative weights; and the smaller of the two, which "
        "over-covered whenever one of them was low by chance or by bias: "
        "93.9–99.3% and 93.1–98.9%, still 97.5% and 98.9% at n = 1000. With the "
        "pooled n*, weights independent of the answer (*unequal*) give "
        f"`adjusted_wald` {sim_('nps', 'adjusted_wald', weighting='unequal')} at "
        "n ≥ 30 "
        f"({sim_('nps', 'adjusted_wald', weighting='unequal', profiles=no_passive_extreme)}"
        " without the 80% passives and the NPS near +90, which over-cover as "
        f"they do without weights), `score` {sim_('nps', 'score', weighting='unequal')}, "
        f"`bayes_jeffreys` {sim_('nps', 'bayes_jeffreys', weighting='unequal')} "
        f"and `wilson` {sim_('share', 'wilson', weighting='unequal')}. At n = 10 "
        "`adjusted_wald` covers "
        f"{sim_('nps', 'adjusted_wald', 10, 10, weighting='unequal')}"
        f" and `wilson` {sim_('share', 'wilson', 10, 10, weighting='unequal')}.",
        "- **Informative weights: the pooled n* follows them.** Kish's formula "
        "assumes that the weights do not depend on the answer. When they do, the "
        "variance of the weighted estimate differs from σ²/n_eff by a factor "
        "that does not shrink with n: above 1 when the rarer answer carries the "
        "larger weights, below 1 when it carries the smaller ones. In this "
        f"design the factor is {kish('share', 'p = 0.95')} for a top-box share "
        f"of 95% and {kish('share', 'p = 0.05')} for 5%; for NPS it is "
        f"{kish('nps', extreme)} at +87 and {kish('nps', negative)} at −45 "
        "(`kish_variance_ratio` in `tests/coverage/_simulate.py`). The pooled n* "
        "keeps each answer's mean weight, so it carries that factor: at "
        f"n = 1000 `adjusted_wald` covers {sim_('nps', 'adjusted_wald', 1000, 1000, **inf)}"
        f" and `wilson` {sim_('share', 'wilson', 1000, 1000, **inf)} (the "
        "minimum rule gave up to 97.5% and 98.9% there). At n ≥ 30 "
        f"`adjusted_wald` covers {sim_('nps', 'adjusted_wald', **inf)} and "
        f"`wilson` {sim_('share', 'wilson', **inf)} with informative weights; "
        "the misses are listed below.",
        "- **Top-box shares: keep `wilson`.** Without weights its exact coverage "
        f"at n ≥ 30 is {ex('share', 'wilson')}. The misses come from the "
        "discreteness of a binomial count: "
        f"{one('share', 'p = 0.05', 30, 'wilson')} for a 5% share at n = 30, and "
        "up to 96.6% elsewhere. `jeffreys` is narrower but swings further "
        f"({ex('share', 'jeffreys')}). `clopper_pearson` is conservative by design "
        f"({ex('share', 'clopper_pearson')}) and the choice without weights when "
        "under-coverage is unacceptable. With weights it keeps the design-based "
        "n*, and so it under-covers at n = 30 and 100 "
        f"({sim_('share', 'clopper_pearson', 30, 100, weighting='unequal')} with "
        f"unequal weights, against {sim_('share', 'wilson', 30, 100, weighting='unequal')}"
        " for `wilson`). `logit` gives no interval when all or none of the "
        "respondents are in the top box, so for a 5% share at n = 30 it covers "
        f"only {one('share', 'p = 0.05', 30, 'logit')}. `wald` under-covers shares "
        f"near 0 or 1 unless n is large ({one('share', 'p = 0.05', 100, 'wald')} "
        "for a 5% share at n = 100).",
        "- **Means: `t` holds the level** without weights at n ≥ 30 for the typical "
        "CSAT, symmetric and U-shaped profiles "
        f"({sim_('mean', 't', weighting='equal', profiles=usual)}). It under-covers "
        "very skewed scales "
        f"({sim_('mean', 't', 30, 30, weighting='equal', profiles=('very skewed',))}"
        " at n = 30, "
        f"{sim_('mean', 't', 100, 100, weighting='equal', profiles=('very skewed',))}"
        " at n = 100). The mean's sampling distribution is then skewed, and "
        "samples that hold only top scores get an interval of zero width. "
        "`normal` is a little narrower and a little worse. The mean intervals use "
        "the linearisation variance itself (no n*), so with weights they still "
        "inherit its small-sample bias: `t` covers "
        f"{sim_('mean', 't', 30, 30, weighting='unequal', profiles=usual)} at "
        "n = 30 and "
        f"{sim_('mean', 't', 100, 100, weighting='unequal', profiles=usual)} at "
        "n = 100 with unequal weights (same three profiles).",
    ]


def _default_misses(results: list[sim.CellResult], exact: dict[Key, float]) -> str:
    """One sentence: the default methods' cells outside the band at n ≥ 30."""
    parts = []
    for family, method in sim.DEFAULT_METHOD.items():
        out = {"equal": 0, "unequal": 0, "informative": 0}
        total = 0
        for r in results:
            if r.family != family or r.method != method or r.n < 30:
                continue
            total += 1
            key = (family, r.profile, r.n, method)
            coverage = exact[key] if r.weighting == "equal" and key in exact else None
            if _outside(r.coverage if coverage is None else coverage):
                out[r.weighting] += 1
        parts.append(
            f"`{method}` {sum(out.values())} of {total} ({out['equal']} with equal "
            f"weights, {out['unequal']} unequal, {out['informative']} informative)"
        )
    return (
        "At n ≥ 30 the default methods miss the band in these cells (exact "
        "coverage for equal weights where it exists): " + "; ".join(parts) + "."
    )


def _unreachable_share_cells() -> str:
    """Share cells (no weights, n ≥ 30) where no interval can cover 94–96%."""
    family = sim.FAMILIES["share"]
    cells = []
    for profile in family.profiles:
        p = sim.truth(family, profile, "equal")
        for n in (n for n in sim.N_VALUES if n >= 30):
            cum = np.r_[0.0, np.cumsum(scipy.stats.binom.pmf(np.arange(n + 1), n, p))]
            # P(a ≤ X ≤ b) for every run of counts a ≤ b
            runs = (cum[None, 1:] - cum[:-1, None])[np.triu_indices(n + 1)]
            if ((runs >= sim.BAND[0]) & (runs <= sim.BAND[1])).any():
                continue
            below, above = (
                runs[runs < sim.BAND[0]].max(),
                runs[runs > sim.BAND[1]].min(),
            )
            cells.append(
                f"{profile} at n = {n} ({100 * below:.1f}% or {100 * above:.1f}%)"
            )
    return (
        "Some of these misses are not the method's: an interval whose limits "
        "increase with the number of top-box answers contains the true share for "
        "a run of counts a ≤ x ≤ b, so its exact coverage without weights is the "
        "binomial probability of such a run, and in these cells no run has a "
        "probability within 94–96%: " + "; ".join(cells) + ". No such interval, "
        "Wilson's included, can meet the band there."
    )


def _notes(undefined: dict[tuple[str, str], int]) -> list[str]:
    score = undefined[("nps", "score")]
    t, normal = undefined[("mean", "t")], undefined[("mean", "normal")]
    return [
        (
            f"- `score` returned no interval for {score} simulated samples; they "
            "count as not covering."
            if score
            else "- `score` returned an interval for every sample, including "
            "samples in which every respondent is a passive (Tango's statistic is "
            "0 at Δ = 0 there)."
        ),
        f"- `logit` returned no interval for {undefined[('share', 'logit')]} "
        "samples with a share of exactly 0 or 1.",
        (
            f"- `t` / `normal` returned NaN for {t} / {normal} samples; they count "
            "as not covering."
            if t or normal
            else "- `t` / `normal` returned an interval for every sample. When "
            "every answer in a sample is the same, the variance is 0 (a rounding "
            "residue of about −1e-16 with unequal weights is clamped at 0), so the "
            "interval has zero width and does not cover."
        ),
    ]


def render(
    results: list[sim.CellResult],
    exact: dict[Key, float],
    diffs: list[float],
    *,
    quick: bool,
    runtime: tuple[float, float, float],
    jobs: int,
) -> str:
    undefined = {
        (r.family, r.method): sum(
            x.undefined for x in results if (x.family, x.method) == (r.family, r.method)
        )
        for r in results
    }
    text = [
        "# Coverage of the confidence intervals",
        "",
        "<!-- generated by benchmarks/coverage_table.py; do not edit by hand -->",
        "",
        CHANGES,
        "",
        INTRO,
        "",
        "## Design",
        "",
        *_design(quick, runtime, jobs, diffs),
        "",
        "## Summary",
        "",
        "Simulated coverage in %, minimum and maximum over the cells. With "
        "weights, every count-based method except `clopper_pearson` uses "
        "the pooled design-based n* (`interval_sample_size`); the *unequal* and *informative* "
        "columns separate weights independent of the answer from weights that "
        "depend on it, where Kish's n_eff alone is biased (see below).",
        "",
        *_summary(results),
        "",
        "## Which interval to choose",
        "",
        *_choose(results, exact),
        "",
        "## Cells outside 94–96%",
        "",
        "Each method's cells outside the band, by n, as “profile weights: "
        "coverage %”. For equal weights, NPS and shares, the exact coverage "
        "decides. Otherwise the simulated coverage does, and “(MC)” marks a cell "
        "whose 95% Clopper–Pearson interval still overlaps 94–96%, so that the "
        "miss may be Monte Carlo noise.",
        "",
        _default_misses(results, exact),
        "",
        _unreachable_share_cells(),
        "",
        *_shortfalls(results, exact),
        "",
        "## Notes",
        "",
        *_notes(undefined),
        "",
    ]
    for family in sim.FAMILIES:
        text += [f"## {TITLES[family]}", "", *_table(family, results), ""]
        if family in EXACT_METHODS:
            text += [
                f"Exact coverage (%) with equal weights, {TITLES[family].lower()}:",
                "",
                *_exact_table(family, exact),
                "",
            ]
    return "\n".join(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grid, to stdout")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--render-only",
        action="store_true",
        help=f"re-render the page from the last run's numbers ({CACHE.name})",
    )
    args = parser.parse_args(argv)
    output = args.output or (None if args.quick else ROOT / "docs" / "coverage.md")
    if args.render_only:
        with CACHE.open("rb") as f:
            results, exact, diffs, runtime = pickle.load(f)
    else:
        start = time.perf_counter()
        results, exact, diffs = run(args.quick, args.jobs)
        cpu = sum(
            u.ru_utime + u.ru_stime
            for u in map(
                resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
            )
        )
        runtime = (time.perf_counter() - start, cpu, os.getloadavg()[0])
        CACHE.parent.mkdir(exist_ok=True)
        with CACHE.open("wb") as f:
            pickle.dump((results, exact, diffs, runtime), f)
    if diffs and max(diffs) > 1e-8:
        raise SystemExit(f"vectorised Bayes limits differ from nps_bayes: {max(diffs)}")
    page = render(
        results, exact, diffs, quick=args.quick, runtime=runtime, jobs=args.jobs
    )
    if output is None:
        print(page)
    else:
        output.write_text(page, encoding="utf-8")
        print(f"wrote {output} in {runtime[0] / 60:.1f} min", file=sys.stderr)


if __name__ == "__main__":
    main()
