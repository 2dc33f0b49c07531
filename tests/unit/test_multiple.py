"""p-value adjustment equals statsmodels' multipletests."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.multitest import multipletests

from cxmetrics.estimators.multiple import adjust_p_values


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni"])
@pytest.mark.parametrize("seed", range(5))
def test_matches_statsmodels(method: str, seed: int) -> None:
    p = np.random.default_rng(seed).random(7) ** 3
    p[2] = p[5]  # ties
    assert_allclose(
        adjust_p_values(p, method), multipletests(p, method=method)[1], rtol=1e-12
    )


def test_none_returns_a_copy() -> None:
    p = np.array([0.01, 0.2])
    out = adjust_p_values(p, "none")
    assert_allclose(out, p)
    assert out is not p
