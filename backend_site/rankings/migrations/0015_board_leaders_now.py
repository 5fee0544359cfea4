from datetime import UTC, datetime

from django.db import migrations


def leaders_record(apps, schema_editor):
    """Each board's #1 of its current period as it stands, so the first write after this
    release announces a change of the lead, not a #1 that was already there."""
    from backend_site.rankings.calendar import periods

    Leaderboard = apps.get_model("rankings", "Leaderboard")
    Score = apps.get_model("rankings", "Score")
    BoardLeader = apps.get_model("rankings", "BoardLeader")
    now = datetime.now(UTC)
    for board in Leaderboard.objects.all():
        period = periods.period_at(board.reset, board.timezone, now)
        period_id = period.id if period else periods.NO_PERIOD
        value = "-value" if board.order == "desc" else "value"
        top = (
            Score.objects.filter(board=board, period=period_id, player__hidden=False)
            .order_by(value, "tie_1", "tie_2", "achieved_at", "player_id")
            .values_list("player_id", flat=True)
            .first()
        )
        BoardLeader.objects.get_or_create(
            board=board, period=period_id, defaults={"player_id": top or "", "changed_at": now}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rankings", "0014_webhooks"),
    ]

    operations = [migrations.RunPython(leaders_record, migrations.RunPython.noop)]
