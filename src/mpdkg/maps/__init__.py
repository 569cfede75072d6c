"""Relationship maps, world maps, slide figures and the report, from the graph and the influence
analysis.
"""

from mpdkg.maps.write import (
    check_options,
    origins_from_built,
    short_id,
    write_maps,
)

__all__ = [
    "check_options",
    "origins_from_built",
    "short_id",
    "write_maps",
]
