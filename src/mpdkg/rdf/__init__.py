"""Records -> RDF: stable IRIs, named graphs, deterministic dumps, and the Oxigraph engine glue.
Imports the sources stage only.
"""

from mpdkg.rdf.build import (
    Built,
    build_dataset,
    new_dataset,
    ontology_graph,
)

__all__ = [
    "Built",
    "build_dataset",
    "new_dataset",
    "ontology_graph",
]
