"""Coverage simulations of the interval methods (STYLE.md 3.8).

The default run checks a handful of cells (2,000 seeded samples each) against the
nominal level with a binomial test, pins the number of covering intervals for one
cell per method, and checks the simulation machinery against exact enumeration and
the vectorised Bayes intervals against the library's ``nps_bayes``.

``-m slow`` runs the full grid of the default methods at n ≥ 30 and asserts
coverage within 94–96%: exact coverage (enumeration) for equal weights, 10,000
seeded samples (the numbers of ``docs/coverage.md``) for unequal and informative
weights. Cells where the library genuinely misses that band are listed in ``KNOWN_SHORTFALLS`` as
strict xfails, with the reason; they are reported in ``docs/coverage.md`` ("Cells
outside 94–96%"). Update the pinned counts and the list only with a changelog
entry (docs/coverage.md, "Changes").

The count-based methods get ``n_star = interval_sample_size(...)``, as
``nps_frame`` and ``share_frame`` pass it: the design-based n* after pooling the
weight spread over the answers, with Kish's equivalent degrees of freedom (the
plain design-based n* for ``clopper_pearson``).
"""

from __future__ import annotations

import _simulate as sim
import numpy as np
import pytest
from scipy import stats

from cxmetrics.results.scores import nps_frame, share_frame

REPS = 2_000

# --- default run ----------------------------------------------------------------


# Cells near the middle of the design, where the default methods should be at the
# nominal level; the slow tests cover every cell.
NOMINAL_CELLS = [
    ("nps", "adjusted_wald", "typical (50/30/20)", 30, "equal"),
    ("nps", "adjusted_wald", "neutral (30/40/30)", 100, "equal"),
    ("nps", "adjusted_wald", "typical (50/30/20)", 30, "unequal"),
    ("nps", "adjusted_wald", "strong (70/20/10)", 1000, "unequal"),
    ("share", "wilson", "p = 0.5", 30, "equal"),
    ("share", "wilson", "p = 0.2", 100, "equal"),
    ("share", "wilson", "p = 0.2", 30, "unequal"),
    ("share", "wilson", "p = 0.8", 1000, "informative"),
]


@pytest.mark.parametrize(
    ("family", "method", "profile", "n", "weighting"), NOMINAL_CELLS
)
def test_default_method_is_at_nominal_level(family, method, profile, n, weighting):
    (result,) = sim.run_cell(family, profile, n, weighting, (method,), reps=REPS)
    test = stats.binomtest(result.covered, result.reps, sim.CONFIDENCE_LEVEL)
    assert test.pvalue > 0.01, f"coverage {result.coverage:.4f}"


# (family, profile, n, weighting) -> {method: covering intervals} out of 2,000
# samples (200 for the bootstraps). Seeded, so exact: a change means the method's
# numbers moved.
PINNED = {
    ("nps", "typical (50/30/20)", 30, "equal"): {
        "wald": 1873,
        "adjusted_wald": 1882,
        "score": 1901,
    },
    ("nps", "typical (50/30/20)", 30, "unequal"): {
        "adjusted_wald": 1915,
        "score": 1928,
        "bayes_jeffreys": 1917,
        "bayes_uniform": 1926,
    },
    ("nps", "typical (50/30/20)", 30, "informative"): {
        "bootstrap_bca": 176,
        "bootstrap_percentile": 177,
    },
    ("share", "p = 0.2", 100, "unequal"): {
        "wilson": 1904,
        "logit": 1892,
        "clopper_pearson": 1908,
        "jeffreys": 1892,
        "wald": 1842,
    },
    ("mean", "left-skewed CSAT", 30, "equal"): {"t": 1879, "normal": 1865},
}
PINNED_CASES = [
    pytest.param(cell, method, count, id=f"{method}-{cell[0]}-{cell[2]}-{cell[3]}")
    for cell, counts in PINNED.items()
    for method, count in counts.items()
]


@pytest.mark.parametrize(("cell", "method", "expected"), PINNED_CASES)
def test_pinned_count_of_covering_intervals(cell, method, expected):
    (result,) = sim.run_cell(
        *cell,
        (method,),
        reps=REPS,
        bayes_reps=REPS,
        bayes_width_reps=20,
        bootstrap_reps=200,
    )
    assert result.covered == expected


@pytest.mark.parametrize(
    ("family", "profile", "n", "method"),
    [
        ("nps", "extreme (90/7/3)", 30, "adjusted_wald"),
        ("nps", "typical (50/30/20)", 100, "score"),
        ("share", "p = 0.05", 30, "wilson"),
        ("share", "p = 0.8", 100, "clopper_pearson"),
    ],
)
def test_simulation_agrees_with_exact_enumeration(family, profile, n, method):
    exact = sim.exact_coverage(family, profile, n, (method,))[method]
    (result,) = sim.run_cell(family, profile, n, "equal", (method,), reps=REPS)
    assert stats.binomtest(result.covered, result.reps, exact).pvalue > 0.01


