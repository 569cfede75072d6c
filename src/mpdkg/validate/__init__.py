"""SHACL validation of the built graph (pySHACL, the reference, and rudof), with violations
mapped back to source file and line.
"""

from mpdkg.validate.shacl import (
    DEFAULT_ENGINE,
    ENGINES,
    Finding,
    Report,
    load_shapes,
    validate_built,
    validate_graph,
    validate_graph_rudof,
)

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "Finding",
    "Report",
    "load_shapes",
    "validate_built",
    "validate_graph",
    "validate_graph_rudof",
]
