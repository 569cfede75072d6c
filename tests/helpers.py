"""Helpers the tests import: the repository root, a tiny curated graph written by the tests
themselves, and a snapshot of a folder's bytes. (Fixtures live in conftest.py; conftest
re-exports these names for the test files that still import them from there.)"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from mpdkg import paths

REPO = Path(__file__).resolve().parent.parent

MINI_COUNTRIES = """\
alpha3,alpha2,numeric,name,official_name,region,subregion,intermediate_region,wikidata,source
CAN,CA,124,Canada,,Americas,Northern America,,Q16,t-iso
MEX,MX,484,Mexico,United Mexican States,Americas,Latin America and the Caribbean,Central America,Q96,t-iso
USA,US,840,United States,United States of America,Americas,Northern America,,Q30,t-iso
FRA,FR,250,France,French Republic,Europe,Western Europe,,Q142,t-iso
KEN,KE,404,Kenya,Republic of Kenya,Africa,Sub-Saharan Africa,Eastern Africa,Q114,t-iso
JPN,JP,392,Japan,,Asia,Eastern Asia,,Q17,t-iso
"""

MINI_SOURCES = """\
id,url,title,publisher,accessed,note,kind
t-iso,https://www.iso.org/iso-3166-country-codes.html,ISO 3166,ISO,2026-11-29,,other
t-forum,https://example.org/forum,Forum members,Example publisher,2026-11-29,,other
t-agr,https://example.org/agreement,An agreement,Example publisher,2025-01-15,,other
"""

MINI_FORA = """\
id,label,alt_labels,kind,pillars,established,ended,homepage,wikidata,members_complete,member_counts,members_source,members_as_of,source,quote,description
rcm,Regional Conference on Migration,Puebla Process,regional-consultative-process,1;5,1996,,,,yes,member=3;observer=1,t-forum,2020,t-forum,,
five,Five Country Ministerial,FCM,ministerial-group,1,,,,,no,,,,t-forum,,
"""

MINI_MEMBERSHIPS = {
    "rcm": """\
member,role,start,end,as_of,source,quote,note
CAN,member,1996,,,t-forum,,
MEX,member,1996,,,t-forum,,
USA,member,1996,,,t-forum,,
KEN,observer,,,2020,t-forum,,
""",
    "five": """\
member,role,start,end,as_of,source,quote,note
CAN,member,,,2024,t-forum,,
USA,member,2010,2022,,t-forum,,
""",
}

MINI_AGREEMENTS = """\
id,label,alt_labels,kind,pillars,parties,signed,in_force,ended,amends,homepage,wikidata,source,quote,description
stca,Safe Third Country Agreement,STCA,safe-third-country-agreement,5,CAN;USA,2002-12-05,2004-12-29,,,,,t-agr,,
stca-protocol,Additional Protocol to the STCA,,protocol,5,CAN;USA,2022-03-29,2023-03-25,,stca,,,t-agr,,
iec-fra,Canada-France youth mobility agreement,,youth-mobility-arrangement,2,CAN;FRA,2003,,,,,,t-agr,,
sawp-mex,SAWP Mexico,,seasonal-worker-arrangement,2,CAN;MEX,,1974,,,,,t-agr,,
"""

MINI_ENGAGEMENTS = """\
id,kind,actor,channel,partners,start,end,pillars,label,source,quote
chair-rcm-2006,chair,CAN,rcm,,2006,2006,1,Canada chaired the RCM,t-forum,
"""


def write_mini_graph(root: Path) -> Path:
    """A complete, valid, tiny graph/ folder (with the real framework files)."""
    graph = root / "graph"
    for sub in ("sources", "fora", "memberships", "agreements", "engagements"):
        (graph / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree(paths.graph_dir() / "framework", graph / "framework")
    shutil.copy(paths.graph_dir() / "sources" / "foundation.csv", graph / "sources" / "foundation.csv")
    (graph / "countries.csv").write_text(MINI_COUNTRIES, encoding="utf-8")
    (graph / "sources" / "test.csv").write_text(MINI_SOURCES, encoding="utf-8")
    (graph / "fora" / "test.csv").write_text(MINI_FORA, encoding="utf-8")
    for forum, text in MINI_MEMBERSHIPS.items():
        (graph / "memberships" / f"{forum}.csv").write_text(text, encoding="utf-8")
    (graph / "agreements" / "test.csv").write_text(MINI_AGREEMENTS, encoding="utf-8")
    (graph / "engagements" / "test.csv").write_text(MINI_ENGAGEMENTS, encoding="utf-8")
    return graph


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def tree_snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
