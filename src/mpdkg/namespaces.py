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
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDFS, SKOS, TIME, XSD, DefinedNamespace

BASE = "https://w3id.org/mpdkg/"
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
#: The ontology namespace, open: terms that the closed ``MPD`` does not list (analysis terms and
#: the like) are made from it; a typo there is caught by the ontology check of queries and SHACL.
ONTOLOGY_NS = Namespace(BASE + "ontology#")


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
    # source kinds and visa policies (sources, #19)
    SourceKind: URIRef
    SourceKindScheme: URIRef
    VisaPolicy: URIRef
    sourceKind: URIRef
    readFrom: URIRef
    policyNationality: URIRef
    policyDestination: URIRef
    policyCategory: URIRef
    inEffectDuring: URIRef
    scope: URIRef
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


#: The one table of prefixes: the dumps' Turtle and JSON-LD, the result writers, and (with the W3C
#: extras of :func:`mpdkg.query.parse.query_prefixes`) every query.
PREFIXES = {
    "mpd": MPD._NS,
    "org": ORG,
    "time": TIME,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "wd": WD,
    "owl": OWL,
    "rdfs": RDFS,
    "xsd": XSD,
    "vann": "http://purl.org/vocab/vann/",
    "country": BASE + "country/",
    "forum": BASE + "forum/",
    "agreement": BASE + "agreement/",
    "membership": BASE + "membership/",
    "engagement": BASE + "engagement/",
    "source": BASE + "source/",
    "pillar": BASE + "pillar/",
    "region": BASE + "region/",
    "role": BASE + "role/",
}

_LIBRARY_PREFIXES = (
    "mpd",
    "org",
    "rdfs",
    "skos",
    "prov",
    "time",
    "dcterms",
    "schema",
    "role",
    "country",
    "forum",
)
SPARQL_PREFIXES = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in _LIBRARY_PREFIXES) + "\n"
"""The prologue for SPARQL written in the library (the catalogue files carry their own)."""
