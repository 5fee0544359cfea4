"""The OpenAPI document (backend_site/rankings/api/openapi.py) against the code it describes.

It is valid OpenAPI 3.1, it names exactly the API's routes with the same path parameters, it
lists exactly the methods the views accept, each with the scope the access check requires and
its 401, 403 and 429 answers, and the backend serves it, with the token only.
test_api_fuzz.py then checks every answer against it.
"""

from __future__ import annotations

import re

import jsonschema_rs
import orjson
import pytest
import requests
import schemathesis
from django.test import Client
from django.urls import URLPattern, resolve

from backend_site import limits
from backend_site.access import scope_needed
from backend_site.api_keys import keys
from backend_site.api_keys.models import SCOPES
from backend_site.rankings import fields
from backend_site.rankings.api import inputs, views
from backend_site.rankings.api.openapi import document as openapi
from backend_site.rankings.api.urls import urlpatterns as api_urlpatterns
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.models import MAX_SUBMISSIONS_PER_MINUTE, Leaderboard
from backend_site.rankings.writes import boards as board_writes
from tests.fixtures.sites import SERVICE_TOKEN

DOCUMENT = openapi.document()
# Every method a caller could send; HEAD is served wherever GET is, as HTTP says.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
OPERATION_KEYS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Values that fill a documented path's parameters to reach its view.
SAMPLE_VALUES = {"slug": "global", "player_id": "p1", "sanction_id": "1"}
# The 403 codes a view adds to the access check's: a banned player's submission.
VIEW_FORBIDDEN_CODES = {"submitScore": {"player_banned"}, "submitScoreBatch": {"player_banned"}}


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
    if "$ref" not in reference:
        return reference
    return DOCUMENT["components"]["responses"][reference["$ref"].rsplit("/", 1)[1]]


def resolved_header(reference: dict) -> dict:
    """A header, or the $ref to one in components.headers."""
    if "$ref" not in reference:
        return reference
    return DOCUMENT["components"]["headers"][reference["$ref"].rsplit("/", 1)[1]]


def operations() -> list[tuple[str, str, dict]]:
    """(path, METHOD, operation) for every operation in the document."""
    return [
        (path, key.upper(), item[key])
        for path, item in sorted(DOCUMENT["paths"].items())
        for key in sorted(OPERATION_KEYS & set(item))
    ]


OPERATIONS = operations()
OPERATION_IDS = [f"{method} {path}" for path, method, _ in OPERATIONS]
SCHEME = openapi.SECURITY_SCHEME
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def response_headers(response: dict) -> dict[str, dict]:
    """A response's headers, each resolved."""
    return {name: resolved_header(h) for name, h in response.get("headers", {}).items()}


def error_codes(response: dict) -> set[str]:
    """The codes an error answer may carry (its schema is the one Error for every answer)."""
    return set(response["x-error-codes"])


def assert_matches_documented(answer, path: str, method: str) -> None:
    """The answer's status is documented for the operation, its JSON body matches the
    documented schema (with the components it refers to), an error's code is one the answer
    lists, and every required header is there."""
    operation = DOCUMENT["paths"][path][method.lower()]
    documented = resolved_response(operation["responses"][str(answer.status_code)])
    if "content" not in documented:  # a 204
        assert answer.content == b""
        return
    schema = documented["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": DOCUMENT["components"]})
    validator.validate(answer.json())
    if answer.status_code >= 400:
        assert answer.json()["error"]["code"] in error_codes(documented)
    for name, header in response_headers(documented).items():
        if header.get("required"):
            assert answer.has_header(name), name


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
    keys.forget()
    _, secret = keys.key_create(name="every-scope", scopes=",".join(SCOPES))
    caller = Client(headers={"Authorization": f"Bearer {secret}"})
    accepted = documented_methods(path)
    for method in METHODS:
        answer = caller.generic(method, filled(path))
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


