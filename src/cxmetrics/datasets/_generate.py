"""Seeded generator of the example survey and the truth behind it.

The example survey is a synthetic customer survey of a retail bank ("Our bank") and
three competitors over four quarterly waves. Every number in it comes from the
generating model in this module, so the true drivers, the true NPS of every segment
and period, and the size of the one real change between periods are known exactly;
:data:`EXAMPLE_SURVEY_TRUTH` records them. ``docs/datasets.md`` describes the model
for analysts.

Imports: numpy and pandas only (pure data generation, no statistics from cxmetrics).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "ATTRIBUTES",
    "BRANDS",
    "CHANNELS",
    "COLUMNS",
    "EXAMPLE_SURVEY_TRUTH",
    "PERIODS",
    "REGIONS",
    "SEGMENTS",
    "ExampleSurveyTruth",
    "generate_example_survey",
    "simulate_population_nps",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# ----------------------------------------------------------------------------------
# Design: labels and the population / sample structure
# ----------------------------------------------------------------------------------

PERIODS: Final = ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")
SEGMENTS: Final = ("mass", "affluent", "private", "small_business", "corporate")
CHANNELS: Final = ("branch", "app", "phone", "web")
REGIONS: Final = ("capital", "north", "south", "west")
BRANDS: Final = ("Our bank", "Competitor A", "Competitor B", "Competitor C")
ATTRIBUTES: Final = (
    "product",
    "service",
    "relationship",
    "price",
    "convenience",
    "brand_image",
)

COLUMNS: Final = (
    "respondent_id",
    "period",
    "brand",
    "segment",
    "region",
    "channel",
    "weight",
    "nps",
    "satisfaction",
    "csat",
    "ces",
    "nps_competitor",
    *(f"exp_{a}" for a in ATTRIBUTES),
    *(f"expct_{a}" for a in ATTRIBUTES),
    *(f"imp_{a}" for a in ATTRIBUTES),
    "aum",
    "aum_change",
    "revenue",
    "churned",
    "complained",
)

# Population share of each segment (columns, in SEGMENTS order) in each period (rows):
# the business moves towards affluent, private and corporate customers ("mix shift").
_SEGMENT_SHARES: Final = np.array(
    [
        [0.50, 0.22, 0.050, 0.17, 0.060],
        [0.47, 0.24, 0.055, 0.17, 0.065],
        [0.44, 0.26, 0.060, 0.17, 0.070],
        [0.41, 0.28, 0.065, 0.17, 0.075],
    ]
)
# Population share of each region (columns) within each segment (rows).
_REGION_GIVEN_SEGMENT: Final = np.array(
    [
        [0.30, 0.27, 0.27, 0.16],
        [0.40, 0.24, 0.24, 0.12],
        [0.55, 0.18, 0.17, 0.10],
        [0.30, 0.25, 0.27, 0.18],
        [0.50, 0.20, 0.20, 0.10],
    ]
)
# Main channel (columns: branch, app, phone, web) within each segment (rows).
_CHANNEL_GIVEN_SEGMENT: Final = np.array(
    [
        [0.20, 0.45, 0.15, 0.20],
        [0.25, 0.40, 0.15, 0.20],
        [0.45, 0.15, 0.30, 0.10],
        [0.30, 0.15, 0.20, 0.35],
        [0.20, 0.05, 0.40, 0.35],
    ]
)
# Over-/under-sampling factors: the sample share of a segment x region cell is
# proportional to population share x segment factor x region factor.
_SEGMENT_SAMPLING: Final = np.array([0.7, 1.0, 2.5, 1.0, 2.0])
_REGION_SAMPLING: Final = np.array([0.8, 1.0, 1.0, 1.6])
# Share of interviews per brand (benchmark sample of three competitors).
_BRAND_SAMPLE_SHARES: Final = np.array([0.61, 0.13, 0.13, 0.13])

# ----------------------------------------------------------------------------------
# Measurement model of the ratings (0-10 scale, before rounding)
# ----------------------------------------------------------------------------------

# Correlation of the two experience factors, quality (Q) and value (V).
_FACTOR_CORRELATION: Final = 0.6
# Standardised loadings of the experience items on (Q, V), in ATTRIBUTES order.
_LOADINGS: Final = np.array(
    [
        [0.45, 0.30],  # product
        [0.80, 0.00],  # service
        [0.65, 0.00],  # relationship
        [0.00, 0.75],  # price
        [0.70, 0.00],  # convenience
        [0.15, 0.60],  # brand_image
    ]
)
_EXP_MEAN: Final = np.array([7.4, 7.0, 6.2, 6.0, 6.6, 7.1])
_EXP_SD: Final = np.array([1.7, 2.0, 2.2, 2.0, 2.1, 1.8])
# Shift of the experience means by segment (rows) and attribute (columns).
_EXP_SEGMENT_SHIFT: Final = np.array(
    [
        [-0.2, -0.5, -0.8, 0.0, -0.4, -0.1],  # mass
        [0.1, 0.3, 0.5, -0.2, 0.1, 0.1],  # affluent
        [0.2, 0.7, 1.6, -0.3, 0.3, 0.3],  # private
        [-0.1, -0.4, -0.3, -0.2, -0.5, 0.0],  # small_business
        [0.1, 0.2, 0.8, 0.3, -0.2, 0.1],  # corporate
    ]
)
# Shift of the experience means by brand (rows) and attribute (columns).
_EXP_BRAND_SHIFT: Final = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # Our bank
        [0.2, 0.5, 0.3, -0.2, 0.7, 0.6],  # Competitor A: the industry leader
        [0.0, 0.0, 0.0, 0.3, 0.1, 0.0],  # Competitor B: the fiercest rival
        [-0.3, -0.5, -0.4, 0.5, -0.7, -0.7],  # Competitor C: a cheap, weaker bank
    ]
)
# Shift of service and convenience experience by main channel (rows).
_EXP_CHANNEL_SHIFT: Final = np.array(
    [
        [0.0, 0.3, 0.0, 0.0, -0.3, 0.0],  # branch
        [0.0, 0.0, 0.0, 0.0, 0.4, 0.0],  # app
        [0.0, -0.2, 0.0, 0.0, -0.5, 0.0],  # phone
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # web
    ]
)
# Shift of convenience experience by region (the rural west has fewer branches).
_CONVENIENCE_REGION_SHIFT: Final = np.array([0.0, 0.0, 0.0, -0.4])

# The one real change: Our bank's mass customers lose convenience from 2025-Q3 (a
# mobile-app migration); every other segment, and every competitor, is stable.
_CHANGED_SEGMENT: Final = "mass"
_CHANGED_ATTRIBUTE: Final = "convenience"
_CHANGED_PERIODS: Final = ("2025-Q3", "2025-Q4")
_CHANGE_SIZE: Final = -1.5

_EXPCT_MEAN: Final = np.array([7.3, 7.8, 6.4, 7.0, 8.3, 6.9])
_EXPCT_SD: Final = np.array([1.5, 1.4, 1.8, 1.6, 1.3, 1.6])
_EXPCT_LOADING: Final = 0.6  # on the respondent's general expectation level
_EXPCT_SEGMENT_SHIFT: Final = np.array([-0.1, 0.3, 0.6, 0.0, 0.3])

_IMP_MEAN: Final = np.array([8.0, 8.1, 6.4, 8.5, 8.7, 5.9])
_IMP_SD: Final = np.array([1.4, 1.3, 1.8, 1.4, 1.3, 1.8])
_IMP_LOADING: Final = 0.5  # on the respondent's tendency to call everything important
_IMP_SEGMENT_SHIFT: Final = np.array(
    [
        [0.0, 0.0, 0.0, 0.3, 0.0, 0.0],
        [0.0, 0.1, 0.5, 0.0, 0.0, 0.2],
        [0.0, 0.3, 1.5, -0.5, 0.0, 0.4],
        [0.2, 0.0, 0.3, 0.2, 0.3, -0.2],
        [0.2, 0.2, 1.0, 0.2, 0.0, 0.0],
    ]
)

# ----------------------------------------------------------------------------------
# Structural model: satisfaction, NPS and the other outcomes
# ----------------------------------------------------------------------------------

# satisfaction* = intercept + sum_k beta_k exp_k
#                 + delighter_coef * max(exp_relationship - threshold, 0)
#                 + expectation_coef * (mean expectation - 7.5) + N(0, sd^2)
_SAT_INTERCEPT: Final = 1.8
_SAT_COEF: Final = np.array([0.00, 0.25, 0.00, 0.15, 0.30, 0.08])
_DELIGHTER: Final = "relationship"
_DELIGHTER_THRESHOLD: Final = 7.0
_DELIGHTER_COEF: Final = 0.45
_BASIC: Final = "product"
_EXPECTATION_COEF: Final = -0.20
_EXPECTATION_CENTRE: Final = 7.5
_SAT_NOISE_SD: Final = 1.0

# nps* = intercept + slope * satisfaction* + N(0, sd^2)
_NPS_INTERCEPT: Final = 0.2
_NPS_SLOPE: Final = 1.1
_NPS_NOISE_SD: Final = 1.3

# The same customer's likelihood to recommend their main competitor (Our bank
# customers with a second bank only): 7.5 + 0.3 * (nps* - 8) + N(0, 1.9^2).
_COMPETITOR_SHARE: Final = 0.7
_COMPETITOR_MEAN: Final = 7.5
_COMPETITOR_SLOPE: Final = 0.3
_COMPETITOR_NOISE_SD: Final = 1.9

# CSAT 1-5: satisfaction* + N(0, 0.6^2) cut at these thresholds.
_CSAT_CUTS: Final = np.array([4.0, 5.5, 7.0, 8.5])
_CSAT_NOISE_SD: Final = 0.6
# CES 1-7 ("made it easy", 7 = very easy).
_CES_MEAN: Final = 4.8

# Operational outcomes.
_AUM_MEDIAN: Final = np.array([6_000.0, 85_000.0, 1_200_000.0, 45_000.0, 3_000_000.0])
_AUM_SIGMA: Final = np.array([1.1, 0.9, 0.8, 1.0, 0.9])
_REVENUE_BASE: Final = np.array([120.0, 450.0, 2_500.0, 1_800.0, 15_000.0])
_REVENUE_MARGIN: Final = 0.01
_CHURN_INTERCEPT: Final = -2.6
_CHURN_SLOPE: Final = -0.30  # per NPS point, centred at 7
_AUM_GROWTH: Final = {"detractor": -0.05, "passive": 0.02, "promoter": 0.08}
_AUM_GROWTH_SD: Final = 0.10
_COMPLAINT_INTERCEPT: Final = -3.2
_COMPLAINT_SLOPE: Final = -0.7  # per satisfaction* point, centred at 6

# Survey-process noise, applied after all outcomes are generated (MCAR).
_MISSING_SHARE: Final = {
    "nps": 0.02,
    "exp_relationship": 0.03,
    "expct_convenience": 0.02,
}
_DONT_KNOW_COLUMN: Final = "expct_price"
_DONT_KNOW_CODE: Final = 99
_DONT_KNOW_SHARE: Final = 0.003

# ----------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------


def _rating(x: FloatArray, low: float, high: float) -> FloatArray:
    """Round a latent score to the nearest scale point and clip it to the scale."""
    return np.clip(np.rint(x), low, high)


def _logistic(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def _draw_categories(
    rng: np.random.Generator, probabilities: FloatArray, rows: IntArray
) -> IntArray:
    """Draw one category per element of ``rows`` from ``probabilities[rows]``."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    u = rng.random(len(rows))
    idx: IntArray = (u[:, None] > cumulative[rows]).sum(axis=1).astype(np.int64)
    return idx


