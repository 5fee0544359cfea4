"""ETags of the public answers, made from the data a page shows rather than from its bytes.

A rendered page carries the time its scores were fetched ("Scores as of …"), which moves on
every FRONTEND_CACHE_SECONDS even when no score did; an ETag of the bytes would change as
often, and a viewer polling an unchanged board would download it again each time. So the tag
is a digest of what the page is made of: the snapshot values (not their fetch times), whether
any is an old copy, what the query selected, and CODE_VERSION, the sources the markup comes
from (templates, static files whose hashed names it links, this package's code), so a deploy
that changes the page changes every tag. Every worker and instance computes the same tag for
the same data, so a CDN or a browser can revalidate against any of them.

The tags are weak (W/"…"): two bodies with one tag may differ in the fetch time and in their
content coding, and are equivalent to a reader, not byte for byte.
"""

import hashlib
from pathlib import Path

from django.conf import settings

_SITE = Path(__file__).resolve().parent


def _sources_digest() -> str:
    """A digest of the files a page's markup comes from, read once when the site starts."""
    digest = hashlib.blake2b(digest_size=8)
    roots = [settings.BASE_DIR / "templates" / "board", settings.BASE_DIR / "static" / "board"]
    files = [path for root in roots if root.is_dir() for path in root.rglob("*") if path.is_file()]
    for path in sorted(files + list(_SITE.glob("*.py"))):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


CODE_VERSION = _sources_digest()


def etag_of(what: tuple) -> str:
    """The weak ETag of an answer made of ``what``: plain values whose repr is stable (str,
    int, bool, None, datetime, tuples and the backend client's frozen dataclasses)."""
    digest = hashlib.blake2b(repr((CODE_VERSION, what)).encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'
