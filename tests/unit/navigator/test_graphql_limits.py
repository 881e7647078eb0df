"""The query limits of the public GraphQL API: what is counted, what is refused with which code, and how fast."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    build_schema,
    get_introspection_query,
    get_operation_ast,
    parse,
    visit,
)
from graphql.language import Visitor

from navigator.graphql_limits import (
    QueryLimits,
    check_batch_size,
    check_operation,
    coded_error,
    parse_source,
    scan_source,
)

SCHEMA = build_schema(
    """
    type Query {
      hello: String
      item: Item
      items(first: Int, last: Int, after: String): ItemConnection
      pagedByDefault(first: Int = 5): ItemConnection
      all: [Item!]!
    }
    type Mutation { echo(text: String): String }
    type Item {
      name: String
      next: Item
      children(first: Int): ItemConnection
      siblings: [Item]
    }
    type ItemConnection { edges: [ItemEdge] pageInfo: PageInfo }
    type ItemEdge { node: Item cursor: String }
    type PageInfo { hasNextPage: Boolean }
    """
)
LIMITS = QueryLimits()
BUDGET_SECONDS = 0.010


def _check(query: str, variables: dict[str, object] | None = None, limits: QueryLimits = LIMITS):
    document = parse_source(query, limits)
    operation = get_operation_ast(document)
    assert operation is not None
    return check_operation(document, operation, SCHEMA, limits, variables)


def _codes(errors: tuple[GraphQLError, ...] | list[GraphQLError]) -> list[str]:
    return [str((e.extensions or {}).get("code")) for e in errors]


def _refusal_code(query: str, limits: QueryLimits = LIMITS) -> str:
    try:
        checked = _check(query, limits=limits)
    except GraphQLError as e:
        return _codes([e])[0]
    assert checked.errors, f"not refused: {query[:80]}"
    return _codes(checked.errors)[0]


def _best_time(action: Callable[[], object], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def _nested(depth: int) -> str:
    return "{ item { " + "next { " * (depth - 2) + "name" + " }" * (depth - 1) + " }"


def _connection(first: int, inner: str = "name") -> str:
    return f"{{ items(first: {first}) {{ edges {{ node {{ {inner} }} }} }} }}"


# --- the limits themselves -------------------------------------------------------------------------------------------


def test_defaults_are_the_documented_ones() -> None:
    assert (LIMITS.max_depth, LIMITS.max_aliases, LIMITS.max_cost) == (12, 30, 50_000)
    assert (LIMITS.max_body_bytes, LIMITS.max_batch, LIMITS.max_first) == (100 * 1024, 10, 100)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_limits_must_be_positive_whole_numbers(bad: object) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        QueryLimits(max_depth=bad)  # type: ignore[arg-type]


def test_limits_are_frozen() -> None:
    with pytest.raises(AttributeError):
        LIMITS.max_depth = 99  # type: ignore[misc]


def test_coded_error_carries_its_code() -> None:
    error = coded_error("Nope.", "BAD_REQUEST")
    assert error.formatted == {"message": "Nope.", "extensions": {"code": "BAD_REQUEST"}}


# --- the lexical scan ------------------------------------------------------------------------------------------------


class _Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.fields = 0
        self.aliases = 0

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.fields += 1
        self.aliases += node.alias is not None


TRICKY_DOCUMENTS = [
    "{ hello }",
    "query Q($first: Int = 3, $o: In = {a: 1, b: [2]}) @dir(x: {y: 1}) { a: items(first: $first) { b: edges { c } } }",
    '{ hello(text: "a: b { c }", other: """ block: { x } \\""" y: z """) }',
    "{ a # comment: with a colon { and braces }\n : hello b\n#c\n,:\nhello }",
    "{ ... on Query { x: hello } ...F @include(if: true) ... @skip(if: false) { on } }\n"
    "fragment F on Query { y: hello }",
    "mutation M { echo(text: \"}\") }\nquery N { __typename __schema { types { name } } }",
    "{ items(first: 10, after: \"x\") { edges { node { name children(first: 2) { edges { cursor } } } } } }",
    get_introspection_query(descriptions=True),
]


@pytest.mark.parametrize("source", TRICKY_DOCUMENTS)
def test_scan_counts_fields_and_aliases_as_the_parser_does(source: str) -> None:
    counter = _Counter()
    visit(parse(source), counter)
    scanned = scan_source(source, LIMITS)
    assert scanned.error is None
    assert (scanned.fields, scanned.aliases) == (counter.fields, counter.aliases)


def test_scan_counts_comments_as_tokens_like_the_parser() -> None:
    source = "{ hello }" + " #" * 5  # one comment: `# # # # #`
    assert scan_source(source, LIMITS).tokens == 4
    limits = QueryLimits(max_tokens=3)
    assert _codes([scan_source(source, limits).error]) == ["TOO_MANY_TOKENS"]  # type: ignore[list-item]


