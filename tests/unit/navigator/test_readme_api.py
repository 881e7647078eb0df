"""The README's example GraphQL operations are valid against the schema apps see."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import parse, validate

from navigator.schema import schema

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_examples_are_valid_operations() -> None:
    text = README.read_text(encoding="utf-8")
    api = text[text.index("\n## API\n"):]
    examples = re.findall(r"```graphql\n(.*?)```", api, flags=re.DOTALL)
    assert len(examples) >= 4
    for example in examples:
        assert validate(schema.graphql_schema, parse(example)) == [], example