def test_exact_coverage_of_a_textbook_case():
    # Wilson at p = 0.05, n = 30 covers for x ≤ 3 successes only: P(X ≤ 3).
    exact = sim.exact_coverage("share", "p = 0.05", 30, ("wilson",))["wilson"]
    np.testing.assert_allclose(exact, stats.binom.cdf(3, 30, 0.05), rtol=1e-12)


@pytest.mark.parametrize("method", sim.NPS_BAYES)
@pytest.mark.parametrize(
    ("profile", "n", "weighting"),
    [("extreme (90/7/3)", 10, "equal"), ("typical (50/30/20)", 100, "informative")],
)
def test_vectorised_bayes_matches_library(method, profile, n, weighting):
    inp = sim.inputs(sim.NPS, sim.simulate_counts(sim.NPS, profile, n, weighting, 2))
    low, high = sim.bayes_limits(sim.bayes_cdf(inp, method), 2)
    # the library's interval, with the n* nps_frame passes (interval_sample_size)
    ref_low, ref_high = sim.limits(sim.NPS, method, inp)
    # root finding on both sides (xtol 1e-12): STYLE 3.8 tolerance for root finding
    np.testing.assert_allclose(low, ref_low, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(high, ref_high, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("family", ["nps", "share"])
def test_simulation_passes_what_the_result_tables_pass(family):
    # One weighted sample: the simulation's limits equal those of nps_frame /
    # share_frame, so both use the same n* (interval_sample_size).
    fam = sim.FAMILIES[family]
    profile = next(iter(fam.profiles))
    counts = sim.simulate_counts(fam, profile, 30, "informative", 1)
    inp = sim.inputs(fam, counts)
    methods = (*sim.NPS_ANALYTIC, *sim.NPS_BAYES) if family == "nps" else None
    for method in methods or sim.SHARE_METHODS:
        if method in sim.NPS_BAYES:
            low, high = sim.bayes_limits(sim.bayes_cdf(inp, method), 1)
        else:
            low, high = sim.limits(fam, method, inp)
        options = {"method": method, "confidence_level": sim.CONFIDENCE_LEVEL}
        if family == "nps":
            table, _ = nps_frame(counts, breaks=(6, 8), min_n=0, **options)
            ref = table[["ci_low", "ci_high"]].to_numpy()[0] / 100
        else:
            table = share_frame(counts, top=(1.0,), min_n=0, **options)
            ref = table[["ci_low", "ci_high"]].to_numpy()[0]
        # root finding for the Bayes limits (xtol 1e-12), closed forms otherwise
        np.testing.assert_allclose([low[0], high[0]], ref, rtol=1e-8, atol=1e-10)


def test_truth_of_informative_weights_is_the_population_value():
    # One large weighted sample estimates the analytic population value.
    family = sim.NPS
    counts = sim.simulate_counts(
        family, "typical (50/30/20)", 1000, "informative", 1000
    )
    pooled = sim.inputs(family, counts.total()).dm.estimate[0]
    expected = sim.truth(family, "typical (50/30/20)", "informative")
    np.testing.assert_allclose(pooled, expected, atol=0.005)  # SE ≈ 0.0011


# --- full grid (slow) -----------------------------------------------------------

# Cells where the default method is genuinely outside 94–96% (docs/coverage.md,
# "Cells outside 94–96%"). Equal weights: exact coverage, no Monte Carlo error.
# Weighted cells: 10,000 seeded samples, the numbers of docs/coverage.md.
EXACT_MISS = "exact coverage outside 94–96% (discreteness of the counts)"
UNREACHABLE = (
    "; no interval whose limits increase with the count can do better: every run "
    "of counts has binomial probability ≤ 93.9% or ≥ 98.4% (docs/coverage.md)"
)
PASSIVE_WEIGHTED = (
    "80% passives with weights: over-covers, as without weights at n = 30 "
    "(96.9%); the pseudo-counts weigh more at the smaller effective n"
)
EXTREME_WEIGHTED = (
    "NPS near +90 with weights: over-covers, as without weights at n = 30 and 100 "
    "(96.2%, 96.0%)"
)
RARE_WEIGHTED = (
    "share of 5% or 95% with weights: discreteness of the few rare answers, as "
    "without weights (93.9% at n = 30)"
)
NEAR_BAND = "; simulated coverage within Monte Carlo error of the band"

KNOWN_SHORTFALLS: dict[tuple[str, str, int, str], str] = {
    # adjusted_wald, equal weights (exact coverage)
    ("adjusted_wald", "extreme (90/7/3)", 30, "equal"): EXACT_MISS + ": 96.2%",
    ("adjusted_wald", "extreme (90/7/3)", 100, "equal"): EXACT_MISS + ": 96.01%",
    ("adjusted_wald", "passive (10/80/10)", 30, "equal"): EXACT_MISS + ": 96.9%",
    # adjusted_wald, with weights: 97.3–99.7% for 80% passives, 96.2–96.6% else
    ("adjusted_wald", "passive (10/80/10)", 30, "unequal"): PASSIVE_WEIGHTED,
    ("adjusted_wald", "passive (10/80/10)", 100, "unequal"): PASSIVE_WEIGHTED,
    ("adjusted_wald", "passive (10/80/10)", 30, "informative"): PASSIVE_WEIGHTED,
    ("adjusted_wald", "extreme (90/7/3)", 100, "unequal"): EXTREME_WEIGHTED + NEAR_BAND,
    # wilson, equal weights (exact coverage)
    ("wilson", "p = 0.05", 30, "equal"): EXACT_MISS + ": 93.9%" + UNREACHABLE,
    ("wilson", "p = 0.95", 30, "equal"): EXACT_MISS + ": 93.9%" + UNREACHABLE,
    ("wilson", "p = 0.2", 30, "equal"): EXACT_MISS + ": 96.4%",
    ("wilson", "p = 0.8", 30, "equal"): EXACT_MISS + ": 96.4%",
    ("wilson", "p = 0.05", 100, "equal"): EXACT_MISS + ": 96.6%",
    ("wilson", "p = 0.95", 100, "equal"): EXACT_MISS + ": 96.6%",
    # wilson, with weights: 96.2–96.6% for a rare answer at n = 30, and one
    # under-coverage within Monte Carlo error (93.8%, p = 0.95, n = 100)
    ("wilson", "p = 0.05", 30, "unequal"): RARE_WEIGHTED + NEAR_BAND,
    ("wilson", "p = 0.95", 30, "unequal"): RARE_WEIGHTED,
    ("wilson", "p = 0.05", 30, "informative"): RARE_WEIGHTED,
    ("wilson", "p = 0.95", 30, "informative"): RARE_WEIGHTED + NEAR_BAND,
    ("wilson", "p = 0.95", 100, "informative"): (
        "share of 95% whose rare answers carry the larger weights: the pooled "
        "n* is still a little large at n = 100" + NEAR_BAND
    ),
}


def _default_method_cells() -> list[object]:
    """Every n ≥ 30 cell of each family's default method, misses as strict xfails."""
    cases = []
    for family in ("nps", "share"):
        method = sim.DEFAULT_METHOD[family]
        for _, profile, n, weighting in sim.grid(family):
            if n < 30:
                continue
            reason = KNOWN_SHORTFALLS.get((method, profile, n, weighting))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            cases.append(
                pytest.param(
                    family,
                    method,
                    profile,
                    n,
                    weighting,
                    marks=marks,
                    id=f"{method}-{profile}-{n}-{weighting}",
                )
            )
    return cases


def _coverage(family: str, method: str, profile: str, n: int, weighting: str) -> float:
    """Exact coverage for equal weights, else simulated (10,000 samples)."""
    if weighting == "equal":
        return sim.exact_coverage(family, profile, n, (method,))[method]
    (result,) = sim.run_cell(family, profile, n, weighting, (method,))
    return result.coverage


@pytest.mark.slow
@pytest.mark.coverage
@pytest.mark.parametrize(
    ("family", "method", "profile", "n", "weighting"), _default_method_cells()
)
def test_default_method_coverage_in_band(family, method, profile, n, weighting):
    coverage = _coverage(family, method, profile, n, weighting)
    assert sim.BAND[0] <= coverage <= sim.BAND[1], coverage


@pytest.mark.slow
@pytest.mark.coverage
@pytest.mark.parametrize("family", ["nps", "share"])
def test_simulation_agrees_with_exact_in_every_equal_weight_cell(family):
    method = sim.DEFAULT_METHOD[family]
    for profile in sim.FAMILIES[family].profiles:
        for n in sim.N_VALUES:
            exact = sim.exact_coverage(family, profile, n, (method,))[method]
            (result,) = sim.run_cell(family, profile, n, "equal", (method,))
            p = stats.binomtest(result.covered, result.reps, exact).pvalue
            # 48 seeded cells; a wrong simulation gives p far below 1e-6 at 10,000
            # samples. The smallest p is 6e-4 (passive (10/80/10), n = 10: 35
            # misses where 18.4 are expected; numpy's multinomial sampler checked
            # on 2 million draws: 18.3 per 10,000).
            assert p > 1e-4, (profile, n, result.coverage, exact)
