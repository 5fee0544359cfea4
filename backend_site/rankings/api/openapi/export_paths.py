"""The export of a board's standings as CSV: its one path, self-contained (its text/csv
answer is the document's only body that is not JSON)."""

from __future__ import annotations

from backend_site.rankings.api.openapi.parts import answer, operation, ref
from backend_site.rankings.reads import export

HEADER_LINE = ",".join(export.HEADER)

EXPORT_PATHS = {
    "/api/v1/leaderboards/{slug}/export.csv": {
        "parameters": [ref("parameters", "slug")],
        "get": operation(
            tag="leaderboards",
            operation_id="exportStandings",
            summary="Every entry of the board in one period, as CSV, streamed from the database.",
            scope="read",
            responses={
                "200": answer(
                    (
                        f"`{HEADER_LINE}`, then one line per entry in rank order (CRLF line "
                        "ends, fields quoted where needed, RFC 4180); an empty board gives "
                        "the header alone. Sent in chunks: a transfer that ends before its "
                        "last chunk failed midway."
                    ),
                    {"type": "string"},
                    media="text/csv",
                    headers={"Content-Disposition": ref("headers", "Content-Disposition")},
                    example=(
                        f"{HEADER_LINE}\r\n"
                        "1,p1,Alice,3000,2026-11-25T18:00:00.123456+00:00\r\n"
                        "2,p7,Bob,2500,2026-11-25T17:02:11+00:00\r\n"
                        '2,p3,"Carol, the 2nd",2500,2026-11-25T17:30:00+00:00\r\n'
                    ),
                ),
            },
            errors=(400, 404),
            description=(
                "The standings every read shows, from the database in one snapshot: hidden "
                "players left out and ranked around, competition ranks (equal scores share a "
                "rank, the next one skips), equal scores ordered by who reached theirs first. "
                "`reached_at` is when the player reached the score, ISO 8601 in UTC. A name "
                "starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading "
                "`'`, so a spreadsheet shows it rather than run it. A malformed `period` is a "
                "400; an unknown board, or a period the board never had, a 404. HEAD answers "
                "the headers without reading the board."
            ),
            parameters=[ref("parameters", "period")],
        ),
    },
}
