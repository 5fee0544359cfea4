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


def test_a_visitors_own_request_id_is_replaced_unless_a_trusted_proxy_sends_it(
    site_log, frontend_settings, closed_port_url, client
):
    frontend_settings.BACKEND_URL = closed_port_url
    frontend_settings.FRONTEND_TRUSTED_PROXIES = ["10.0.0.0/8"]
    read = site_log("json")

    visitor = client.get("/", HTTP_X_REQUEST_ID="FORGED-by-visitor-42", REMOTE_ADDR="203.0.113.9")
    proxied = client.get("/", HTTP_X_REQUEST_ID=RID, REMOTE_ADDR="10.1.2.3")

    assert visitor["X-Request-ID"] != "FORGED-by-visitor-42"
    assert proxied["X-Request-ID"] == RID
    assert "FORGED" not in "".join(read())


def test_a_bad_host_is_one_warning_line_with_no_traceback(site_log, frontend_settings, client):
    read = site_log("text")

    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    lines = read()
    warnings = [line for line in lines if "DisallowedHost" in line]
    assert len(warnings) == 1 and " WARNING django.security.DisallowedHost" in warnings[0]
    assert "Traceback" not in "\n".join(lines)
