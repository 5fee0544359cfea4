#!/usr/bin/env python
"""Django's command-line utility. Defaults to the backend; pass
--settings=frontend_site.settings (or set DJANGO_SETTINGS_MODULE) for the public site."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
