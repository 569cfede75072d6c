"""Fixtures of the maps' tests: the headless browser (see tests/maps/browser.py)."""

from tests.maps.browser import browser  # noqa: F401