def test_scan_survives_unterminated_strings_and_junk() -> None:
    for junk in ('{ a(x: "unterminated) }', '{ """ never closed', "}}}{{{ ))) (((", "\u00e9\u0000", ""):
        assert scan_source(junk, LIMITS).error is None


def test_scan_stops_at_the_first_limit_exceeded() -> None:
    source = "{ " + " ".join(f"a{i}: hello" for i in range(10_000)) + " }"
    scanned = scan_source(source, LIMITS)
    assert scanned.error is not None and _codes([scanned.error]) == ["TOO_MANY_ALIASES"]
    assert scanned.aliases == LIMITS.max_aliases + 1


def test_duplicated_fields_are_refused_before_the_quadratic_overlap_check() -> None:
    source = "{ " + "hello " * 3_000 + "}"
    assert _refusal_code(source, QueryLimits(max_tokens=10_000)) == "TOO_MANY_FIELDS"


def test_parse_errors_are_coded() -> None:
    with pytest.raises(GraphQLError) as caught:
        parse_source("{ hello", LIMITS)
    assert _codes([caught.value]) == ["GRAPHQL_PARSE_FAILED"]
    assert caught.value.locations


# --- the operation analysis ------------------------------------------------------------------------------------------


def test_depth_counts_field_levels_leaves_included() -> None:
    assert _check("{ hello }").depth == 1
    assert _check("{ item { next { name } } }").depth == 3
    assert _check(_nested(12)).errors == ()
    assert _refusal_code(_nested(13)) == "QUERY_TOO_DEEP"


def test_depth_follows_fragments_and_inline_fragments() -> None:
    query = (
        "{ item { ...A } }\n"
        "fragment A on Item { next { ... on Item { next { ...B } } } }\n"
        "fragment B on Item { name }"
    )
    assert _check(query).depth == 4
    assert _check(query, limits=QueryLimits(max_depth=3)).errors[0].message.startswith("The query is nested 4 levels")


def test_introspection_is_left_to_the_introspection_depth_rule() -> None:
    """GraphiQL's introspection query has nine levels of `ofType`; it must pass the default depth limit."""
    checked = _check(get_introspection_query(descriptions=True, input_value_deprecation=True))
    assert checked.errors == ()
    assert checked.depth == 1


def test_aliases_are_counted_with_fragments_written_out() -> None:
    fragment = "fragment F on Query { " + " ".join(f"f{i}: hello" for i in range(10)) + " }"
    query = "{ a: item { name } ...F ... on Query { ...G } }\nfragment G on Query { ...F b: hello }\n" + fragment
    assert _check(query).aliases == 1 + 10 + (10 + 1)
    assert _codes(_check(query, limits=QueryLimits(max_aliases=20)).errors) == ["TOO_MANY_ALIASES"]


def test_cost_counts_objects_and_multiplies_by_page_size() -> None:
    assert _check("{ hello }").cost == 0
    assert _check("{ item { name } }").cost == 1
    assert _check(_connection(100)).cost == 1 + 100 + 100
    nested = _connection(100, "children(first: 50) { edges { node { name } } }")
    assert _check(nested).cost == 1 + 100 + 100 + 100 * (1 + 50 + 50)


def test_lists_that_are_not_connections_count_at_list_size() -> None:
    assert _check("{ all { name } }").cost == 1
    assert _check("{ all { next { name } } }").cost == 1 + 10 * 1
    assert _check("{ all { siblings { siblings { next { name } } } } }").cost == 1 + 10 * (1 + 10 * (1 + 10 * 1))
    # the lists of a connection's page (edges) are the page: counted once, by `first`
    assert _check("{ items(first: 5) { edges { node { siblings { name } } } } }").cost == 1 + 5 * (1 + (1 + 1))
    five_deep = "{ all { siblings { siblings { siblings { siblings { next { name } } } } } } }"
    assert _codes(_check(five_deep).errors) == ["QUERY_TOO_COSTLY"]
    assert _check(five_deep, limits=QueryLimits(list_size=2)).errors == ()


def test_connections_without_a_page_size_count_at_their_default_or_worst_case() -> None:
    assert _check("{ items { edges { cursor } } }").cost == 1 + LIMITS.max_first
    assert _check("{ pagedByDefault { edges { cursor } } }").cost == 1 + 5
    assert _check("query($n: Int) { items(first: $n) { edges { cursor } } }", {"n": 7}).cost == 1 + 7
    assert _check("query($n: Int = 4) { items(first: $n) { edges { cursor } } }").cost == 1 + 4
    assert _check("{ items(first: 3, last: 9) { edges { cursor } } }").cost == 1 + 9


def test_cost_over_the_limit_is_refused() -> None:
    inner = "children(first: 100) { edges { node { children(first: 100) { edges { cursor } } } } }"
    three_deep = _connection(100, inner)
    checked = _check(three_deep)
    assert checked.cost > LIMITS.max_cost
    assert _codes(checked.errors) == ["QUERY_TOO_COSTLY"]
    assert "nodes" in checked.errors[0].message


