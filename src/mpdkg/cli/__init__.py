"""The command line: a thin layer over the library, one module per command group."""

from mpdkg.cli.core import (
    app,
    main,
)
from mpdkg.cli.opendata import register as _register_import

_register_import(app)  # mpdkg import NAME --from PATH (issue #15)

__all__ = [
    "app",
    "main",
]
