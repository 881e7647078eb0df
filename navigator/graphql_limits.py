"""Protection of the public GraphQL API: size, shape and cost limits checked before a query runs.

Checks run from the cheapest to the dearest, so that an abusive request is refused before it costs much:

1. The HTTP layer refuses a body over ``max_body_bytes`` while reading it, and a batch over ``max_batch``.
2. :func:`scan_source` reads the query text once with one regular expression, without building an AST, and counts
   tokens, aliases and field selections over the whole document. This refuses a 1,000-alias query in well under
   a millisecond, where graphql-core's parser alone would take tens of milliseconds.
3. :func:`parse_source` parses with graphql-core's ``max_tokens`` as a second guard.
4. :func:`check_operation` walks the AST of the chosen operation, expanding fragments once each (memoised, so
   re-used fragments cost nothing more and fragment cycles end the walk), and measures:

   - depth: the levels of fields, leaves included (``{ a { b } }`` is 2). The subtrees under ``__schema`` and
     ``__type`` are left to graphql-core's ``MaxIntrospectionDepthRule``, so that GraphiQL's standard
     introspection query (nine levels of ``ofType``) still works.
   - aliases, counted as written out with fragments expanded.
   - cost in "nodes", in the spirit of GitHub's node limit: each field that has a selection set costs one per
     object it may be resolved on, and a field taking ``first``/``last`` (a connection) multiplies what is
     below it by its page size. ``{ a(first: 100) { edges { node { x } } } }`` costs 1 + 100 + 100 = 201. A
     connection asked for without ``first``/``last`` counts at ``max_first``, its worst case. A list field that is
     not a connection (``lifeStages { lifeEvents { … } }``) multiplies what is below it by ``list_size``, so that
     nesting unpaged lists cannot fan out unbounded (the lists inside a connection's page, ``edges``, are its page).
   - ``first``/``last`` over ``max_first``: an error (``FIRST_TOO_LARGE``), never silently clamped.

Only after these does graphql-core's (partly quadratic) validation run. Every refusal is a ``GraphQLError`` with
``extensions.code``; :data:`LIMIT_CODES` lists the codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    get_named_type,
    parse,
)

__all__ = [
    "LIMIT_CODES",
    "OperationCheck",
    "QueryLimits",
    "SourceScan",
    "check_batch_size",
    "check_operation",
    "coded_error",
    "parse_source",
    "scan_source",
]

LIMIT_CODES = (
    "REQUEST_TOO_LARGE",
    "BATCH_TOO_LARGE",
    "TOO_MANY_TOKENS",
    "TOO_MANY_ALIASES",
    "TOO_MANY_FIELDS",
    "QUERY_TOO_DEEP",
    "QUERY_TOO_COSTLY",
    "FIRST_TOO_LARGE",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryLimits:
    """Limits of one GraphQL-over-HTTP request. Every value is a whole number of at least 1."""

    max_depth: int = 12
    """Levels of fields in the operation, leaves included; introspection subtrees excepted."""
    max_aliases: int = 30
    """Aliased fields in the document (and in the operation with its fragments written out)."""
    max_cost: int = 50_000
    """Nodes the request may return, summed over the operations of a batch."""
    max_tokens: int = 3_000
    """Lexical tokens (comments included) in one query document."""
    max_fields: int = 500
    """Field selections written in one query document; bounds graphql-core's quadratic overlap check."""
    max_body_bytes: int = 100 * 1024
    """Bytes of a POST body, or of a GET query string."""
    max_batch: int = 10
    """Operations in one batched request (a JSON array)."""
    max_first: int = 100
    """Largest ``first``/``last`` page size of a connection."""
    list_size: int = 10
    """Length assumed, when counting the cost, for a list field that is not a connection."""

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"QueryLimits.{spec.name} must be a whole number of at least 1, not {value!r}")


def coded_error(message: str, code: str, *, nodes: list[FieldNode] | None = None) -> GraphQLError:
    """A GraphQL error carrying ``extensions.code``: the one way this API builds its own errors."""
    return GraphQLError(message, nodes, extensions={"code": code})


def check_batch_size(count: int, limits: QueryLimits) -> GraphQLError | None:
    if count > limits.max_batch:
        return coded_error(
            f"The batch holds {count:,} operations; at most {limits.max_batch:,} are allowed in one request.",
            "BATCH_TOO_LARGE",
        )
    return None


