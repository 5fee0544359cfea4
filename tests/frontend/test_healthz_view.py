"""GET /healthz in process: the load balancer's check, before any host validation."""


def test_the_health_check_answers_whatever_the_host_header(frontend_settings, client):
    response = client.get("/healthz", headers={"Host": "checker.internal"})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_health_check_does_not_call_the_backend(frontend_settings, closed_port_url, client):
    frontend_settings.BACKEND_URL = closed_port_url

    assert client.get("/healthz").status_code == 200
