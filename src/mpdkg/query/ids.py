"""The ids a user may type (forum, agreement, country, region, role, pillar, source), read from
the graph being queried, and suggestions when a typed one is not among them.

Why: a misspelt id (``forum=puebla`` for ``rcm``) used to return no rows and exit 0, which reads
as "no members". Every catalogue parameter of one of these kinds is now looked up first, and a
miss is an error that names the closest ids, matching labels and alternative labels too.

>>> entries = [Entry("rcm", "Regional Conference on Migration", ("Puebla Process", "RCM"))]
>>> print(suggestion("forum", "puebla", entries))
unknown forum 'puebla'; did you mean 'rcm' (Regional Conference on Migration, "Puebla Process")?
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from mpdkg.namespaces import BASE

ONTOLOGY = BASE + "ontology#"

#: kind -> (class of the things, IRI prefix of their ids, how the id is written)
KINDS = {
    "forums": ("forum", f"<{ONTOLOGY}Forum>", BASE + "forum/"),
    "agreements": ("agreement", f"<{ONTOLOGY}Agreement>", BASE + "agreement/"),
    "countries": ("country", f"<{ONTOLOGY}Country>", BASE + "country/"),
    "regions": ("region", f"<{ONTOLOGY}Region>", BASE + "region/"),
    "roles": ("role", "<http://www.w3.org/ns/org#Role>", BASE + "role/"),
    "pillars": ("pillar", f"<{ONTOLOGY}Pillar>", BASE + "pillar/"),
    "sources": ("source", f"<{ONTOLOGY}Source>", BASE + "source/"),
}
#: catalogue parameter kind -> the list it is checked against
PARAMETER_LISTS = {singular: plural for plural, (singular, _c, _p) in KINDS.items()}


@dataclass(frozen=True)
class Entry:
    id: str
    label: str
    alt_labels: tuple[str, ...] = ()


def _query(cls: str, prefix: str) -> str:
    """queries/ids.rq with ?class and ?prefix bound (``cls`` is an IRI in angle brackets)."""
    from mpdkg.query.packaged import package_query

    text = package_query("query", "ids")
    at = text.index("WHERE {") + len("WHERE {")
    values = f"\n  VALUES (?class ?prefix) {{ ({cls} {json.dumps(prefix)}) }}"
    return text[:at] + values + text[at:]


def list_ids(engine, kind: str) -> list[Entry]:
    """Every id of one kind (``forums``, ``countries``, ...) in the engine's graph, with labels."""
    from mpdkg.errors import UsageError
    from mpdkg.query.engines import run_query

    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    _singular, cls, prefix = KINDS[kind]
    result = run_query(engine, _query(cls, prefix))
    entries = []
    for x, label, alts in result.rows:
        ident = str(x)[len(prefix) :]
        alt = tuple(sorted(a for a in str(alts or "").split("\u001f") if a))
        entries.append(Entry(ident, str(label or ""), alt))
    return entries


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def _describe(entry: Entry, matched: str | None) -> str:
    extra = entry.label
    if matched and _fold(matched) not in (_fold(entry.label), _fold(entry.id)):
        extra = f'{entry.label}, "{matched}"' if entry.label else f'"{matched}"'
    return f"'{entry.id}' ({extra})" if extra else f"'{entry.id}'"


def closest(value: str, entries: list[Entry], n: int = 3) -> list[tuple[Entry, str | None]]:
    """The entries nearest to a typed value, by id, label or alternative label (case and
    accents ignored; a value contained in a label counts as near)."""
    wanted = _fold(value)
    names: dict[str, tuple[Entry, str | None]] = {}
    for e in entries:
        names.setdefault(_fold(e.id), (e, None))
        if e.label:
            names.setdefault(_fold(e.label), (e, e.label))
        for alt in e.alt_labels:
            names.setdefault(_fold(alt), (e, alt))
    picked: list[tuple[Entry, str | None]] = []
    seen: set[str] = set()

    def take(name: str) -> None:
        entry, matched = names[name]
        if entry.id not in seen and len(picked) < n:
            seen.add(entry.id)
            picked.append((entry, matched))

    if wanted in names:
        take(wanted)
    for name in difflib.get_close_matches(wanted, list(names), n=n * 3, cutoff=0.6):
        take(name)
    if len(wanted) >= 3:
        for name in sorted(names):
            if wanted in name.split() or (len(wanted) >= 5 and wanted in name):
                take(name)
    return picked


