"""bench/live.py's own parts: its HTTP/1.1 reading and how it counts a write's delay."""

import asyncio
import gzip
import math

from bench.live import Pages, PageStats, Write, _exchange, latencies


class Sent:
    """The writing half of a connection: keeps what was sent."""

    def __init__(self):
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data

    async def drain(self) -> None:
        return None


def exchange(answer: bytes, request: bytes = b"GET /table/ HTTP/1.1\r\n\r\n"):
    async def run():
        reader = asyncio.StreamReader()
        reader.feed_data(answer)
        reader.feed_eof()
        sent = Sent()
        return await _exchange(reader, sent, request), sent.data

    return asyncio.run(run())


def test_an_answer_is_read_by_its_length_and_the_next_one_is_left_on_the_connection():
    two = b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: W/"a"\r\n\r\nhelloHTTP/1.1 304 N'

    (status, headers, body), sent = exchange(two)

    assert (status, headers["etag"], body) == (200, 'W/"a"', b"hello")
    assert sent == b"GET /table/ HTTP/1.1\r\n\r\n"


def test_a_304_has_no_body_even_with_a_length():
    (status, _, body), _ = exchange(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n")

    assert (status, body) == (304, b"")


def test_chunked_and_gzipped_bodies_are_undone():
    coded = gzip.compress(b"<tr>Live writer 00007</tr>")
    chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(coded), coded)
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"

    (status, _, body), _ = exchange(head + chunks)
    assert status == 200

    assert body == b"<tr>Live writer 00007</tr>"


def pages_that_saw(*seen: dict[int, float]) -> Pages:
    pages = Pages(0, "/table/", count=len(seen), every=3.0)
    pages.stats = [PageStats(seen_at=dict(s)) for s in seen]
    return pages


def test_a_delay_runs_from_the_write_leaving_to_each_page_holding_it():
    writes = [Write(index=0, sent_at=10.0), Write(index=1, sent_at=20.0)]
    pages = pages_that_saw({0: 11.0, 1: 24.0}, {0: 12.0, 1: 21.0})

    figures = latencies(writes, pages, since=0.0, until=30.0)

    assert figures["samples"] == 4 and figures["missed"] == 0
    assert figures["p50_s"] == 2.0  # of 1, 1, 2 and 4 seconds
    assert figures["max_s"] == 4.0


def test_a_page_that_never_saw_a_write_counts_as_infinitely_late():
    writes = [Write(index=0, sent_at=10.0)]
    pages = pages_that_saw({0: 11.0}, {})

    figures = latencies(writes, pages, since=0.0, until=30.0)

    assert figures["missed"] == 1
    assert math.isinf(figures["p99_s"])


def test_only_the_writes_sent_within_the_window_count():
    writes = [Write(index=0, sent_at=5.0), Write(index=1, sent_at=15.0)]
    pages = pages_that_saw({0: 6.0, 1: 16.0})

    assert latencies(writes, pages, since=10.0, until=20.0)["writes"] == 1
