"""The backend's PostgreSQL engine (settings.DATABASES' ENGINE on PostgreSQL): Django's own,
with a cheaper check that a kept connection still works (base.py), and hot statements
prepared (``configured``)."""

from __future__ import annotations

ENGINE = "backend_site.database"
# psycopg prepares a statement the time a connection runs it for this many times; a
# submission's few statements are prepared within a connection's first requests.
PREPARE_THRESHOLD = 5


def configured(database: dict, *, prepared: bool) -> dict:
    """A DATABASES entry as the backend runs it: on PostgreSQL, this engine, and with
    ``prepared`` (settings.DATABASE_PREPARED_STATEMENTS) parameters bound on the server so
    that psycopg prepares what a connection runs often; other engines as they are."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    options = dict(database.get("OPTIONS", {}))
    if prepared:
        options.update(server_side_binding=True, prepare_threshold=PREPARE_THRESHOLD)
    else:  # Django's default: parameters bound in the client, nothing prepared
        options.update(server_side_binding=False, prepare_threshold=None)
    return {**database, "ENGINE": ENGINE, "OPTIONS": options}
