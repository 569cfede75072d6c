"""mpdkg — the Migration and Protection Diplomacy Knowledge Graph.

A library (and a thin CLI over it) that turns curated, cited source files into an RDF graph of
how Canada pursues its migration and refugee-protection objectives abroad, validates it with
SHACL, reasons over it with OWL, queries it with SPARQL and analyses it with NetworkX.

>>> from mpdkg.sources.load import load_sources
>>> from mpdkg.rdf.build import build_dataset
>>> records = load_sources()
>>> len(records.pillars)
6
"""

__version__ = "0.1.0"
