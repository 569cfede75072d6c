"""Does the channel score mean anything? The validity card of the influence analysis.

1. **Prediction, out of sample by year.** The channel score of year Y (computed from facts in
   force in Y only) against outcomes after Y that the score does not contain: refugees resettled
   to Canada in Y+1..Y+5 (UNHCR), new agreements with Canada starting in Y+1..Y+5 (curated),
   agreement with Canada in UN votes in Y+1..Y+5 (Voeten; the data end in 2020).
   Spearman's rho with a percentile bootstrap interval over states (seeded).
2. **Sensitivity.** Kendall's tau between the ranking and the rankings with each score weight
   raised and lowered by 25 %, and between the three size scalings (pairs, log, none).
3. **Null model.** The two-mode network rewired with degrees kept (curveball trades between
   countries' channel sets: every country keeps its number of channels, every channel its
   size), ``draws`` times, seeded; each country's direct tie to Canada against the null gives a
   z-score; |z| >= 2 is called meaningful.

>>> round(spearman_ci([1, 2, 3, 4], [1, 2, 3, 4], draws=50, seed=1)[0], 3)
1.0
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import stats

from mpdkg.influence.config import MEASURES, InfluenceConfig
from mpdkg.influence.network import CANADA, Facts, channel_network, in_force

HORIZON = 5
SCORE_YEARS = (2005, 2010, 2015)
NULL_DRAWS = 100
BOOTSTRAP = 1000
Z_MEANINGFUL = 2.0


def spearman_ci(x, y, draws: int = BOOTSTRAP, seed: int = 0) -> tuple[float, float, float]:
    """Spearman's rho and a 95 % percentile bootstrap interval (resampling pairs, vectorised)."""
    a, b = np.asarray(x, float), np.asarray(y, float)
    rho = float(stats.spearmanr(a, b).statistic)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(draws, len(a)))
    ra = stats.rankdata(a[idx], axis=1)
    rb = stats.rankdata(b[idx], axis=1)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    den = np.sqrt((ra**2).sum(axis=1) * (rb**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = (ra * rb).sum(axis=1) / den
    boot = boot[np.isfinite(boot)]
    lo, hi = np.percentile(boot, [2.5, 97.5]) if len(boot) else (np.nan, np.nan)
    return rho, float(lo), float(hi)


def _new_agreements(facts: Facts, after: int, horizon: int, ego: str) -> dict[str, float]:
    by_iri = facts.countries
    out: dict[str, float] = defaultdict(float)
    for a, parties in facts.parties.items():
        ch = facts.channels.get(a)
        if ch is None or ch.start is None or not after < ch.start <= after + horizon:
            continue
        codes = {by_iri[p].iso3 for p in parties if p in by_iri}
        if ego in codes:
            for c in codes - {ego}:
                out[c] += 1
    return out


def _outcomes(facts, figures, year: int, ego: str) -> dict[str, dict[str, float]]:
    later = range(year + 1, year + HORIZON + 1)
    resettled: dict[str, float] = defaultdict(float)
    for (c, y), v in figures.resettled.items():
        if y in later:
            resettled[c] += v
    votes: dict[str, list[float]] = defaultdict(list)
    for (c, y), v in figures.votes.items():
        if y in later:
            votes[c].append(v)
    return {
        "resettlement": dict(resettled),
        "new_agreements": _new_agreements(facts, year, HORIZON, ego),
        "un_alignment": {c: sum(v) / len(v) for c, v in votes.items() if v},
    }


OUTCOME_LABELS = {
    "resettlement": f"refugees resettled to Canada in the {HORIZON} years after (UNHCR)",
    "new_agreements": f"new agreements with Canada starting in the {HORIZON} years after (curated)",
    "un_alignment": f"agreement with Canada in UN votes in the {HORIZON} years after (Voeten)",
}


def predictive(facts, config, figures, states: set[str], ego: str, seed: int) -> list[dict]:
    """The channel score of each of :data:`SCORE_YEARS` against the later outcomes."""
    from mpdkg.influence.layers import cached_analyse

    def score(year: int) -> dict[str, float]:
        return {r.iso3: float(r.score or 0.0) for r in cached_analyse(facts, config, year, ego).ranked()}

    return _predict(score, facts, figures, states, ego, seed)


#: which outcome each layer of the composite already contains in part (the past of the same
#: series): for these, a correlation is partly persistence, not prediction
COMPOSITE_OVERLAP = {
    "resettlement": "the protection layer holds resettlement in Y-4..Y",
    "un_alignment": "the alignment layer holds UN votes in Y-2..Y",
    "new_agreements": "",
}


def composite_predictive(
    layers: dict | None, facts, figures, states: set[str], ego: str, seed: int
) -> list[dict]:
    """The composite of the layers (``layers`` as in dist/influence.json) of each score year
    against the same later outcomes; a year the layers do not hold is left out."""
    by_year = (layers or {}).get("by_year", {})

    def score(year: int) -> dict[str, float]:
        table = by_year.get(str(year), {})
        return {c: float(v["composite"]["score"] or 0.0) for c, v in table.items()}

    years = tuple(y for y in SCORE_YEARS if str(y) in by_year)
    rows = _predict(score, facts, figures, states, ego, seed, years)
    for row in rows:
        if COMPOSITE_OVERLAP.get(row["outcome"]):
            row["overlap"] = COMPOSITE_OVERLAP[row["outcome"]]
    return rows


def _predict(
    score_of, facts, figures, states: set[str], ego: str, seed: int, years=SCORE_YEARS
) -> list[dict]:
    rows = []
    for year in years:
        score = score_of(year)
        for outcome, values in _outcomes(facts, figures, year, ego).items():
            pool = sorted(states) if outcome != "un_alignment" else sorted(set(values) & states)
            if len(pool) < 10 or not any(values.get(c) for c in pool):
                rows.append({"outcome": outcome, "label": OUTCOME_LABELS[outcome], "score_year": year,
                             "outcome_years": [year + 1, year + HORIZON], "rho": None, "ci": None,
                             "n": len(pool), "note": "no outcome data for these years"})  # fmt: skip
                continue
            rho, lo, hi = spearman_ci([score.get(c, 0.0) for c in pool], [values.get(c, 0.0) for c in pool],
                                      seed=seed + year)  # fmt: skip
            rows.append({"outcome": outcome, "label": OUTCOME_LABELS[outcome], "score_year": year,
                         "outcome_years": [year + 1, year + HORIZON], "rho": _finite(rho),
                         "ci": [_finite(lo), _finite(hi)], "n": len(pool)})  # fmt: skip
    return rows


def _finite(x: float) -> float | None:
    """Rounded, or None for NaN (a constant score or outcome has no rank correlation)."""
    return round(float(x), 3) if np.isfinite(x) else None


def _rescore(result, weights: dict[str, float]) -> dict[str, float]:
    rows = result.ranked()
    top = {m: max((r.measures[m] or 0.0 for r in rows), default=0.0) for m in MEASURES}
    return {
        r.iso3: sum(weights[m] * ((r.measures[m] or 0.0) / top[m] if top[m] else 0.0) for m in MEASURES)
        for r in rows
    }


def _tau(a: dict[str, float], b: dict[str, float]) -> float:
    keys = sorted(set(a) & set(b))
    if len(keys) < 2:
        return 1.0
    tau = float(stats.kendalltau([a[k] for k in keys], [b[k] for k in keys]).statistic)
    return round(tau, 3) if np.isfinite(tau) else 1.0


def sensitivity(facts, config: InfluenceConfig, ego: str) -> dict:
    from dataclasses import replace

    from mpdkg.influence.layers import cached_analyse

    result = cached_analyse(facts, config, None, ego)
    base = _rescore(result, config.score)
    taus: list[dict[str, str | float]] = []
    values: list[float] = []
    for m in MEASURES:
        for factor in (0.75, 1.25):
            weights = dict(config.score, **{m: config.score[m] * factor})
            values.append(_tau(base, _rescore(result, weights)))
            taus.append({"measure": m, "factor": factor, "tau": values[-1]})
    scaled = {s: {r.iso3: float(r.score or 0.0) for r in cached_analyse(facts, replace(config, scaling=s), None, ego).ranked()}
              for s in ("pairs", "log", "none")}  # fmt: skip
    return {
        "weights": {"perturbations": taus, "tau_min": min(values), "tau_median": float(np.median(values))},
        "size_scaling": {
            f"{a}~{b}": _tau(scaled[a], scaled[b])
            for a, b in (("pairs", "log"), ("pairs", "none"), ("log", "none"))
        },  # fmt: skip
    }


@dataclass
class Incidence:
    countries: list[str]
    channels: list[str]
    sets: list[set[int]]  # per country, the channel indices
    base: np.ndarray  # per channel, kind weight x size factor


def incidence(facts: Facts, config: InfluenceConfig, year: int) -> Incidence:
    """Countries x channels (fora and agreements) in force in ``year``; engagements left out."""
    B = channel_network(facts, config)
    members: dict[str, set[str]] = defaultdict(set)
    for u, v, _k, d in B.graph["edges"]:
        if d["relation"] != "engagement" and in_force(d["periods"], year, config):
            members[v].add(B.nodes[u]["iso3"])
    channels = sorted(c for c, m in members.items() if len(m) >= 2)
    countries = sorted({c for ch in channels for c in members[ch]})
    pos = {c: i for i, c in enumerate(countries)}
    sets: list[set[int]] = [set() for _ in countries]
    base = np.zeros(len(channels))
    for j, ch in enumerate(channels):
        info = B.nodes[ch]
        kind = (
            config.forum_weight(info["kind"])
            if info["type"] == "forum"
            else config.agreement_weight(info["kind"])
        )
        base[j] = kind * config.size_factor(len(members[ch]))
        for c in members[ch]:
            sets[pos[c]].add(j)
    return Incidence(countries, channels, sets, base)


def _ties(inc: Incidence, sets: list[set[int]], ego: int) -> np.ndarray:
    M = np.zeros((len(sets), len(inc.channels)))
    for i, s in enumerate(sets):
        M[i, list(s)] = 1.0
    t = M @ (inc.base * M[ego])
    t[ego] = 0.0
    return t


def _curveball(sets: list[set[int]], rng: random.Random, trades: int) -> list[set[int]]:
    sets = [set(s) for s in sets]
    n = len(sets)
    if n < 2:
        return sets
    for _ in range(trades):
        a, b = rng.sample(range(n), 2)
        only_a, only_b = sets[a] - sets[b], sets[b] - sets[a]
        if not only_a or not only_b:
            continue
        pool = sorted(only_a | only_b)
        rng.shuffle(pool)
        shared = sets[a] & sets[b]
        sets[a] = shared | set(pool[: len(only_a)])
        sets[b] = shared | set(pool[len(only_a) :])
    return sets


def null_model(facts, config, year: int, ego: str, states: set[str], draws: int, seed: int) -> dict:
    inc = incidence(facts, config, year)
    if ego not in inc.countries:
        return {"draws": 0, "seed": seed, "countries": {}, "meaningful": 0}
    e = inc.countries.index(ego)
    observed = _ties(inc, inc.sets, e)
    rng = random.Random(seed)
    null = np.array([_ties(inc, _curveball(inc.sets, rng, 5 * len(inc.sets)), e) for _ in range(draws)])
    mean, sd = null.mean(axis=0), null.std(axis=0, ddof=1)
    out = {}
    for i, c in enumerate(inc.countries):
        if c == ego or c not in states:
            continue
        z = (observed[i] - mean[i]) / sd[i] if sd[i] > 0 else 0.0
        out[c] = {"observed": round(float(observed[i]), 6), "mean": round(float(mean[i]), 6),
                  "sd": round(float(sd[i]), 6), "z": round(float(z), 2), "meaningful": bool(abs(z) >= Z_MEANINGFUL)}  # fmt: skip
    return {"draws": draws, "seed": seed, "year": year, "method": NULL_METHOD, "countries": out,
            "meaningful": sum(1 for v in out.values() if v["meaningful"] and v["z"] > 0)}  # fmt: skip


NULL_METHOD = (
    "Curveball rewiring of the country x channel incidence of the year (fora and agreements in force; "
    "engagements and roles left out), 5 trades per country per draw: every country keeps its number of "
    "channels and every channel its size. Statistic: the direct tie to the ego (sum over shared channels "
    "of kind weight x size factor). z = (observed - null mean) / null sd."
)

LIMITS = [
    "The outcomes are few and coarse: resettlement to Canada is counted by refugees' country of origin, "
    "so hosting states such as Jordan, Lebanon or Türkiye get no credit for the refugees resettled from "
    "their territory; UNHCR has no 'country of departure' in the vendored extract.",
    "New agreements are those the curated graph records; a graph curated from Canada's side knows "
    "Canada's agreements best, so the outcome is not independent of curation effort.",
    "UN vote data end in 2020 (Voeten via unvotes): the alignment outcome stops there, and later years' "
    "alignment layer uses the votes of 2018–2020, the latest available (a lag of six years in 2026).",
    "The null model keeps degrees but not the kind or role of channels, and ignores Canada's engagements; "
    "a high z says the tie is larger than chance co-membership would give, not that it causes anything.",
    "Correlation across states is not influence: large, rich, nearby states score high on every measure.",
]


def validity_card(facts: Facts, config: InfluenceConfig, figures, states: set[str], *, ego: str = CANADA,
                  draws: int = NULL_DRAWS, layers: dict | None = None) -> dict:  # fmt: skip
    """The ``validity`` key of dist/influence.json; with ``layers``, also the composite's
    prediction (``composite_predictive``)."""
    year = facts.reference_year() or 2025
    return {
        "predictive": predictive(facts, config, figures, states, ego, config.seed),
        **(
            {"composite_predictive": composite_predictive(layers, facts, figures, states, ego, config.seed)}
            if layers is not None
            else {}
        ),  # fmt: skip
        "sensitivity": sensitivity(facts, config, ego),
        "null_model": null_model(facts, config, year, ego, states, draws, config.seed),
        "limits": LIMITS,
    }


__all__ = ["spearman_ci", "validity_card", "null_model", "sensitivity", "predictive", "composite_predictive"]
