"""Migration operations that apply on PostgreSQL only, so the embedded SQLite default still migrates."""

from __future__ import annotations

from typing import Any


class PostgresOnly:
    """Mixed into a migration operation: it runs both ways on PostgreSQL and is skipped elsewhere."""

    def database_forwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *states)  # type: ignore[misc]

    def database_backwards(self, app_label: str, schema_editor: Any, *states: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *states)  # type: ignore[misc]
