"""manage.py export_board: a board's standings in one period as CSV, as the API's export.csv
gives them, to standard output or a file, with a progress bar on standard error."""

import os
import re
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend_site.rankings.calendar import archives
from backend_site.rankings.errors import NotFound
from backend_site.rankings.reads import export
from common import patterns


class Command(BaseCommand):
    help = (
        "Write a board's standings in one period as CSV (rank, player_id, name, score, "
        "reached_at), every entry in rank order, from the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The board's slug.")
        parser.add_argument(
            "--period",
            default=archives.CURRENT,
            help="current (the default), previous, or a period id (2026-11-25, 2026-W48, 2026-11).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            help="The file to write (replaced only once it is whole); standard output if absent.",
        )

    def handle(self, *args, **options):
        period = options["period"]
        if not re.fullmatch(patterns.PERIOD, period):
            raise CommandError(
                f"--period must be current, previous or a period id, not {period!r}."
            )
        try:
            found = export.board_export(slug=options["slug"], period=period)
        except NotFound as exc:
            raise CommandError(exc.message) from None
        started = time.perf_counter()
        output = options["output"]
        progress = Progress()
        try:
            if output is None:
                self.write(found, lambda text: self.stdout.write(text, ending=""), progress)
            else:
                self.write_file(found, output, progress)
        finally:
            progress.close()
        period = found.period.id if found.period else export.ALL_TIME
        where = "standard output" if output is None else str(output)
        self.stderr.write(
            f"Exported {progress.rows} rows of {found.ranking.board.slug!r} ({period}) to "
            f"{where} in {time.perf_counter() - started:.1f}s."
        )

    @staticmethod
    def write(found: export.BoardExport, emit, progress: "Progress") -> None:
        chunks = export.export_csv(found, counted=progress.start, written=progress.update)
        for text in chunks:
            emit(text)

    def write_file(self, found: export.BoardExport, output: Path, progress: "Progress") -> None:
        """Write beside ``output`` and rename it into place once whole: a failed export
        never leaves a file that looks complete."""
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as out:
                self.write(found, out.write, progress)
            os.replace(partial, output)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from None
        finally:
            partial.unlink(missing_ok=True)


class Progress:
    """Rows written of the total, as a bar on standard error once the total is known; drawn
    on a terminal only (tqdm's disable=None), as seed's is: a log would fill with redraws."""

    def __init__(self):
        self.rows = 0
        self.bar = None

    def start(self, total: int) -> None:
        self.bar = tqdm(total=total, unit=" rows", file=sys.stderr, disable=None, desc="export")

    def update(self, rows: int) -> None:
        self.rows += rows
        self.bar.update(rows)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
