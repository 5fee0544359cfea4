"""The public site's log lines in process: each line a page view causes names its request id,
the backend client's warnings included."""

import orjson

RID = "trace-frontend-7"


def test_in_json_the_backend_client_s_warning_names_the_page_view_s_id(
    site_log, frontend_settings, closed_port_url, client
):
    frontend_settings.BACKEND_URL = closed_port_url
    read = site_log("json")

    response = client.get("/", HTTP_X_REQUEST_ID=RID)

    assert response.status_code == 503
    lines = [orjson.loads(line) for line in read()]
    assert {line["request_id"] for line in lines} == {RID}, lines
    warned = {line["logger"] for line in lines if line["level"] == "WARNING"}
    assert "frontend_site.backend" in warned
    (request_line,) = [line for line in lines if line["logger"] == "leaderboard.requests"]
    assert (request_line["path"], request_line["status"]) == ("/", 503)


def test_in_text_the_backend_client_s_warning_names_the_id_once(
    site_log, frontend_settings, closed_port_url, client
):
    frontend_settings.BACKEND_URL = closed_port_url
    read = site_log("text")

    client.get("/", HTTP_X_REQUEST_ID=RID)

    (warning,) = [line for line in read() if "frontend_site.backend" in line]
    assert f"WARNING frontend_site.backend [{RID}]: Backend unreachable for " in warning
    assert warning.count(RID) == 1
