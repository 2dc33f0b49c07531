from __future__ import annotations

import os

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

mpl.use("Agg")

settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


@pytest.fixture
def responses(rng: np.random.Generator) -> pd.DataFrame:
    """600 responses: 0–10 NPS, 1–5 CSAT, groups, strata and unequal weights."""
    n = 600
    return pd.DataFrame(
        {
            "nps": rng.choice(
                11, size=n, p=np.r_[np.full(7, 0.04), 0.1, 0.16, 0.22, 0.24]
            ),
            "csat": rng.choice(np.arange(1, 6), size=n, p=[0.05, 0.1, 0.2, 0.35, 0.3]),
            "rival": rng.integers(0, 11, size=n),
            "region": rng.choice(["north", "south", "east"], size=n, p=[0.5, 0.3, 0.2]),
            "channel": rng.choice(["app", "web"], size=n),
            "stratum": rng.choice(["s1", "s2", "s3"], size=n),
            "weight": rng.gamma(4.0, 0.25, size=n),
        }
    )
