"""A GraphQL request fuzzer for hypothesis, generic over any schema (graphql-core's type system).

:class:`RequestFuzzer` draws from a :class:`random.Random` (hypothesis gives the seed, so runs are reproducible
and a failure names its seed; plain ``random`` keeps a draw in microseconds, so 10,000 requests stay fast):

- :meth:`~RequestFuzzer.valid` — a document valid against the schema: root fields with their required arguments
  and some optional ones (as literals or as variables with matching definitions, an explicit ``null`` now and then
  where the type allows it), selections walked down the types
  (inline fragments on interfaces and unions, named fragments, aliases), distinct response names so that nothing
  conflicts. The server may still refuse it for its limits or a resolver may answer an error, but parsing and
  validation must pass.
- :meth:`~RequestFuzzer.invalid` — a valid request broken one way: syntax (truncated, stray characters, empty),
  unknown fields, wrong argument types, huge integers, null for non-null, wrong or missing variables, variables that
  are not an object, deep nesting (along a cycle of the schema's types, and plain), alias floods, unknown or
  ambiguous operation names, bad directives and fragments, over-deep introspection, huge strings, ``GET`` requests.

:func:`error_shape_problems` checks a response body against the API's one error shape.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_composite_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined

__all__ = ["FuzzRequest", "RequestFuzzer", "error_shape_problems", "random_json", "random_text"]

IdPool = Callable[[str, str], list[str]]
"""Known ids for an argument: ``(field name, argument name) -> ids`` (may be empty)."""

_INT32 = 2**31 - 1
_NAME_CHARS = string.ascii_letters + string.digits + "_"


@dataclass(frozen=True, slots=True)
class FuzzRequest:
    """One request to send: a JSON body (``body``; a dict, a list for a batch, or raw bytes) over POST, or the query
    string parameters of a GET (``params``)."""

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    raw_variables: Any = None  # sent as-is instead of ``variables`` when set (e.g. a list)
    method: str = "POST"
    batch: int = 0  # > 0: send this many copies as a batch

    def json_body(self) -> Any:
        one: dict[str, Any] = {"query": self.query}
        if self.raw_variables is not None:
            one["variables"] = self.raw_variables
        elif self.variables:
            one["variables"] = self.variables
        if self.operation_name is not None:
            one["operationName"] = self.operation_name
        return [one] * self.batch if self.batch else one

    def query_params(self) -> dict[str, str]:
        params = {"query": self.query}
        if self.variables:
            params["variables"] = json.dumps(self.variables)
        if self.operation_name is not None:
            params["operationName"] = self.operation_name
        return params


@dataclass(slots=True)
class _Doc:
    """What a document being drawn has so far."""

    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (type, value)
    fragments: list[str] = field(default_factory=list)
    counter: Iterator[int] = field(default_factory=itertools.count)

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"


class RequestFuzzer:
    """Draws valid and broken requests for ``schema`` from ``rnd``; ``ids`` proposes known ids for ID arguments."""

    def __init__(
        self, schema: GraphQLSchema, *, ids: IdPool | None = None, max_depth: int = 4, max_fields: int = 4
    ) -> None:
        self.schema = schema
        self.ids = ids or (lambda field_name, arg_name: [])
        self.max_depth = max_depth
        self.max_fields = max_fields
        self.cycle = self._find_cycle()

    # --- valid documents ------------------------------------------------------------------------------------------

    def valid(self, rnd: random.Random) -> FuzzRequest:
        doc = _Doc()
        mutation = self.schema.mutation_type
        root: GraphQLObjectType | None = self.schema.query_type
        keyword = "query"
        if mutation is not None and rnd.randint(0, 19) == 0:
            root, keyword = mutation, "mutation"
        assert root is not None
        selection = self._selection(rnd, doc, root, 0, roots=True)
        name = rnd.choice([None, "Fuzz", "Road", "Q" + str(rnd.randint(0, 999))])
        definitions = ", ".join(f"${v}: {t}" for v, (t, _) in doc.variables.items())
        header = keyword
        if name is not None:
            header += f" {name}"
        if definitions:
            header += f"({definitions})"
        if header == "query" and rnd.random() < 0.5:
            header = ""  # the query shorthand
        text = f"{header} {{ {selection} }}".strip()
        if doc.fragments:
            text += "\n" + "\n".join(doc.fragments)
        variables = {v: value for v, (_, value) in doc.variables.items()}
        return FuzzRequest(text, variables or None, name if name is not None and rnd.random() < 0.5 else None)

    def _selection(
        self, rnd: random.Random, doc: _Doc, parent: GraphQLNamedType, depth: int, *, roots: bool = False,
        used: set[str] | None = None,
    ) -> str:
        used = set() if used is None else used
        parts: list[str] = []
        if isinstance(parent, GraphQLUnionType) or (isinstance(parent, GraphQLInterfaceType) and rnd.random() < 0.5):
            possible = list(self.schema.get_possible_types(parent))
            parts.append("__typename")
            used.add("__typename")
            for kind in rnd.sample(possible, k=rnd.randint(0, min(2, len(possible)))):
                inner = self._selection(rnd, doc, kind, depth, used=used)
                parts.append(f"... on {kind.name} {{ {inner} }}")
            if isinstance(parent, GraphQLUnionType):
                return " ".join(parts)
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        fields = list(parent.fields.items())
        if depth >= self.max_depth:
            fields = [(n, f) for n, f in fields if is_leaf_type(get_named_type(f.type))] or fields[:0]
        count = rnd.randint(1, min(self.max_fields, len(fields))) if fields else 0
        chosen = [rnd.choice(fields) for _ in range(count)]
        if not chosen or rnd.randint(0, 9) == 0:
            parts.append(self._field_name(doc, "__typename", used, rnd, force_alias="__typename" in used))
        for name, definition in chosen:
            parts.append(self._field(rnd, doc, name, definition, depth, used))
        text = " ".join(parts)
        if not roots and depth > 0 and rnd.randint(0, 9) == 0:
            fragment = doc.fresh("F")
            doc.fragments.append(f"fragment {fragment} on {parent.name} {{ {text} }}")
            return f"...{fragment}"
        return text

    def _field_name(
        self, doc: _Doc, name: str, used: set[str], rnd: random.Random, *, force_alias: bool = False
    ) -> str:
        if force_alias or name in used or rnd.randint(0, 5) == 0:
            alias = doc.fresh("a")
            used.add(alias)
            return f"{alias}: {name}"
        used.add(name)
        return name

    def _field(
        self, rnd: random.Random, doc: _Doc, name: str, definition: GraphQLField, depth: int, used: set[str]
    ) -> str:
        head = self._field_name(doc, name, used, rnd)
        args = []
        for arg_name, arg in definition.args.items():
            required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
            if not required and not rnd.random() < 0.5:
                continue
            value = self._value(rnd, arg.type, name, arg_name)
            if rnd.randint(0, 2) == 0:
                variable = doc.fresh("v")
                doc.variables[variable] = (str(arg.type), value)
                args.append(f"{arg_name}: ${variable}")
            else:
                args.append(f"{arg_name}: {_literal(value, arg.type)}")
        if args:
            head += f"({', '.join(args)})"
        target = get_named_type(definition.type)
        if is_composite_type(target):
            head += f" {{ {self._selection(rnd, doc, target, depth + 1)} }}"
        return head

    def _value(self, rnd: random.Random, kind: GraphQLInputType, field_name: str, arg_name: str) -> Any:
        if isinstance(kind, GraphQLNonNull):
            return self._present(rnd, kind.of_type, field_name, arg_name)
        if rnd.random() < 0.05:
            return None  # an explicit null is valid wherever the type is nullable
        return self._present(rnd, kind, field_name, arg_name)

    def _present(self, rnd: random.Random, kind: GraphQLInputType, field_name: str, arg_name: str) -> Any:
        """A value (not null) of the nullable type ``kind``."""
        if isinstance(kind, GraphQLList):
            return [self._value(rnd, kind.of_type, field_name, arg_name)
                    for _ in range(rnd.randint(0, 3))]
        if isinstance(kind, GraphQLEnumType):
            return rnd.choice(sorted(kind.values))
        if isinstance(kind, GraphQLInputObjectType):
            out: dict[str, Any] = {}
            for name, sub in kind.fields.items():
                if isinstance(sub.type, GraphQLNonNull) or rnd.random() < 0.5:
                    out[name] = self._value(rnd, sub.type, field_name, name)
            return out
        assert isinstance(kind, GraphQLScalarType)
        return self._scalar(rnd, kind.name, field_name, arg_name)

    def _scalar(self, rnd: random.Random, name: str, field_name: str, arg_name: str) -> Any:
        if name == "Int":
            if arg_name in ("first", "last", "limit"):
                return rnd.randint(0, 100) if rnd.random() < 0.8 else rnd.randint(0, _INT32)
            return rnd.randint(-5, 120) if rnd.random() < 0.7 else rnd.randint(-_INT32 - 1, _INT32)
        if name == "Float":
            return rnd.choice([0.0, -1.5, 1e-30, 3.4e38, rnd.uniform(-1e6, 1e6)])
        if name == "Boolean":
            return rnd.random() < 0.5
        if name == "ID":
            known = self.ids(field_name, arg_name)
            if known and rnd.randint(0, 3):
                return rnd.choice(known)
            return random_text(rnd, 24)
        if name == "Date":
            return (date(1900, 1, 1) + timedelta(days=rnd.randint(0, 80_000))).isoformat()
        if name == "JSONString":
            return json.dumps(random_json(rnd))
        return random_text(rnd, 40)

    # --- broken requests ------------------------------------------------------------------------------------------

    def invalid(self, rnd: random.Random) -> FuzzRequest:
        base = self.valid(rnd)
        breakers = [
            self._broken_syntax, self._unknown_field, self._wrong_literal, self._wrong_variables,
            self._deep_cycle, self._deep_plain, self._aliases, self._operation_names, self._directives,
            self._fragments, self._introspection, self._huge_values, self._transport,
        ]
        breaker = rnd.choice(breakers)
        broken: FuzzRequest = breaker(rnd, base)
        return broken

    def _broken_syntax(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        text = base.query
        how = rnd.randint(0, 5)
        if how == 0:
            return replace(base, query=text[: rnd.randint(0, max(0, len(text) - 1))])
        if how == 1:
            at = rnd.randint(0, len(text))
            junk = "".join(rnd.choices('{}()[]:$@!.,"\\#|&=<>`\'\n\t\u0000\u2028\U0001f600', k=rnd.randint(1, 4)))
            return replace(base, query=text[:at] + junk + text[at:])
        if how == 2:
            return replace(base, query=text.replace("}", "", 1))
        if how == 3:
            return replace(base, query=rnd.choice(["", "   ", "# only a comment", "{", "}", "query", "{}"]))
        if how == 4:
            return replace(base, query=re.sub(r"\b([a-z]\w*)\b", lambda m: "9" + m.group(1), text, count=1))
        return replace(base, query=random_text(rnd, 200))

    def _unknown_field(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        spots = [m.end() for m in re.finditer(r"\{ ", base.query)]
        at = rnd.choice(spots)
        name = "".join(rnd.choices(string.ascii_lowercase, k=rnd.randint(3, 12)))
        return replace(base, query=f"{base.query[:at]}zz{name} {base.query[at:]}")

    def _wrong_literal(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        wrong = rnd.choice([
            '"text"', "1.5", "99999999999999999999999", "-2147483649", "null", "[[1]]", "{a: 1}", "TRUE", "true",
            "$undefined", '"""block"""', "0x10", "1e400",
        ])
        spots = [m for m in re.finditer(r"(\w+): (?!\$)([^,()]+?)(?=[,)])", base.query)]
        if not spots:
            return replace(base, query=base.query.replace("{", f"{{ __typename(x: {wrong}) ", 1))
        spot = rnd.choice(spots)
        return replace(base, query=f"{base.query[: spot.start(2)]}{wrong}{base.query[spot.end(2):]}")

    def _wrong_variables(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        how = rnd.randint(0, 3)
        if how == 0:
            return replace(base, raw_variables=rnd.choice([[1, 2], "x", 3, True]))
        variables = dict(base.variables or {})
        if how == 1 or not variables:
            variables[rnd.choice(["extra", "v0", "input"])] = random_json(rnd)
            return replace(base, variables=variables)
        name = rnd.choice(sorted(variables))
        if how == 2:
            del variables[name]
        else:
            variables[name] = random_json(rnd)
        return replace(base, variables=variables)

    def _deep_cycle(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        if self.cycle is None:
            return self._deep_plain(rnd, base)
        entry, loop = self.cycle
        depth = rnd.randint(8, 60)
        names = [entry] + [loop[i % len(loop)] for i in range(depth)]
        return replace(base, query="{ " + " { ".join(names) + " { __typename" + " }" * (depth + 1) + " }",
                       variables=None, operation_name=None)

    def _deep_plain(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        depth = rnd.randint(20, 400)
        return replace(base, query="{ a" * depth + " }" * depth, variables=None, operation_name=None)

    def _aliases(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        count = rnd.randint(100, 3000)
        return replace(base, query="{ " + " ".join(f"x{i}: __typename" for i in range(count)) + " }",
                       variables=None, operation_name=None)

    def _operation_names(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        how = rnd.randint(0, 2)
        if how == 0:
            return replace(base, operation_name=random_text(rnd, 20))
        twice = "query A { __typename } query B { __typename }"
        if how == 1:
            return replace(base, query=twice, variables=None, operation_name=None)
        return replace(base, query=f"{base.query}\nquery {{ __typename }}", operation_name=None)

    def _directives(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        directive = rnd.choice([
            '@include(if: "yes")', "@skip", "@nope", "@include(if: true) @include(if: false)",
            "@deprecated", "@skip(if: $missing)", "@include(if: null)",
        ])
        return replace(base, query=base.query.replace("{ ", f"{{ __typename {directive} ", 1))

    def _fragments(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        query_type = self.schema.query_type
        assert query_type is not None
        options = [
            "{ ...Missing }",
            f"query {{ ...A }} fragment A on {query_type.name} {{ ...B }} fragment B on {query_type.name} {{ ...A }}",
            "query { ...A } fragment A on NoSuchType { __typename }",
            f"query {{ __typename }} fragment Unused on {query_type.name} {{ __typename }}",
            "{ ... on String { length } }",
        ]
        return replace(base, query=rnd.choice(options), variables=None, operation_name=None)

    def _introspection(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        depth = rnd.randint(1, 12)
        nested = "name " + "ofType { name " * depth + "}" * depth
        query = rnd.choice([
            f"{{ __schema {{ types {{ fields {{ type {{ {nested} }} }} }} }} }}",
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
            '{ __type(name: "Query") { name fields { name args { name type { name } } } } }',
        ])
        return replace(base, query=query, variables=None, operation_name=None)

    def _huge_values(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        size = rnd.choice([10_000, 100_000, 1_000_000])
        how = rnd.randint(0, 2)
        if how == 0:
            return replace(base, query=base.query + "\n#" + "x" * size)
        if how == 1:
            return replace(base, variables={**(base.variables or {}), "big": "x" * size})
        return replace(base, query=base.query.replace("{", "{ __typename(s: \"" + "y" * size + "\") ", 1))

    def _transport(self, rnd: random.Random, base: FuzzRequest) -> FuzzRequest:
        how = rnd.randint(0, 2)
        if how == 0:
            return replace(base, method="GET")
        if how == 1:
            return replace(base, batch=rnd.randint(2, 150))
        return replace(base, query=base.query.replace("query", "subscription", 1) if "query" in base.query
                       else "subscription { __typename }")

    # --- the schema's shape ---------------------------------------------------------------------------------------

    def _find_cycle(self) -> tuple[str, list[str]] | None:
        """A root field and a loop of field names leading from its type back to that type (for deep nesting)."""
        query_type = self.schema.query_type
        if query_type is None:
            return None
        for root_name, root in query_type.fields.items():
            start = get_named_type(root.type)
            if not isinstance(start, GraphQLObjectType) or _required_args(root):
                continue
            path = _loop(start)
            if path:
                return root_name, path
        return None


def _required_args(definition: GraphQLField) -> bool:
    return any(isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined for a in definition.args.values())


def _loop(start: GraphQLObjectType) -> list[str] | None:
    """Field names that lead from ``start`` back to it, without required arguments (breadth first)."""
    queue: list[tuple[GraphQLObjectType, list[str]]] = [(start, [])]
    seen = {start.name}
    while queue:
        current, path = queue.pop(0)
        for name, definition in current.fields.items():
            target = get_named_type(definition.type)
            if not isinstance(target, GraphQLObjectType) or _required_args(definition):
                continue
            if target is start:
                return [*path, name]
            if target.name not in seen and len(path) < 4:
                seen.add(target.name)
                queue.append((target, [*path, name]))
    return None


def _literal(value: Any, kind: GraphQLInputType) -> str:
    """``value`` (as a JSON variable would hold it) written as a GraphQL literal of type ``kind``."""
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if value is None:
        return "null"
    if isinstance(kind, GraphQLList):
        return "[" + ", ".join(_literal(item, kind.of_type) for item in value) + "]"
    if isinstance(kind, GraphQLInputObjectType):
        return "{" + ", ".join(f"{k}: {_literal(v, kind.fields[k].type)}" for k, v in value.items()) + "}"
    if isinstance(kind, GraphQLEnumType):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


_ALPHABETS = (
    string.ascii_letters + string.digits + " -_",
    string.printable,
    "出生证明户口登记医保婚姻退休社会保障卡身份證辦",
    "\u0000\u0007\u001f\u007f\u00a0\u2028\u2029\ufeff\U0001f600\U0010ffff",
    "'\"\\<>&{}$@#%;--/*",
)


def random_text(rnd: random.Random, max_size: int) -> str:
    """Text of up to ``max_size`` characters: ASCII, CJK, control and astral characters, quoting characters."""
    size = rnd.choice([0, 1, rnd.randint(0, max_size)])
    return "".join(rnd.choices(rnd.choice(_ALPHABETS), k=size))


def random_json(rnd: random.Random, depth: int = 0) -> Any:
    """A JSON value: null, booleans, integers (some far outside 32 bits), floats, text, small lists and objects."""
    roll = rnd.randint(0, 9 if depth < 2 else 6)
    if roll == 0:
        return None
    if roll == 1:
        return rnd.random() < 0.5
    if roll == 2:
        return rnd.choice([0, -1, 2**31, -(2**31) - 1, 2**63, 10**30, rnd.randint(-(2**70), 2**70)])
    if roll == 3:
        return rnd.choice([0.5, -1e308, 1e-300, rnd.uniform(-1e9, 1e9)])
    if roll <= 6:
        return random_text(rnd, 20)
    if roll <= 8:
        return [random_json(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    return {random_text(rnd, 8): random_json(rnd, depth + 1) for _ in range(rnd.randint(0, 3))}


# --- the error shape ------------------------------------------------------------------------------------------------

_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def error_shape_problems(body: Any) -> list[str]:
    """What is wrong with a GraphQL response body (a result, or a list of them for a batch); empty when all is
    well: each result has ``data`` and/or ``errors``; each error is ``message`` (text), ``extensions.code``
    (UPPER_SNAKE), optional ``locations`` (line/column ≥ 1) and ``path`` (names and indexes), nothing else."""
    results = body if isinstance(body, list) else [body]
    problems: list[str] = []
    for result in results:
        if not isinstance(result, dict) or not result or set(result) - {"data", "errors", "extensions"}:
            problems.append(f"not a GraphQL result: {str(result)[:200]}")
            continue
        errors = result.get("errors", [])
        if "data" not in result and not errors:
            problems.append("a result with neither data nor errors")
        if not isinstance(errors, list):
            problems.append("errors is not a list")
            continue
        for error in errors:
            problems.extend(_error_problems(error))
    return problems


def _error_problems(error: Any) -> list[str]:
    if not isinstance(error, dict):
        return [f"an error that is not an object: {error!r:.200}"]
    problems = []
    if set(error) - {"message", "locations", "path", "extensions"}:
        problems.append(f"unexpected keys in {sorted(error)}")
    if not isinstance(error.get("message"), str) or not error["message"]:
        problems.append("an error without a message")
    code = (error.get("extensions") or {}).get("code") if isinstance(error.get("extensions"), dict) else None
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(f"an error without a code: {error!r:.200}")
    elif code == "INTERNAL":
        problems.append(f"an internal error (a bug): {error!r:.300}")
    for location in error.get("locations", []):
        if not (isinstance(location, dict) and set(location) == {"line", "column"}
                and all(isinstance(v, int) and v >= 1 for v in location.values())):
            problems.append(f"a bad location {location!r}")
    path = error.get("path", [])
    if not isinstance(path, list) or not all(isinstance(p, str | int) for p in path):
        problems.append(f"a bad path {path!r}")
    return problems

