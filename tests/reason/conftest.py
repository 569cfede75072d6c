import pytest


@pytest.fixture(autouse=True)
def private_tbox_cache(tmp_path_factory, monkeypatch):
    """Each test session classifies into its own cache, never the user's."""
    from mpdkg.staging import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path_factory.getbasetemp() / "tbox-cache"))
