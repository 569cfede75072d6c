"""The state behind the HTTP handler: the served data, the worker pool, limits, the advertised
address and the prepared pages."""

from __future__ import annotations

import concurrent.futures
import re
import shutil
import tempfile
import threading
import urllib.parse
from pathlib import Path

from mpdkg.serve.pages import render_query_page
from mpdkg.serve.protocol import (
    BASE_IRI,
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    LOCAL_HOSTS,
    Refused,
    ServeError,
)
from mpdkg.serve.void_job import VOID_PLACEHOLDER, VoidJob
from mpdkg.serve.workers import WorkerPool

# --- the service --------------------------------------------------------------------------------


def _data_paths(data: list[Path] | None, open_data: bool) -> list[Path]:
    """The dumps to serve: those given, else dist/mpdkg.trig; with the open-data dump beside the
    first one (open-data.nq.gz, written by ``mpdkg run``) unless ``open_data`` is false."""
    from mpdkg.query.engines import default_data, with_open_data

    paths_ = list(data or [])
    if not paths_:
        found = default_data()
        paths_ = [found] if found else []
    return with_open_data(paths_) if open_data else paths_


def _prepare_data(paths_: list[Path], folder: Path) -> Path:
    """All the data to serve as one N-Quads file the workers load (named graphs kept)."""
    import pyoxigraph as ox

    from mpdkg.query.engines import built_dataset, load_store

    if paths_:
        store = load_store(paths_)
    else:
        from mpdkg.rdf.engine import store_from_dataset

        store = store_from_dataset(built_dataset())
    target = folder / "data.nq"
    store.dump(output=str(target), format=ox.RdfFormat.N_QUADS)
    return target


class Service:
    """The state behind the HTTP handler: the worker pool, limits and the prepared pages."""

    def __init__(
        self,
        data: list[Path] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_rows: int = DEFAULT_MAX_ROWS,
        workers: int = DEFAULT_WORKERS,
        base_iri: str = BASE_IRI,
        public_base: str | None = None,
        cors: bool = False,
        spares: int = 1,
        preempt_after: float = 0.25,
        open_data: bool = True,
        max_long: int | None = None,
    ):
        if public_base is not None and not re.match(
            r"^https?://[^\s/<>\"{}|\\^`]+(/[^\s<>\"{}|\\^`]*)?$", public_base
        ):
            raise ServeError(
                f"--public-base {public_base!r}: expected an address such as https://example.org/mpdkg/"
            )
        if timeout <= 0:
            raise ServeError("--timeout must be more than 0 seconds")
        if max_rows < 1:
            raise ServeError("--max-rows must be at least 1")
        self.timeout = timeout
        self.max_rows = max_rows
        self.base_iri = base_iri if base_iri.endswith("/") else base_iri + "/"
        self.public_base = (public_base.rstrip("/") + "/") if public_base else None
        self.cors = cors
        self.folder = Path(tempfile.mkdtemp(prefix="mpdkg-serve-"))
        try:
            self.sources = _data_paths(data, open_data)
            self.data_file = _prepare_data(self.sources, self.folder)
            self.pool = WorkerPool(
                self.data_file, workers, spares=spares, preempt_after=preempt_after, max_long=max_long
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self._void: bytes | None = None
        self._void_lock = threading.Lock()
        self._void_job = VoidJob(self.data_file)
        self.query_page = render_query_page(timeout, max_rows)

    def close(self) -> None:
        self._void_job.stop()
        self.pool.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def country_report(self, iso3: str) -> Path | None:
        """``report/countries/<ISO3>.html`` beside the served dumps (``mpdkg run`` writes it), if any."""
        if not self.sources or not re.fullmatch(r"[A-Z]{3}", iso3):
            return None
        page = Path(self.sources[0]).parent / "report" / "countries" / f"{iso3}.html"
        return page if page.is_file() else None

    def allowed_host(self, host: str, bound: tuple) -> bool:
        """Whether a request's Host header names this server: the configured public address,
        the address it listens on, or this machine (127.0.0.1, localhost, ::1)."""
        name = host.strip().lower()
        if name.startswith("["):  # [::1]:8000
            name = name[1 : name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.rsplit(":", 1)[0]
        allowed = {*LOCAL_HOSTS, str(bound[0]).lower()}
        if self.public_base:
            allowed.add((urllib.parse.urlsplit(self.public_base).hostname or "").lower())
        return name in allowed

    def endpoint_url(self, bound: tuple) -> str:
        """The endpoint address this server advertises: the configured public base, else the
        address it listens on. Never taken from a request (a Host header is the client's word)."""
        if self.public_base:
            return self.public_base + "sparql"
        host = bound[0]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{bound[1]}/sparql"

    def void_graph(self, endpoint: str, wait: float = 2.0) -> bytes:
        """The VoID/DCAT description of the served data, computed once, at start-up, in a process
        of its own (it counts the whole graph: 16 s and 0.9 GB for the 1.7M quads with the open
        data, which no request may make the server spend or hold); ``Refused`` 503 while it
        is not ready, 500 if its process failed."""
        with self._void_lock:
            if self._void is None:
                try:
                    self._void = self._void_job.future.result(wait)
                except concurrent.futures.TimeoutError:
                    raise Refused(
                        503,
                        "the dataset description is still being computed; try again shortly",
                        {"Retry-After": "10"},
                    ) from None
                except RuntimeError as error:  # the child failed: say so, every time
                    raise Refused(500, str(error)) from None
            return self._void.replace(
                b"<" + VOID_PLACEHOLDER.encode() + b">", b"<" + endpoint.encode() + b">"
            )
