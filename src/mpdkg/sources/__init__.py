"""Reading and checking the curated sources (graph/): CSV files -> typed records, every problem
reported with its file and line. First stage of the flow; imports nothing of the later ones.
"""

from mpdkg.sources.load import (
    current_member_counts,
    load_sources,
)
from mpdkg.sources.quality import SourceQuality, source_quality

__all__ = [
    "SourceQuality",
    "current_member_counts",
    "load_sources",
    "source_quality",
]
