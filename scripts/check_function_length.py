"""Fail when a function is longer than the house limit (80 lines), so big pieces get split.

Ruff's complexity rule (C90) catches branching; this catches length. Usage:
``python scripts/check_function_length.py src scripts`` (exit 1 and one line per offender).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LIMIT = 80


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
    roots = [Path(a) for a in argv] or [Path("src"), Path("scripts")]
    bad = 0
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            for line, name, length in long_functions(path):
                print(f"{path}:{line}: {name} is {length} lines (limit {LIMIT})")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