def suggestion(kind: str, value: str, entries: list[Entry]) -> str:
    """``unknown forum 'puebla'; did you mean 'rcm' (Regional Conference on Migration, ...)?``"""
    near = closest(value, entries)
    head = f"unknown {kind} {value!r}"
    plural = next((p for p, (s, _c, _x) in KINDS.items() if s == kind), kind + "s")
    if not near:
        return f"{head}; mpdkg ids {plural} lists the valid ones"
    return f"{head}; did you mean {' or '.join(_describe(e, m) for e, m in near)}?"


def _named(entry: Entry, wanted: str) -> bool:
    """The entry's label or an alternative label is ``wanted`` (already folded)."""
    return wanted == _fold(entry.label) or wanted in {_fold(a) for a in entry.alt_labels}


def resolve(kind: str, value: str, entries: list[Entry]) -> str | None:
    """The id a typed value stands for when it is an id, or exactly a label or an alternative
    label (``Puebla Process`` -> ``rcm``); None otherwise."""
    wanted = _fold(value)
    for e in entries:
        if wanted == _fold(e.id):
            return e.id
    for e in entries:
        if _named(e, wanted):
            return e.id
    return None


#: the kinds a bare entity id or label (``MEX``, ``Mexico``, ``rcm``) is looked up in, in this order
ENTITY_KINDS = ("countries", "forums", "agreements", "regions", "sources")


def is_bare(value: str) -> bool:
    """An entity typed as an id or a label, neither a short form (``country/MEX``) nor an IRI."""
    return "/" not in value and ":" not in value


def resolve_entity(value: str, lists: Callable[[str], list[Entry]], name: str = "entity") -> str:
    """What an ``entity`` parameter stands for, as a short form or an IRI. A short form or an IRI
    of ours is checked against the ids of its kind (``country/MXE`` used to answer nothing); a
    bare id or label is looked up in every kind of :data:`ENTITY_KINDS`. ``lists(plural)`` gives
    the graph's entries of a kind. Other IRIs, and kinds with no id list (memberships, visa
    policies, ...), are left to the query."""
    from mpdkg.errors import UsageError

    short = value[len(BASE) :] if value.startswith(BASE) else value
    if is_bare(short):
        return _resolve_bare(value, lists, name)
    singular, _, ident = short.partition("/")
    plural = PARAMETER_LISTS.get(singular)
    entries = lists(plural) if plural and ident and "/" not in ident else []
    if not entries or any(e.id == ident for e in entries):
        return value
    found = resolve(singular, ident, entries)
    if found is None:
        raise UsageError(f"--param {name}={value}: {suggestion(singular, ident, entries)}")
    return f"{singular}/{found}"


def _resolve_bare(value: str, lists: Callable[[str], list[Entry]], name: str) -> str:
    from mpdkg.errors import UsageError

    wanted = _fold(value)
    # an id first (in any kind), then a label; sources only by id, since a title is not a name
    by_id = [f"{KINDS[p][0]}/{e.id}" for p in ENTITY_KINDS for e in lists(p) if _fold(e.id) == wanted]
    by_label = [
        f"{KINDS[p][0]}/{e.id}" for p in ENTITY_KINDS if p != "sources" for e in lists(p) if _named(e, wanted)
    ]
    for found in (by_id, list(dict.fromkeys(by_label))):
        if len(found) == 1:
            return found[0]
        if found:
            raise UsageError(
                f"--param {name}={value}: names more than one entity: {' or '.join(found)}; give one"
            )
    near = [
        f"'{KINDS[plural][0]}/{e.id}'" + (f" ({e.label})" if e.label else "")
        for plural in ENTITY_KINDS[:2]
        for e, _matched in closest(value, lists(plural), n=2)
    ]
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    raise UsageError(
        f"--param {name}={value}: no id or label of a country, forum, agreement, region or source{hint} "
        "(an entity is written kind/id, such as country/CAN or forum/rcm)"
    )


__all__ = [
    "ENTITY_KINDS",
    "KINDS",
    "PARAMETER_LISTS",
    "Entry",
    "closest",
    "is_bare",
    "list_ids",
    "resolve",
    "resolve_entity",
    "suggestion",
]
