import orjson
from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from backend_site.rankings.calendar import clock
from backend_site.rankings.db.tables import PLAYERS, SCORES, SEQUENCE, moment_of
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.ranking_index import connections, store
from backend_site.rankings.values import EntryChange
from bench.ceiling import BODY


def floor(request):
    """A view that does nothing: the ceiling's fixed body through Django."""
    return HttpResponse(BODY, content_type="application/json")


def floor_redis(request):
    """The same after one round trip to Redis (PING), through the backend's own client."""
    connections.connection().ping()
    return HttpResponse(BODY, content_type="application/json")


# The write floor's one statement: the submission's upsert on a `best` board, returning the
# row with the player's name for Redis's record (PostgreSQL; prepared by psycopg once the
# connection has run it a few times, settings.DATABASE_PREPARED_STATEMENTS).
_UPSERT = (
    f"WITH up AS (INSERT INTO {SCORES} (board_id, period, player_id, value, achieved_at, "  # noqa: S608
    f"version) VALUES (%s, '', %s, %s, %s, nextval('{SEQUENCE}')) "
    "ON CONFLICT (board_id, period, player_id) DO UPDATE SET value = excluded.value, "
    f"achieved_at = excluded.achieved_at, version = nextval('{SEQUENCE}'), metadata = NULL "
    f"WHERE {SCORES}.value < excluded.value RETURNING player_id, value, achieved_at, version) "
    f"SELECT up.value, up.achieved_at, up.version, p.name FROM up JOIN {PLAYERS} p "
    "ON p.player_id = up.player_id"
)
_boards: dict[str, Leaderboard] = {}


@csrf_exempt
def floor_write(request, slug: str):
    """The least a single submission can do, behind the backend's middleware: one prepared
    upsert and one Redis script call (the apply a submission makes), on the same board and
    database. No input checks, history event, fed boards, limits or idempotency: what a
    submission costs past this is what those cost."""
    data = orjson.loads(request.body)
    board = _boards.get(slug) or _boards.setdefault(slug, Leaderboard.objects.get(slug=slug))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [board.pk, data["player_id"], data["score"], clock.now()])
        row = cursor.fetchone()
    if row is not None:
        value, achieved_at, version, name = row
        change = EntryChange(data["player_id"], version, value, moment_of(achieved_at), name)
        store.entries_apply(ranking=slug, order=board.order, changes=[change], today="")
    return HttpResponse(BODY, content_type="application/json")


# /healthz: how the bench sees a server is up (with no middleware, nothing else answers it).
urlpatterns = [
    path("floor", floor),
    path("floor-redis", floor_redis),
    path("floor-write/<slug:slug>", floor_write),
    path("healthz", floor),
]