def _sample_cell_probabilities(period: int) -> FloatArray:
    """Return the sample probability of each segment x region cell in ``period``."""
    population = _SEGMENT_SHARES[period][:, None] * _REGION_GIVEN_SEGMENT
    sample = population * _SEGMENT_SAMPLING[:, None] * _REGION_SAMPLING[None, :]
    out: FloatArray = sample / sample.sum()
    return out


def _simulate(
    rng: np.random.Generator,
    period: IntArray,
    brand: IntArray,
    segment: IntArray,
    region: IntArray,
    channel: IntArray,
) -> dict[str, FloatArray]:
    """Generate every rating and outcome for respondents with the given design.

    Returns float arrays keyed by column name, without missing values or codes, plus
    the latent ``_satisfaction_latent`` and ``_nps_latent``.
    """
    n = len(period)
    k = len(ATTRIBUTES)
    out: dict[str, FloatArray] = {}

    # Latent factors: quality and value (correlated), expectation level, and the
    # tendency to rate everything as important.
    z = rng.standard_normal((n, 4))
    rho = _FACTOR_CORRELATION
    quality = z[:, 0]
    value = rho * z[:, 0] + np.sqrt(1.0 - rho**2) * z[:, 1]
    expectation_level = z[:, 2]
    importance_style = z[:, 3]

    # Experience.
    factors = np.column_stack([quality, value])
    communality = (
        _LOADINGS[:, 0] ** 2
        + _LOADINGS[:, 1] ** 2
        + 2.0 * rho * _LOADINGS[:, 0] * _LOADINGS[:, 1]
    )
    unique = np.sqrt(1.0 - communality)
    standardised = factors @ _LOADINGS.T + rng.standard_normal((n, k)) * unique
    mean = (
        _EXP_MEAN
        + _EXP_SEGMENT_SHIFT[segment]
        + _EXP_BRAND_SHIFT[brand]
        + _EXP_CHANNEL_SHIFT[channel]
    )
    conv = ATTRIBUTES.index("convenience")
    mean[:, conv] += _CONVENIENCE_REGION_SHIFT[region]
    changed = (
        (brand == BRANDS.index("Our bank"))
        & (segment == SEGMENTS.index(_CHANGED_SEGMENT))
        & np.isin(period, [PERIODS.index(p) for p in _CHANGED_PERIODS])
    )
    mean[changed, ATTRIBUTES.index(_CHANGED_ATTRIBUTE)] += _CHANGE_SIZE
    experience = _rating(mean + _EXP_SD * standardised, 0.0, 10.0)

    # Expectation and stated importance.
    expct_std = _EXPCT_LOADING * expectation_level[:, None] + np.sqrt(
        1.0 - _EXPCT_LOADING**2
    ) * rng.standard_normal((n, k))
    expectation = _rating(
        _EXPCT_MEAN + _EXPCT_SEGMENT_SHIFT[segment][:, None] + _EXPCT_SD * expct_std,
        0.0,
        10.0,
    )
    imp_std = _IMP_LOADING * importance_style[:, None] + np.sqrt(
        1.0 - _IMP_LOADING**2
    ) * rng.standard_normal((n, k))
    importance = _rating(
        _IMP_MEAN + _IMP_SEGMENT_SHIFT[segment] + _IMP_SD * imp_std, 0.0, 10.0
    )

    # Satisfaction (0-10) from the experiences and the expectation level.
    delight = np.maximum(
        experience[:, ATTRIBUTES.index(_DELIGHTER)] - _DELIGHTER_THRESHOLD, 0.0
    )
    sat_latent = (
        _SAT_INTERCEPT
        + experience @ _SAT_COEF
        + _DELIGHTER_COEF * delight
        + _EXPECTATION_COEF * (expectation.mean(axis=1) - _EXPECTATION_CENTRE)
        + _SAT_NOISE_SD * rng.standard_normal(n)
    )
    satisfaction = _rating(sat_latent, 0.0, 10.0)
    csat_latent = sat_latent + _CSAT_NOISE_SD * rng.standard_normal(n)
    csat = 1.0 + np.searchsorted(_CSAT_CUTS, csat_latent).astype(np.float64)
    ces = _rating(
        _CES_MEAN
        + 0.35 * (experience[:, conv] - _EXP_MEAN[conv])
        + 0.15 * (experience[:, 1] - _EXP_MEAN[1])
        + 1.1 * rng.standard_normal(n),
        1.0,
        7.0,
    )

    # NPS from satisfaction, and the rating of the main competitor.
    nps_latent = _NPS_INTERCEPT + _NPS_SLOPE * sat_latent
    nps_latent = nps_latent + _NPS_NOISE_SD * rng.standard_normal(n)
    nps = _rating(nps_latent, 0.0, 10.0)
    competitor = _rating(
        _COMPETITOR_MEAN
        + _COMPETITOR_SLOPE * (nps_latent - 8.0)
        + _COMPETITOR_NOISE_SD * rng.standard_normal(n),
        0.0,
        10.0,
    )
    has_competitor = (brand == BRANDS.index("Our bank")) & (
        rng.random(n) < _COMPETITOR_SHARE
    )
    competitor[~has_competitor] = np.nan

    # Operational outcomes (O-data) in the year after the survey.
    aum = np.round(
        _AUM_MEDIAN[segment] * np.exp(_AUM_SIGMA[segment] * rng.standard_normal(n)), 2
    )
    revenue = np.round(
        (_REVENUE_BASE[segment] + _REVENUE_MARGIN * aum)
        * np.exp(0.3 * rng.standard_normal(n)),
        2,
    )
    churn_p = _logistic(_CHURN_INTERCEPT + _CHURN_SLOPE * (nps - 7.0))
    churned = (rng.random(n) < churn_p).astype(np.float64)
    growth_mean = np.where(
        nps >= 9.0,
        _AUM_GROWTH["promoter"],
        np.where(nps >= 7.0, _AUM_GROWTH["passive"], _AUM_GROWTH["detractor"]),
    )
    growth = growth_mean + _AUM_GROWTH_SD * rng.standard_normal(n)
    aum_change = np.where(churned == 1.0, -aum, np.round(aum * growth, 2))
    complaint_p = _logistic(_COMPLAINT_INTERCEPT + _COMPLAINT_SLOPE * (sat_latent - 6))
    complained = (rng.random(n) < complaint_p).astype(np.float64)

    out["nps"] = nps
    out["satisfaction"] = satisfaction
    out["csat"] = csat
    out["ces"] = ces
    out["nps_competitor"] = competitor
    for j, attr in enumerate(ATTRIBUTES):
        out[f"exp_{attr}"] = experience[:, j]
    for j, attr in enumerate(ATTRIBUTES):
        out[f"expct_{attr}"] = expectation[:, j]
    for j, attr in enumerate(ATTRIBUTES):
        out[f"imp_{attr}"] = importance[:, j]
    out["aum"] = aum
    out["aum_change"] = aum_change
    out["revenue"] = revenue
    out["churned"] = churned
    out["complained"] = complained
    out["_satisfaction_latent"] = sat_latent
    out["_nps_latent"] = nps_latent
    return out


