from django.db import migrations


def create_default_board(apps, schema_editor):
    Leaderboard = apps.get_model("rankings", "Leaderboard")
    Leaderboard.objects.get_or_create(
        slug="global", defaults={"title": "Global", "order": "desc", "operator": "best"}
    )


class Migration(migrations.Migration):
    dependencies = [("rankings", "0001_initial")]

    operations = [migrations.RunPython(create_default_board, migrations.RunPython.noop)]
