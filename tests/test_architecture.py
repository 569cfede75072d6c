"""The tree shows the flow: each stage imports only the stages before it and the shared
foundation, never a private name of another sub-package, and there are no import cycles."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "src" / "mpdkg"

#: the flow, in order; a stage may import the foundation and any stage to its left
FLOW = ["sources", "rdf", "validate", "reason", "query", "influence", "maps", "publish", "serve"]
# html: the one Jinja2 environment (autoescape, base template and stylesheet) of report, maps and serve
FOUNDATION = {"mpdkg", "errors", "paths", "namespaces", "netguard", "staging", "html", "__version__"}
ORCHESTRATION = {"pipeline", "cli", "__main__"}  # may import everything


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "mpdkg"


def _imports():
    found = []
    for path in PKG.rglob("*.py"):
        rel = ".".join(path.relative_to(PKG.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mpdkg"):
                targets = [node.module] if node.module != "mpdkg" else [f"mpdkg.{a.name}" for a in node.names]
                for target in targets:
                    found.append((rel, target, [a.name for a in node.names]))
    return found


def test_each_stage_imports_only_earlier_stages():
    wrong = []
    for source, target, _names in _imports():
        mine, other = _unit(source), _unit(target)
        if mine == other or other in FOUNDATION or mine in ORCHESTRATION:
            continue
        if mine in FOUNDATION:
            wrong.append(f"{source} (foundation) imports {target}")
        elif other in ORCHESTRATION:
            wrong.append(f"{source} imports {target} (orchestration)")
        elif other in FLOW and mine in FLOW and FLOW.index(other) > FLOW.index(mine):
            wrong.append(f"{source} imports the later stage {target}")
        elif other not in FLOW:
            wrong.append(f"{source} imports {target}, which is in no stage")
    assert wrong == []


def test_no_private_name_crosses_a_sub_package():
    crossing = [
        (source, target, name)
        for source, target, names in _imports()
        for name in names
        if _unit(source) != _unit(target) and name.startswith("_") and name != "__version__"
    ]
    assert crossing == []


def test_no_module_level_import_cycles():
    graph = defaultdict(set)
    for path in PKG.rglob("*.py"):
        rel = ".".join(path.relative_to(PKG.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mpdkg."):
                graph[rel].add(node.module)
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node) :] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert cycles == []


def test_every_sub_package_has_a_public_face():
    for stage in FLOW + ["cli"]:
        init = PKG / stage / "__init__.py"
        assert init.is_file(), stage
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), (
            f"{stage}/__init__.py has no docstring"
        )


def test_the_real_graph_is_built_only_by_the_session_fixtures():
    """A test that needs the real curated graph asks conftest for it (``real_build``,
    ``real_records``, ``real_dataset``, ``real_reasoned``, ``opendata``): each extra build costs
    seconds in every worker. A call of ``load_sources()`` with no folder reads the real graph."""
    tests = PKG.parent.parent / "tests"
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        if path.name == "conftest.py" and path.parent == tests:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "load_sources"
                and not node.args
                and not node.keywords
            ):
                offenders.append(f"{path.relative_to(tests)}:{node.lineno}")
    assert offenders == [], f"the real graph is loaded outside tests/conftest.py: {offenders}"