def test_cost_budget_is_what_is_left_in_a_batch() -> None:
    document = parse(_connection(100))
    operation = get_operation_ast(document)
    assert operation is not None
    checked = check_operation(document, operation, SCHEMA, LIMITS, cost_budget=150)
    assert _codes(checked.errors) == ["QUERY_TOO_COSTLY"]
    assert "150 left of 50,000" in checked.errors[0].message


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ items(first: 100000) { edges { cursor } } }", None),
        ("{ items(last: 101) { edges { cursor } } }", None),
        ("query($n: Int) { items(first: $n) { edges { cursor } } }", {"n": 500}),
        ("query($n: Int = 500) { items(first: $n) { edges { cursor } } }", None),
        ("{ item { children(first: 1000) { edges { cursor } } } }", None),
    ],
)
def test_a_page_over_max_first_is_an_error_not_a_clamp(query: str, variables: dict[str, object] | None) -> None:
    checked = _check(query, variables)
    assert "FIRST_TOO_LARGE" in _codes(checked.errors)
    error = next(e for e in checked.errors if _codes([e]) == ["FIRST_TOO_LARGE"])
    assert "the most one page may hold" in error.message and error.locations


def test_fragment_cycles_end_the_walk() -> None:
    query = "{ item { ...A } }\nfragment A on Item { next { ...B } }\nfragment B on Item { name next { ...A } }"
    checked = _check(query)  # validation reports the cycle later; the analysis must just finish
    assert checked.depth == 3  # item > next (in A) > next (in B), whose spread of A, already open, counts nothing


def test_fragment_bombs_are_measured_once_per_fragment() -> None:
    """Each fragment spreads the next one twice: written out, the tree would have 2**40 leaves."""
    lines = ["{ ...F0 }"]
    lines += [f"fragment F{i} on Query {{ a{i}: item {{ name }} ...F{i + 1} ...F{i + 1} }}" for i in range(40)]
    lines.append("fragment F40 on Query { hello }")
    document = parse("\n".join(lines))
    operation = get_operation_ast(document)
    assert isinstance(operation, OperationDefinitionNode)
    elapsed = _best_time(lambda: check_operation(document, operation, SCHEMA, LIMITS))
    checked = check_operation(document, operation, SCHEMA, LIMITS)
    assert elapsed < BUDGET_SECONDS
    assert _codes(checked.errors) == ["TOO_MANY_ALIASES", "QUERY_TOO_COSTLY"]


def test_without_a_schema_only_literal_page_sizes_count() -> None:
    document = parse(_connection(50))
    operation = get_operation_ast(document)
    assert operation is not None
    assert check_operation(document, operation, None, LIMITS).cost == 1 + 50 + 50


def test_batch_size() -> None:
    assert check_batch_size(LIMITS.max_batch, LIMITS) is None
    error = check_batch_size(100, LIMITS)
    assert error is not None and _codes([error]) == ["BATCH_TOO_LARGE"]
    assert error.message == "The batch holds 100 operations; at most 10 are allowed in one request."


# --- every refusal in under 10 ms ------------------------------------------------------------------------------------


def _refuse(query: str) -> Callable[[], str]:
    return lambda: _refusal_code(query)


ABUSES: list[tuple[str, Callable[[], object], str]] = [
    ("depth 50", _refuse(_nested(50)), "QUERY_TOO_DEEP"),
    ("1,000 aliases", _refuse("{ " + " ".join(f"a{i}: hello" for i in range(1_000)) + " }"), "TOO_MANY_ALIASES"),
    ("first: 100000", _refuse("{ items(first: 100000) { edges { node { name } } } }"), "FIRST_TOO_LARGE"),
    ("100-operation batch", lambda: _codes([check_batch_size(100, LIMITS)]), "BATCH_TOO_LARGE"),  # type: ignore[list-item]
    ("200,000 tokens", _refuse("{ hello(x: [" + "1 " * 200_000 + "]) }"), "TOO_MANY_TOKENS"),
]


@pytest.mark.parametrize(("name", "refuse", "code"), ABUSES, ids=[a[0] for a in ABUSES])
def test_each_abuse_is_refused_in_under_10_ms(name: str, refuse: Callable[[], object], code: str) -> None:
    result = refuse()
    assert code in (result if isinstance(result, list) else [result])
    elapsed = _best_time(refuse)
    assert elapsed < BUDGET_SECONDS, f"{name}: {elapsed * 1000:.1f} ms"


def test_the_parser_keeps_its_own_token_guard() -> None:
    """Should the scan undercount, graphql-core's `max_tokens` still stops the parser."""
    assert isinstance(parse_source("{ hello }", LIMITS), DocumentNode)
    with pytest.raises(GraphQLError) as caught:
        parse("{ hello hello hello }", max_tokens=3)
    assert "tokens. Parsing aborted" in caught.value.message  # the text parse_source maps to TOO_MANY_TOKENS
