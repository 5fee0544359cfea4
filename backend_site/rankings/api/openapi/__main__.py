"""Write the OpenAPI document as docs/openapi.json holds it: ``make openapi``, or
``python -m backend_site.rankings.api.openapi [--output PATH]`` (standard output without one).
It needs the backend's settings (no secrets, no database): the document is built from code."""

from __future__ import annotations

import argparse
import os
import sys

import django


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m backend_site.rankings.api.openapi")
    parser.add_argument("--output", help="the file to write (docs/openapi.json)")
    output = parser.parse_args().output
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend_site.settings")
    django.setup()
    from backend_site.rankings.api.openapi.document import document_text  # (needs the apps)

    text = document_text()
    if output is None:
        sys.stdout.write(text)
        return
    with open(output, "w", encoding="utf-8") as file:
        file.write(text)


if __name__ == "__main__":
    main()
