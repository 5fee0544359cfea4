"""GET /api/v1/leaderboards/<slug>/export.csv: a board's standings in one period as CSV,
streamed from the database (the access check requires `read`)."""

from collections.abc import Iterator

from django.http import StreamingHttpResponse

from backend_site.rankings.api import inputs
from backend_site.rankings.api.views import allow
from backend_site.rankings.reads import export

CONTENT_TYPE = "text/csv; charset=utf-8"


@allow("GET", "HEAD")
def board_export(request, slug: str):
    period = inputs.period_param(request.GET)
    found = export.board_export(slug=slug, period=period)
    body = iter(()) if request.method == "HEAD" else Primed(export.export_csv(found))
    response = StreamingHttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return response


class Primed:
    """The CSV's chunks with the first one (and the header) read before the answer starts:
    a database that fails then is still a JSON 503. A failure later ends the stream without
    its last chunk, so a client sees an incomplete transfer, never a short file that looks
    whole. The server closes it (WSGI), which ends the export's snapshot even when the
    client left before anything was sent."""

    def __init__(self, chunks: Iterator[str]):
        self.chunks = chunks
        self.first = next(chunks)

    def __iter__(self) -> Iterator[str]:
        yield self.first
        yield from self.chunks

    def close(self) -> None:
        self.chunks.close()