def _categorical(
    codes: IntArray, labels: tuple[str, ...], *, ordered: bool
) -> pd.Series:
    dtype = pd.CategoricalDtype(list(labels), ordered=ordered)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype))


def generate_example_survey(
    n_respondents: int, rng: int | np.random.Generator | None
) -> pd.DataFrame:
    """Generate the example survey (unvalidated; see ``make_example_survey``).

    Parameters
    ----------
    n_respondents : int
        Number of rows, at least 1.
    rng : int, numpy.random.Generator or None
        Seed or generator.

    Returns
    -------
    pandas.DataFrame
        One row per respondent, columns in :data:`COLUMNS` order.
    """
    gen = np.random.default_rng(rng)
    n = int(n_respondents)

    # Equal quota per wave; brand, then segment x region, then channel.
    per_period = np.full(len(PERIODS), n // len(PERIODS), dtype=np.int64)
    per_period[: n % len(PERIODS)] += 1
    period = np.repeat(np.arange(len(PERIODS), dtype=np.int64), per_period)
    brand = _draw_categories(
        gen, _BRAND_SAMPLE_SHARES[None, :], np.zeros(n, dtype=np.int64)
    )
    cell_probabilities = np.stack(
        [_sample_cell_probabilities(t).ravel() for t in range(len(PERIODS))]
    )
    cell = _draw_categories(gen, cell_probabilities, period)
    segment, region = np.divmod(cell, len(REGIONS))
    channel = _draw_categories(gen, _CHANNEL_GIVEN_SEGMENT, segment)

    # Post-stratification weight: population share / sample share of the cell.
    population = _SEGMENT_SHARES[:, :, None] * _REGION_GIVEN_SEGMENT[None, :, :]
    ratio = population.reshape(len(PERIODS), -1) / cell_probabilities
    weight = ratio[period, cell]
    weight = np.round(weight / weight.mean(), 6)

    values = _simulate(gen, period, brand, segment, region, channel)

    # Survey-process noise: item non-response and "don't know" codes.
    for column, share in _MISSING_SHARE.items():
        values[column][gen.random(n) < share] = np.nan
    dont_know = gen.random(n) < _DONT_KNOW_SHARE
    values[_DONT_KNOW_COLUMN][dont_know] = float(_DONT_KNOW_CODE)

    data: dict[str, pd.Series | FloatArray | IntArray] = {
        "respondent_id": np.arange(1, n + 1, dtype=np.int64),
        "period": _categorical(period, PERIODS, ordered=True),
        "brand": _categorical(brand, BRANDS, ordered=False),
        "segment": _categorical(segment, SEGMENTS, ordered=False),
        "region": _categorical(region, REGIONS, ordered=False),
        "channel": _categorical(channel, CHANNELS, ordered=False),
        "weight": weight,
    }
    for column in COLUMNS[len(data) :]:
        if column in ("churned", "complained"):
            data[column] = values[column].astype(np.int64)
        else:
            data[column] = values[column]
    return pd.DataFrame(data)


# ----------------------------------------------------------------------------------
# Population truth
# ----------------------------------------------------------------------------------


def _is_changed(brand: int, segment: int, period: int) -> bool:
    """Return whether the real change applies to a brand x segment x period cell."""
    return (
        BRANDS[brand] == "Our bank"
        and SEGMENTS[segment] == _CHANGED_SEGMENT
        and PERIODS[period] in _CHANGED_PERIODS
    )


def simulate_population_nps(
    n_per_cell: int,
    rng: int | np.random.Generator | None,
    *,
    chunk_size: int = 250_000,
) -> dict[tuple[str, str, bool], tuple[float, float]]:
    """Simulate the population NPS of every distinct cell of the model.

    The model is the same in every period except for the one real change, so the
    distinct cells are brand x segment at baseline plus the changed cell (Our bank,
    the changed segment, in the changed periods). Each cell draws ``n_per_cell``
    customers from the *population* (regions and channels in their population
    proportions within the segment) and runs them through the model of the sample.

    Parameters
    ----------
    n_per_cell : int
        Simulated customers per cell.
    rng : int, numpy.random.Generator or None
        Seed or generator.
    chunk_size : int, default: 250_000
        Customers simulated at a time (bounds memory).

    Returns
    -------
    dict
        ``(brand, segment, changed) -> (nps, nps_competitor)`` in NPS points; the
        second value is NaN for competitor brands.
    """
    gen = np.random.default_rng(rng)
    changed_period = PERIODS.index(_CHANGED_PERIODS[0])
    cells = [(b, s, 0) for b in range(len(BRANDS)) for s in range(len(SEGMENTS))]
    cells.append(
        (BRANDS.index("Our bank"), SEGMENTS.index(_CHANGED_SEGMENT), changed_period)
    )
    result: dict[tuple[str, str, bool], tuple[float, float]] = {}
    for b, s, t in cells:
        # promoters, detractors, answers, for nps and nps_competitor
        counts = np.zeros((2, 3))
        remaining = n_per_cell
        while remaining > 0:
            m = min(chunk_size, remaining)
            remaining -= m
            ones = np.ones(m, dtype=np.int64)
            seg = s * ones
            region = _draw_categories(gen, _REGION_GIVEN_SEGMENT, seg)
            channel = _draw_categories(gen, _CHANNEL_GIVEN_SEGMENT, seg)
            values = _simulate(gen, t * ones, b * ones, seg, region, channel)
            for row, column in enumerate(("nps", "nps_competitor")):
                x = values[column]
                counts[row] += (
                    np.count_nonzero(x >= 9.0),
                    np.count_nonzero(x <= 6.0),
                    np.count_nonzero(~np.isnan(x)),
                )
        with np.errstate(invalid="ignore", divide="ignore"):
            points = 100.0 * (counts[:, 0] - counts[:, 1]) / counts[:, 2]
        key = (BRANDS[b], SEGMENTS[s], _is_changed(b, s, t))
        result[key] = (float(points[0]), float(points[1]))
    return result


# Output of ``python -m cxmetrics.datasets._build --truth``: simulate_population_nps
# with n_per_cell=4_000_000 and rng=20260102; Monte Carlo standard error about
# 0.04 NPS points. Values per segment in SEGMENTS order.
# Population NPS of each brand where the real change does not apply:
_TRUE_NPS_BASELINE: Final[dict[str, tuple[float, ...]]] = {
    "Our bank": (9.42, 23.03, 30.88, 7.86, 20.57),
    "Competitor A": (22.02, 35.27, 42.85, 20.74, 33.15),
    "Competitor B": (12.02, 25.44, 33.18, 10.32, 22.94),
    "Competitor C": (-2.54, 10.78, 18.49, -4.55, 7.96),
}
# Population NPS of Our bank's changed segment in the changed periods:
_TRUE_NPS_CHANGED: Final = -6.15
# Population NPS that Our bank's customers with a second bank give their main
# competitor, by segment, and in the changed cell:
_TRUE_NPS_COMPETITOR_BASELINE: Final = (-2.03, 2.80, 5.68, -2.45, 2.08)
_TRUE_NPS_COMPETITOR_CHANGED: Final = -7.11


def _true_nps(brand: str, period: str, segment: str, *, competitor: bool) -> float:
    changed = _is_changed(
        BRANDS.index(brand), SEGMENTS.index(segment), PERIODS.index(period)
    )
    if competitor:
        if changed:
            return _TRUE_NPS_COMPETITOR_CHANGED
        return _TRUE_NPS_COMPETITOR_BASELINE[SEGMENTS.index(segment)]
    if changed:
        return _TRUE_NPS_CHANGED
    return _TRUE_NPS_BASELINE[brand][SEGMENTS.index(segment)]


def _freeze(mapping: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping))


