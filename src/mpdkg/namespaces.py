"""The IRIs of mpdkg: our ontology namespace, the instance IRI scheme and the named graphs.

Instance IRIs are readable and stable: they are built from curated ids (ISO codes, forum and
agreement ids), never from row numbers, so an IRI survives reordering of the source files.

>>> country_iri("CAN")
rdflib.term.URIRef('https://w3id.org/mpdkg/country/CAN')
>>> str(MPD.Forum)
'https://w3id.org/mpdkg/ontology#Forum'
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/mpdkg/"
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")


class MPD(DefinedNamespace):
    """The mpdkg ontology terms; a misspelt term raises AttributeError."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    Objective: URIRef
    Pillar: URIRef
    LineOfEffort: URIRef
    Actor: URIRef
    Country: URIRef
    Region: URIRef
    Forum: URIRef
    MemberCount: URIRef
    Membership: URIRef
    Agreement: URIRef
    MobilityArrangement: URIRef
    ProtectionAgreement: URIRef
    Engagement: URIRef
    EngagementKind: URIRef
    Source: URIRef
    RoleScheme: URIRef
    EngagementKindScheme: URIRef
    # properties
    advancesObjective: URIRef
    partOfPillar: URIRef
    hasLineOfEffort: URIRef
    number: URIRef
    servesPillar: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef
    iso3166Numeric: URIRef
    officialName: URIRef
    m49Code: URIRef
    inRegion: URIRef
    inSubregion: URIRef
    inIntermediateRegion: URIRef
    establishedIn: URIRef
    endedIn: URIRef
    membersComplete: URIRef
    memberListSource: URIRef
    memberListAsOf: URIRef
    statedMemberCount: URIRef
    count: URIRef
    countedRole: URIRef
    homepage: URIRef
    attestedOn: URIRef
    startYear: URIRef
    endYear: URIRef
    memberOf: URIRef
    party: URIRef
    partyTo: URIRef
    signedOn: URIRef
    inForceFrom: URIRef
    terminatedOn: URIRef
    amends: URIRef
    engagementKind: URIRef
    actor: URIRef
    through: URIRef
    partner: URIRef
    during: URIRef
    accessedOn: URIRef
    quote: URIRef
    note: URIRef
    # analysis and inference vocabulary (filled by later stages)
    InfluenceAssessment: URIRef
    MobilityPartner: URIRef
    ProtectionPartner: URIRef
    MultiChannelPartner: URIRef


class GRAPHS:
    """Named graphs of the build (TriG)."""

    ontology = URIRef(BASE + "graph/ontology")
    curated = URIRef(BASE + "graph/curated")
    inferred = URIRef(BASE + "graph/inferred")
    analysis = URIRef(BASE + "graph/analysis")


DATASET = URIRef(BASE + "dataset")
ONTOLOGY = URIRef(BASE + "ontology")

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A lowercase, hyphenated form of a name, for IRIs of regions."""
    return _SLUG.sub("-", text.lower()).strip("-")


def country_iri(alpha3: str) -> URIRef:
    return URIRef(f"{BASE}country/{alpha3}")


def region_iri(name: str) -> URIRef:
    return URIRef(f"{BASE}region/{slug(name)}")


def forum_iri(forum_id: str) -> URIRef:
    return URIRef(f"{BASE}forum/{forum_id}")


def agreement_iri(agreement_id: str) -> URIRef:
    return URIRef(f"{BASE}agreement/{agreement_id}")


def engagement_iri(engagement_id: str) -> URIRef:
    return URIRef(f"{BASE}engagement/{engagement_id}")


def source_iri(source_id: str) -> URIRef:
    return URIRef(f"{BASE}source/{source_id}")


def objective_iri(number: int) -> URIRef:
    return URIRef(f"{BASE}objective/{number}")


def pillar_iri(number: int) -> URIRef:
    return URIRef(f"{BASE}pillar/{number}")


def line_of_effort_iri(pillar: int, number: int) -> URIRef:
    return URIRef(f"{BASE}line-of-effort/{pillar}.{number}")


def role_iri(role: str) -> URIRef:
    return URIRef(f"{BASE}role/{role}")


def engagement_kind_iri(kind: str) -> URIRef:
    return URIRef(f"{BASE}engagement-kind/{kind}")


def membership_iri(forum_id: str, member: str, role: str, ordinal: int = 1) -> URIRef:
    suffix = "" if ordinal == 1 else f"-{ordinal}"
    return URIRef(f"{BASE}membership/{forum_id}/{member}/{role}{suffix}")


def actor_iri(ref: str) -> URIRef:
    """A member or party reference: an ISO alpha-3 code (upper case) or a forum id."""
    return country_iri(ref) if ref.isupper() else forum_iri(ref)


SPARQL_PREFIXES = (
    "\n".join(
        f"PREFIX {prefix}: <{iri}>"
        for prefix, iri in (
            ("mpd", BASE + "ontology#"),
            ("org", "http://www.w3.org/ns/org#"),
            ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
            ("skos", "http://www.w3.org/2004/02/skos/core#"),
            ("prov", "http://www.w3.org/ns/prov#"),
            ("time", "http://www.w3.org/2006/time#"),
            ("dcterms", "http://purl.org/dc/terms/"),
            ("schema", "https://schema.org/"),
            ("role", BASE + "role/"),
            ("country", BASE + "country/"),
            ("forum", BASE + "forum/"),
        )
    )
    + "\n"
)
"""The prologue for SPARQL written in the library (the catalogue files carry their own)."""
