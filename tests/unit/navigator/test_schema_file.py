"""`schema.graphql` at the repository root is the graphene schema, generated and committed."""

from __future__ import annotations

from navigator.schema import SCHEMA_FILE, schema


def test_schema_graphql_is_current() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == str(schema).rstrip("\n") + "\n", "schema.graphql is stale: run `navigator schema`"


def test_the_schema_has_the_fields_apps_build_on() -> None:
    query = schema.graphql_schema.query_type
    assert query is not None
    assert {
        "lifeStages", "lifeStage", "lifeEvent", "lifeEvents", "service", "services", "bundle", "bundles", "dataset",
        "datasets", "journey", "node",
    } <= set(query.fields)
    mutation = schema.graphql_schema.mutation_type
    assert mutation is not None
    assert set(mutation.fields) == {"approveDatasetLink", "rejectDatasetLink", "addDatasetLink"}
