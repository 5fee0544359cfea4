"""The OpenAPI document (backend_site/rankings/openapi.py) against the code it describes.

It is valid OpenAPI 3.1, it names exactly the API's routes with the same path parameters, it
lists exactly the methods the views accept, and the backend serves it, with the token only.
test_api_fuzz.py then checks every answer against it.
"""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
import requests
import schemathesis
from django.test import Client
from django.urls import URLPattern, resolve

from backend_site.rankings import openapi, views
from backend_site.rankings.urls import urlpatterns as api_urlpatterns
from tests.conftest import SERVICE_TOKEN

DOCUMENT = openapi.document()
# Every method a caller could send; HEAD is served wherever GET is, as HTTP says.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
OPERATION_KEYS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Values that fill a documented path's parameters to reach its view.
SAMPLE_VALUES = {"slug": "global", "player_id": "p1"}


def route_as_path(pattern: URLPattern) -> str:
    """A Django route, "api/v1/x/<slug:slug>/y", as an OpenAPI path, "/api/v1/x/{slug}/y"."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))


def path_parameters(path: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", path))


def resolved(reference: dict) -> dict:
    """A parameter, or the $ref to one in components.parameters."""
    if "$ref" not in reference:
        return reference
    return DOCUMENT["components"]["parameters"][reference["$ref"].rsplit("/", 1)[1]]


def resolved_response(reference: dict) -> dict:
    """A response, or the $ref to one in components.responses."""
    return DOCUMENT["components"]["responses"][reference["$ref"].rsplit("/", 1)[1]]


def documented_path_parameters(path: str) -> set[str]:
    item = DOCUMENT["paths"][path]
    parameters = list(item.get("parameters", []))
    for key in OPERATION_KEYS & set(item):
        parameters += item[key].get("parameters", [])
    return {p["name"] for p in map(resolved, parameters) if p["in"] == "path"}


def documented_methods(path: str) -> set[str]:
    methods = {key.upper() for key in OPERATION_KEYS & set(DOCUMENT["paths"][path])}
    return methods | {"HEAD"} if "GET" in methods else methods


def filled(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda match: SAMPLE_VALUES[match[1]], path)


def schema_objects(node):
    """Every JSON Schema in the document: components.schemas and each "schema" value."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" or (key == "schemas" and node is DOCUMENT["components"]):
                yield from ([value] if key == "schema" else value.values())
            else:
                yield from schema_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_objects(value)


def test_the_document_is_valid_openapi_3_1():
    loaded = schemathesis.openapi.from_dict(openapi.document())
    loaded.validate()  # raises on anything the OpenAPI 3.1 schema refuses
    assert DOCUMENT["openapi"].startswith("3.1.")


def test_every_schema_in_the_document_is_valid_json_schema():
    # The OpenAPI 3.1 schema leaves schema objects unchecked: check each against its dialect.
    schemas = list(schema_objects(DOCUMENT))
    assert len(schemas) > 20
    for schema in schemas:
        jsonschema_rs.meta.validate(
            {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        )


def test_every_api_route_has_a_documented_path_and_every_path_a_route():
    routes = {route_as_path(pattern) for pattern in api_urlpatterns}
    assert routes == set(DOCUMENT["paths"])


@pytest.mark.parametrize("pattern", api_urlpatterns, ids=lambda pattern: pattern.name)
def test_each_route_documents_its_path_parameters_and_resolves_to_its_view(pattern):
    path = route_as_path(pattern)
    assert documented_path_parameters(path) == path_parameters(path)
    match = resolve(filled(path))
    assert match.func is pattern.callback
    assert match.func is not views.not_found


@pytest.mark.parametrize("path", sorted(DOCUMENT["paths"]))
def test_a_documented_method_is_served_and_any_other_is_a_405(api, path):
    accepted = documented_methods(path)
    for method in METHODS:
        answer = api.generic(method, filled(path))
        if method in accepted:
            assert answer.status_code != 405, method
        else:
            assert answer.status_code == 405, method
            assert answer["Content-Type"] == "application/json"
            assert set(answer["Allow"].split(", ")) == accepted


def test_the_backend_serves_the_document_to_a_caller_with_the_token(api):
    answer = api.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == DOCUMENT


def test_the_document_is_refused_without_the_token(api):
    answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"


def test_the_served_backend_answers_the_document_under_gunicorn(backend_server):
    url = f"{backend_server.url}/api/v1/openapi.json"
    answer = requests.get(url, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, timeout=5)
    assert answer.status_code == 200
    assert answer.json() == DOCUMENT
    assert requests.get(url, timeout=5).status_code == 401


def test_a_request_line_too_long_for_gunicorn_is_a_documented_html_414(backend_server):
    # Found by the fuzzing: gunicorn, not the backend, refuses a request line over 4094 bytes.
    answer = requests.get(
        f"{backend_server.url}/getdata?limit={'9' * 5000}",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 414
    assert answer.headers["Content-Type"].startswith("text/html")
    documented = DOCUMENT["paths"]["/getdata"]["get"]["responses"]["414"]
    assert resolved_response(documented)["content"].keys() == {"text/html"}
