"""mpdkg serve: a read-only SPARQL 1.1 Protocol endpoint with content negotiation, an offline
query page, entity pages, refusals with clear statuses, a time limit that really stops a
runaway query, a row limit, and one log line per request."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from mpdkg.namespaces import WD, country_iri
from mpdkg.query.catalogue import catalogue
from mpdkg.serve import Refused, check_query, negotiate
from tests.serve.serving import call, mpdkg_serve, sparql

TIME = Namespace("http://www.w3.org/2006/time#")
TIME_LIMIT = 2.0
MAX_ROWS = 300
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`mpdkg serve` in a subprocess over the mini graph's dumps; yields (base URL, log path)."""
    folder = tmp_path_factory.mktemp("serve")
    args = ("--timeout", str(TIME_LIMIT), "--max-rows", str(MAX_ROWS), "--workers", "2")
    with mpdkg_serve(folder, *args) as running:
        yield running


LABELS = "SELECT ?c ?l WHERE { ?c a mpd:Country ; rdfs:label ?l } ORDER BY ?l"


# --- the protocol -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST-direct"])
def test_select_in_every_result_format(server, method):
    base, _log = server
    status, kind, body = sparql(base, LABELS, "application/sparql-results+json", method)
    assert status == 200 and kind.startswith("application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert [r["l"]["value"] for r in rows] == [
        "Canada",
        "France",
        "Japan",
        "Kenya",
        "Mexico",
        "United States",
    ]
    assert rows[0]["l"]["xml:lang"] == "en"

    status, kind, body = sparql(base, LABELS, "application/sparql-results+xml", method)
    assert status == 200 and kind.startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(body)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["c", "l"]
    assert len(root.findall("r:results/r:result", ns)) == 6
    assert root.find("r:results/r:result/r:binding[@name='c']/r:uri", ns).text == str(country_iri("CAN"))

    status, kind, body = sparql(base, LABELS, "text/csv", method)
    assert status == 200 and kind.startswith("text/csv")
    table = list(csv.reader(io.StringIO(body.decode())))
    assert table[0] == ["c", "l"] and table[1] == [str(country_iri("CAN")), "Canada"]

    status, kind, body = sparql(base, LABELS, "text/tab-separated-values", method)
    assert status == 200 and kind.startswith("text/tab-separated-values")
    lines = body.decode().splitlines()
    assert lines[0] == "?c\t?l" and lines[1] == f'<{country_iri("CAN")}>\t"Canada"@en'


def test_ask_construct_and_describe(server):
    base, _log = server
    status, _kind, body = sparql(
        base, "ASK { country:CAN skos:exactMatch wd:Q16 }", "application/sparql-results+json"
    )
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _kind, body = sparql(
        base, "ASK { country:CAN skos:exactMatch wd:Q16 }", "application/sparql-results+xml"
    )
    assert status == 200 and b"<boolean>true</boolean>" in body
    construct = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a mpd:Country ; rdfs:label ?l }"
    for accept, fmt in [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ]:
        status, kind, body = sparql(base, construct, accept, "POST")
        assert status == 200 and kind.startswith(accept), accept
        g = Graph().parse(data=body, format=fmt)
        assert len(g) == 6 and str(g.value(country_iri("MEX"), RDFS.label)) == "Mexico"
    status, kind, body = sparql(base, "DESCRIBE country:CAN", "text/turtle")
    assert status == 200 and (country_iri("CAN"), SKOS.exactMatch, WD.Q16) in Graph().parse(
        data=body, format="turtle"
    )


def test_format_parameter_and_unacceptable_types(server):
    base, _log = server
    status, kind, _body = sparql(base, LABELS, None, "GET", format="csv")
    assert status == 200 and kind.startswith("text/csv")
    status, kind, _body = sparql(base, LABELS)  # no Accept: SPARQL JSON
    assert status == 200 and kind.startswith("application/sparql-results+json")
    status, _kind, body = sparql(base, LABELS, "image/png")
    assert status == 406 and b"offered" in body
    status, _kind, body = sparql(base, LABELS, None, "GET", format="turtle")
    assert status == 406 and b"SELECT" in body


def test_default_and_named_graph_parameters(server):
    base, _log = server
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a owl:Class }"
    union = json.loads(sparql(base, count)[2])["results"]["bindings"][0]["n"]["value"]
    only_curated = sparql(
        base, count, None, "GET", **{"default-graph-uri": "https://w3id.org/mpdkg/graph/curated"}
    )
    assert int(union) > 0
    assert json.loads(only_curated[2])["results"]["bindings"][0]["n"]["value"] == "0"


