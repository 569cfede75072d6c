"""Every kind of bad curated input is reported with file, line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpdkg.errors import SourceErrors
from mpdkg.sources.load import load_sources
from mpdkg.sources.schema import SPECS


def problems(graph: Path) -> list[str]:
    with pytest.raises(SourceErrors) as info:
        load_sources(graph)
    return [str(p) for p in info.value.problems]


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def test_mini_graph_loads(mini_graph):
    records = load_sources(mini_graph)
    assert set(records.countries) == {"CAN", "MEX", "USA", "FRA", "KEN", "JPN"}
    assert len(records.memberships) == 6
    assert records.fora["rcm"].member_counts == {"member": 3, "observer": 1}


def test_unknown_country_code_names_file_and_line(mini_graph):
    append(mini_graph / "memberships" / "rcm.csv", "XYZ,member,1996,,,t-forum,,\n")
    found = problems(mini_graph)
    assert any(
        p.startswith("graph/memberships/rcm.csv:6:") and "'XYZ'" in p and "alpha-3" in p for p in found
    ), found


def test_unknown_source_id(mini_graph):
    append(mini_graph / "memberships" / "five.csv", "MEX,member,2001,,,no-such-source,,\n")
    found = problems(mini_graph)
    assert any("five.csv:4:" in p and "unknown source id 'no-such-source'" in p for p in found), found


def test_unknown_column(mini_graph):
    path = mini_graph / "agreements" / "test.csv"
    text = path.read_text(encoding="utf-8").replace("description", "descripton", 1)
    path.write_text(text, encoding="utf-8")
    found = problems(mini_graph)
    assert any("agreements/test.csv:1:" in p and "unknown column 'descripton'" in p for p in found), found


def test_duplicate_ids_across_fora_and_agreements(mini_graph):
    append(
        mini_graph / "agreements" / "test.csv",
        "rcm,Clashing id,,protocol,1,CAN;USA,2020,,,,,,t-agr,,\n",
    )
    found = problems(mini_graph)
    assert any("agreements/test.csv:6:" in p and "duplicate agreement id 'rcm'" in p for p in found), found


def test_impossible_and_inverted_dates(mini_graph):
    append(mini_graph / "memberships" / "five.csv", "MEX,member,2023-02-30,,,t-forum,,\n")
    append(mini_graph / "memberships" / "five.csv", "FRA,member,2020,2019,,t-forum,,\n")
    found = problems(mini_graph)
    assert any("five.csv:4:" in p and "'2023-02-30' is not a real date" in p for p in found), found
    assert any("five.csv:5:" in p and "end 2019 is before start 2020" in p for p in found), found


def test_invalid_utf8_is_reported_with_line(mini_graph):
    path = mini_graph / "memberships" / "five.csv"
    path.write_bytes(path.read_bytes() + b"FRA,member,2001,,,t-forum,caf\xe9,\n")
    found = problems(mini_graph)
    assert any("five.csv:4:" in p and "not valid UTF-8" in p for p in found), found


def test_malformed_csv(mini_graph):
    append(mini_graph / "memberships" / "five.csv", 'FRA,member,2001,,,t-forum,"unclosed,\n')
    found = problems(mini_graph)
    assert any("five.csv" in p and "malformed CSV" in p for p in found), found


def test_wrong_number_of_fields(mini_graph):
    append(mini_graph / "memberships" / "five.csv", "FRA,member,2001\n")
    found = problems(mini_graph)
    assert any("five.csv:4:" in p and "has 3 fields but the header has 8" in p for p in found), found


def test_all_problems_reported_in_one_run(mini_graph):
    append(mini_graph / "memberships" / "rcm.csv", "XYZ,member,1996,,,t-forum,,\n")
    append(mini_graph / "memberships" / "five.csv", "MEX,chief,2001,,,t-forum,,\n")
    append(mini_graph / "agreements" / "test.csv", "solo,Alone,,protocol,1,CAN,2020,,,,,,t-agr,,\n")
    found = problems(mini_graph)
    assert len(found) >= 3
    assert any("rcm.csv:6" in p for p in found)
    assert any("five.csv:4" in p and "role 'chief' is not allowed" in p for p in found)
    assert any("test.csv:6" in p and "fewer than two parties" in p for p in found)


def test_stated_member_count_must_match(mini_graph):
    path = mini_graph / "fora" / "test.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("member=3", "member=4"), encoding="utf-8")
    found = problems(mini_graph)
    assert any("member_counts says member=4" in p and "has 3 member(s)" in p for p in found), found


def test_ended_membership_not_counted_as_current(mini_graph):
    append(mini_graph / "memberships" / "rcm.csv", "FRA,member,1996,2001,,t-forum,,\n")
    records = load_sources(mini_graph)  # still member=3 on the list's date
    assert records.fora["rcm"].member_counts["member"] == 3


def test_membership_needs_start_or_as_of(mini_graph):
    append(mini_graph / "memberships" / "five.csv", "MEX,member,,,,t-forum,,\n")
    found = problems(mini_graph)
    assert any("five.csv:4:" in p and "needs start or as_of" in p for p in found), found


def test_bilateral_agreement_must_include_canada(mini_graph):
    append(mini_graph / "agreements" / "test.csv", "us-mx,US-Mexico,,protocol,1,USA;MEX,2020,,,,,,t-agr,,\n")
    found = problems(mini_graph)
    assert any("must have CAN among its parties" in p for p in found), found


def test_membership_file_for_unknown_forum(mini_graph):
    (mini_graph / "memberships" / "nowhere.csv").write_text(
        "member,role,start,end,as_of,source,quote,note\nCAN,member,2000,,,t-forum,,\n", encoding="utf-8"
    )
    found = problems(mini_graph)
    assert any("nowhere.csv:1:" in p and "no forum with id 'nowhere'" in p for p in found), found


def test_source_without_access_date(mini_graph):
    append(mini_graph / "sources" / "test.csv", "t-bad,https://example.org/x,X,Y,yesterday,,other\n")
    found = problems(mini_graph)
    assert any("sources/test.csv:5:" in p and "accessed 'yesterday' is not a date" in p for p in found), found


def test_control_characters_and_huge_values_rejected(mini_graph):
    append(mini_graph / "fora" / "test.csv", "x1,Bad\x07label,,initiative,1,,,,,no,,,,t-forum,,\n")
    append(mini_graph / "fora" / "test.csv", f"x2,{'A' * 600},,initiative,1,,,,,no,,,,t-forum,,\n")
    found = problems(mini_graph)
    assert any("fora/test.csv:4:" in p and "control character" in p for p in found), found
    assert any("fora/test.csv:5:" in p and "at most 500 are allowed" in p for p in found), found


def test_engagement_channel_and_partner_are_checked(mini_graph):
    """Regression: these checks once sat after a return and never ran."""
    with (mini_graph / "engagements" / "test.csv").open("a", encoding="utf-8") as fh:
        fh.write("bad-channel,funding,CAN,nowhere,XXX,2020,,1,,t-forum,\n")
    found = problems(mini_graph)
    assert any("engagements/test.csv:3:" in p and "channel 'nowhere'" in p for p in found), found
    assert any("engagements/test.csv:3:" in p and "partner 'XXX'" in p for p in found), found


def test_agreement_party_and_amends_are_checked(mini_graph):
    with (mini_graph / "agreements" / "test.csv").open("a", encoding="utf-8") as fh:
        fh.write("odd,Odd,,protocol,1,CAN;QQQ,2020,,,ghost,,,t-agr,,\n")
    found = problems(mini_graph)
    assert any("party 'QQQ'" in p for p in found), found
    assert any("amends 'ghost'" in p for p in found), found


# --- #19: source kinds, the copy read, visa policies ---------------------------------------------

VISA_HEADER = "id,nationality,destination,category,start,end,scope,label,source,quote,note\n"


def write_sources_with_kinds(graph: Path, rows: str) -> None:
    (graph / "sources" / "kinds.csv").write_text(
        "id,url,title,publisher,accessed,note,kind,read_from\n" + rows, encoding="utf-8"
    )


def write_visa_policies(graph: Path, rows: str) -> Path:
    folder = graph / "visa-policy"
    folder.mkdir(exist_ok=True)
    path = folder / "canada.csv"
    path.write_text(VISA_HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["blog", ""], ids=["not in the closed list", "missing"])
def test_source_kind_must_come_from_the_closed_list(mini_graph, kind):
    write_sources_with_kinds(
        mini_graph,
        "k-ok,https://example.org/a,A,P,2026-12-01,,government,\n"
        f"k-bad,https://example.org/b,B,P,2026-12-01,,{kind},\n",
    )
    found = problems(mini_graph)
    assert any(
        p.startswith("graph/sources/kinds.csv:3:")
        and f"kind '{kind}' is not allowed" in p
        and "secondary-copy" in p
        and "treaty-depositary" in p
        for p in found
    ), found
    assert not any("kinds.csv:2:" in p for p in found), found


def test_read_from_must_be_a_web_address_other_than_url(mini_graph):
    write_sources_with_kinds(
        mini_graph,
        "k-a,https://example.org/a,A,P,2026-12-01,,news,github.com/mirror\n"
        "k-b,https://example.org/b,B,P,2026-12-01,,news,https://example.org/b\n",
    )
    found = problems(mini_graph)
    assert any(
        "kinds.csv:2:" in p and "read_from 'github.com/mirror' is not valid" in p and "http" in p
        for p in found
    ), found
    assert any("kinds.csv:3:" in p and "read_from is the same address as url" in p for p in found), found


def test_a_copy_site_as_url_is_a_secondary_copy_or_the_original_goes_in_url(mini_graph):
    """A council report read on docslib.org was filed with that address as url and kind
    intergovernmental-organisation: the reader could not see that no original was read."""
    write_sources_with_kinds(
        mini_graph,
        "k-a,https://docslib.org/doc/1/report,A,P,2026-12-01,,intergovernmental-organisation,\n"
        "k-b,https://docslib.org/doc/2/report,B,P,2026-12-01,,secondary-copy,\n"
        "k-c,https://www.iom.int/report,C,P,2026-12-01,,intergovernmental-organisation,https://docslib.org/doc/3\n"
        "k-d,https://web.archive.org/web/2007/https://cic.gc.ca/x,D,P,2026-12-01,,government,\n",
    )
    found = problems(mini_graph)
    for line in (2, 5):
        assert any(
            f"kinds.csv:{line}:" in p
            and "not the original" in p
            and "read_from" in p
            and "secondary-copy" in p
            for p in found
        ), found
    assert not any("kinds.csv:3:" in p or "kinds.csv:4:" in p for p in found), found


def test_new_engagement_kinds_are_accepted(mini_graph):
    path = mini_graph / "engagements" / "test.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    for n, kind in enumerate(("pledge", "commitment", "programme")):
        values = {"id": f"{kind}-x", "kind": kind, "channel": "rcm", "start": f"201{n}", "source": "t-forum"}
        append(path, ",".join(values.get(c, "") for c in header) + "\n")
    records = load_sources(mini_graph)
    assert {records.engagements[f"{k}-x"].kind for k in ("pledge", "commitment", "programme")} == {
        "pledge",
        "commitment",
        "programme",
    }


def test_visa_policy_values_are_checked_with_file_and_line(mini_graph):
    write_visa_policies(
        mini_graph,
        "mex-visa,MEX,CAN,visa-required,2009-07-14,2016-12-01,,,t-forum,,\n"  # line 2: fine
        "Bad Id,mex,CAN,visa-needed,2009-13,,,,,,\n"  # line 3: four problems and no source
        "xyz-visa,XYZ,CAN,visa-free,2010,2009,,,t-forum,,\n"  # line 4: unknown country, end first
        "can-self,CAN,CAN,visa-free,2010,,,,t-forum,,\n"  # line 5: own nationals
        "mex-visa,MEX,USA,eta,2011,,,,t-forum,,\n"  # line 6: duplicate id
        "no-start,MEX,USA,eta,,,,,nowhere,,\n",  # line 7: no start, unknown source
    )
    found = problems(mini_graph)
    where = "graph/visa-policy/canada.csv"

    def has(line: int, *parts: str) -> bool:
        return any(p.startswith(f"{where}:{line}:") and all(x in p for x in parts) for p in found)

    assert not any(p.startswith(f"{where}:2:") for p in found), found
    assert has(3, "id 'Bad Id' is not valid", "lowercase")
    assert has(3, "nationality 'mex' is not valid", "alpha-3")
    assert has(3, "category 'visa-needed' is not allowed", "visa-required", "eta", "visa-free")
    assert has(3, "start: '2009-13' is not a real date", "YYYY-MM-DD")
    assert has(3, "source is empty")
    assert has(4, "nationality 'XYZ'", "graph/countries.csv")
    assert has(4, "end 2009 is before start 2010")
    assert has(5, "nationality and destination are both 'CAN'")
    assert has(6, "duplicate visa policy id 'mex-visa'", f"{where}:2")
    assert has(7, "start is empty")
    assert has(7, "unknown source id 'nowhere'")


def test_overlapping_visa_policies_for_the_same_scope_are_reported(mini_graph):
    write_visa_policies(
        mini_graph,
        "mex-visa-2009,MEX,CAN,visa-required,2009-07-14,,,,t-forum,,\n"  # no end: still holds
        "mex-eta-2016,MEX,CAN,eta,2016-12-01,2024-02-29,,,t-forum,,\n"  # overlaps the open one
        "mex-visa-2024,MEX,CAN,visa-required,2024-02-29,,,,t-forum,,\n"  # starts the day the eTA ends
        "mex-eta-air,MEX,CAN,eta,2024-02-29,,air travel with a US visa,,t-forum,,\n"  # other scope
        "usa-a,USA,CAN,visa-free,2000,2010,,,t-forum,,\n"
        "usa-b,USA,CAN,eta,2005,,,,t-forum,,\n",  # starts before usa-a ends
    )
    found = problems(mini_graph)
    overlaps = sorted(p for p in found if "overlaps" in p)
    assert len(overlaps) == 2, found
    assert overlaps[0].startswith("graph/visa-policy/canada.csv:3:")
    assert "'mex-visa-2009'" in overlaps[0] and "no end" in overlaps[0]
    assert overlaps[1].startswith("graph/visa-policy/canada.csv:7:") and "'usa-a'" in overlaps[1]
    assert "to 2010" in overlaps[1]


def test_valid_visa_policies_load(mini_graph):
    write_visa_policies(
        mini_graph,
        "mex-visa-2009,MEX,CAN,visa-required,2009-07-14,2016-12-01,,Visa on Mexican nationals,t-forum,,\n"
        "mex-eta-2016,MEX,CAN,eta,2016-12-01,2024-02-29,,,t-forum;t-agr,,\n",
    )
    records = load_sources(mini_graph)
    policy = records.visa_policies["mex-eta-2016"]
    assert (policy.nationality, policy.destination, policy.category) == ("MEX", "CAN", "eta")
    assert str(policy.start) == "2016-12-01" and str(policy.end) == "2024-02-29"
    assert policy.sources == ("t-forum", "t-agr")
    assert str(policy.origin) == "graph/visa-policy/canada.csv:3"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_kind_of_file_reports_a_missing_required_column(mini_graph, spec):
    """The specs the loader reads are the ones the curator's errors speak of."""
    path = mini_graph / spec.pattern.replace("*", "zz-test")  # a new file, or the required one
    path.parent.mkdir(parents=True, exist_ok=True)
    dropped = spec.columns.required[-1]
    header = [c for c in spec.columns.all if c != dropped]
    path.write_text(",".join(header) + "\n", encoding="utf-8")
    found = problems(mini_graph)
    rel = path.relative_to(mini_graph.parent).as_posix()
    assert any(p.startswith(f"{rel}:1:") and f"missing column {dropped!r}" in p for p in found), found
