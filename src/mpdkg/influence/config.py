"""The weights of the influence analysis, read from one commented data file.

The defaults ship in the package as ``influence_weights.toml``; every number there is explained
in place and in docs/influence.md. A copy can be passed instead (``mpdkg influence --weights``).

>>> config = InfluenceConfig.load()
>>> config.role_weight("member"), config.role_weight("voted-yes")
(1.0, None)
>>> round(config.size_factor(5), 4)
0.25
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mpdkg.errors import UsageError

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "influence_weights.toml"

SCALINGS = ("pairs", "log", "none")
UNKNOWN_START = ("open", "attested")
#: how a layer scales a flow or a stock to 0..1 (mpdkg.influence.layers): log(1+x)/log(1+max),
#: sqrt(x/max), or x/max
VALUE_SCALINGS = ("log", "sqrt", "linear")
MEASURES = ("personalized_pagerank", "tie_to_canada", "eigenvector", "weighted_degree", "betweenness")


class ConfigError(UsageError):
    """The weights file is missing, unreadable or holds a value the analysis cannot use."""


def _weights(table: dict, where: str) -> dict[str, float]:
    out = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{where}.{key} = {value!r}: expected a number >= 0")
        out[key] = float(value)
    return dict(sorted(out.items()))


def _open_end(table: dict, source: str) -> dict[str, int]:
    """The [open_end] table: engagement kinds of the ontology, each a whole number of years >= 1
    (a misspelt kind would silently leave its engagements open-ended)."""
    if not table:
        return {}
    from mpdkg.sources.vocab import vocabulary

    kinds = vocabulary().engagement_kinds
    out = {}
    for kind, years in table.items():
        if kind not in kinds:
            raise ConfigError(
                f"{source}: open_end.{kind}: not an engagement kind; expected one of {', '.join(kinds)}"
            )
        if isinstance(years, bool) or not isinstance(years, int) or years < 1:
            raise ConfigError(f"{source}: open_end.{kind} = {years!r}: expected a whole number of years >= 1")
        out[kind] = years
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class InfluenceConfig:
    scaling: str = "pairs"
    forum_kinds: dict[str, float] = field(default_factory=dict)
    agreement_kinds: dict[str, float] = field(default_factory=dict)
    roles: dict[str, float] = field(default_factory=dict)
    engagement_kinds: dict[str, float] = field(default_factory=dict)
    max_multiplier: float = 3.0
    #: an engagement naming n partner countries gives each a tie of its weight x size_factor(n + 1)
    #: ([engagement] share_among_partners), as a channel of n + 1 countries would; else its full weight
    share_among_partners: bool = False
    expand_forum_parties: bool = True
    unknown_start: str = "attested"
    engagement_memory_years: int = 0
    #: calendar years an engagement of a kind counts from its start when no end is known
    #: ([open_end]); a kind not listed counts until its end is known
    open_end_years: dict[str, int] = field(default_factory=dict)
    score: dict[str, float] = field(default_factory=dict)
    alpha: float = 0.85
    exact_max_nodes: int = 3000
    pivots: int = 256
    seed: int = 0
    gaps_per_group: int = 5
    #: weights of the layers in the composite score ([layers] of the weights file)
    layers: dict[str, float] = field(default_factory=dict)
    #: years a flow indicator adds up (resettlement, asylum claims): the year and those before it
    flow_window: int = 5
    #: how a flow (resettlement, asylum claims over the window) and a stock (refugees hosted) are
    #: scaled to 0..1 among the states ([flows] flow_scaling, stock_scaling): log, sqrt or linear
    flow_scaling: str = "log"
    stock_scaling: str = "log"
    #: how the people Canada admitted by citizenship (IRCC, mobility layer) are scaled
    #: ([flows] admissions_scaling): log, sqrt or linear
    admissions_scaling: str = "log"
    #: a year's ranking is shown only when the ego takes part in at least this many channels in
    #: force that year ([ranking] min_channels): below it, "1st" means "in one of a handful of bodies"
    min_ranked_channels: int = 5
    #: layer cells left out of the layer scores because the channel layer already counts the
    #: same curated facts ([layer_cells] counted_in_channels); shown, not scored
    counted_in_channels: tuple[str, ...] = ()
    source: str = "influence_weights.toml"

    @classmethod
    def load(cls, path: Path | str | None = None) -> InfluenceConfig:
        """The configuration in ``path`` (default: the weights shipped with mpdkg)."""
        path = Path(path) if path is not None else DEFAULT_WEIGHTS
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the weights file ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        return cls.from_dict(data, source=path.name)

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> InfluenceConfig:
        def section(name: str) -> dict:
            value = data.get(name, {})
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: [{name}] must be a table")
            return value

        scaling = section("size").get("scaling", "pairs")
        if scaling not in SCALINGS:
            raise ConfigError(f"{source}: size.scaling = {scaling!r}: expected one of {', '.join(SCALINGS)}")
        unknown = section("time").get("unknown_start", "attested")
        if unknown not in UNKNOWN_START:
            raise ConfigError(
                f"{source}: time.unknown_start = {unknown!r}: expected one of {', '.join(UNKNOWN_START)}"
            )
        score = _weights(section("score"), "score")
        extra = sorted(set(score) - set(MEASURES))
        if extra:
            raise ConfigError(f"{source}: score.{extra[0]}: unknown measure; expected {', '.join(MEASURES)}")
        alpha = float(section("pagerank").get("alpha", 0.85))
        if not 0 < alpha < 1:
            raise ConfigError(f"{source}: pagerank.alpha = {alpha}: expected a number between 0 and 1")
        bc = section("betweenness")
        for key in ("flow_scaling", "stock_scaling", "admissions_scaling"):
            value = section("flows").get(key, "log")
            if value not in VALUE_SCALINGS:
                raise ConfigError(
                    f"{source}: flows.{key} = {value!r}: expected one of {', '.join(VALUE_SCALINGS)}"
                )
        once = section("layer_cells").get("counted_in_channels", [])
        if not isinstance(once, list) or not all(isinstance(x, str) for x in once):
            raise ConfigError(
                f"{source}: layer_cells.counted_in_channels = {once!r}: expected a list of cell ids"
            )
        ints = {
            "betweenness.exact_max_nodes": bc.get("exact_max_nodes", 3000),
            "betweenness.pivots": bc.get("pivots", 256),
            "betweenness.seed": bc.get("seed", 0),
            "gaps.per_group": section("gaps").get("per_group", 5),
            "time.engagement_memory_years": section("time").get("engagement_memory_years", 0),
            "ranking.min_channels": section("ranking").get("min_channels", 5),
        }
        for key, value in ints.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{source}: {key} = {value!r}: expected a whole number >= 0")
        open_end = _open_end(section("open_end"), source)
        return cls(
            scaling=scaling,
            forum_kinds=_weights(section("forum_kind"), "forum_kind"),
            agreement_kinds=_weights(section("agreement_kind"), "agreement_kind"),
            roles=_weights(section("role"), "role"),
            engagement_kinds=_weights(section("engagement_kind"), "engagement_kind"),
            max_multiplier=float(section("engagement").get("max_multiplier", 3.0)),
            share_among_partners=bool(section("engagement").get("share_among_partners", False)),
            expand_forum_parties=bool(section("agreement").get("expand_forum_parties", True)),
            unknown_start=unknown,
            engagement_memory_years=ints["time.engagement_memory_years"],
            open_end_years=open_end,
            score={m: score.get(m, 0.0) for m in MEASURES},
            alpha=alpha,
            exact_max_nodes=ints["betweenness.exact_max_nodes"],
            pivots=max(1, ints["betweenness.pivots"]),
            seed=ints["betweenness.seed"],
            gaps_per_group=ints["gaps.per_group"],
            layers=_weights(section("layers"), "layers"),
            flow_window=max(1, int(section("flows").get("window_years", 5))),
            flow_scaling=section("flows").get("flow_scaling", "log"),
            stock_scaling=section("flows").get("stock_scaling", "log"),
            admissions_scaling=section("flows").get("admissions_scaling", "log"),
            min_ranked_channels=ints["ranking.min_channels"],
            counted_in_channels=tuple(sorted(set(once))),
            source=source,
        )

    # --- the weighting rules ------------------------------------------------------------------

    def size_factor(self, n: int) -> float:
        """How much a channel of ``n`` countries ties each pair of them (1 for two)."""
        if n < 2:
            return 0.0
        if self.scaling == "pairs":
            return 1.0 / (n - 1)
        if self.scaling == "log":
            return 1.0 / math.log2(n)
        return 1.0

    def role_weight(self, role: str) -> float | None:
        """The weight of a membership role, or None when the role is not a channel (votes)."""
        return self.roles.get(role)

    def forum_weight(self, kind: str | None) -> float:
        return self.forum_kinds.get(kind or "other", self.forum_kinds.get("other", 0.5))

    def agreement_weight(self, kind: str | None) -> float:
        return self.agreement_kinds.get(kind or "other", self.agreement_kinds.get("other", 0.5))

    def engagement_weight(self, kind: str | None) -> float:
        return self.engagement_kinds.get(kind or "other", self.engagement_kinds.get("other", 0.5))

    def open_end(self, kind: str, start: int | None) -> int | None:
        """The last year an engagement of ``kind`` that began in ``start`` counts when no source
        gives its end ([open_end]); None: it counts until its end is known."""
        years = self.open_end_years.get(kind)
        return None if years is None or start is None else start + years - 1

    def as_dict(self) -> dict:
        """Every parameter, for the report and the prov:Activity (sorted, JSON-ready)."""
        return {
            "size_scaling": self.scaling,
            "forum_kind": self.forum_kinds,
            "agreement_kind": self.agreement_kinds,
            "role": self.roles,
            "engagement_kind": self.engagement_kinds,
            "engagement_max_multiplier": self.max_multiplier,
            "engagement_share_among_partners": self.share_among_partners,
            "expand_forum_parties": self.expand_forum_parties,
            "unknown_start": self.unknown_start,
            "engagement_memory_years": self.engagement_memory_years,
            "open_end_years": self.open_end_years,
            "score": self.score,
            "pagerank_alpha": self.alpha,
            "betweenness_exact_max_nodes": self.exact_max_nodes,
            "betweenness_pivots": self.pivots,
            "betweenness_seed": self.seed,
            "gaps_per_group": self.gaps_per_group,
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
