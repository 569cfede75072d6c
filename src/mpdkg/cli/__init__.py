"""The command line: a thin layer over the library, one module per command group."""

from mpdkg.cli.core import (
    app,
    main,
)

__all__ = [
    "app",
    "main",
]