@pytest.mark.parametrize(
    ("url_tail", "headers", "status", "code"),
    [
        (f"?limit={'9' * 5000}", {}, "414", "uri_too_long"),
        ("", {"X-Big": "x" * 9000}, "431", "headers_too_large"),
    ],
    ids=["414", "431"],
)
def test_what_the_server_refuses_before_the_backend_is_a_documented_json_error(
    backend_server, url_tail, headers, status, code
):
    # Found by the fuzzing: gunicorn refuses a request line over 4094 bytes, or a header over
    # 8190, before the backend sees it; our worker answers it as JSON (common/refusals.py).
    answer = requests.get(
        f"{backend_server.url}/getdata{url_tail}",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}", **headers},
        timeout=5,
    )
    assert answer.status_code == int(status)
    assert answer.headers["Content-Type"] == "application/json"
    documented = resolved_response(DOCUMENT["paths"]["/getdata"]["get"]["responses"][status])
    schema = documented["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": DOCUMENT["components"]})
    validator.validate(answer.json())
    assert answer.json()["error"]["code"] == code
    assert error_codes(documented) == {code}


def test_the_bearer_scheme_takes_api_keys_and_both_tokens():
    scheme = DOCUMENT["components"]["securitySchemes"][SCHEME]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for named in (keys.PREFIX, "BACKEND_SERVICE_TOKEN", "BACKEND_READ_TOKEN"):
        assert named in scheme["description"], named
    # No document-wide default: each operation says what it needs.
    assert "security" not in DOCUMENT


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_each_operation_needs_the_scope_the_access_check_requires(path, method, operation):
    needed = scope_needed(method.upper(), path)
    assert operation["security"] == [{SCHEME: [needed]}]
    assert needed in SCOPES


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=OPERATION_IDS)
def test_each_operation_documents_the_access_checks_401_403_and_429(path, method, operation):
    responses = {status: resolved_response(r) for status, r in operation["responses"].items()}

    unauthorized = responses["401"]
    assert error_codes(unauthorized) == {"unauthorized"}
    assert response_headers(unauthorized)["WWW-Authenticate"]["required"] is True

    view_codes = VIEW_FORBIDDEN_CODES.get(operation["operationId"], set())
    assert error_codes(responses["403"]) == {"forbidden", "insufficient_scope", *view_codes}

    limited = responses["429"]
    assert error_codes(limited) == {"rate_limited"}
    headers = response_headers(limited)
    for name in ("Retry-After", *RATE_LIMIT_HEADERS):
        assert headers[name]["required"] is True, name

    successes = [r for status, r in responses.items() if status.startswith("2")]
    assert successes
    for success in successes:
        headers = response_headers(success)
        for name in RATE_LIMIT_HEADERS:
            assert headers[name]["required"] is False, name
            assert headers[name]["schema"]["type"] == "integer", name
        assert headers["X-Request-ID"]["required"] is True


def test_the_board_listing_documents_each_boards_submission_limit():
    board = DOCUMENT["components"]["schemas"]["Leaderboard"]
    # Like every field of a board, always present (null: unlimited).
    assert "max_submissions_per_minute" in board["required"]
    assert board["properties"]["max_submissions_per_minute"] == {
        "type": ["integer", "null"],
        "minimum": 1,
        "description": board["properties"]["max_submissions_per_minute"]["description"],
    }


@pytest.fixture
def caller(api):
    """``caller(secret)``: a test client sending that bearer secret."""
    keys.forget()
    yield lambda secret: Client(headers={"Authorization": f"Bearer {secret}"})
    keys.forget()


