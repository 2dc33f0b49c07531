"""An ACSI-style multi-item survey with known true paths, and its seeded generator.

The example survey (:func:`cxmetrics.datasets.load_example_survey`) measures each
experience with one rating; a structural equation model needs several items per
construct. :func:`make_acsi_survey` adds that study: the same market (four banks,
four quarterly waves, five segments, post-stratification weights drawn from the
example survey's design) with the constructs of the American and European
customer satisfaction index models, each measured by two or three 1–10 ratings:

=================  ==============================================================
construct          items
=================  ==============================================================
image              ``image_1`` … ``image_3`` (reputation, trust, innovativeness)
expectation        ``expect_1`` … ``expect_3`` (overall, customisation, reliability)
quality            ``quality_1`` … ``quality_3`` (overall, customisation, reliability)
value              ``value_1``, ``value_2`` (price given quality, quality given price)
satisfaction       ``satisfaction_1`` … ``satisfaction_3`` (overall, confirmation
                   of expectations, distance to the ideal)
complaints         ``complained`` (0/1: complained in the last 12 months)
loyalty            ``loyalty_1`` (repurchase), ``loyalty_2`` (price tolerance)
=================  ==============================================================

The latent model (standardized latent variables; :data:`ACSI_SURVEY_TRUTH` holds
the numbers): image → expectation → quality → value → satisfaction → loyalty,
with expectation and quality also acting directly on satisfaction, and
satisfaction lowering the propensity to complain. Image acts on expectations only,
so the ACSI model (which has no image) is correctly specified, and the ECSI
model's image → satisfaction and image → loyalty paths are truly zero. Brands differ
through their image only (the bank "Competitor A" is the industry leader), so every
downstream index differs between brands through the paths. Items are rounded and
clipped to 1–10 (a ceiling at 10, as in real satisfaction data), so recovered
loadings are slightly below the true ones; about 1% of three items is missing.

Imports: numpy, pandas, datasets._generate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from cxmetrics._validation import Interval, Seed, validate_params
from cxmetrics.datasets._generate import BRANDS, PERIODS, generate_example_survey

__all__ = [
    "ACSI_CONSTRUCTS",
    "ACSI_SURVEY_TRUTH",
    "AcsiSurveyTruth",
    "load_acsi_survey",
    "make_acsi_survey",
]

_FILE = "acsi_survey.csv"
_DEFAULT_SEED: Final = 20260103
_DESIGN_COLUMNS: Final = (
    "respondent_id",
    "period",
    "brand",
    "segment",
    "region",
    "channel",
    "weight",
)

#: Construct → item columns, in the order of the ACSI / ECSI templates.
ACSI_CONSTRUCTS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "image": ("image_1", "image_2", "image_3"),
        "expectation": ("expect_1", "expect_2", "expect_3"),
        "quality": ("quality_1", "quality_2", "quality_3"),
        "value": ("value_1", "value_2"),
        "satisfaction": ("satisfaction_1", "satisfaction_2", "satisfaction_3"),
        "complaints": ("complained",),
        "loyalty": ("loyalty_1", "loyalty_2"),
    }
)
_ORDER: Final = tuple(ACSI_CONSTRUCTS)

# True structural paths on standardized latent variables: (source, target) → value.
_PATHS: Final = {
    ("image", "expectation"): 0.50,
    ("expectation", "quality"): 0.55,
    ("expectation", "value"): 0.15,
    ("quality", "value"): 0.55,
    ("expectation", "satisfaction"): 0.05,
    ("quality", "satisfaction"): 0.45,
    ("value", "satisfaction"): 0.35,
    ("satisfaction", "complaints"): -0.45,
    ("satisfaction", "loyalty"): 0.60,
    ("complaints", "loyalty"): -0.10,
}
# Standardized loadings of the items (complaints is the binary indicator).
_LOADINGS: Final = {
    "image_1": 0.85,
    "image_2": 0.80,
    "image_3": 0.70,
    "expect_1": 0.80,
    "expect_2": 0.75,
    "expect_3": 0.70,
    "quality_1": 0.90,
    "quality_2": 0.80,
    "quality_3": 0.85,
    "value_1": 0.88,
    "value_2": 0.85,
    "satisfaction_1": 0.92,
    "satisfaction_2": 0.85,
    "satisfaction_3": 0.82,
    "loyalty_1": 0.88,
    "loyalty_2": 0.72,
}
_ITEM_MEANS: Final = {
    "image": 7.4,
    "expectation": 7.9,
    "quality": 7.6,
    "value": 6.9,
    "satisfaction": 7.3,
    "loyalty": 7.0,
}
_ITEM_SD: Final = 1.55
_BRAND_IMAGE: Final = {
    "Our bank": 0.0,
    "Competitor A": 0.45,
    "Competitor B": 0.10,
    "Competitor C": -0.40,
}
_COMPLAINT_RATE: Final = 0.12
_COMPLAINT_THRESHOLD: Final = 1.1749867920660904  # standard normal 88% quantile
_MISSING: Final = {"quality_3": 0.01, "value_2": 0.012, "loyalty_2": 0.008}


@dataclass(frozen=True, slots=True)
class AcsiSurveyTruth:
    """What the ACSI survey was generated from.

    Attributes
    ----------
    paths : mapping of (str, str) to float
        True structural paths between standardized latent variables,
        ``(source, target) → coefficient``.
    loadings : mapping of str to float
        True standardized loading of each 1–10 item (before rounding).
    constructs : mapping of str to tuple of str
        Construct → item columns.
    scales : mapping of str to (float, float)
        Item → (lowest, highest) scale point, for 0–100 indices.
    brand_image : mapping of str to float
        Shift of each brand's latent image (in standard deviations).
    complaint_rate : float
        Share of customers who complained, at the average image.
    missing_share : mapping of str to float
        Share of missing values (completely at random) per item.
    """

    paths: Mapping[tuple[str, str], float] = field(
        default_factory=lambda: MappingProxyType(dict(_PATHS))
    )
    loadings: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(_LOADINGS))
    )
    constructs: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: ACSI_CONSTRUCTS
    )
    scales: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: MappingProxyType(
            {
                item: ((0.0, 1.0) if item == "complained" else (1.0, 10.0))
                for items in ACSI_CONSTRUCTS.values()
                for item in items
            }
        )
    )
    brand_image: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(_BRAND_IMAGE))
    )
    complaint_rate: float = _COMPLAINT_RATE
    missing_share: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(_MISSING))
    )


#: The truth behind :func:`make_acsi_survey` and the bundled file.
ACSI_SURVEY_TRUTH: Final = AcsiSurveyTruth()


def _disturbance_variances() -> dict[str, float]:
    """Residual variances that give every latent variable unit variance."""
    index = {c: i for i, c in enumerate(_ORDER)}
    k = len(_ORDER)
    b = np.zeros((k, k))
    for (source, target), value in _PATHS.items():
        b[index[target], index[source]] = value
    psi = np.zeros(k)
    cov = np.zeros((k, k))
    for target in _ORDER:  # the order is topological
        t = index[target]
        explained = float(b[t] @ cov @ b[t])
        psi[t] = 1.0 - explained
        inv = np.linalg.inv(np.eye(k) - b)
        cov = inv @ np.diag(psi) @ inv.T
    return {c: float(psi[index[c]]) for c in _ORDER}


def generate_acsi_survey(
    n_respondents: int, rng: int | np.random.Generator | None
) -> pd.DataFrame:
    """Generate the ACSI survey (unvalidated; see :func:`make_acsi_survey`)."""
    gen = np.random.default_rng(rng)
    design = generate_example_survey(n_respondents, gen)[list(_DESIGN_COLUMNS)]
    n = len(design)
    psi = _disturbance_variances()
    brand_shift = design["brand"].map(_BRAND_IMAGE).to_numpy(dtype=np.float64)
    eta: dict[str, np.ndarray] = {}
    for target in _ORDER:
        value = np.sqrt(psi[target]) * gen.standard_normal(n)
        for (source, tgt), coef in _PATHS.items():
            if tgt == target:
                value = value + coef * eta[source]
        if target == "image":
            value = value + brand_shift
        eta[target] = value
    out = design.reset_index(drop=True).copy()
    out["weight"] = out["weight"].round(6)
    threshold = _COMPLAINT_THRESHOLD
    for construct, items in ACSI_CONSTRUCTS.items():
        for item in items:
            if item == "complained":
                out[item] = (eta["complaints"] > threshold).astype(np.float64)
                continue
            lam = _LOADINGS[item]
            noise = np.sqrt(1 - lam**2) * gen.standard_normal(n)
            raw = _ITEM_MEANS[construct] + _ITEM_SD * (lam * eta[construct] + noise)
            out[item] = np.clip(np.round(raw), 1, 10)
    for item, share in _MISSING.items():
        hit = gen.random(n) < share
        out.loc[hit, item] = np.nan
    return out


@validate_params({"n_respondents": Interval(kind="integral", low=50), "rng": Seed()})
def make_acsi_survey(
    n_respondents: int = 4000,
    *,
    rng: int | np.random.Generator | None = _DEFAULT_SEED,
) -> pd.DataFrame:
    """Generate an ACSI-style survey with multi-item constructs and known paths.

    With the default arguments this returns exactly the bundled data
    (:func:`load_acsi_survey`). The sample design (waves, brands, segments,
    regions, channels and post-stratification weights) is drawn with the example
    survey's generator; the 17 items come from the latent model described in the
    module docstring, whose true values are :data:`ACSI_SURVEY_TRUTH`.

    Parameters
    ----------
    n_respondents : int, default: 4000
        Number of respondents (at least 50).
    rng : int, numpy.random.Generator or None, default: 20260103
        Seed or generator; the same seed gives the same data on every platform.

    Returns
    -------
    pandas.DataFrame
        One row per respondent: ``respondent_id``, ``period``, ``brand``,
        ``segment``, ``region``, ``channel``, ``weight``, then the items of
        :data:`ACSI_CONSTRUCTS` (1–10 ratings as floats with a few NaN;
        ``complained`` 0/1).

    Raises
    ------
    cxmetrics.errors.InvalidParameterError
        If ``n_respondents`` is not an integer of at least 50 or ``rng`` is not a
        seed.

    See Also
    --------
    load_acsi_survey : The bundled sample (default arguments).

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import make_acsi_survey
    >>> df = make_acsi_survey(300, rng=1)
    >>> df.shape
    (300, 24)
    >>> sorted(df["complained"].dropna().unique().tolist())
    [0.0, 1.0]
    """
    return generate_acsi_survey(n_respondents, rng)


def load_acsi_survey() -> pd.DataFrame:
    """Load the bundled ACSI-style survey (4000 respondents, 17 items).

    The file is :func:`make_acsi_survey` with its default arguments; the truth it
    was generated from is :data:`ACSI_SURVEY_TRUTH`. Each call returns a new frame.

    Returns
    -------
    pandas.DataFrame
        4000 rows and 24 columns: the design columns (``period`` an ordered
        categorical, ``brand``, ``segment``, ``region``, ``channel``
        categoricals, ``weight``) and the items of :data:`ACSI_CONSTRUCTS`.

    Examples
    --------
    >>> from cxmetrics.datasets._acsi import load_acsi_survey
    >>> df = load_acsi_survey()
    >>> df.shape
    (4000, 24)
    >>> int(df["quality_3"].isna().sum())
    54
    """
    resource = files("cxmetrics.datasets").joinpath(_FILE)
    with resource.open("rb") as handle:
        raw = pd.read_csv(handle, dtype={"period": "str", "brand": "str"})
    return _restore(raw)


def _restore(raw: pd.DataFrame) -> pd.DataFrame:
    from cxmetrics.datasets._generate import CHANNELS, REGIONS, SEGMENTS

    out = raw.copy()
    categories = {
        "period": (PERIODS, True),
        "brand": (BRANDS, False),
        "segment": (SEGMENTS, False),
        "region": (REGIONS, False),
        "channel": (CHANNELS, False),
    }
    for column, (labels, ordered) in categories.items():
        out[column] = out[column].astype(
            pd.CategoricalDtype(list(labels), ordered=ordered)
        )
    out["respondent_id"] = out["respondent_id"].astype(np.int64)
    for column in out.columns[len(_DESIGN_COLUMNS) :]:
        out[column] = out[column].astype(np.float64)
    out["weight"] = out["weight"].astype(np.float64).round(6)
    return out


def write_acsi_survey(path: str | None = None) -> str:
    """Write the default ACSI survey as CSV (``python -m cxmetrics.datasets._acsi``).

    Parameters
    ----------
    path : str or None, default: None
        Target file; ``None`` writes ``acsi_survey.csv`` next to this module.

    Returns
    -------
    str
        The path written.
    """
    from pathlib import Path

    target = Path(__file__).with_name(_FILE) if path is None else Path(path)
    data = make_acsi_survey()
    out = data.copy()
    for column in out.columns[len(_DESIGN_COLUMNS) :]:
        out[column] = out[column].astype("Int64")
    out.to_csv(target, index=False, lineterminator="\n")
    return str(target)


if __name__ == "__main__":  # pragma: no cover
    print(write_acsi_survey())
