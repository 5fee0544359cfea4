"""HEAD through gunicorn, on both sites: the GET's headers, no body, and nothing for gunicorn
to warn about (a body sent on a no-body response is a WARNING line per request)."""

import pytest
import requests

from tests.fixtures.sites import SERVICE_TOKEN

pytestmark = pytest.mark.served  # starts processes of its own: not in TEST_TIER=fast

NO_BODY_WARNING = "no-body response"


@pytest.mark.parametrize(
    ("site", "path", "headers"),
    [
        ("backend_server", "/getdata", {"Authorization": f"Bearer {SERVICE_TOKEN}"}),
        (
            "backend_server",
            "/api/v1/leaderboards/global/entries?limit=3",
            {"Authorization": f"Bearer {SERVICE_TOKEN}"},
        ),
        ("frontend_server", "/", {}),
        ("frontend_server", "/data.json", {}),
    ],
)
def test_head_answers_the_gets_headers_without_a_body(request, site, path, headers):
    served = request.getfixturevalue(site)
    url = served.url + path
    # Uncompressed, so the body's length is the one on the wire (a compressed HEAD gives its
    # own coding's length: tests/frontend/test_public_answers.py).
    headers = {**headers, "Accept-Encoding": "identity"}

    got = requests.get(url, headers=headers, timeout=10)
    head = requests.head(url, headers=headers, timeout=10)

    assert (got.status_code, head.status_code) == (200, 200)
    assert head.content == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) == len(got.content)
    assert NO_BODY_WARNING not in served.log()