def test_service_description_without_query(server):
    base, _log = server
    status, kind, body = call(base + "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and kind.startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(base + "/sparql"), URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g


# --- refusals -----------------------------------------------------------------------------------


def test_updates_are_refused(server):
    base, _log = server
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        call(base + "/sparql", urllib.parse.urlencode({"update": update}).encode(), form),
        call(base + "/sparql", update.encode(), {"Content-Type": "application/sparql-update"}),
        sparql(base, update),  # an update sent as a query
        sparql(base, "DROP ALL", method="POST"),
        sparql(base, "LOAD <http://127.0.0.1:9/data.ttl>", method="POST"),
        call(base + "/update", urllib.parse.urlencode({"update": update}).encode(), form),
        call(
            base + "/store?graph=urn:g", b"<urn:a> <urn:b> <urn:c> .", {"Content-Type": "text/turtle"}, "PUT"
        ),
    ]
    for status, kind, body in cases:
        assert status == 403 and kind.startswith("text/plain"), (status, body)
        assert b"read-only" in body
    status, _kind, body = sparql(base, "ASK { <urn:a> <urn:b> <urn:c> }")
    assert json.loads(body)["boolean"] is False


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_service_is_refused_and_never_called(server):
    base, _log = server
    listener = Listener()
    try:
        for query in (
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?x ?y ?z . OPTIONAL {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/> {{ ?x ?p ?o }} }} }}",
            f"ASK {{ service <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
        ):
            status, _kind, body = sparql(base, query, method="POST")
            assert status == 403 and b"SERVICE is not allowed" in body
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()
    # the word itself is no reason to refuse
    status, _kind, body = sparql(base, 'SELECT ?service WHERE { ?service rdfs:label "SERVICE" }')
    assert status == 200 and json.loads(body)["head"]["vars"] == ["service"]


def test_syntax_errors_say_where(server):
    base, _log = server
    status, kind, body = sparql(base, "SELECT ?s WHERE { ?s ?p }")
    assert status == 400 and kind.startswith("text/plain") and b"line 1" in body
    status, _kind, body = sparql(base, "")
    assert status == 400 and b"empty query" in body