def _freeze2(
    mapping: Mapping[str, Mapping[str, float]],
) -> Mapping[str, Mapping[str, float]]:
    return MappingProxyType({k: _freeze(v) for k, v in mapping.items()})


@dataclass(frozen=True, kw_only=True, eq=False)
class ExampleSurveyTruth:
    """The known truth behind the example survey.

    All NPS values are population values in points (-100 to 100) for the population
    the weights target; ratings-scale coefficients are per scale point. Mappings are
    read-only.

    Attributes
    ----------
    attributes : tuple of str
        The six experience attributes, in column order.
    driver_coefficients : Mapping[str, float]
        Linear effect of each ``exp_<attribute>`` rating on latent satisfaction.
    satisfaction_intercept : float
        Intercept of latent satisfaction.
    delighter : str
        The attribute whose effect is nonlinear ("bonus item").
    delighter_threshold, delighter_coefficient : float
        Latent satisfaction gains ``delighter_coefficient`` per point of
        ``exp_<delighter>`` above ``delighter_threshold`` (and nothing below it).
    basic : str
        The attribute with zero effect on satisfaction despite high stated
        importance.
    expectation_coefficient, expectation_centre : float
        Effect of the respondent's mean expectation rating (minus the centre).
    satisfaction_noise_sd : float
        Standard deviation of the residual of latent satisfaction.
    nps_intercept, nps_slope, nps_noise_sd : float
        Latent NPS is ``nps_intercept + nps_slope * satisfaction* + noise``.
    changed_segment, changed_attribute : str
        The segment with a real change between periods and the experience that
        changed (Our bank only).
    changed_periods : tuple of str
        The periods in which the change applies.
    change_size : float
        Shift of the latent experience rating in those periods (scale points).
    segment_shares : Mapping[str, Mapping[str, float]]
        Population share of each segment, by period (``[period][segment]``).
    nps_by_brand_period_segment : Mapping[str, Mapping[str, Mapping[str, float]]]
        Population NPS, ``[brand][period][segment]``.
    nps_competitor_by_period_segment : Mapping[str, Mapping[str, float]]
        Population NPS that Our bank's customers give their main competitor,
        ``[period][segment]``.
    churn_logit_intercept, churn_logit_slope : float
        ``logit P(churned) = intercept + slope * (nps - 7)`` (complete NPS rating).
    aum_growth : Mapping[str, float]
        Mean relative AUM change of retained customers by NPS category; a churned
        customer's ``aum_change`` is ``-aum``.
    complaint_logit_intercept, complaint_logit_slope : float
        ``logit P(complained) = intercept + slope * (satisfaction* - 6)``.
    missing_share : Mapping[str, float]
        Share of values set to NaN (completely at random) per column.
    dont_know_column : str
        The column holding "don't know" codes.
    dont_know_code : int
        The "don't know" code.
    dont_know_share : float
        Probability of the code per row.
    """

    attributes: tuple[str, ...] = ATTRIBUTES
    driver_coefficients: Mapping[str, float] = field(
        default_factory=lambda: _freeze(
            dict(zip(ATTRIBUTES, map(float, _SAT_COEF), strict=True))
        )
    )
    satisfaction_intercept: float = _SAT_INTERCEPT
    delighter: str = _DELIGHTER
    delighter_threshold: float = _DELIGHTER_THRESHOLD
    delighter_coefficient: float = _DELIGHTER_COEF
    basic: str = _BASIC
    expectation_coefficient: float = _EXPECTATION_COEF
    expectation_centre: float = _EXPECTATION_CENTRE
    satisfaction_noise_sd: float = _SAT_NOISE_SD
    nps_intercept: float = _NPS_INTERCEPT
    nps_slope: float = _NPS_SLOPE
    nps_noise_sd: float = _NPS_NOISE_SD
    changed_segment: str = _CHANGED_SEGMENT
    changed_attribute: str = _CHANGED_ATTRIBUTE
    changed_periods: tuple[str, ...] = _CHANGED_PERIODS
    change_size: float = _CHANGE_SIZE
    segment_shares: Mapping[str, Mapping[str, float]] = field(
        repr=False,
        default_factory=lambda: _freeze2(
            {
                p: dict(zip(SEGMENTS, map(float, _SEGMENT_SHARES[t]), strict=True))
                for t, p in enumerate(PERIODS)
            }
        ),
    )
    nps_by_brand_period_segment: Mapping[str, Mapping[str, Mapping[str, float]]] = (
        field(
            repr=False,
            default_factory=lambda: MappingProxyType(
                {
                    b: _freeze2(
                        {
                            p: {
                                s: _true_nps(b, p, s, competitor=False)
                                for s in SEGMENTS
                            }
                            for p in PERIODS
                        }
                    )
                    for b in BRANDS
                }
            ),
        )
    )
    nps_competitor_by_period_segment: Mapping[str, Mapping[str, float]] = field(
        repr=False,
        default_factory=lambda: _freeze2(
            {
                p: {s: _true_nps("Our bank", p, s, competitor=True) for s in SEGMENTS}
                for p in PERIODS
            }
        ),
    )
    churn_logit_intercept: float = _CHURN_INTERCEPT
    churn_logit_slope: float = _CHURN_SLOPE
    aum_growth: Mapping[str, float] = field(
        default_factory=lambda: _freeze(_AUM_GROWTH)
    )
    complaint_logit_intercept: float = _COMPLAINT_INTERCEPT
    complaint_logit_slope: float = _COMPLAINT_SLOPE
    missing_share: Mapping[str, float] = field(
        default_factory=lambda: _freeze(_MISSING_SHARE)
    )
    dont_know_column: str = _DONT_KNOW_COLUMN
    dont_know_code: int = _DONT_KNOW_CODE
    dont_know_share: float = _DONT_KNOW_SHARE

    def nps_by_segment_period(
        self, brand: str = "Our bank"
    ) -> Mapping[str, Mapping[str, float]]:
        """Return the population NPS of ``brand`` as ``[segment][period]``.

        Parameters
        ----------
        brand : str, default: 'Our bank'
            One of the four brands.

        Returns
        -------
        Mapping[str, Mapping[str, float]]
            NPS points by segment, then period.
        """
        table = self.nps_by_brand_period_segment[brand]
        return _freeze2({s: {p: table[p][s] for p in PERIODS} for s in SEGMENTS})

    def nps_by_period(
        self, brand: str = "Our bank", *, fixed_mix: str | None = None
    ) -> Mapping[str, float]:
        """Return the population NPS of ``brand`` in each period.

        Parameters
        ----------
        brand : str, default: 'Our bank'
            One of the four brands.
        fixed_mix : str or None, default: None
            ``None`` mixes the segments in each period's own shares (what a
            weighted estimate targets). A period label holds the segment shares of
            that period fixed, which removes the mix shift and leaves the real
            change (direct standardisation).

        Returns
        -------
        Mapping[str, float]
            NPS points by period.
        """
        table = self.nps_by_brand_period_segment[brand]
        out: dict[str, float] = {}
        for p in PERIODS:
            shares = self.segment_shares[p if fixed_mix is None else fixed_mix]
            out[p] = sum(shares[s] * table[p][s] for s in SEGMENTS)
        return _freeze(out)

    def nps_by_segment(self, brand: str = "Our bank") -> Mapping[str, float]:
        """Return the population NPS of ``brand`` by segment, pooling the year.

        The four quarterly populations are the same size, so each segment's
        periods are pooled in proportion to the segment's share in each period.

        Parameters
        ----------
        brand : str, default: 'Our bank'
            One of the four brands.

        Returns
        -------
        Mapping[str, float]
            NPS points by segment.
        """
        table = self.nps_by_brand_period_segment[brand]
        out: dict[str, float] = {}
        for s in SEGMENTS:
            shares = [self.segment_shares[p][s] for p in PERIODS]
            values = [table[p][s] for p in PERIODS]
            out[s] = sum(w * v for w, v in zip(shares, values, strict=True)) / sum(
                shares
            )
        return _freeze(out)

    def nps_by_brand(self) -> Mapping[str, float]:
        """Return the population NPS of each brand, pooling the year.

        Returns
        -------
        Mapping[str, float]
            NPS points by brand.
        """
        return _freeze(
            {b: sum(self.nps_by_period(b).values()) / len(PERIODS) for b in BRANDS}
        )

    def nps_competitor(self) -> float:
        """Return the population NPS Our bank's customers give their main competitor.

        Pools the year and the segments in their population shares, over the
        customers who have a second bank.

        Returns
        -------
        float
            NPS points.
        """
        total = 0.0
        for p in PERIODS:
            shares = self.segment_shares[p]
            table = self.nps_competitor_by_period_segment[p]
            total += sum(shares[s] * table[s] for s in SEGMENTS)
        return total / len(PERIODS)


EXAMPLE_SURVEY_TRUTH: Final = ExampleSurveyTruth()
