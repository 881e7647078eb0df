"""Errors of the graph package: one root, a few documented subclasses."""

from __future__ import annotations


class GraphError(Exception):
    """Root of every error raised by the graph package."""


class NotFound(GraphError):
    """No node with the given kind and id."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"no {kind} with id {ident!r}")
        self.kind = kind
        self.ident = ident


class GraphUnavailable(GraphError):
    """Neo4j cannot be reached or did not answer in time."""


class CatalogInvalid(GraphError):
    """A catalog file breaks a rule; ``problems`` lists each with file and line."""

    def __init__(self, problems: list[CatalogProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class CatalogProblem:
    """One problem in a catalog file, with where it is."""

    __slots__ = ("file", "line", "message")

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"CatalogProblem({self.file!r}, {self.line!r}, {self.message!r})"


class PlanningError(GraphError):
    """The catalog cannot be planned: a cycle or a dangling requirement; the message names the services."""


class AccessDenied(GraphError):
    """An API token's scope does not cover what it tried to change; the message says which scope and what."""
