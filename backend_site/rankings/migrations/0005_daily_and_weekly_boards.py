from django.db import migrations

# Boards fed by the default board on a fresh install (and added to an existing one).
FED_BOARDS = [
    ("global-weekly", "This week", "weekly"),
    ("global-daily", "Today", "daily"),
]


def create_fed_boards(apps, schema_editor):
    Leaderboard = apps.get_model("rankings", "Leaderboard")
    source = Leaderboard.objects.filter(slug="global").first()
    if source is None:
        return
    for slug, title, reset in FED_BOARDS:
        Leaderboard.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "order": source.order,
                "operator": source.operator,
                "reset": reset,
                "timezone": "UTC",
                "source": source,
            },
        )


def events_from_scores(apps, schema_editor):
    """The history starts with every score as it stands: one event per row, when reached."""
    Score = apps.get_model("rankings", "Score")
    ScoreEvent = apps.get_model("rankings", "ScoreEvent")
    rows = Score.objects.values_list("board_id", "period", "player_id", "value", "achieved_at")
    batch = []
    for board_id, period, player_id, value, at in rows.iterator(chunk_size=10_000):
        batch.append(
            ScoreEvent(board_id=board_id, period=period, player_id=player_id, value=value, at=at)
        )
        if len(batch) >= 10_000:
            ScoreEvent.objects.bulk_create(batch)
            batch = []
    ScoreEvent.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("rankings", "0004_periods")]

    operations = [
        migrations.RunPython(events_from_scores, migrations.RunPython.noop),
        migrations.RunPython(create_fed_boards, migrations.RunPython.noop),
    ]
