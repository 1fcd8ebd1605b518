"""Funnel-plot limits for drawing (the quality report's curves).

The marts compute the same exact quantiles in SQL (models/marts/funnel.sql) for each subject;
poisson_upper_limit gives them over a whole exposure grid, from scipy's distributions.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def poisson_upper_limit(expected: np.ndarray, p: float, phi: float = 1.0) -> np.ndarray:
    """Smallest k with P(X <= k) >= p for X ~ Poisson(expected), widened by sqrt(phi)."""
    expected = np.asarray(expected, dtype=float)
    quantile = stats.poisson.ppf(p, expected)
    return expected + np.sqrt(max(phi, 1.0)) * (quantile - expected)
