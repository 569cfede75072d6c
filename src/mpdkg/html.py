"""One way to write HTML: Jinja2 templates with autoescaping and one base stylesheet.

Report, maps and the server's pages all render through :func:`render`, so escaping is the
default rather than a discipline, and every page shares ``static/base.css`` (inlined, because
the pages must work offline and from ``file://``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2

__all__ = ["base_css", "environment", "render"]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The package's template environment: autoescape on for every template, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mpdkg", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["base_css"] = base_css
    return env


@lru_cache(maxsize=1)
def base_css() -> str:
    """The shared stylesheet, read once from the package."""
    return resources.files("mpdkg").joinpath("static/base.css").read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``; values are escaped unless marked safe."""
    return environment().get_template(template).render(**context)
