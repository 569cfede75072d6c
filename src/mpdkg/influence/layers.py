"""Layers of influence, per country and year: the channel network and the substance the open
data brings (protection, mobility, irregular migration, UN alignment), each with its own
measure, and a composite made with the weights of ``influence_weights.toml`` ([layers]).

Open data are read from the vendored extracts in ``graph/open-data/`` (the same rows that
``mpdkg.rdf.opendata`` turns into the qb:Observation of dist/open-data.nq.gz), so the analysis
does not need the 250,000-triple dump in memory. docs/influence.md explains every choice.

>>> sorted(LAYER_PILLARS)
['alignment', 'channels', 'irregular', 'mobility', 'protection']
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mpdkg.influence.config import InfluenceConfig
from mpdkg.influence.measures import competition_ranks
from mpdkg.influence.network import CANADA, Facts, channel_network, in_force, project

LAYERS = ("channels", "protection", "mobility", "irregular", "alignment")
LAYER_PILLARS: dict[str, tuple[int, ...]] = {
    "channels": (1, 2, 3, 4, 5, 6),
    "protection": (5,),
    "mobility": (1, 2),
    "irregular": (1,),
    "alignment": (4, 5),
}
LAYER_LABELS = {
    "channels": "Channels (fora, agreements, engagements)",
    "protection": "Protection",
    "mobility": "Mobility",
    # a state's high score here is a stake (many claims in Canada) as much as cooperation: the
    # label says both, so "strongest on irregular migration" does not read as a good partner
    "irregular": "Irregular migration: claims and cooperation",
    "alignment": "Alignment at the UN",
}
MOBILITY_KINDS = frozenset(
    {"youth-mobility-arrangement", "seasonal-worker-arrangement", "labour-mobility-arrangement",
     "trade-agreement", "travel-facilitation-arrangement"}
)  # fmt: skip
IRREGULAR_KINDS = frozenset(
    {"readmission-agreement", "information-sharing-arrangement", "safe-third-country-agreement"}
)
#: how open an entry regime is (Passport Index categories); covid-ban is a temporary measure
#: and counts as no data, not as a closed border.
VISA_OPENNESS = {
    "visa-free": 1.0, "eta": 0.9, "visa-on-arrival": 0.7, "e-visa": 0.5, "hayya-entry-permit": 0.5,
    "visa-required": 0.0, "no-admission": 0.0,
}  # fmt: skip
INDICATORS: dict[str, list[dict[str, str]]] = {
    "channels": [{"id": "channel_score", "label": "channel-network score (mpdkg influence)",
                  "unit": "0..1", "source": "curated graph"}],
    "protection": [
        {"id": "resettled_to_canada", "label": "refugees resettled to Canada from the country",
         "unit": "persons over the window", "source": "UNHCR Refugee Data Finder (CC BY 4.0)"},
        {"id": "protection_fora_tie", "label": "tie to Canada through pillar-5 fora and agreements",
         "unit": "tie weight", "source": "curated graph"},
        {"id": "refugees_hosted",
         "label": "refugees hosted (all origins: UNHCR-mandate refugees and other people in need of "
                  "international protection, and Palestine refugees under UNRWA's mandate); a large "
                  "host is a key protection partner for Canada "
                  "(resettlement referrals, responsibility-sharing, humanitarian funding)",
         "unit": "persons, mean end-year stock over the window", "source": "UNHCR Refugee Data Finder (CC BY 4.0)"},
    ],
    "mobility": [
        {"id": "visa_openness", "label": "visa regime both ways (Canada's on its nationals, its on Canadians)",
         "unit": "0..1", "source": "Passport Index dataset (MIT)"},
        {"id": "mobility_agreements", "label": "mobility agreements with Canada in force",
         "unit": "count", "source": "curated graph"},
        {"id": "admitted_to_canada",
         "label": "people Canada admitted from the country (IRCC: permanent residents, study permits, "
                  "IMP and TFWP work permits, by citizenship)",
         "unit": "persons a year, mean over the window ending with the latest IRCC year not after the slice",
         "source": "IRCC Monthly IRCC Updates, open.canada.ca (OGL-Canada)"},
    ],
    "irregular": [
        {"id": "asylum_claims_in_canada", "label": "asylum claims lodged in Canada by its nationals",
         "unit": "persons over the window", "source": "UNHCR Refugee Data Finder (CC BY 4.0)"},
        {"id": "irregular_agreements", "label": "readmission, information-sharing, safe-third-country agreements",
         "unit": "count", "source": "curated graph"},
    ],
    "alignment": [
        {"id": "un_vote_agreement", "label": "agreement with Canada in UN General Assembly votes",
         "unit": "0..1 (Voeten)", "source": "Voeten, UNGA voting data (CC0), via the unvotes R package (MIT)"},
        {"id": "un_vote_agreement_hr", "label": "agreement with Canada on human-rights resolutions (Voeten's hr issue)",
         "unit": "0..1 (Voeten)", "source": "Voeten, UNGA voting data (CC0), via the unvotes R package (MIT)"},
        {"id": "un_vote_agreement_refugees_migration",
         "label": "agreement with Canada on refugee, asylum and migration resolutions (titles matched)",
         "unit": "0..1 (Voeten)", "source": "Voeten, UNGA voting data (CC0), via the unvotes R package (MIT)"},
    ],
}  # fmt: skip
FLOW_INDICATORS = frozenset({"resettled_to_canada", "asylum_claims_in_canada"})
#: People Canada admitted by citizenship (IRCC), a yearly mean over the window ending with the
#: latest IRCC year not after the slice year (never later data), scaled like the flows.
ADMISSION_INDICATORS = frozenset({"admitted_to_canada"})
#: The IRCC measures (graph/open-data/ircc/admissions_by_citizenship.csv) added into "admitted":
#: the main doors of Canada's managed migration (pillars 1 and 2). A person may pass through
#: several over the years (study, then work, then permanent residence): the sum counts admissions,
#: not distinct persons, which is what a mobility relationship is made of.
IRCC_MEASURES = ("pr_admissions", "study_permits", "work_permits_imp", "work_permits_tfwp")
#: Stocks (people present at the end of a year), averaged over the window and log-scaled like
#: the flows: hosting 3 million refugees is not a hundred times the partner hosting 30,000.
STOCK_INDICATORS = frozenset({"refugees_hosted"})
#: The population columns of unhcr/population_by_asylum.csv that count as "refugees hosted":
#: UNHCR's headline "refugees and other people in need of international protection" (the
#: package's README sums refugees and oip the same way). Asylum-seekers are a procedure's
#: caseload, not yet protection, and are shown beside it on the country pages, not scored.
HOSTED_COLUMNS = ("refugees", "oip")
#: Palestine refugees registered under UNRWA's mandate (Jordan, Lebanon, Syria, State of
#: Palestine), UNHCR's copy of UNRWA's figures: counted apart from, and never overlapping, the
#: refugees under UNHCR's mandate, and added to them as UNHCR's Global Trends totals do.
UNRWA_FILE = "unrwa.csv"


def latest_window(table: dict[tuple[str, int], float], year: int, n: int) -> list[int]:
    """The years of a yearly series (``table`` keyed by (iso3, year)) that a slice of ``year``
    uses: the window of ``n`` years ending with the latest year of the series not after
    ``year`` — never later data; empty (no data) before the series begins. When the series ends
    before ``year`` the window is the last one available, and the lag is stated in the output."""
    covered = {y for _c, y in table}
    last = max((y for y in covered if y <= year), default=None)
    if last is None:
        return []
    return [y for y in range(last - n + 1, last + 1) if y in covered]


#: UN votes are averaged over this many years (one session swings with a few resolutions).
ALIGNMENT_WINDOW = 3


@dataclass
class OpenFigures:
    """Open-data figures by (iso3, year): resettlement and asylum claims (Canada as asylum
    country), visa openness per snapshot year both ways, UN vote agreement with Canada."""

    resettled: dict[tuple[str, int], float] = field(default_factory=dict)
    claims: dict[tuple[str, int], float] = field(default_factory=dict)
    visa_in: dict[int, dict[str, float]] = field(default_factory=dict)  # Canada's rule on X's nationals
    visa_out: dict[int, dict[str, float]] = field(default_factory=dict)  # X's rule on Canadians
    votes: dict[tuple[str, int], float] = field(default_factory=dict)
    votes_hr: dict[tuple[str, int], float] = field(default_factory=dict)  # human-rights resolutions
    votes_refugees_migration: dict[tuple[str, int], float] = field(default_factory=dict)
    #: refugees and oip hosted by the country (as country of asylum, all origins), end of year
    hosted: dict[tuple[str, int], float] = field(default_factory=dict)
    #: people admitted to the ego (IRCC: PR, study and work permits) by citizenship and year
    admitted: dict[tuple[str, int], float] = field(default_factory=dict)

    def admitted_years(self, year: int, n: int) -> list[int]:
        """The IRCC years a slice of ``year`` uses: the window of ``n`` years ending with the
        latest IRCC year not after ``year`` (empty before the series begins: no data)."""
        return latest_window(self.admitted, year, n)

    def vote_years(self, year: int, n: int = ALIGNMENT_WINDOW) -> list[int]:
        """The UN-vote years the alignment layer of ``year`` averages: the same rule as the IRCC
        admissions (:func:`latest_window`), so 2026 uses 2018-2020 when the votes end in 2020."""
        return latest_window(self.votes, year, n)

    def last_vote_year(self) -> int | None:
        """The last year of the UN-vote data (2020 in the vendored extract), None without votes."""
        return max((y for _c, y in self.votes), default=None)

    def visa(self, iso3: str, year: int) -> float | None:
        snaps = [y for y in self.visa_in if y <= year]
        if not snaps:
            return None
        y = max(snaps)
        values = [v for v in (self.visa_in[y].get(iso3), self.visa_out[y].get(iso3)) if v is not None]
        return sum(values) / len(values) if values else None


#: New asylum claims: UNHCR's application types N (new) and V (new, counted by application before
#: 2006: the only type those years have), at first instance (FI, FA). Appeals (AR), judicial
#: review (JR), repeat applications (A, R) and rows counting cases (C) are left out: they would count
#: a claim twice.
CLAIM_TYPES = frozenset({"N", "V"})
CLAIM_LEVELS = frozenset({"FI", "FA"})


def is_new_claim(row: dict, ego: str = CANADA) -> bool:
    """A row of UNHCR's asylum applications that counts new claims lodged in ``ego``: new
    applications at first instance, counted in persons (``app_pc`` P; C rows count cases)."""
    return bool(
        row["coa_iso"] == ego
        and row["applied"]
        and row["app_type"] in CLAIM_TYPES
        and row["dec_level"] in CLAIM_LEVELS
        and row["app_pc"] == "P"
    )


def read_open_figures(root: Path | None = None, ego: str = CANADA) -> OpenFigures:
    """The open-data figures the layers use, from the vendored extracts (no network)."""
    from mpdkg.sources import opendata

    figures = OpenFigures()
    try:
        for row in opendata.read_rows("unhcr", "solutions_canada.csv", root):
            if row["coa_iso"] == ego and row["resettlement"]:
                key = (row["coo_iso"], int(row["year"]))
                figures.resettled[key] = figures.resettled.get(key, 0.0) + float(row["resettlement"])
        for row in opendata.read_rows("unhcr", "asylum_applications_canada.csv", root):
            if is_new_claim(row, ego):
                key = (row["coo_iso"], int(row["year"]))
                figures.claims[key] = figures.claims.get(key, 0.0) + float(row["applied"])
        _read_visas(figures, root, ego)
    except opendata.OpenDataError:
        return figures
    _read_hosted(figures, root)
    _read_admitted(figures, root, ego)
    _read_votes(figures, root, ego)
    return figures


def _read_admitted(figures: OpenFigures, root: Path | None, ego: str) -> None:
    """People admitted by citizenship and year (graph/open-data/ircc/); only for Canada (IRCC's
    data are Canada's), and no data, never zero, when the extract is not there."""
    from mpdkg.sources import opendata

    if ego != CANADA:
        return
    try:
        rows = list(opendata.read_rows("ircc", "admissions_by_citizenship.csv", root))
    except opendata.OpenDataError:
        return
    for row in rows:
        if row["measure"] in IRCC_MEASURES:
            key = (row["citizenship_iso"], int(row["year"]))
            figures.admitted[key] = figures.admitted.get(key, 0.0) + float(row["value"])


def _read_hosted(figures: OpenFigures, root: Path | None) -> None:
    """Refugees hosted per country of asylum and year (unhcr/population_by_asylum.csv); an
    extract without that file (an older graph/) leaves the cell "no data", never zero."""
    from mpdkg.sources import opendata

    try:
        rows = list(opendata.read_rows("unhcr", "population_by_asylum.csv", root))
    except opendata.OpenDataError:
        return
    for row in rows:
        if not row["coa_iso"]:
            continue
        n = sum(row.get(k) or 0 for k in HOSTED_COLUMNS)
        key = (row["coa_iso"], int(row["year"]))
        figures.hosted[key] = figures.hosted.get(key, 0.0) + float(n)
    try:  # Palestine refugees under UNRWA's mandate, per field of operation (an older extract lacks it)
        unrwa = list(opendata.read_rows("unhcr", UNRWA_FILE, root))
    except opendata.OpenDataError:
        return
    for row in unrwa:
        if row["coa_iso"] and row["total"] is not None:
            key = (row["coa_iso"], int(row["year"]))
            figures.hosted[key] = figures.hosted.get(key, 0.0) + float(row["total"])


def _read_visas(figures: OpenFigures, root: Path | None, ego: str) -> None:
    from mpdkg.sources import opendata

    for row in opendata.read_rows("passport-index", "canada_visa_requirements.csv", root):
        openness = VISA_OPENNESS.get(row["requirement"])
        if openness is None:
            continue
        year = row["snapshot"].year
        if row["destination"] == ego:
            figures.visa_in.setdefault(year, {})[row["passport"]] = openness
            figures.visa_out.setdefault(year, {})
        elif row["passport"] == ego:
            figures.visa_out.setdefault(year, {})[row["destination"]] = openness
            figures.visa_in.setdefault(year, {})


def _read_votes(figures: OpenFigures, root: Path | None, ego: str) -> None:
    """Yearly UN General Assembly vote agreement of every state with ``ego`` (the unvotes extract)."""
    from mpdkg.rdf.opendata_unvotes import un_vote_agreement_all

    selections: tuple[tuple[dict[tuple[str, int], float], dict[str, Any]], ...] = (
        (figures.votes, {}),
        (figures.votes_hr, {"issue": "hr"}),
        (figures.votes_refugees_migration, {"topic": ("refugees", "migration")}),
    )
    for table, selection in selections:
        for iso3, years in un_vote_agreement_all(ego, root=root, **selection).items():
            for ya in years:
                table[(iso3, ya.year)] = float(ya.score)


@dataclass(frozen=True)
class LayerDef:
    id: str
    label: str
    pillars: tuple[int, ...]
    weight: float
    indicators: tuple[dict[str, str], ...]

    def as_dict(self) -> dict:
        serves = ", ".join(f"pillar {p}" for p in self.pillars)
        return {"label": self.label, "pillars": list(self.pillars), "weight": self.weight,
                "serves": serves, "indicators": list(self.indicators)}  # fmt: skip


Cell = dict[str, float | None]  # indicator id -> raw value


@dataclass
class LayerScores:
    ego: str
    years: list[int]
    definitions: dict[str, LayerDef]
    states: set[str]
    labels: dict[str, str]
    #: year -> layer -> iso3 -> score (0..1) or None
    scores: dict[int, dict[str, dict[str, float | None]]] = field(default_factory=dict)
    #: year -> layer -> iso3 -> indicator values
    raw: dict[int, dict[str, dict[str, Cell]]] = field(default_factory=dict)
    #: year -> pillar -> iso3 -> score
    pillars: dict[int, dict[int, dict[str, float | None]]] = field(default_factory=dict)
    window: int = 5
    #: the last year of the UN-vote data: later slices use the last window (lag_notes says so)
    votes_end: int | None = None
    #: the last year of the hosted-population data (UNHCR end-year stocks)
    hosted_end: int | None = None
    #: year -> the IRCC years its "admitted to Canada" cell averages (empty: no data)
    admitted_years: dict[int, list[int]] = field(default_factory=dict)
    #: year -> the UN-vote years its alignment layer averages (the latest window ending <= year)
    vote_years: dict[int, list[int]] = field(default_factory=dict)
    #: year -> flow indicator -> the years its sum covers (latest_window)
    flow_years: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    #: cells shown but not scored: the channel layer counts the same facts ([layer_cells])
    unscored: frozenset[str] = frozenset()

    def lag_notes(self, year: int) -> list[str]:
        """Sentences saying which data years a slice uses when a series ends before it."""
        notes = []
        votes = self.vote_years.get(year) or []
        if votes and votes[-1] < year:
            notes.append(
                f"Alignment in {year} uses the UN votes of {_span(votes)}, the latest available "
                f"(the vote data end in {votes[-1]}: {year - votes[-1]} years before the slice)."
            )
        flows = (self.flow_years.get(year) or {}).get("resettled_to_canada") or []
        if flows and flows[-1] < year:
            notes.append(
                f"Resettlement and asylum claims in {year} are UNHCR's of {_span(flows)}, the latest "
                f"{len(flows)} years available."
            )
        admitted = self.admitted_years.get(year) or []
        if admitted and admitted[-1] < year:
            notes.append(
                f"People admitted to Canada in {year} are the IRCC figures of {_span(admitted)}, "
                f"the latest available ({year - admitted[-1]} years before the slice)."
            )
        return notes

    @property
    def reference_year(self) -> int:
        return self.years[-1]

    def score(self, iso3: str, year: int, layer: str | None = None) -> float | None:
        return self.scores[year]["composite" if layer is None else layer].get(iso3)

    def rank(self, iso3: str, year: int, layer: str | None = None) -> int | None:
        return _ranks(self.scores[year]["composite" if layer is None else layer]).get(iso3)

    def pillar(self, iso3: str, year: int, pillar: int) -> tuple[float | None, int | None]:
        table = self.pillars.get(year, {}).get(pillar, {})
        return table.get(iso3), _ranks(table).get(iso3)

    def ranked(self, year: int, layer: str | None = None) -> list[tuple[str, float, int]]:
        table = self.scores[year]["composite" if layer is None else layer]
        ranks = _ranks(table)
        rows = [(c, float(s), ranks[c]) for c, s in table.items() if s is not None and c in ranks]
        return sorted(rows, key=lambda t: (t[2], t[0]))

    def explain(self, iso3: str, year: int) -> str:
        return explain_text(self, iso3, year)

    def as_dict(self) -> dict:
        return layers_dict(self)


def _ranks(table: dict[str, float | None]) -> dict[str, int]:
    """Ranks of the states with a score above 0: a state with nothing recorded is not ranked
    (in 1900 nobody is, rather than everybody tied first)."""
    return competition_ranks({c: s for c, s in table.items() if s is not None and s > 0}, 6)


def _log_scale(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    if top <= 0:
        return {c: 0.0 for c in values}
    return {c: math.log1p(v) / math.log1p(top) for c, v in values.items()}


def _sqrt_scale(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    return {c: (math.sqrt(max(v, 0.0) / top) if top > 0 else 0.0) for c, v in values.items()}


def _value_scale(values: dict[str, float], how: str) -> dict[str, float]:
    """A flow or stock scaled to 0..1 as ``[flows] flow_scaling`` / ``stock_scaling`` say."""
    if how == "sqrt":
        return _sqrt_scale(values)
    if how == "linear":
        return _max_scale(values)
    return _log_scale(values)


def _max_scale(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    return {c: (v / top if top > 0 else 0.0) for c, v in values.items()}


def _agreement_counts(facts: Facts, config: InfluenceConfig, year: int, kinds: frozenset[str], ego: str):
    """Per country, the agreements of these kinds it shares with the ego, in force in ``year``."""
    by_iri = facts.countries
    counts: dict[str, float] = defaultdict(float)
    for a, parties in facts.parties.items():
        ch = facts.channels.get(a)
        if ch is None or ch.kind not in kinds or not in_force(((ch.start, ch.end, None),), year, config):
            continue
        codes = {by_iri[p].iso3 for p in parties if p in by_iri}
        if ego in codes:
            for c in codes - {ego}:
                counts[c] += 1.0
    return counts


def _pillar_ties(B, config: InfluenceConfig, year: int, pillar: int | None, ego: str) -> dict[str, float]:
    G = project(B, config, pillar=pillar, year=year, ego=ego).graph
    return {n: float(G[ego][n]["weight"]) for n in G[ego]} if ego in G else {}


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


_CACHE: dict[tuple, tuple] = {}


def cached_analyse(facts: Facts, config: InfluenceConfig, year: int | None, ego: str = CANADA):
    """``analyse(facts, config, as_of=year, ego=ego)`` once per facts, weights, year and ego: the
    layers, the validity card and the peers ask for the same slices."""
    from mpdkg.influence.analysis import analyse

    key = (id(facts), config.as_json(), year, ego)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not facts:  # the facts are kept with the result: no id reuse
        if len(_CACHE) > 64:
            _CACHE.clear()
        hit = _CACHE[key] = (facts, analyse(facts, config, as_of=year, ego=ego))
    return hit[1]


def _flow(
    table: dict[tuple[str, int], float], states: set[str], year: int, n: int
) -> tuple[dict[str, float | None], list[int]]:
    """A flow summed over the window of :func:`latest_window` (the ``n`` years ending with the
    latest year of the series not after ``year``: 2021-2025 for 2026 when UNHCR ends in 2025,
    not four years of data labelled 2022-2026); None (no data) before the series begins."""
    years = latest_window(table, year, n)
    if not years:
        return {c: None for c in states}, []
    return {c: sum(table.get((c, y), 0.0) for y in years) for c in states}, years


def _stock(
    table: dict[tuple[str, int], float], states: set[str], year: int, n: int
) -> dict[str, float | None]:
    """An end-year stock averaged over the years of the window that the series covers (a state
    not listed that year hosts none); None (no data) when the window holds no year of the series."""
    covered = {y for _c, y in table}
    years = [y for y in range(year - n + 1, year + 1) if y in covered]
    if not years:
        return {c: None for c in states}
    return {c: sum(table.get((c, y), 0.0) for y in years) / len(years) for c in states}


def _admitted(
    figures: OpenFigures, states: set[str], year: int, n: int
) -> tuple[dict[str, float | None], list[int]]:
    """People admitted a year on average over the IRCC years of the slice (a state not listed in
    a year had nobody admitted, or only suppressed months); None for every state before 2015."""
    years = figures.admitted_years(year, n)
    if not years:
        return {c: None for c in states}, []
    return {c: sum(figures.admitted.get((c, y), 0.0) for y in years) / len(years) for c in states}, years


def _channel_layer(facts, config, year: int, ego: str, states_only: bool) -> dict[str, float]:
    from mpdkg.influence.analysis import analyse

    if states_only:
        result = cached_analyse(facts, config, year, ego)
    else:
        result = analyse(facts, config, as_of=year, states_only=False, ego=ego)
    return {r.iso3: float(r.score or 0.0) for r in result.ranked()}


def _year_layers(ls: LayerScores, facts, config, B, figures: OpenFigures, year: int) -> None:
    ego, states, n = ls.ego, ls.states, ls.window
    channel = _max_scale(_channel_layer(facts, config, year, ego, True))
    protection_tie = _pillar_ties(B, config, year, 5, ego)
    resettled, resettled_years = _flow(figures.resettled, states, year, n)
    claims, claims_years = _flow(figures.claims, states, year, n)
    ls.flow_years[year] = {"resettled_to_canada": resettled_years, "asylum_claims_in_canada": claims_years}
    hosted = _stock(figures.hosted, states, year, n)
    admitted, ls.admitted_years[year] = _admitted(figures, states, year, n)
    vote_years = ls.vote_years[year] = figures.vote_years(year, ALIGNMENT_WINDOW)
    mob = _agreement_counts(facts, config, year, MOBILITY_KINDS, ego)
    irr = _agreement_counts(facts, config, year, IRREGULAR_KINDS, ego)
    ls.votes_end = figures.last_vote_year()
    ls.hosted_end = max((y for _c, y in figures.hosted), default=None)
    raw: dict[str, dict[str, Cell]] = {layer: {} for layer in LAYERS}
    for c in states:
        raw["channels"][c] = {"channel_score": channel.get(c, 0.0)}
        raw["protection"][c] = {
            "resettled_to_canada": resettled[c],
            "protection_fora_tie": protection_tie.get(c, 0.0),
            "refugees_hosted": hosted[c],
        }
        raw["mobility"][c] = {
            "visa_openness": figures.visa(c, year),
            "mobility_agreements": mob.get(c, 0.0),
            "admitted_to_canada": admitted[c],
        }
        raw["irregular"][c] = {"asylum_claims_in_canada": claims[c], "irregular_agreements": irr.get(c, 0.0)}
        raw["alignment"][c] = {
            "un_vote_agreement": _mean([figures.votes.get((c, y)) for y in vote_years]),
            "un_vote_agreement_hr": _mean([figures.votes_hr.get((c, y)) for y in vote_years]),
            "un_vote_agreement_refugees_migration": _mean(
                [figures.votes_refugees_migration.get((c, y)) for y in vote_years]
            ),
        }
    has_flows = any(figures.resettled) or any(figures.claims)
    ls.raw[year] = raw
    how = (config.flow_scaling, config.stock_scaling, config.admissions_scaling)
    ls.scores[year] = {layer: _layer_score(raw[layer], has_flows, how, ls.unscored) for layer in LAYERS}
    ls.scores[year]["composite"] = _composite(ls, ls.scores[year], LAYERS)


def _layer_score(
    cells: dict[str, Cell],
    has_flows: bool,
    how: tuple[str, ...] = ("log", "log", "log"),
    unscored: frozenset[str] = frozenset(),
) -> dict[str, float | None]:
    """Each indicator scaled to 0..1 among the states (flows and stocks as ``how`` = (flow
    scaling, stock scaling) says, others divided by the largest), then averaged; an indicator
    with no value (no snapshot, no votes) is left out, not counted as zero, and so is one in
    ``unscored`` (``[layer_cells] counted_in_channels``: the channel layer counts it already)."""
    ids = sorted({k for cell in cells.values() for k in cell} - unscored)
    scaled: dict[str, dict[str, float]] = {}
    for k in ids:
        if k in FLOW_INDICATORS and not has_flows:
            continue
        values = {c: float(v) for c, cell in cells.items() if (v := cell.get(k)) is not None}
        if not values:
            continue
        if k in ADMISSION_INDICATORS:
            scaled[k] = _value_scale(values, how[2] if len(how) > 2 else how[0])
        elif k in FLOW_INDICATORS:
            scaled[k] = _value_scale(values, how[0])
        elif k in STOCK_INDICATORS:
            scaled[k] = _value_scale(values, how[1])
        else:
            scaled[k] = _max_scale(values)
    return {c: _mean([scaled[k].get(c) for k in scaled]) for c in cells}


def _composite(ls: LayerScores, year_scores: dict, layers: tuple[str, ...]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for c in ls.states:
        parts = [(ls.definitions[layer].weight, year_scores[layer].get(c)) for layer in layers]
        parts = [(w, s) for w, s in parts if s is not None and w > 0]
        total = sum(w for w, _ in parts)
        out[c] = round(sum(w * s for w, s in parts) / total, 6) if total > 0 else None
    return out


def _pillar_composites(ls: LayerScores, B, config: InfluenceConfig, year: int) -> None:
    """Per pillar: the layers serving it, with the channel layer replaced by the tie to the ego
    through the channels of that pillar (a pillar's network is too sparse for centralities)."""
    ls.pillars[year] = {}
    for p in range(1, 7):
        ties = _max_scale(
            {c: v for c, v in _pillar_ties(B, config, year, p, ls.ego).items() if c in ls.states}
        )
        scores = {layer: ls.scores[year][layer] for layer in LAYERS if p in LAYER_PILLARS[layer]}
        scores["channels"] = {c: ties.get(c, 0.0) for c in ls.states}
        ls.pillars[year][p] = _composite(ls, scores, tuple(scores))


def layer_scores(
    facts: Facts,
    config: InfluenceConfig | None = None,
    *,
    ego: str = CANADA,
    years: list[int] | None = None,
    figures: OpenFigures | None = None,
    states: set[str] | None = None,
) -> LayerScores:
    """Layer scores, ranks and composites for ``years`` (default: every five years from 2000 and
    the reference year, the years of the maps); pillar composites for the reference year (six
    more projections a year would triple the time of the analysis)."""
    from mpdkg.influence.analysis import sovereign_states

    config = config or InfluenceConfig.load()
    known = {i["id"] for cells in INDICATORS.values() for i in cells} - {"channel_score"}
    unknown = sorted(set(config.counted_in_channels) - known)
    if unknown:
        from mpdkg.influence.config import ConfigError

        raise ConfigError(
            f"{config.source}: layer_cells.counted_in_channels: unknown cell {unknown[0]!r}; "
            f"expected some of {', '.join(sorted(known))}"
        )
    ref = facts.reference_year() or 2025
    years = sorted(set(years or [y for y in range(2000, ref, 5)] + [ref]))
    states = set(states or sovereign_states(facts) or {c.iso3 for c in facts.countries.values()})
    states.discard(ego)
    definitions = {
        layer: LayerDef(layer, LAYER_LABELS[layer], LAYER_PILLARS[layer], config.layers.get(layer, 0.0),
                        tuple(INDICATORS[layer]))
        for layer in LAYERS
    }  # fmt: skip
    labels = {c.iso3: c.label for c in facts.countries.values()}
    ls = LayerScores(ego, years, definitions, states, labels, window=config.flow_window,
                     unscored=frozenset(config.counted_in_channels))  # fmt: skip
    figures = figures if figures is not None else read_open_figures(ego=ego)
    B = channel_network(facts, config)
    for year in years:
        _year_layers(ls, facts, config, B, figures, year)
    _pillar_composites(ls, B, config, years[-1])
    return ls


def _span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else f"{years[0]}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _figure(
    k: str,
    v: float | None,
    window: int,
    year: int,
    stock_end: int | None = None,
    years: list[int] | None = None,
) -> str:
    if v is None:
        return "no data"
    if k in ADMISSION_INDICATORS and years:
        return f"{v:,.0f} a year on average ({_span(years)})"
    if k in FLOW_INDICATORS:
        return f"{v:,.0f} ({_span(years)})" if years else f"{v:,.0f} ({year - window + 1}–{year})"
    if k in STOCK_INDICATORS:
        last = min(year, stock_end) if stock_end is not None else year
        first = year - window + 1
        return f"{v:,.0f} a year on average ({first}–{last})" if first < last else f"{v:,.0f} ({last})"
    return f"{v:.3g}"


def explain_text(ls: LayerScores, iso3: str, year: int) -> str:
    """The rank of a country explained layer by layer, with the numbers behind each layer."""
    name = ls.labels.get(iso3, iso3)
    score, rank = ls.score(iso3, year), ls.rank(iso3, year)
    total = sum(1 for s in ls.scores[year]["composite"].values() if s is not None)
    if score is None or rank is None:
        return f"{name}: nothing recorded with {ls.ego} in {year} (not ranked)."
    parts = [f"{name} ranks {_ordinal(rank)} of {total} states in {year} (composite {score:.3f})."]
    for layer in LAYERS:
        s, r = ls.score(iso3, year, layer), ls.rank(iso3, year, layer)
        figures = "; ".join(
            f"{ind['label']}: "
            f"{_figure(ind['id'], ls.raw[year][layer][iso3].get(ind['id']), ls.window, year, ls.hosted_end, ls.flow_years.get(year, {}).get(ind['id'], ls.admitted_years.get(year)))}"
            + (" (not scored here: the channel layer counts it)" if ind["id"] in ls.unscored else "")
            for ind in ls.definitions[layer].indicators
        )
        head = (
            "no data" if s is None else f"{s:.3f} (#{r})" if r is not None else f"{s:.3f} (not ranked: zero)"
        )
        votes = ls.vote_years.get(year) or []
        if layer == "alignment" and s is None and ls.votes_end is not None and year > ls.votes_end:
            head = f"no data (the UN-vote data end in {ls.votes_end}; left out of the composite)"
        elif layer == "alignment" and votes and votes[-1] < year:
            head += f", UN votes of {_span(votes)}, the latest available ({year - votes[-1]}-year lag)"
        parts.append(f"{ls.definitions[layer].label}: {head} — {figures}.")
    return " ".join(parts)


def _r(v: float | None) -> float | None:
    return None if v is None else round(float(v), 6)


def _definition(d: LayerDef, unscored: frozenset[str]) -> dict:
    """A layer's definition for the JSON and the report's methods box; a cell shown but not
    scored ([layer_cells] counted_in_channels) says so in its label and ``scored``."""
    out = d.as_dict()
    out["indicators"] = [
        {**i, "scored": False, "label": f"{i['label']} (shown, not scored: the channel layer counts it)"}
        if i["id"] in unscored else {**i, "scored": True}
        for i in out["indicators"]
    ]  # fmt: skip
    return out


def layers_dict(ls: LayerScores) -> dict:
    """The ``layers`` key of dist/influence.json (docs/influence.md, section 9, describes it)."""
    by_year: dict[str, dict] = {}
    for y in ls.years:
        ranks = {layer: _ranks(ls.scores[y][layer]) for layer in (*LAYERS, "composite")}
        pranks = {p: _ranks(t) for p, t in ls.pillars.get(y, {}).items()}
        by_year[str(y)] = {
            c: {
                "composite": {"score": _r(ls.scores[y]["composite"].get(c)), "rank": ranks["composite"].get(c)},
                "layers": {
                    layer: {"score": _r(ls.scores[y][layer].get(c)), "rank": ranks[layer].get(c),
                            "indicators": {k: _r(v) for k, v in ls.raw[y][layer][c].items()}}
                    for layer in LAYERS
                },
                "pillars": {str(p): {"score": _r(t.get(c)), "rank": pranks[p].get(c)}
                            for p, t in ls.pillars.get(y, {}).items()},
                "explanation": explain_text(ls, c, y) if y == ls.reference_year else "",
            }
            for c in sorted(ls.states)
        }  # fmt: skip
    return {
        "ego": ls.ego,
        "years": ls.years,
        "reference_year": ls.reference_year,
        "window_years": ls.window,
        "definitions": {layer: _definition(d, ls.unscored) for layer, d in ls.definitions.items()},
        "composite": {
            "weights": {layer: d.weight for layer, d in ls.definitions.items()},
            "method": " ".join([COMPOSITE_METHOD, *ls.lag_notes(ls.reference_year)]),
        },
        "data_years": {
            str(y): {
                "alignment": ls.vote_years.get(y, []),
                "admitted_to_canada": ls.admitted_years.get(y, []),
                **{k: v for k, v in (ls.flow_years.get(y) or {}).items()},
            }
            for y in ls.years
        },
        "by_year": by_year,
    }


COMPOSITE_METHOD = (
    "Each indicator is scaled to 0..1 among the states of the year (flows and the refugees hosted as "
    "influence_weights.toml [flows] says, log(1+x)/log(1+max) by default, flows summed and stocks "
    "averaged over the window; "
    "counts and ties divided by the largest); a layer is the mean of its indicators that have data; "
    "the composite is the weighted mean of the layers that have data for the country, with the "
    "weights of influence_weights.toml [layers] divided by the sum of the weights used."
)

__all__ = ["LAYERS", "LayerScores", "OpenFigures", "layer_scores", "read_open_figures"]
