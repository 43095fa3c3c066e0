"""pg_trgm for the database search's "did you mean" on PostgreSQL; nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class TrigramExtensionOnPostgres(TrigramExtension):
    """``TrigramExtension``, skipped both ways on any database but PostgreSQL (SQLite still migrates)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_saved_searches")]

    operations = [TrigramExtensionOnPostgres()]
