"""Errors a curator can act on: each names the file, the line, the value and what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Origin:
    """Where a fact comes from: a source file (relative to the data root) and a line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the curated sources.

    ``root`` marks a root cause: a file that could not be read at all (bad encoding, a NUL
    byte, malformed CSV, a wrong header), whose facts are then missing and make other problems.
    """

    origin: Origin
    message: str
    root: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


class MpdkgError(Exception):
    """Base class of the errors mpdkg reports to people (never with a traceback)."""

    exit_code = 2

    def report(self) -> str:
        """The message for the curator (subclasses add file:line, the value, what is expected)."""
        return str(self)


class SourceErrors(MpdkgError):
    """The curated sources could not be loaded; carries every problem found, not only the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        # Root causes first: the problems after them may only follow from them.
        self.problems = sorted(problems, key=lambda p: (not p.root, p))
        super().__init__(f"{len(self.problems)} problem(s) in the curated sources")

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        roots = sum(p.root for p in self.problems)
        if roots and roots < len(self.problems):
            lines.insert(
                roots,
                f"(the {len(self.problems) - roots} problem(s) below may follow from the unreadable "
                f"file(s) above: fix {'it' if roots == 1 else 'them'} first)",
            )
        lines.append(f"{len(self.problems)} problem(s); nothing was written.")
        return "\n".join(lines)


class ValidationFailed(MpdkgError):
    """The graph violates the SHACL shapes or a quality rule."""

    exit_code = 1

    def __init__(self, report_text: str, count: int):
        self.report_text = report_text
        self.count = count
        super().__init__(f"{count} violation(s)")

    def report(self) -> str:
        return self.report_text


class UsageError(MpdkgError):
    """The command was asked for something it cannot do (bad query, unknown name, ...)."""

    exit_code = 2

    def report(self) -> str:
        return str(self)
