"""Domain errors shared by services, importers, the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldProblem:
    """One problem with one input field. ``location`` is a file:line or a request path."""

    field: str
    message: str
    location: str = ""

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.field}: {self.message}"


class BankCRMError(Exception):
    """Base class of the errors BankCRM raises on purpose."""


@dataclass
class ValidationFailed(BankCRMError):
    """Input was rejected; nothing was written. ``problems`` lists every field at fault."""

    problems: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{len(self.problems)} problem(s) in the input; nothing was written"
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        return f"{head}\n{shown}{more}"


class NotFound(BankCRMError):
    """The object does not exist or the actor may not see it (the two are indistinguishable)."""


class Conflict(BankCRMError):
    """A write was made against a stale ``version`` of the record."""
