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
from mpdkg.query.packaged import package_query, package_rows

__all__ = [
    "package_query",
    "package_rows",
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