# One token of GraphQL's lexical grammar per match; ignored characters (white space, commas, BOM) fall between.
# Alternatives are disjoint and possessive, so a hostile text cannot make the expression backtrack.
_IGNORED = r"(?:[ \t\n\r,\ufeff]|\#[^\n\r]*+)"
_TOKEN = re.compile(
    rf"""
      (?P<block>\"\"\"(?:[^"\\]|\\\"\"\"|\\(?!\"\"\")|"(?!""))*+\"\"\")
    | (?P<string>"(?:[^"\\\n\r]|\\.)*+")
    | (?P<comment>\#[^\n\r]*+)
    | (?P<alias>[_A-Za-z][_0-9A-Za-z]*+(?={_IGNORED}*+:))
    | (?P<name>[_A-Za-z][_0-9A-Za-z]*+)
    | (?P<number>-?[0-9]++(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+)
    | (?P<spread>\.\.\.)
    | (?P<punct>[!$&():=@\[\]{{|}}])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceScan:
    """What :func:`scan_source` counted, up to the point where it stopped; ``error`` says why it stopped early."""

    tokens: int
    aliases: int
    fields: int
    error: GraphQLError | None


def scan_source(source: str, limits: QueryLimits) -> SourceScan:
    """Count tokens, aliases and field selections of a whole query document without parsing it.

    Field selections are the names inside selection sets that are not an alias, a fragment name, a type condition
    or a directive name; everything between parentheses (arguments, variable definitions) is skipped. The scan stops
    at the first limit exceeded, so a hostile document costs no more than the limit to refuse.
    """
    tokens = aliases = selections = 0
    braces = parens = 0
    skip_name = after_spread = False
    for match in _TOKEN.finditer(source):
        tokens += 1
        if tokens > limits.max_tokens:
            error = coded_error(
                f"The query has more than {limits.max_tokens:,} tokens, the most allowed.", "TOO_MANY_TOKENS"
            )
            return SourceScan(tokens=tokens, aliases=aliases, fields=selections, error=error)
        kind = match.lastgroup
        text = match.group()
        if kind == "comment":
            continue
        if parens:
            parens += text == "("
            parens -= text == ")"
            continue
        if kind in ("name", "alias"):
            if after_spread:
                # `...Name` names a fragment; `... on Type` is an inline fragment whose type name follows.
                skip_name = text == "on"
            elif skip_name:
                skip_name = False
            elif braces and kind == "alias":
                aliases += 1
                if aliases > limits.max_aliases:
                    return SourceScan(tokens=tokens, aliases=aliases, fields=selections, error=_aliases_error(limits))
            elif braces:
                selections += 1
                if selections > limits.max_fields:
                    error = coded_error(
                        f"The query selects more than {limits.max_fields:,} fields, the most allowed.",
                        "TOO_MANY_FIELDS",
                    )
                    return SourceScan(tokens=tokens, aliases=aliases, fields=selections, error=error)
            after_spread = False
            continue
        after_spread = kind == "spread"
        skip_name = text == "@"  # a directive's name is no field
        if text == "(":
            parens = 1
        elif text == "{":
            braces += 1
        elif text == "}":
            braces = max(braces - 1, 0)
    return SourceScan(tokens=tokens, aliases=aliases, fields=selections, error=None)


def _aliases_error(limits: QueryLimits) -> GraphQLError:
    message = f"The query uses more than {limits.max_aliases:,} aliases, the most allowed."
    return coded_error(message, "TOO_MANY_ALIASES")


def parse_source(source: str, limits: QueryLimits) -> DocumentNode:
    """Scan, then parse a query document. Raises a coded ``GraphQLError`` (a limit's code or
    ``GRAPHQL_PARSE_FAILED``)."""
    scanned = scan_source(source, limits)
    if scanned.error is not None:
        raise scanned.error
    try:
        return parse(source, max_tokens=limits.max_tokens)
    except GraphQLSyntaxError as e:
        code = "TOO_MANY_TOKENS" if "tokens. Parsing aborted" in e.message else "GRAPHQL_PARSE_FAILED"
        raise GraphQLError(e.message, e.nodes, e.source, e.positions, extensions={"code": code}) from e


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationCheck:
    """The measures of one operation and the limit errors found (empty when it may run)."""

    depth: int
    aliases: int
    cost: int
    errors: tuple[GraphQLError, ...]


@dataclass(frozen=True, slots=True)
class _Measure:
    depth: int
    aliases: int
    cost: int  # per object the selection set is resolved on


_NOTHING = _Measure(0, 0, 0)
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


class _Walker:
    """Measures selection sets, each fragment once. Not thread-safe; one per check."""

    def __init__(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        schema: GraphQLSchema | None,
        limits: QueryLimits,
        variables: Mapping[str, object],
    ) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.schema = schema
        self.limits = limits
        self.variables: dict[str, object] = {}
        for definition in operation.variable_definitions or ():
            if isinstance(definition.default_value, IntValueNode):
                self.variables[definition.variable.name.value] = int(definition.default_value.value)
        self.variables.update(variables)
        self.done: dict[tuple[str, bool], _Measure] = {}
        self.in_progress: set[str] = set()
        self.errors: list[GraphQLError] = []

    def selection_set(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, paged: bool = False
    ) -> _Measure:
        """``paged``: the selection set of a connection, whose lists are its page (already counted)."""
        depth = aliases = cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                part = self.field(selection, parent, paged)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = parent if condition is None else self._type(condition.name.value)
                part = self.selection_set(selection.selection_set, inner, paged)
            elif isinstance(selection, FragmentSpreadNode):
                part = self.fragment(selection.name.value, paged)
            else:  # pragma: no cover - no other selection kinds exist
                continue
            depth = max(depth, part.depth)
            aliases += part.aliases
            cost += part.cost
        return _Measure(depth, aliases, cost)

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, paged: bool = False) -> _Measure:
        alias = 1 if node.alias is not None else 0
        if node.selection_set is None:
            return _Measure(1, alias, 0)
        name = node.name.value
        definition = self._field(parent, name)
        child_type = get_named_type(definition.type) if definition is not None else None
        page = self._page_size(node, definition)
        connection = page is not None
        inner = self.selection_set(node.selection_set, child_type, paged=connection)
        if page is None:
            page = self.limits.list_size if definition is not None and _is_list(definition) and not paged else 1
        depth = 1 if name in _INTROSPECTION_ROOTS else 1 + inner.depth
        return _Measure(depth, alias + inner.aliases, 1 + page * inner.cost)

    def fragment(self, name: str, paged: bool = False) -> _Measure:
        if (name, paged) in self.done:
            return self.done[name, paged]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return _NOTHING  # unknown fragments and cycles are reported by validation
        self.in_progress.add(name)
        parent = self._type(definition.type_condition.name.value)
        measure = self.selection_set(definition.selection_set, parent, paged)
        self.in_progress.discard(name)
        self.done[name, paged] = measure
        return measure

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name) if self.schema is not None else None

    def _field(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if self.schema is None or parent is None:
            return None
        if parent is self.schema.query_type and name in _INTROSPECTION_ROOTS:
            return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    def _page_size(self, node: FieldNode, definition: GraphQLField | None) -> int | None:
        """The largest page a connection field may return, or None for other fields; records ``first``/``last``
        errors."""
        declared = {k for k in ("first", "last") if definition is not None and k in definition.args}
        given = {a.name.value: a.value for a in node.arguments or () if a.name.value in ("first", "last")}
        if not declared and not given:
            return None
        sizes: list[int] = []
        for key, value_node in given.items():
            value = self._int_value(value_node)
            if value is None:
                sizes.append(self.limits.max_first)
            elif value > self.limits.max_first:
                self.errors.append(
                    coded_error(
                        f"`{key}: {value}` on field `{node.name.value}` asks for more than "
                        f"{self.limits.max_first} items, the most one page may hold.",
                        "FIRST_TOO_LARGE",
                        nodes=[node],
                    )
                )
                sizes.append(self.limits.max_first)
            else:
                sizes.append(max(value, 0))
        if not sizes:
            assert definition is not None
            defaults = [definition.args[k].default_value for k in declared]
            sizes = [d if isinstance(d, int) and not isinstance(d, bool) else self.limits.max_first for d in defaults]
            sizes = [min(s, self.limits.max_first) for s in sizes]
        return max(sizes)

    def _int_value(self, node: ValueNode) -> int | None:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None


def _is_list(definition: GraphQLField) -> bool:
    kind = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
    return isinstance(kind, GraphQLList)


def check_operation(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema | None,
    limits: QueryLimits,
    variables: Mapping[str, object] | None = None,
    *,
    cost_budget: int | None = None,
) -> OperationCheck:
    """Measure one operation of a parsed document against the limits, before graphql-core validates it.

    ``schema`` lets the walk know which fields are connections (they declare ``first``/``last``) and their
    defaults; without it only literal ``first``/``last`` arguments count. ``variables`` are the request's raw
    variables, used for ``first: $n``. ``cost_budget`` is what is left of ``max_cost`` in a batch.
    """
    walker = _Walker(document, operation, schema, limits, variables or {})
    root = schema.get_root_type(operation.operation) if schema is not None else None
    try:
        measure = walker.selection_set(operation.selection_set, root)
    except RecursionError:
        error = coded_error("The query is nested too deeply to analyse.", "QUERY_TOO_DEEP")
        return OperationCheck(depth=limits.max_depth + 1, aliases=0, cost=0, errors=(error,))
    errors = list(walker.errors)
    if measure.depth > limits.max_depth:
        errors.append(
            coded_error(
                f"The query is nested {measure.depth} levels deep; at most {limits.max_depth} are allowed.",
                "QUERY_TOO_DEEP",
            )
        )
    if measure.aliases > limits.max_aliases:
        errors.append(_aliases_error(limits))
    budget = limits.max_cost if cost_budget is None else cost_budget
    if measure.cost > budget:
        scope = "" if budget == limits.max_cost else f" ({budget:,} left of {limits.max_cost:,} in this batch)"
        errors.append(
            coded_error(
                f"The query could return up to {measure.cost:,} nodes; at most {budget:,} are allowed{scope}. "
                "Ask for smaller pages with `first`/`last`, or split the query.",
                "QUERY_TOO_COSTLY",
            )
        )
    return OperationCheck(depth=measure.depth, aliases=measure.aliases, cost=measure.cost, errors=tuple(errors))
