"""Influence analysis with NetworkX: the channel network read from the graph, measures,
scores with their reasons, slices by pillar, region and year, gaps.
"""

from mpdkg.influence.analysis import (
    Comparison,
    InfluenceConfig,
    InfluenceResult,
    analyse,
    compare,
)

__all__ = [
    "Comparison",
    "InfluenceConfig",
    "InfluenceResult",
    "analyse",
    "compare",
]
