"""UN General Assembly roll-call votes (dgrtwo/unvotes), with the absences of Voeten's 2016 raw file."""

from __future__ import annotations

from typing import Any

from mpdkg.sources.importers.base import Output, Snapshot, Table, cell, read_r


def extract_unvotes(snapshot: Snapshot, out: Output) -> dict[str, Any]:
    calls = read_r(snapshot, "data/un_roll_calls.rda")["un_roll_calls"]
    table = Table.from_frame(calls, dates=("date",))
    out.add(
        "roll_calls.csv",
        table,
        "one row per roll call: rcid, session, importantvote, date (ISO, from R's Date), unres "
        "(resolution code), amend, para, short and descr (the upstream text, unchanged)",
        "data/un_roll_calls.rda",
    )
    issues = read_r(snapshot, "data/un_roll_call_issues.rda")["un_roll_call_issues"]
    out.add(
        "roll_call_issues.csv",
        Table.from_frame(issues),
        "issue codes of roll calls (me, nu, di, hr, co, ec); a roll call may have none or several",
        "data/un_roll_call_issues.rda",
    )
    votes = read_r(snapshot, "data/un_votes.rda")["un_votes"]
    out.add(
        "votes.csv",
        Table.from_frame(votes),
        "one row per state and roll call: rcid, country (name), country_code (ISO 3166 alpha-2 "
        "as upstream made it, empty for three states), vote (yes, abstain, no)",
        "data/un_votes.rda",
    )
    dates = sorted(row[table.header.index("date")] for row in table.rows if row[table.header.index("date")])
    counts: dict[str, int] = {}
    for value in votes["vote"].tolist():
        counts[str(value)] = counts.get(str(value), 0) + 1
    return {
        "roll_calls": len(table.rows),
        "first_vote": dates[0],
        "last_vote": dates[-1],
        "sessions": [int(calls["session"].min()), int(calls["session"].max())],
        "votes_by_value": dict(sorted(counts.items())),
        **absences(snapshot, out, votes),
    }


#: Voeten's data as the package downloaded it in 2016 (sessions 1-70), with the full vote coding.
PUBLISHED_2016 = "data-raw/UNVotesPublished.RData"


def absences(snapshot: Snapshot, out: Output, votes: Any) -> dict[str, Any]:
    """The absences (Voeten code 8) that the package's un_votes leaves out, from the 2016 raw file.

    The 2021 raw file (data-raw/UNVotes2021.RData) is the one un_votes was built from, but it is
    often missing from snapshots (it is large); the 2016 file covers sessions 1-70. Its roll
    calls are checked against un_votes: the number of yes, abstain and no votes per roll call
    must be the same, and how many agree is recorded.
    """
    raw = read_r(snapshot, PUBLISHED_2016)
    frame = next(iter(raw.values()))
    absent = frame[frame["vote"] == 8]
    out.add(
        "absences_sessions_1_70.csv",
        Table.from_frame(absent, ["rcid", "session", "ccode", "vote"], types_from=frame),
        "every absence (Voeten vote code 8) in sessions 1-70 (1946-2015): rcid, session, ccode "
        "(the Correlates of War state number, see cow-igo/states.csv), vote (always 8); from the "
        "2016 raw file, since the package's un_votes keeps only yes, abstain and no",
        PUBLISHED_2016,
    )
    cast: dict[int, int] = {}
    for rcid in frame[frame["vote"] <= 3]["rcid"].tolist():
        cast[int(rcid)] = cast.get(int(rcid), 0) + 1
    package: dict[int, int] = {}
    for rcid in votes["rcid"].tolist():
        package[int(rcid)] = package.get(int(rcid), 0) + 1
    agree = sum(1 for rcid, n in cast.items() if package.get(rcid) == n)
    codes: dict[str, int] = {}
    for value in frame["vote"].tolist():
        codes[cell(value)] = codes.get(cell(value), 0) + 1
    return {
        "raw_2016_roll_calls": len(cast),
        "raw_2016_roll_calls_with_same_yes_abstain_no_count_as_un_votes": agree,
        "raw_2016_votes_by_code": dict(sorted(codes.items())),
    }
