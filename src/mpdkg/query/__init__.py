"""SPARQL: the one front door for query text (parse), embedded engines (Oxigraph, rdflib) and
remote endpoints, parameters, results and the catalogue of competency questions.
"""

from mpdkg.query.engines import (
    CatalogueQuery,
    Checked,
    EndpointError,
    OxigraphEngine,
    Parameter,
    QuerySyntaxError,
    RdflibEngine,
    RemoteEngine,
    bind,
    open_engine,
    parse,
    run_query,
)

__all__ = [
    "CatalogueQuery",
    "Checked",
    "EndpointError",
    "OxigraphEngine",
    "Parameter",
    "QuerySyntaxError",
    "RdflibEngine",
    "RemoteEngine",
    "bind",
    "open_engine",
    "parse",
    "run_query",
]
