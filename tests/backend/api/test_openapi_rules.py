"""The rules every operation of the OpenAPI document follows, so that generated clients stay
clean (one module per tag, one shared Error model, named models, no HTML), and the committed
docs/openapi.json is the document served. No server: the document is built from code.

A path a new module adds (backend_site/rankings/api/openapi/*_paths.py) follows them by
being built with parts.operation; the package's __init__ says how.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from backend_site.rankings.api.openapi import document as openapi
from backend_site.rankings.api.openapi.parts import OPERATION_ID, TAG_NAMES

DOCUMENT = openapi.document()
COMPONENTS = DOCUMENT["components"]
OPERATION_KEYS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ERROR = {"$ref": "#/components/schemas/Error"}
REGENERATE = (
    "make openapi  (python -m backend_site.rankings.api.openapi --output docs/openapi.json)"
)

OPERATIONS = [
    (f"{key.upper()} {path}", item[key])
    for path, item in sorted(DOCUMENT["paths"].items())
    for key in sorted(OPERATION_KEYS & set(item))
]
IDS = [label for label, _ in OPERATIONS]


def resolved(node: dict) -> dict:
    """A component (response, header, schema...) or the $ref to one."""
    if "$ref" not in node:
        return node
    _, _, kind, name = node["$ref"].split("/")
    return COMPONENTS[kind][name]


def refs(node) -> list[str]:
    """Every $ref under ``node``."""
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def inline_objects(schema, where: str = "", *, free_form: bool = False) -> list[str]:
    """Where an object schema is written out rather than referred to (generated clients name
    it after where it sits: PeriodsResponse200PeriodsItemWinnerType0). ``free_form``: an
    object without properties (any JSON object) may be written out."""
    if isinstance(schema, list):
        return [
            hit for value in schema for hit in inline_objects(value, where, free_form=free_form)
        ]
    if not isinstance(schema, dict) or "$ref" in schema:
        return []
    written_out = "properties" in schema or (schema.get("type") == "object" and not free_form)
    found = [where or "/"] if written_out else []
    for key, value in schema.items():
        found += inline_objects(value, f"{where}/{key}", free_form=free_form)
    return found


def bodies(operation: dict) -> list[tuple[str, str, dict]]:
    """(what, media type, schema) of an operation's request body and every answer's."""
    found = []
    if "requestBody" in operation:
        for media, content in operation["requestBody"]["content"].items():
            found.append(("request body", media, content["schema"]))
    for status, answer in operation["responses"].items():
        for media, content in resolved(answer).get("content", {}).items():
            found.append((status, media, content["schema"]))
    return found


@pytest.mark.parametrize("operation", [op for _, op in OPERATIONS], ids=IDS)
def test_each_operation_has_one_declared_tag_and_a_camel_case_operation_id(operation):
    assert len(operation["tags"]) == 1
    assert operation["tags"][0] in TAG_NAMES
    assert OPERATION_ID.match(operation["operationId"])
    assert operation["summary"]


def test_operation_ids_are_unique_and_every_declared_tag_is_used():
    ids = Counter(op["operationId"] for _, op in OPERATIONS)
    assert [name for name, count in ids.items() if count > 1] == []
    declared = [tag["name"] for tag in DOCUMENT["tags"]]
    assert len(declared) == len(set(declared)) and set(declared) == TAG_NAMES
    used = {op["tags"][0] for _, op in OPERATIONS}
    assert used == TAG_NAMES
    assert all(tag["description"] for tag in DOCUMENT["tags"])


@pytest.mark.parametrize("operation", [op for _, op in OPERATIONS], ids=IDS)
def test_no_body_is_html_and_every_object_in_one_is_a_named_schema(operation):
    for what, media, schema in bodies(operation):
        # HTML would make every generated error type a string; a success may be another
        # text (an export's text/csv), an error never is (below).
        assert not media.startswith("text/html"), what
        assert inline_objects(schema) == [], what  # a $ref to components.schemas instead


@pytest.mark.parametrize("operation", [op for _, op in OPERATIONS], ids=IDS)
def test_every_error_answer_is_the_one_error_schema_with_its_codes(operation):
    errors = {s: resolved(a) for s, a in operation["responses"].items() if s[0] in "45"}
    for status in ("401", "403", "429", "503"):
        assert status in errors
    for status, answer in errors.items():
        assert answer["content"] == {"application/json": {"schema": ERROR}}, status
        codes = answer["x-error-codes"]
        assert codes and all(f"`{code}`" in answer["description"] for code in codes), status


@pytest.mark.parametrize("operation", [op for _, op in OPERATIONS], ids=IDS)
def test_every_answer_header_is_a_component(operation):
    for status, answer in operation["responses"].items():
        for name, header in resolved(answer).get("headers", {}).items():
            assert header.keys() == {"$ref"}, (status, name)
            assert resolved(header)["schema"]["type"], (status, name)


def test_the_components_are_named_objects_and_every_one_is_used():
    for name, schema in COMPONENTS["schemas"].items():
        if schema.get("type") == "object":
            # the nested objects are named too (a free-form one, any JSON object, may stay)
            for key, value in schema.get("properties", {}).items():
                assert inline_objects(value, free_form=True) == [], f"{name}.{key}"
    used = {ref.rsplit("/", 1)[1] for ref in refs(DOCUMENT)}
    for kind in ("schemas", "headers", "parameters"):
        assert set(COMPONENTS[kind]) <= used, kind
    # MethodNotAllowed: what any undocumented method gets (the document's description says so)
    assert set(COMPONENTS["responses"]) - used <= {"MethodNotAllowed"}


def test_every_ref_resolves():
    for reference in set(refs(DOCUMENT)):
        prefix, kind, name = reference.rsplit("/", 2)
        assert prefix == "#/components" and name in COMPONENTS[kind], reference


def test_null_is_said_the_openapi_3_1_way():
    # type: [X, "null"]; a $ref (which takes no type) as anyOf: [$ref, {type: null}]
    def check(node, where=""):
        if isinstance(node, dict):
            assert "nullable" not in node, where  # OpenAPI 3.0's word
            for key in ("anyOf", "oneOf"):
                if {"type": "null"} in node.get(key, []):
                    others = [s for s in node[key] if s != {"type": "null"}]
                    assert len(others) == 1 and others[0].keys() == {"$ref"}, where
            for key, value in node.items():
                check(value, f"{where}/{key}")
        elif isinstance(node, list):
            for value in node:
                check(value, where)

    assert DOCUMENT["openapi"].startswith("3.1.")
    check(DOCUMENT)


def test_the_committed_document_is_the_one_served():
    committed = Path(__file__).resolve().parents[3] / openapi.COMMITTED_PATH
    assert committed.read_text(encoding="utf-8") == openapi.document_text(), (
        f"{openapi.COMMITTED_PATH} is out of date: run {REGENERATE}"
    )
