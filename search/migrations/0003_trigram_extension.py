"""pg_trgm for the database search's "did you mean" on PostgreSQL; nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from hub.floor.postgres_only import PostgresOnly


class TrigramExtensionOnPostgres(PostgresOnly, TrigramExtension):
    """``TrigramExtension``, skipped both ways on any database but PostgreSQL."""


class Migration(migrations.Migration):
    dependencies = [("search", "0002_saved_searches")]

    operations = [TrigramExtensionOnPostgres()]
