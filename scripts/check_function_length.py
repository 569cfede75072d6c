"""Fail when a function is longer than the house limit (80 lines), so big pieces get split.

Ruff's complexity rule (C90) catches branching; this catches length. Usage:
``python scripts/check_function_length.py src scripts`` (exit 1 and one line per offender).

Functions named in ``scripts/function_length_allow.txt`` (``path::qualified.name`` per line, ``#``
comments) are let through: a TEMPORARY list of functions being split, to be emptied.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LIMIT = 80
ALLOW_FILE = Path(__file__).with_name("function_length_allow.txt")


def allowed(path: Path = ALLOW_FILE) -> set[str]:
    """The ``path::qualified.name`` entries of the allow-list (empty when there is none)."""
    if not path.is_file():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


def long_functions(path: Path, limit: int = LIMIT) -> list[tuple[int, str, int]]:
    """(line, qualified name, length) of every function in ``path`` over ``limit`` lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                length = (child.end_lineno or child.lineno) - start + 1
                if length > limit:
                    found.append((child.lineno, prefix + child.name, length))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def main(argv: list[str]) -> int:
    strict = "--strict" in argv  # ignore the allow-list: what is left to split
    roots = [Path(a) for a in argv if a != "--strict"] or [Path("src"), Path("scripts")]
    bad = 0
    allow = set() if strict else allowed()
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            for line, name, length in long_functions(path):
                if f"{path.as_posix()}::{name}" in allow:
                    continue
                print(f"{path}:{line}: {name} is {length} lines (limit {LIMIT})")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
