"""Importers of the open datasets (issue #15): each reads one pinned commit of its upstream git
repository and writes the vendored extract ``graph/open-data/<dataset>/`` with its MANIFEST.json
(SHA-256 and rows of every file, the upstream inputs, licence and citation).

The CSV-based importer (passport-index) needs only the standard library; the others read R data
files and need the optional extra ``rdata`` (``pip install -e '.[opendata]'``).

>>> sorted(DATASETS)
['cow-igo', 'ircc', 'manytrade', 'passport-index', 'unhcr', 'unvotes']
"""

from mpdkg.sources.importers.base import ExtractionError, Output, Snapshot, Table
from mpdkg.sources.importers.datasets import DATASETS, extract, git_dir_of, pinned_commit

__all__ = [
    "DATASETS",
    "ExtractionError",
    "Output",
    "Snapshot",
    "Table",
    "extract",
    "git_dir_of",
    "pinned_commit",
]