def test_the_access_checks_answers_match_the_document(caller):
    _, reader = keys.key_create(name="reader", scopes="read")
    _, writer = keys.key_create(name="writer", scopes="write")
    score = {"player_id": "p1", "score": 5, "name": "Pat"}
    path = "/api/v1/leaderboards/{slug}/scores"

    refused = caller(reader).post(filled(path), score, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert_matches_documented(refused, path, "POST")

    missing = Client().post(filled(path), score, content_type="application/json")
    assert missing.status_code == 401
    assert_matches_documented(missing, path, "POST")
    assert missing["WWW-Authenticate"].startswith("Bearer ")

    read = caller(reader).get("/api/v1/leaderboards")
    assert read.status_code == 200
    assert_matches_documented(read, "/api/v1/leaderboards", "GET")
    refused = caller(writer).get("/api/v1/leaderboards")
    assert refused.status_code == 403
    assert_matches_documented(refused, "/api/v1/leaderboards", "GET")


def test_a_rate_limited_keys_answers_match_the_document(caller):
    limits.forget()
    _, secret = keys.key_create(name="slow", scopes="read", rate=1)
    client = caller(secret)

    served = client.get("/api/v1/leaderboards")
    assert served.status_code == 200
    assert_matches_documented(served, "/api/v1/leaderboards", "GET")
    assert all(served[name].isdigit() for name in RATE_LIMIT_HEADERS)

    limited = client.get("/api/v1/leaderboards")
    assert limited.status_code == 429
    assert_matches_documented(limited, "/api/v1/leaderboards", "GET")
    assert all(limited[name].isdigit() for name in ("Retry-After", *RATE_LIMIT_HEADERS))
    limits.forget()


def test_the_documented_sanction_ids_are_the_ones_the_backend_takes():
    documented = resolved(
        DOCUMENT["paths"]["/api/v1/players/{player_id}/sanctions/{sanction_id}"]["parameters"][1]
    )["schema"]
    low, high = documented["minimum"], documented["maximum"]
    assert inputs.sanction_id_clean(str(low)) == low
    assert inputs.sanction_id_clean(str(high)) == high
    for outside in (low - 1, high + 1):
        with pytest.raises(InvalidInput):
            inputs.sanction_id_clean(str(outside))
    schemas = DOCUMENT["components"]["schemas"]
    sanction = schemas["Sanction"]["properties"]
    assert sanction["id"]["maximum"] == high
    assert sanction["action"] == {"$ref": "#/components/schemas/SanctionAction"}
    assert set(schemas["SanctionAction"]["enum"]) == set(inputs.SANCTION_ACTIONS)


def test_the_sanction_answers_match_the_document(api, moderator):
    sanctions = "/api/v1/players/{player_id}/sanctions"
    lift = f"{sanctions}/{{sanction_id}}"
    scores = "/api/v1/leaderboards/{slug}/scores"
    batch = "/api/v1/scores/batch"
    standing = "/api/v1/leaderboards/{slug}/players/{player_id}"
    history = f"{standing}/history"

    def post(client, path, url, body):
        answer = client.post(url, body, content_type="application/json")
        assert_matches_documented(answer, path, "POST")
        return answer

    def get(client, path, url):
        answer = client.get(url)
        assert_matches_documented(answer, path, "GET")
        return answer

    for player_id in ("p1", "p2"):
        made = post(
            api,
            scores,
            "/api/v1/leaderboards/global/scores",
            {"player_id": player_id, "score": 5, "name": "Pat"},
        )
        assert made.status_code == 200

    hide = post(
        moderator,
        sanctions,
        "/api/v1/players/p1/sanctions",
        {"action": "hide", "reason": "Smurfing.\tTwice."},
    )
    assert hide.status_code == 201
    assert hide.json()["until"] is None and hide.json()["ended_at"] is None

    for path in (standing, history):
        hidden = get(api, path, path.format(slug="global", player_id="p1"))
        assert hidden.status_code == 404
        assert hidden.json()["error"]["code"] == "player_not_found"
    taken = post(api, scores, "/api/v1/leaderboards/global/scores", {"player_id": "p1", "score": 7})
    assert taken.status_code == 200
    assert taken.json()["rank"] is None

    ban = post(
        moderator,
        sanctions,
        "/api/v1/players/p1/sanctions",
        {"action": "ban", "until": "2999-01-01T00:00:00+14:00"},
    )
    assert ban.status_code == 201
    refused = post(
        api, scores, "/api/v1/leaderboards/global/scores", {"player_id": "p1", "score": 9}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "player_banned"
    items = [{"leaderboard": "global", "player_id": pid, "score": 9} for pid in ("p2", "p1")]
    refused = post(api, batch, batch, {"scores": items})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "player_banned"
    assert refused.json()["error"]["message"].startswith("scores[1]:")

    listed = get(moderator, sanctions, "/api/v1/players/p1/sanctions")
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["sanctions"]] == [ban.json()["id"], hide.json()["id"]]
    assert get(moderator, sanctions, "/api/v1/players/nobody/sanctions").status_code == 404

    for sanction_id, status in (
        (ban.json()["id"], 204),
        (ban.json()["id"], 204),
        (10**6, 404),
        ("0", 400),
        ("x", 400),
    ):
        answer = moderator.delete(f"/api/v1/players/p1/sanctions/{sanction_id}")
        assert answer.status_code == status, sanction_id
        assert_matches_documented(answer, lift, "DELETE")
    past = post(
        moderator,
        sanctions,
        "/api/v1/players/p1/sanctions",
        {"action": "ban", "until": "2000-01-01T00:00:00+00:00"},
    )
    assert past.status_code == 400


def request_body_schema(path: str, method: str) -> dict:
    """The components schema an operation's JSON body refers to."""
    body = DOCUMENT["paths"][path][method]["requestBody"]["content"]["application/json"]
    return DOCUMENT["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]


def test_the_documented_board_settings_are_the_ones_the_backend_takes():
    new = request_body_schema("/api/v1/leaderboards", "post")
    change = request_body_schema("/api/v1/leaderboards/{slug}", "patch")
    assert set(change["properties"]) == set(board_writes.SETTINGS)
    assert set(new["properties"]) == {"slug", *board_writes.SETTINGS}
    assert new["required"] == ["slug"] and change["required"] == []
    title = new["properties"]["title"]
    assert title["maxLength"] == fields.TITLE_MAX == Leaderboard._meta.get_field("title").max_length
    listed = DOCUMENT["components"]["schemas"]["Leaderboard"]["properties"]
    for name in ("order", "operator", "reset"):  # BoardOrder, BoardOperator, BoardReset
        assert new["properties"][name] == change["properties"][name] == listed[name]
    limit = new["properties"]["max_submissions_per_minute"]
    assert limit["maximum"] == MAX_SUBMISSIONS_PER_MINUTE


def test_the_board_management_answers_match_the_document(api):
    _, secret = keys.key_create(name="studio-tools", scopes="manage")
    studio = Client(headers={"Authorization": f"Bearer {secret}"})
    boards, board = "/api/v1/leaderboards", "/api/v1/leaderboards/{slug}"

    def call(client, method, path, url, body=None, status=200):
        answer = client.generic(method, url, orjson.dumps(body), content_type="application/json")
        assert answer.status_code == status, answer.content
        assert_matches_documented(answer, path, method)
        return answer

    made = call(studio, "POST", boards, boards, {"slug": "cup", "reset": "daily"}, 201)
    assert made["Location"] == "/api/v1/leaderboards/cup"
    call(studio, "POST", boards, boards, {"slug": "cup"}, 409)
    call(studio, "POST", boards, boards, {"slug": "mug", "timezone": "Nowhere"}, 400)
    call(api, "GET", board, "/api/v1/leaderboards/cup")
    call(api, "GET", board, "/api/v1/leaderboards/nowhere", status=404)
    score = {"player_id": "p1", "score": 5, "name": "Pat"}
    call(
        api, "POST", "/api/v1/leaderboards/{slug}/scores", "/api/v1/leaderboards/cup/scores", score
    )
    call(studio, "PATCH", board, "/api/v1/leaderboards/cup", {"title": "Cup", "max_score": 9})
    call(studio, "PATCH", board, "/api/v1/leaderboards/cup", {"reset": "weekly"}, 409)
    call(studio, "PATCH", board, "/api/v1/leaderboards/cup", {"slug": "mug"}, 400)
    call(studio, "PATCH", board, "/api/v1/leaderboards/nowhere", {}, 404)
    call(api, "PATCH", board, "/api/v1/leaderboards/cup", {"title": "Mine"}, 403)
    call(studio, "DELETE", board, "/api/v1/leaderboards/global", status=409)
    call(studio, "DELETE", board, "/api/v1/leaderboards/cup", status=204)
    call(studio, "DELETE", board, "/api/v1/leaderboards/cup", status=404)
