"""IRCC's admissions and permits to Canada by country of citizenship (graph/open-data/ircc/,
issue #16) as W3C Data Cube observations in the named graph ``graph/open-data/ircc``.

One ``qb:Observation`` per row of ``admissions_by_citizenship.csv`` (year, country of citizenship,
measure), in the data set ``open-data/ircc/admissions-by-citizenship``, with the dimensions the
UNHCR observations have — ``mpd:refYear``, ``mpd:origin`` (here the country of citizenship) and
``mpd:asylumCountry`` (the destination: Canada) — the measure dimension, the unit (persons) and
two attributes: the months IRCC reported a count and the months it suppressed (0 to 5 people; the
yearly value is then a lower bound).

>>> sorted(MEASURES)
['pr_admissions', 'study_permits', 'work_permits_imp', 'work_permits_tfwp']
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from mpdkg.namespaces import BASE
from mpdkg.rdf.opendata_base import (
    DERIVED,
    IN_DATASET,
    MEASURE_TYPE,
    OBSERVATION,
    OPEN,
    TYPE,
    UNIT_MEASURE,
    Emitter,
    N,
    curated_countries,
    data_set,
    int_lit,
    mpd,
    release_node,
    unit_iri,
)
from mpdkg.sources import opendata

GRAPH_IRCC = BASE + "graph/open-data/ircc"
FILE = "admissions_by_citizenship.csv"
DATA_SET = "ircc/admissions-by-citizenship"
#: measure of the extract -> measure property (ontology/opendata.ttl)
MEASURES = {
    "pr_admissions": "permanentResidentAdmissions",
    "study_permits": "studyPermitHolders",
    "work_permits_imp": "imWorkPermitHolders",
    "work_permits_tfwp": "tfwWorkPermitHolders",
}
DESTINATION = "CAN"


def ircc_quads(root: Path | None = None, countries: frozenset[str] | None = None) -> list[ox.Quad]:
    """Every row of the IRCC extract as one observation (Canada as destination)."""
    ds = opendata.dataset("ircc", root)
    em = Emitter(N(GRAPH_IRCC), countries if countries is not None else curated_countries())
    release = release_node(em, ds)
    cube = data_set(
        em,
        release,
        DATA_SET,
        "IRCC: permanent residents admitted to Canada, and study and work permits that became "
        "effective, by country of citizenship and calendar year (sum of IRCC's monthly counts)",
        ["refYear", "origin", "asylumCountry", "qb:measureType"],
        list(MEASURES.values()),
    )
    canada = em.place(DESTINATION)
    persons = unit_iri("persons")
    for row in opendata.read_rows("ircc", FILE, root):
        if row["measure"] not in MEASURES:
            raise opendata.OpenDataError(f"ircc/{FILE}: unknown measure {row['measure']!r}")
        measure = MEASURES[row["measure"]]
        obs = N(f"{OPEN}{DATA_SET}/{row['year']}/{row['citizenship_iso']}/{measure}")
        em.add(obs, TYPE, OBSERVATION)
        em.add(obs, IN_DATASET, cube)
        em.add(obs, mpd("refYear"), int_lit(row["year"]))
        em.add(obs, mpd("origin"), em.place(row["citizenship_iso"], row["citizenship_name"]))
        em.add(obs, mpd("asylumCountry"), canada)
        em.add(obs, MEASURE_TYPE, mpd(measure))
        em.add(obs, mpd(measure), int_lit(row["value"]))
        em.add(obs, mpd("monthsReported"), int_lit(row["months_reported"]))
        em.add(obs, mpd("monthsSuppressed"), int_lit(row["months_suppressed"]))
        em.add(obs, UNIT_MEASURE, persons)
        em.add(obs, DERIVED, release)
    return em.finish()