def test_answers_longer_than_the_row_limit_are_refused(server):
    base, _log = server
    status, _kind, body = sparql(base, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and f"more than {MAX_ROWS:,} rows".encode() in body
    status, _kind, body = sparql(base, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert status == 422
    status, _kind, body = sparql(base, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == MAX_ROWS


def test_a_runaway_query_is_stopped_and_the_server_keeps_serving(server):
    base, _log = server
    started = time.monotonic()
    status, _kind, body = sparql(base, RUNAWAY)
    elapsed = time.monotonic() - started
    assert status == 504 and b"stopped after 2 s" in body
    assert TIME_LIMIT <= elapsed < TIME_LIMIT + 5
    # the other worker answers at once, and the replacement worker joins it
    for _ in range(6):
        status, _kind, body = sparql(base, "ASK { country:CAN ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True
    # two runaways at once: both stopped, and service goes on
    results = []
    threads = [threading.Thread(target=lambda: results.append(sparql(base, RUNAWAY)[0])) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in ([503, 504], [504, 504])
    deadline = time.monotonic() + 60
    while sparql(base, "ASK {}")[0] != 200:
        assert time.monotonic() < deadline, "the server did not recover"
        time.sleep(0.5)


# --- pages --------------------------------------------------------------------------------------


def test_query_page_works_offline_with_the_catalogue(server):
    base, _log = server
    status, kind, body = call(base + "/", headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and kind.startswith("text/html")
    assert '<script src="/static/yasgui/yasgui.min.js">' in page
    assert '<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">' in page
    # nothing loaded from elsewhere: every script and stylesheet is served by mpdkg
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, re.I):
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", tag, re.I), tag
    assert "@import" not in page and "url(http" not in page
    examples = json.loads(
        re.search(r'<script type="application/json" id="mpdkg-examples">(.*?)</script>', page, re.S).group(1)
    )
    assert [e["name"] for e in examples] == [q.name for q in catalogue()]
    forum_members = next(e for e in examples if e["name"] == "forum-members")
    assert "VALUES" in forum_members["query"]  # parameters bound to their defaults, ready to run
    for asset, kind_prefix in [("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")]:
        status, kind, body = call(base + "/static/yasgui/" + asset)
        assert status == 200 and kind.startswith(kind_prefix) and len(body) > 10_000
    assert call(base + "/static/yasgui/NOTICE")[0] == 200
    assert call(base + "/static/../serve.py")[0] == 404
    assert call(base + "/static/%2e%2e/serve.py")[0] == 404


def test_entity_pages_by_accept_header(server):
    base, _log = server
    iri = str(country_iri("CAN"))
    status, kind, body = call(
        base + "/country/CAN", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    )
    assert status == 200 and kind.startswith("text/html")
    page = body.decode()
    assert "<h1>Canada</h1>" in page and iri in page
    assert (
        'href="/region/americas"' in page and 'href="/membership/rcm/CAN/member"' in page
    )  # links stay here
    assert "http://www.wikidata.org/entity/Q16" in page
    status, kind, body = call(base + "/country/CAN", headers={"Accept": "text/turtle"})
    assert status == 200 and kind.startswith("text/turtle")
    turtle = Graph().parse(data=body, format="turtle")
    assert (URIRef(iri), SKOS.exactMatch, WD.Q16) in turtle
    status, kind, body = call(base + "/country/CAN", headers={"Accept": "application/ld+json"})
    assert status == 200 and kind.startswith("application/ld+json")
    data = json.loads(body)
    assert "label" in json.dumps(data) and "exactMatch" in json.dumps(data)  # readable keys
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(data=body, format="json-ld"), turtle)
    status, kind, body = call(base + "/country/CAN?format=nt")
    assert status == 200 and kind.startswith("application/n-triples")
    status, kind, _body = call(base + "/country/CAN", headers={"Accept": "*/*"})
    assert status == 200 and kind.startswith("text/turtle")
    # a membership carries its interval (a part of it) with it
    status, _kind, body = call(base + "/membership/rcm/CAN/member", headers={"Accept": "text/turtle"})
    during = URIRef("https://w3id.org/mpdkg/membership/rcm/CAN/member/during")
    assert status == 200 and (during, RDF.type, TIME.Interval) in Graph().parse(data=body, format="turtle")
    # nothing known: 404 in the asked-for form
    status, kind, _body = call(base + "/country/XYZ", headers={"Accept": "text/html"})
    assert status == 404 and kind.startswith("text/html")
    status, kind, _body = call(base + "/country/XYZ", headers={"Accept": "text/turtle"})
    assert status == 404
    status, _kind, body = call(base + "/ontology", headers={"Accept": "text/html"})
    assert status == 200 and b"Country" in body


def test_void_description(server):
    base, _log = server
    deadline = time.monotonic() + 60
    while True:  # computed at start-up in a process of its own: 503 Retry-After until then
        status, kind, body = call(base + "/.well-known/void", headers={"Accept": "text/turtle"})
        if status != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 200 and kind.startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    void = "http://rdfs.org/ns/void#"
    dataset = URIRef("https://w3id.org/mpdkg/dataset")
    assert g.value(dataset, URIRef(void + "sparqlEndpoint")) == URIRef(base + "/sparql")
    assert int(g.value(dataset, URIRef(void + "triples"))) > 100


def test_one_log_line_per_request(server):
    base, log = server
    marker = "/country/FRA"
    call(base + marker, headers={"Accept": "text/turtle"})
    sparql(base, "INSERT DATA { <urn:a> <urn:b> <urn:c> }", method="POST")
    time.sleep(0.3)
    text = log.read_text(errors="replace")
    assert re.search(r"INFO mpdkg\.serve: 127\.0\.0\.1 GET /country/FRA 200 \d+\.\d ms", text)
    assert re.search(r"INFO mpdkg\.serve: 127\.0\.0\.1 POST /sparql 403 \d+\.\d ms", text)


# --- without a server ---------------------------------------------------------------------------


def test_check_query():
    assert check_query("SELECT * WHERE { ?s ?p ?o }") == "select"
    assert check_query("ASK {}") == "ask"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }") == "construct"
    assert check_query("DESCRIBE <urn:x>") == "describe"
    assert check_query("SELECT ?s WHERE { ?s mpd:memberOf ?f }") == "select"  # our prefixes are predeclared
    for text, status in [
        ("CLEAR ALL", 403),
        ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", 403),
        ('SELECT * WHERE { # \\u000A FILTER(?x != """\nSERVICE <http://x/> { ?s ?p ?o }\n# """)\n}', 403),
        ("SELECT * WHERE { ?s foo:bar ?o }", 400),  # unknown prefix, named before any engine runs
        ("SELECT * WHERE " + "{" * 200 + "}" * 200, 400),
        ("   ", 400),
    ]:
        with pytest.raises(Refused) as caught:
            check_query(text)
        assert caught.value.status == status, text


def test_negotiate():
    offers = ["application/sparql-results+json", "text/csv"]
    assert negotiate(None, offers) == offers[0]
    assert negotiate("text/csv", offers) == "text/csv"
    assert negotiate("text/*;q=0.9, application/json;q=0.1", offers) == "text/csv"
    assert negotiate("text/csv;q=0, */*;q=0.1", offers) == offers[0]
    assert negotiate("image/png", offers) is None


@pytest.mark.browser
def test_query_page_in_a_real_browser(server):
    """The page runs a catalogue query with the shipped YASGUI and asks nothing of the network."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is missing (Debian package chromium)")
    base, _log = server
    requests, errors = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(base + "/")
            page.wait_for_selector(".yasqe_queryButton", timeout=20_000)
            assert page.locator(".tabsList .tab").count() == len(catalogue())
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
            assert page.locator(".yasr table tbody tr").count() >= 1
        finally:
            browser.close()
    assert requests and all(url.startswith(base + "/") for url in requests), requests
    assert errors == []


def test_concurrent_queries_are_all_answered_or_refused_cleanly(server):
    """Regression: rdflib's parser is not thread-safe; concurrent requests gave internal errors."""
    import urllib.error
    import urllib.parse
    from concurrent.futures import ThreadPoolExecutor

    from mpdkg.query.catalogue import catalogue
    from mpdkg.query.engines import bind

    base, _log = server
    texts = [bind(q, {}) for q in catalogue()][:12] * 2

    def ask(text):
        request = urllib.request.Request(
            base + "/sparql",
            data=urllib.parse.urlencode({"query": text}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(ask, texts))
    assert set(statuses) <= {200, 503}
    assert statuses.count(200) >= len(statuses) - 2


def test_pages_escape_what_the_graph_says():
    """Entity and text pages are Jinja2 templates with autoescaping: a label cannot add markup."""
    from mpdkg.serve.pages import render_entity_page, render_text_page

    iri = str(country_iri("CAN"))
    evil = '<script>alert(1)</script>"'
    data = {
        "labels": {iri: evil},
        "triples": [(("iri", iri), ("iri", str(RDFS.label)), ("literal", evil, "en", ""))],
        "incoming": [],
        "truncated": False,
    }
    for page in (render_entity_page(iri, data, "https://w3id.org/mpdkg/"), render_text_page(evil, evil)):
        text = page.decode()
        assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert '<header class="band">' in text  # the shared base template and stylesheet


def test_result_writers_keep_literals_but_csv_cells_never_run_as_formulas(server):
    base, _log = server
    query = 'SELECT ?x ?n WHERE { BIND("=HYPERLINK(1)" AS ?x) BIND(-3 AS ?n) }'
    status, _kind, body = sparql(base, query, "text/csv")
    assert status == 200 and list(csv.reader(io.StringIO(body.decode())))[1] == ["'=HYPERLINK(1)", "-3"]
    status, _kind, body = sparql(base, query, "application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "=HYPERLINK(1)"
    status, _kind, body = sparql(base, query, "application/sparql-results+xml")
    assert status == 200 and b">=HYPERLINK(1)<" in body
    status, _kind, body = sparql(base, "ASK {}", "text/csv")
    assert status == 200 and body.decode().splitlines() == ["_askResult", "true"]


def test_open_data_dump_and_country_reports_beside_the_dumps(tmp_path):
    """open-data.nq.gz beside the dumps is served (its named graph kept) unless --no-open-data;
    a country page links to report/countries/<ISO3>.html when it is there."""
    import gzip

    graph = "https://w3id.org/mpdkg/graph/open-data/test"
    quad = f'<{country_iri("CAN")}> <urn:test:seen> "in the open data" <{graph}> .\n'
    (tmp_path / "open-data.nq.gz").write_bytes(gzip.compress(quad.encode()))
    (tmp_path / "report" / "countries").mkdir(parents=True)
    (tmp_path / "report" / "countries" / "CAN.html").write_text("<p>Canada's report</p>", encoding="utf-8")
    ask = f"ASK {{ GRAPH <{graph}> {{ country:CAN <urn:test:seen> ?o }} }}"
    with mpdkg_serve(tmp_path, "--workers", "1") as (base, _log):
        assert json.loads(sparql(base, ask)[2])["boolean"] is True
        status, _kind, body = call(base + "/country/CAN", headers={"Accept": "text/html"})
        assert status == 200 and 'href="/report/countries/CAN.html"' in body.decode()
        assert b"Canada's report" in call(base + "/report/countries/CAN.html")[2]
        status, _kind, body = call(base + "/country/FRA", headers={"Accept": "text/html"})
        assert status == 200 and b"/report/countries/" not in body
        assert call(base + "/report/countries/FRA.html")[0] == 404
        assert call(base + "/report/countries/..%2f..%2fmpdkg.trig")[0] == 404
    with mpdkg_serve(tmp_path, "--workers", "1", "--no-open-data") as (base, _log):
        assert json.loads(sparql(base, ask)[2])["boolean"] is False
