"""The demo, loaded and published once per test run, for the tests that use it as their starting point
(instead of each loading it again: half a minute each on this machine). The demo loader's own tests
(``tests/hub/test_demo.py``) still load it for real, as does the notifications test's second load.

``build()`` loads it as ``make run`` does (``load_demo`` with the published demo sign-in, its publications
run as they are after commit, then ``do_publish_all``) into a copy of the run's migrated template, with
an RDF store and data directory of its own, then copies every table with rows into a schema of its own
(``hub_test_demo``) and dumps that schema. A test process restores the dump into its test database once
(``restore_schema``); ``put_back`` then makes the test database the demo — every Django table emptied and
filled from that schema, sequences moved past the demo's ids — inside the test's own transaction (rolled
back after it, as a load would be) or, for a transactional test, before the flush that follows it.
The demo's RDF store is copied for each test that asks (``copy_store``).

With parallel test processes the controlling process builds it in the background right after the
migrated template (``tests/migrated_database.py``); the demo's tests are ordered after the other long
tests so it is ready before they start. In a single process the first test that asks builds it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests import migrated_database

SCHEMA = "hub_test_demo"
DIR_ENV = "HUB_TEST_DEMO_DIR"  # where the dump and the RDF store are
READY_ENV = "HUB_TEST_DEMO_READY"  # a file: "built", or why the build failed


def database_name() -> str:
    return migrated_database.template_name().removesuffix("_migrated") + "_demo"


def build(template: str, directory: Path) -> None:
    """Load the demo into a copy of ``template`` (``database_name()``, kept for copying: whoever built
    it drops it), writing ``demo.dump`` and the RDF store ``rdf`` into ``directory``."""
    name = database_name()
    migrated_database.drop(name)
    migrated_database._maintenance(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        subprocess.run(
            [sys.executable, "-m", "tests.prepared_demo"],
            cwd=migrated_database.ROOT,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
                "DATABASE_URL": migrated_database._url(name),
                "DJANGO_SETTINGS_MODULE": "hub.settings.test",
                "HUB_DATA_DIR": str(directory / "data"),
                "RDF_STORE_PATH": str(directory / "rdf"),
            },
            check=True,
            capture_output=True,
            timeout=1800,
        )
        subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", "--schema", SCHEMA, "--format=custom"]
            + ["--file", str(directory / "demo.dump"), migrated_database._url(name)],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except subprocess.CalledProcessError as exc:
        migrated_database.drop(name)
        raise RuntimeError(f"{exc}: {exc.stderr.decode(errors='replace')[-3000:]}") from None


def build_in_background_after(template_ready: Path, template: str) -> tuple[Path, threading.Thread]:
    """Start building in a thread once the migrated template is ready; returns the directory (its
    ``ready`` file says "built" or why not) and the thread, and sets this process's environment for
    the test processes."""
    directory = Path(tempfile.mkdtemp(prefix="hub-test-demo-"))
    ready = directory / "ready"
    os.environ[DIR_ENV] = str(directory)
    os.environ[READY_ENV] = str(ready)

    def run() -> None:
        while not template_ready.exists():
            time.sleep(0.5)
        try:
            if template_ready.read_text() != "built":
                raise RuntimeError(template_ready.read_text())
            build(template, directory)
            outcome = "built"
        except Exception as exc:  # noqa: BLE001 - not hidden: every test that asks raises it
            outcome = f"the prepared demo could not be built: {exc!r}"
        written = ready.with_suffix(".new")
        written.write_text(outcome)
        written.replace(ready)

    thread = threading.Thread(target=run, name="prepared-demo", daemon=True)
    thread.start()
    return directory, thread


def wait_until_built() -> Path:
    """The built demo's directory (raising why it could not be built)."""
    ready = Path(os.environ[READY_ENV])
    while not ready.exists():
        time.sleep(0.2)
    if ready.read_text() != "built":
        raise RuntimeError(ready.read_text())
    return Path(os.environ[DIR_ENV])


def restore_schema(database_url: str, directory: Path) -> None:
    """The demo's tables, in their schema, into this test process's database (once)."""
    subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "--dbname", database_url]
        + [str(directory / "demo.dump")],
        check=True,
        capture_output=True,
        timeout=600,
    )


def put_back(connection) -> None:
    """Make the database the demo: every Django table emptied, the demo's rows put in, and each table's
    id sequence past the demo's ids (never moved back: rows made later stay apart)."""
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        cursor.execute(  # the columns a row may be given (not generated ones) that the demo has
            "SELECT c.table_name, string_agg(quote_ident(c.column_name), ', '"
            " ORDER BY c.ordinal_position) FROM information_schema.columns c"
            " JOIN information_schema.columns d ON d.table_schema = %s"
            " AND d.table_name = c.table_name AND d.column_name = c.column_name"
            " WHERE c.table_schema = current_schema() AND c.is_generated = 'NEVER'"
            " AND c.identity_generation IS DISTINCT FROM 'ALWAYS' GROUP BY c.table_name",
            [SCHEMA],
        )
        demo = dict(cursor.fetchall())
        statements = ["SET CONSTRAINTS ALL DEFERRED"]
        statements += [f"DELETE FROM {quote(table)}" for table in tables]  # noqa: S608 - Django's own table names, quoted
        statements += [
            f"INSERT INTO {quote(table)} ({demo[table]}) SELECT {demo[table]} FROM "  # noqa: S608 - Django's own table names, quoted
            f"{SCHEMA}.{quote(table)}"
            for table in tables
            if table in demo
        ]
        cursor.execute(";".join(statements))
        cursor.execute(
            "SELECT s.relname, t.relname, a.attname FROM pg_class s"
            " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
            " JOIN pg_class t ON t.oid = d.refobjid"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
            " WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"
        )
        for sequence, table, column in cursor.fetchall():
            if table not in demo:
                continue
            cursor.execute(
                f"SELECT setval(%s::regclass, GREATEST((SELECT last_value FROM {quote(sequence)}),"  # noqa: S608 - catalogue names, quoted
                f" (SELECT COALESCE(MAX({quote(column)}), 1) FROM {quote(table)})))",
                [quote(sequence)],
            )


def copy_store(directory: Path, to: Path) -> None:
    """The demo's published RDF store, copied to ``to`` (a path nothing has opened), with what
    publishing keeps beside it (``-dumps``: the datasets' downloads; ``-pending``)."""
    shutil.copytree(directory / "rdf", to)
    for suffix in ("-dumps", "-pending"):
        source = directory / f"rdf{suffix}"
        target = to.with_name(f"{to.name}{suffix}")
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.exists():
            shutil.copy2(source, target)


def _load_and_snapshot() -> None:
    """In the build's own process: the demo as ``make run`` loads it, published, then snapshotted."""
    import django

    django.setup()
    from django.db import connection

    from hub.services.demo import load_demo
    from hub.services.site import ensure_site_tree
    from linkeddata.services.publish import do_publish_all

    ensure_site_tree()
    load_demo()  # committed: its publications run after the commit, as in a transactional test
    do_publish_all()
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in sorted(tables):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608 - Django's own table names, quoted
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"CREATE TABLE {SCHEMA}.{quote(table)} AS SELECT * FROM {quote(table)}"  # noqa: S608 - Django's own table names, quoted
                )
    connection.close()
    store = Path(os.environ["RDF_STORE_PATH"])
    shutil.rmtree(store.with_name(f"{store.name}-snapshots"), ignore_errors=True)


if __name__ == "__main__":
    _load_and_snapshot()
