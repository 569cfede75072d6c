"""A real headless Chromium for the maps' tests (the Debian ``chromium`` driven by playwright;
never ``playwright install``): the ``browser`` fixture (registered by tests/maps/conftest.py) and
:class:`Visit`, a page opened from the file system with every request and console message
recorded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image


def distinct_colours(image: Image.Image) -> int:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    return len(colours)


def _browser_or_skip():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    reason = None
    if chromium is None:
        reason = "headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason:
        if os.environ.get("MPDKG_REQUIRE_BROWSER"):
            pytest.fail(reason + "; MPDKG_REQUIRE_BROWSER is set")
        pytest.skip(reason)
    return chromium


@pytest.fixture(scope="module")
def browser():
    chromium = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


class Visit:
    """A page opened from the file system, with every request and console message recorded."""

    def __init__(self, browser, path: Path, size=(1400, 1000)):
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.outside: list[str] = []
        self.errors: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:", "about:", "blob:")):
                r.continue_()
            else:
                self.outside.append(url)
                r.abort()

        self.context.route("**/*", route)
        self.context.on("weberror", lambda e: self.errors.append(str(e.error)))
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("websocket", lambda w: self.outside.append(w.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def close(self):
        self.context.close()

    def check_clean(self):
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside

    def colours_of(self, selector: str, tmp_path: Path) -> int:
        shot = tmp_path / "shot.png"
        self.page.locator(selector).screenshot(path=str(shot))
        with Image.open(shot) as im:
            return distinct_colours(im)


# the page's Content-Security-Policy violations, told on the console (Chromium's own "Refused to
# load" report does not reach playwright's console events)
REPORT_REFUSED = """document.addEventListener("securitypolicyviolation", e =>
  console.error(`Refused to load ${e.blockedURI} (${e.effectiveDirective})`), true);"""


class Requests:
    """Every request a page makes, from Chromium's own events (not from its HTML): the URLs the
    context sent (``sent``; anything but the page itself and data:/blob: URLs is aborted
    before it leaves the machine) and the loads the page's Content-Security-Policy refused
    (``refused``: the page's ``securitypolicyviolation`` events; such a load never becomes a
    request, so the request log alone would not see it)."""

    ALLOWED = ("data:", "blob:", "about:")

    def __init__(self, browser, path: Path, act=None, size=(1400, 900)):
        self.own = path.resolve().as_uri()
        self.sent: list[str] = []
        self.refused: list[str] = []
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        try:
            context.route("**/*", lambda r: r.continue_() if self._allowed(r.request.url) else r.abort())
            context.on("request", lambda r: self.sent.append(r.url))
            context.add_init_script(REPORT_REFUSED)  # runs before the page's own scripts, outside its CSP
            page = context.new_page()
            page.on("console", lambda m: self.refused.append(m.text) if "Refused to" in m.text else None)
            page.on("websocket", lambda w: self.sent.append(w.url))
            page.goto(self.own)
            page.wait_for_load_state("load")
            if act is not None:
                act(page)
            page.wait_for_load_state("networkidle")
        finally:
            context.close()

    def _allowed(self, url: str) -> bool:
        return url.split("#", 1)[0] == self.own or url.startswith(self.ALLOWED)

    def outside(self) -> list[str]:
        """What went, or tried to go, anywhere but the page itself."""
        return [u for u in self.sent if not self._allowed(u)] + self.refused
