"""What changed between two builds, in a curator's words.

Builds are compared on their stable IRIs: each curated fact (country, forum, membership,
agreement, engagement, source ...) becomes a record of readable fields, with the parts that
belong to it (a membership's interval and its dates) folded in. Ordering and blank nodes cannot
produce false differences, and derived values (start and end years) are not reported twice.

>>> from rdflib import Dataset
>>> diff_datasets(Dataset(), Dataset()).is_empty()
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME

from mpdkg.errors import UsageError
from mpdkg.namespaces import BASE, GRAPHS, MPD, SCHEMA

FACT_CLASSES = {
    MPD.Objective: "objective",
    MPD.Pillar: "pillar",
    MPD.LineOfEffort: "line of effort",
    MPD.Country: "country",
    MPD.Region: "region",
    MPD.Forum: "forum",
    MPD.Membership: "membership",
    MPD.Agreement: "agreement",
    MPD.Engagement: "engagement",
    MPD.Source: "source",
}
FIELD_NAMES = {
    RDFS.label: "label",
    SKOS.altLabel: "other names",
    ORG.member: "member",
    ORG.organization: "forum",
    ORG.role: "role",
    MPD.attestedOn: "as of",
    MPD.party: "parties",
    MPD.signedOn: "signed",
    MPD.inForceFrom: "in force",
    MPD.terminatedOn: "ended",
    MPD.servesPillar: "pillars",
    MPD.accessedOn: "accessed",
    SCHEMA.url: "address",
    DCTERMS.title: "title",
    DCTERMS.publisher: "publisher",
    PROV.wasDerivedFrom: "sources",
    MPD.membersComplete: "member list complete",
    MPD.establishedIn: "established",
    MPD.endedIn: "ended",
    MPD.engagementKind: "kind",
    MPD.through: "through",
    MPD.partner: "partners",
    MPD.actor: "actor",
    MPD.amends: "amends",
}
DERIVED = {MPD.startYear, MPD.endYear, ORG.memberDuring, MPD.during, MPD.statedMemberCount}
DATES = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear)


def _short(term) -> str:
    text = str(term)
    return text[len(BASE) :] if text.startswith(BASE) else text


@dataclass
class Change:
    kind: str  # added, removed, changed
    entity_type: str
    entity: str
    label: str
    fields: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # name -> {"from": [...], "to": [...]}

    def sentence(self) -> str:
        head = f"{self.entity_type} `{_short(self.entity)}`" + (f" ({self.label})" if self.label else "")
        if self.kind != "changed":
            return f"{self.kind}: {head}"
        parts = []
        for name, values in self.fields.items():
            old = ", ".join(values["from"]) or "—"
            new = ", ".join(values["to"]) or "—"
            parts.append(f"{name} {old} → {new}")
        return f"changed: {head}: " + "; ".join(parts)


@dataclass
class Diff:
    changes: list[Change]

    def is_empty(self) -> bool:
        return not self.changes

    def to_json(self) -> str:
        data = [
            {
                "change": c.kind,
                "type": c.entity_type,
                "entity": c.entity,
                "label": c.label,
                "fields": c.fields,
            }
            for c in self.changes
        ]
        return (
            json.dumps({"changes": data, "count": len(data)}, indent=1, ensure_ascii=False, sort_keys=True)
            + "\n"
        )

    def to_markdown(self, old_name: str = "old", new_name: str = "new") -> str:
        lines = [f"# Changes from {old_name} to {new_name}", ""]
        if not self.changes:
            return "\n".join(lines + ["No changes.", ""])
        by_type: dict[str, list[Change]] = {}
        for c in self.changes:
            by_type.setdefault(c.entity_type, []).append(c)
        counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(by_type.items()))
        lines += [f"{len(self.changes)} change(s): {counts}.", ""]
        for entity_type, changes in sorted(by_type.items()):
            lines += [f"## {entity_type}", ""]
            lines += [f"- {c.sentence()}" for c in changes]
            lines.append("")
        return "\n".join(lines)


def _facts(graph: Graph) -> dict[str, tuple[str, str, dict[str, frozenset[str]]]]:
    """IRI -> (type name, label, {field: values}) for every curated fact in ``graph``."""
    out = {}
    for cls, type_name in FACT_CLASSES.items():
        for subject in set(graph.subjects(RDF.type, cls)):
            if not isinstance(subject, URIRef) or str(subject) in out:
                continue
            fields: dict[str, set[str]] = {}
            for p, o in graph.predicate_objects(subject):
                if p == RDF.type or p in DERIVED:
                    if p == RDF.type and o != cls and str(o).startswith(str(MPD._NS)):
                        fields.setdefault("kind", set()).add(_short(o).split("#")[-1])
                    continue
                name = FIELD_NAMES.get(URIRef(str(p)), _short(p).split("#")[-1])
                fields.setdefault(name, set()).add(_short(o))
            for interval in list(graph.objects(subject, ORG.memberDuring)) + list(
                graph.objects(subject, MPD.during)
            ):
                for link, name in ((TIME.hasBeginning, "start"), (TIME.hasEnd, "end")):
                    for instant in graph.objects(interval, link):
                        for prop in DATES:
                            for value in graph.objects(instant, prop):
                                fields.setdefault(name, set()).add(str(value))
            for node in graph.objects(subject, MPD.statedMemberCount):
                role, count = graph.value(node, MPD.countedRole), graph.value(node, MPD.count)
                fields.setdefault("stated member counts", set()).add(f"{_short(role).split('/')[-1]}={count}")
            label = str(graph.value(subject, RDFS.label) or "")
            out[str(subject)] = (type_name, label, {k: frozenset(v) for k, v in fields.items()})
    return out


def diff_graphs(old: Graph, new: Graph) -> Diff:
    a, b = _facts(old), _facts(new)
    changes = []
    for iri in sorted(set(a) | set(b)):
        if iri not in a:
            changes.append(Change("added", b[iri][0], iri, b[iri][1]))
        elif iri not in b:
            changes.append(Change("removed", a[iri][0], iri, a[iri][1]))
        else:
            fa, fb = a[iri][2], b[iri][2]
            fields = {}
            for name in sorted(set(fa) | set(fb)):
                va, vb = fa.get(name, frozenset()), fb.get(name, frozenset())
                if va != vb:
                    fields[name] = {"from": sorted(va - vb), "to": sorted(vb - va)}
            if fields:
                changes.append(Change("changed", b[iri][0], iri, b[iri][1] or a[iri][1], fields))
    changes.sort(key=lambda c: (c.entity_type, c.entity, c.kind))
    return Diff(changes)


def curated_graph(ds: Dataset) -> Graph:
    g = Graph()
    named = ds.graph(GRAPHS.curated)
    source = named if len(named) else None
    if source is None:  # a dump without named graphs: everything but the ontology's own terms
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
    else:
        for triple in source:
            g.add(triple)
    return g


def diff_datasets(old: Dataset, new: Dataset) -> Diff:
    return diff_graphs(curated_graph(old), curated_graph(new))


def load_build(path: Path) -> Dataset:
    """A build folder (dist/ or a release), or a dump file."""
    from mpdkg.rdf.dumps import load_dump

    path = Path(path)
    if path.is_dir():
        for name in ("mpdkg.trig", "mpdkg.trig.gz", "mpdkg.nt", "mpdkg.nt.gz", "mpdkg.ttl"):
            if (path / name).exists():
                return load_dump(path / name)
        raise UsageError(f"{path}: no mpdkg.trig, mpdkg.nt or mpdkg.ttl in this folder")
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    try:
        return load_dump(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
