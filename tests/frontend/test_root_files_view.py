"""GET /favicon.ico, /apple-touch-icon.png and /robots.txt: the files browsers, phones and
crawlers ask for at the root, and the links and description every page carries."""

import re
import struct

import pytest

pytestmark = pytest.mark.usefixtures("frontend_settings")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"])[1])


def test_the_favicon_is_a_real_ico_cached_for_a_week(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert max_age(response) >= 7 * 24 * 3600 and "public" in response["Cache-Control"]
    data = response.content
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)  # an icon file
    sizes = []
    for index in range(count):
        width, _, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        assert png_size(data[offset : offset + length]) == (width, width)
        sizes.append(width)
    assert sizes == [16, 32, 48]


def test_the_apple_touch_icon_is_a_180_px_png(client):
    response = client.get("/apple-touch-icon.png")

    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert png_size(response.content) == (180, 180)
    assert max_age(response) >= 7 * 24 * 3600


def test_robots_may_crawl_the_pages(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in response.content.decode()
    assert "Disallow: /\n" not in response.content.decode()


@pytest.mark.parametrize("path", ["/favicon.ico", "/apple-touch-icon.png", "/robots.txt"])
def test_a_root_file_takes_get_and_head_only(client, path):
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_every_page_links_the_icons_and_describes_itself(client):
    page = client.get("/no-such-page/").content.decode()  # the 404 page: no backend needed

    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in page
    assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in page
    assert re.search(r'<meta name="description" content="[^"]{50,160}">', page)
