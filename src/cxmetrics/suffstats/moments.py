"""Weighted moments per group and stratum."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Moments"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Moments:
    """Weighted sums of a variable ``x`` per group (rows) and stratum (columns).

    Every array has shape ``(n_groups, n_strata)``. These are the sufficient
    statistics of a weighted mean and of its linearisation variance under a
    stratified with-replacement design.

    Attributes
    ----------
    groups : tuple of tuple
        Group labels (one tuple of key values per group).
    group_names : tuple of str
        Names of the group columns.
    strata : tuple
        Stratum labels.
    n, sum_w, sum_wx, sum_wx2, sum_w2, sum_w2x, sum_w2x2 : numpy.ndarray
        Count, Σw, Σw·x, Σw·x², Σw², Σw²·x, Σw²·x².
    n_design : numpy.ndarray
        Units per stratum in the whole design (all groups), shape ``(n_strata,)``.
        A group is a domain of the whole sample, so its variance uses these.
    n_omitted : numpy.ndarray
        Rows of each group left out for missing values, shape ``(n_groups,)``.
    """

    groups: tuple[tuple[Hashable, ...], ...]
    group_names: tuple[str, ...]
    strata: tuple[Hashable, ...]
    n: FloatArray
    sum_w: FloatArray
    sum_wx: FloatArray
    sum_wx2: FloatArray
    sum_w2: FloatArray
    sum_w2x: FloatArray
    sum_w2x2: FloatArray
    n_design: FloatArray
    n_omitted: FloatArray

    def select(self, index: NDArray[np.intp] | list[int]) -> Moments:
        """Keep the groups at positions ``index`` (the design counts stay whole)."""
        idx = np.asarray(index, dtype=np.intp)
        return Moments(
            groups=tuple(self.groups[i] for i in idx),
            group_names=self.group_names,
            strata=self.strata,
            n=self.n[idx],
            sum_w=self.sum_w[idx],
            sum_wx=self.sum_wx[idx],
            sum_wx2=self.sum_wx2[idx],
            sum_w2=self.sum_w2[idx],
            sum_w2x=self.sum_w2x[idx],
            sum_w2x2=self.sum_w2x2[idx],
            n_design=self.n_design,
            n_omitted=self.n_omitted[idx],
        )

    def pool(self, index: NDArray[np.intp] | list[int], label: Hashable) -> Moments:
        """Merge the groups at ``index`` into one domain called ``label``."""
        idx = np.asarray(index, dtype=np.intp)

        def total(a: FloatArray) -> FloatArray:
            return np.asarray(a[idx].sum(axis=0, keepdims=True), dtype=np.float64)

        return Moments(
            groups=((label,) * max(len(self.group_names), 1),),
            group_names=self.group_names,
            strata=self.strata,
            n=total(self.n),
            sum_w=total(self.sum_w),
            sum_wx=total(self.sum_wx),
            sum_wx2=total(self.sum_wx2),
            sum_w2=total(self.sum_w2),
            sum_w2x=total(self.sum_w2x),
            sum_w2x2=total(self.sum_w2x2),
            n_design=self.n_design,
            n_omitted=self.n_omitted[idx].sum(keepdims=True),
        )

    def stack(self, other: Moments) -> Moments:
        """Put the groups of ``other`` after those of ``self`` (same design)."""
        if self.strata != other.strata:
            raise ValueError("cannot stack moments of different designs")
        return Moments(
            groups=self.groups + other.groups,
            group_names=self.group_names,
            strata=self.strata,
            n=np.vstack([self.n, other.n]),
            sum_w=np.vstack([self.sum_w, other.sum_w]),
            sum_wx=np.vstack([self.sum_wx, other.sum_wx]),
            sum_wx2=np.vstack([self.sum_wx2, other.sum_wx2]),
            sum_w2=np.vstack([self.sum_w2, other.sum_w2]),
            sum_w2x=np.vstack([self.sum_w2x, other.sum_w2x]),
            sum_w2x2=np.vstack([self.sum_w2x2, other.sum_w2x2]),
            n_design=self.n_design,
            n_omitted=np.concatenate([self.n_omitted, other.n_omitted]),
        )
