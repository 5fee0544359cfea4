"""GET /table/ in process: the board's table alone, for the Refresh Scores button."""

from tests.frontend.fixtures.served_sites import seed_players


def test_the_table_has_the_rows_without_the_page_around_them(backend_server, frontend, top_scores):
    seed_players(backend_server, ["Table Topper"], top_scores(1))

    response = frontend.get("/table/")

    assert response.status_code == 200
    assert "Table Topper" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_an_unreachable_backend_with_nothing_cached_gives_a_503(
    frontend_settings, closed_port_url, client
):
    frontend_settings.BACKEND_URL = closed_port_url

    assert client.get("/table/").status_code == 503
