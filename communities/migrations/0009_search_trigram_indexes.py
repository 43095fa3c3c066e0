"""Trigram indexes for the database search on PostgreSQL; nothing on SQLite.

The search's candidates are found with ``icontains``, which Django writes on PostgreSQL as
``UPPER(column::text) LIKE UPPER(pattern)``: each index is on that expression, so the planner can
answer the ``LIKE`` from it instead of reading every reply, thread and profile. Page titles have a
plain one as well, for the "did you mean" trigram operator (``word <% title``). Only the large
tables: communities and case studies number a few thousand at most.
"""

from django.db import migrations

from hub.floor.postgres_only import PostgresOnly


class RunSQLOnPostgres(PostgresOnly, migrations.RunSQL):
    """``RunSQL``, skipped both ways on any database but PostgreSQL."""


# name, table, indexed expression
INDEXES = [
    ("communities_post_body_trgm", "communities_post", "UPPER(body)"),
    ("communities_threadpage_body_trgm", "communities_threadpage", "UPPER(body)"),
    ("communities_profile_display_name_trgm", "communities_profile", "UPPER(display_name)"),
    ("communities_profile_job_title_trgm", "communities_profile", "UPPER(job_title)"),
    ("communities_profile_bio_trgm", "communities_profile", "UPPER(bio)"),
    ("wagtailcore_page_title_upper_trgm", "wagtailcore_page", "UPPER(title)"),
    ("wagtailcore_page_title_trgm", "wagtailcore_page", "title"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0008_profile_directory_order"),
        ("search", "0003_trigram_extension"),  # pg_trgm
    ]

    operations = [
        RunSQLOnPostgres(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, expression in INDEXES
    ]
