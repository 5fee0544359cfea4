from django.db import migrations, models

from backend_site.rankings.ranking_index.sync import boards_stale_after_migration

# One database-wide counter for score versions: a sequence on PostgreSQL, a one-row table on
# SQLite (which has no sequences, and whose writers are serialized anyway).
SEQUENCE = "rankings_score_version_seq"
COUNTER = "rankings_version_counter"


def create_counter(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
            cursor.execute(f"UPDATE rankings_score SET version = nextval('{SEQUENCE}')")
        else:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {COUNTER} "
                "(id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL)"
            )
            cursor.execute("UPDATE rankings_score SET version = id")
            cursor.execute(
                f"INSERT INTO {COUNTER} (id, value) "
                "SELECT 1, COALESCE(MAX(id), 0) FROM rankings_score WHERE true "
                "ON CONFLICT (id) DO NOTHING"
            )


def drop_counter(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
        else:
            cursor.execute(f"DROP TABLE IF EXISTS {COUNTER}")


class Migration(migrations.Migration):
    dependencies = [("rankings", "0002_default_board")]

    operations = [
        migrations.AddField(
            model_name="score",
            name="version",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_counter, drop_counter),
        # Every row got a version: Redis rebuilds each board from the database on first use.
        migrations.RunPython(boards_stale_after_migration, migrations.RunPython.noop),
        migrations.CreateModel(
            name="IdempotencyKey",
            fields=[
                ("key", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("fingerprint", models.CharField(help_text="SHA-256 of the path and body.", max_length=64)),
                ("status", models.PositiveSmallIntegerField()),
                ("body", models.BinaryField()),
                ("complete", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
