"""Shared test tooling: the services the suite needs (started here), factories' fixtures, the browser.

- PostgreSQL: chosen in ``hub.settings.test`` (started there when installed; required under CI=true).
- Elasticsearch: the ``elasticsearch_url`` fixture starts the local node from ``search.node`` once
  per run (or uses ``TEST_ELASTICSEARCH_URL``) and stops it at the end.
- SPARQL server: ``tests/linkeddata/conftest.py`` starts an Oxigraph server (the ``oxigraph`` test
  dependency) for the tests of the hub with an external SPARQL server.
- Browser: Playwright drives Debian's Chromium (``CHROMIUM_PATH``, default /usr/bin/chromium)
  against pytest-django's live server; ``check_accessibility`` runs axe-core in the page.

Under ``CI=true`` a missing service fails the tests that need it; elsewhere they are skipped
with a reason that names what to install.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from hub.floor.config import env_bool, redact_url

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = env_bool("CI", False)
AXE_JS = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERVICES: dict[str, str] = {}
# Under pytest-xdist (``make test`` runs one test process per core) each process is gw0, gw1, …
TEST_PROCESS = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def ports_of_this_process(ports: range) -> range:
    """This test process's share of a port range, so parallel processes never pick the same port."""
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    share = len(ports) // count
    start = ports.start + TEST_PROCESS * share
    return range(start, start + share)


def missing(what: str, how: str):
    """Fail under CI, skip elsewhere, naming what is missing and how to get it."""
    message = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(config, items):
    """Start the longest tests first, so parallel test processes finish together; of those, the ones
    on the prepared demo last, so that it is built (in the background) before they start."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("long") is None,
            any(name.startswith("prepared_demo") for name in getattr(item, "fixturenames", ())),
        )
    )


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    where = redact_url(os.environ.get("DATABASE_URL", "")) or db["NAME"]
    return [f"database: {engine} ({where})", f"CI: {IN_CI}"]


def pytest_terminal_summary(terminalreporter):
    if SERVICES:
        terminalreporter.section("services used")
        for name, description in SERVICES.items():
            terminalreporter.write_line(f"{name}: {description}")


@pytest.fixture(scope="session", autouse=True)
def _record_database_version(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            SERVICES["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            SERVICES["database"] = f"SQLite {cursor.fetchone()[0]} (no PostgreSQL found)"


SNAPSHOT_SCHEMA = "hub_test_start"
_SNAPSHOT: dict[str, str] = {}  # table -> its quoted columns, for the tables the snapshot holds


def _snapshot_the_start() -> None:
    """Copy every table with rows (what the migrations and the page tree wrote) into a schema of its
    own in the test database, for the flush to put back."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
        for table in sorted(tables):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608 - Django's own table names, quoted
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = %s ORDER BY ordinal_position",
                [table],
            )
            columns = ", ".join(quote(name) for (name,) in cursor.fetchall())
            cursor.execute(
                f"CREATE TABLE {SNAPSHOT_SCHEMA}.{quote(table)} AS SELECT {columns} FROM {quote(table)}"  # noqa: S608 - Django's own table names, quoted
            )
            _SNAPSHOT[table] = columns


@pytest.fixture(scope="session", autouse=True)
def _flush_by_deleting():
    """The flush after each transactional test (and the permission matrix's world) empties every
    table with one ``DELETE`` each instead of PostgreSQL's ``TRUNCATE``: the same empty tables (the
    hub's foreign keys are all deferred to the commit; sequences are not reset either way), without
    giving each of the hundred tables and their indexes new files, several times faster. A flush that
    resets sequences still truncates.

    The same statement then puts back what the run's database held once migrated and given its page
    tree (``_snapshot_the_start``): each test after a flush starts where the first test of the run
    started, instead of building the tree again (the sequences, never reset, keep new rows apart)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        deletes = "".join(f"DELETE FROM {self.quote_name(table)};" for table in tables)  # noqa: S608 - Django's own table names, quoted
        restores = "".join(
            f"INSERT INTO {self.quote_name(table)} ({columns}) SELECT {columns} FROM "  # noqa: S608 - Django's own table names, quoted
            f"{SNAPSHOT_SCHEMA}.{self.quote_name(table)};"
            for table, columns in _SNAPSHOT.items()
            if table in tables
        )
        return [f"SET CONSTRAINTS ALL DEFERRED;{deletes}{restores}"]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


# -- Elasticsearch ----------------------------------------------------------------------------

_CONTROLLER_NODE = None
_NO_NODE = "TEST_ELASTICSEARCH_MISSING"


_CONTROLLER_TEMPLATE: dict = {}


def _build_migrated_template(config) -> None:
    """With parallel test processes, migrate the run's template database once, while they start:
    each process's test database is then a copy of it (``tests/migrated_database.py``)."""
    import tempfile

    from django.conf import settings

    from tests import migrated_database

    parallel = getattr(config.option, "numprocesses", None)
    if not parallel or hasattr(config, "workerinput") or config.option.collectonly:
        return
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    if not migrated_database.available() or os.environ.get(migrated_database.ENV):
        return
    ready = Path(tempfile.mkdtemp(prefix="hub-test-template-")) / "ready"
    name = migrated_database.template_name()
    os.environ[migrated_database.ENV] = name
    os.environ[migrated_database.READY_ENV] = str(ready)
    _CONTROLLER_TEMPLATE.update(
        name=name, ready=ready, thread=migrated_database.build_in_background(ready)
    )
    from tests import prepared_demo

    _CONTROLLER_TEMPLATE["demo"] = prepared_demo.build_in_background_after(ready, name)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """pytest-django's, after waiting for the run's migrated template (when one is being built)."""
    from tests import migrated_database

    migrated_database.wait_until_built()


def pytest_configure(config):
    """With parallel test processes, start the one Elasticsearch node before they start."""
    global _CONTROLLER_NODE
    _build_migrated_template(config)
    parallel = getattr(config.option, "numprocesses", None)
    if not parallel or hasattr(config, "workerinput") or os.environ.get("TEST_ELASTICSEARCH_URL"):
        return
    if config.option.collectonly:
        return
    from search.node import Node, NodeError

    if shutil.which("java") is None and not os.environ.get("ES_JAVA_HOME"):
        os.environ[_NO_NODE] = "install Java 17+ (apt-get install default-jre-headless) and Maven"
        return
    node = Node()
    try:
        os.environ["TEST_ELASTICSEARCH_URL"] = node.start()
    except NodeError as exc:
        os.environ[_NO_NODE] = str(exc)
        return
    _CONTROLLER_NODE = node


def pytest_unconfigure(config):
    if _CONTROLLER_NODE is not None:
        _CONTROLLER_NODE.stop()
    if _CONTROLLER_TEMPLATE:
        from tests import migrated_database, prepared_demo

        _CONTROLLER_TEMPLATE["thread"].join()
        _CONTROLLER_TEMPLATE["demo"][1].join()
        migrated_database.drop(prepared_demo.database_name())
        migrated_database.drop(_CONTROLLER_TEMPLATE["name"])
        shutil.rmtree(_CONTROLLER_TEMPLATE["ready"].parent, ignore_errors=True)
        shutil.rmtree(_CONTROLLER_TEMPLATE["demo"][0], ignore_errors=True)
        os.environ.pop(prepared_demo.READY_ENV, None)


@pytest.fixture(scope="session")
def migrated_template(django_db_setup) -> Iterator[str]:
    """The name of a migrated database nobody connects to, to copy: the run's template (migrated while
    parallel test processes start), or, in a single process, one migrated now for the session;
    ``""`` without PostgreSQL (whoever asked then migrates as before)."""
    from django.db import connection

    from tests import migrated_database

    if connection.vendor != "postgresql" or not migrated_database.available():
        yield ""
        return
    if os.environ.get(migrated_database.ENV):
        yield os.environ[migrated_database.ENV]
        return
    name = migrated_database.build()
    os.environ[migrated_database.ENV] = name
    try:
        yield name
    finally:
        del os.environ[migrated_database.ENV]
        migrated_database.drop(name)


@pytest.fixture(scope="session")
def _prepared_demo_build(migrated_template) -> Iterator[Path | None]:
    """The directory of the run's prepared demo (``tests/prepared_demo.py``), built by the controlling
    process or, in a single test process, now; ``None`` without PostgreSQL."""
    import tempfile

    from tests import migrated_database, prepared_demo

    if not migrated_template:
        yield None
        return
    if os.environ.get(prepared_demo.READY_ENV):
        yield prepared_demo.wait_until_built()
        return
    directory = Path(tempfile.mkdtemp(prefix="hub-test-demo-"))
    try:
        prepared_demo.build(migrated_template, directory)
        yield directory
    finally:
        migrated_database.drop(prepared_demo.database_name())
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def prepared_demo_database(_prepared_demo_build) -> str:
    """The name of a database holding the run's prepared demo, to copy (nobody connects to it);
    ``""`` without PostgreSQL."""
    from tests import prepared_demo

    return prepared_demo.database_name() if _prepared_demo_build else ""


@pytest.fixture(scope="session")
def _prepared_demo_files(_prepared_demo_build) -> Path | None:
    """The prepared demo's directory, its tables restored into this test process's database in a
    schema of their own (``put_back`` fills the hub's tables from it)."""
    from django.db import connection

    from tests import prepared_demo

    if _prepared_demo_build is None:
        return None
    db = connection.settings_dict
    prepared_demo.restore_schema(
        f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        _prepared_demo_build,
    )
    return _prepared_demo_build


@pytest.fixture
def prepared_demo(db, settings, tmp_path, _prepared_demo_files) -> None:
    """The demo as ``make run`` loads it (published sign-ins, linked data published), in this test's
    database and an RDF store of its own, copied from the run's prepared demo instead of loaded again;
    loaded here where there is none (SQLite)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from wagtail.models import Site

    from tests import prepared_demo as demo

    settings.RDF_STORE_PATH = tmp_path / "demo-rdf"
    if _prepared_demo_files is None:
        from hub.services.demo import load_demo
        from linkeddata.services.publish import do_publish_all

        load_demo()
        do_publish_all()
        return
    demo.put_back(connection)
    demo.copy_store(_prepared_demo_files, settings.RDF_STORE_PATH)
    ContentType.objects.clear_cache()
    Site.clear_site_root_paths_cache()


@pytest.fixture(scope="session")
def elasticsearch_url():
    """The URL of a real Elasticsearch node for this run."""
    from search.node import Node, NodeError

    url = os.environ.get("TEST_ELASTICSEARCH_URL")
    node = None
    if os.environ.get(_NO_NODE):
        missing("Elasticsearch", os.environ[_NO_NODE])
    if not url:
        if shutil.which("java") is None and not os.environ.get("ES_JAVA_HOME"):
            missing(
                "Elasticsearch", "install Java 17+ (apt-get install default-jre-headless) and Maven"
            )
        node = Node()
        try:
            url = node.start()
        except NodeError as exc:
            missing("Elasticsearch", str(exc))
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=10)
    info = client.nodes.info(node_id="_local", metric="_none", filter_path="nodes.*.version")
    version = next(iter(info.body["nodes"].values()))["version"]
    SERVICES["elasticsearch"] = f"Elasticsearch {version} at {url}"
    client.close()
    yield url
    if node is not None:
        node.stop()


class IndexesAhead:
    """This test process's index prefixes (one or two per test), with the indexes' creation and
    deletion done beside the tests instead of in them: creating an index and deleting it took most
    of a second of each search test. ``search_index`` points the hub at a prefix whose live index was
    made ahead, while the tests before ran, exactly as ``ensure_index`` makes it (the same body,
    alias and kind of name); other tests get a prefix with nothing under it. A test's indexes are
    deleted after it, in the background."""

    def __init__(self, url: str) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from elasticsearch import Elasticsearch

        self.client = Elasticsearch(url, request_timeout=120)
        self.work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-indexes")
        self.count = 0
        self.spare: tuple[str, Future[None]] | None = None
        self.used: list[str] = []

    def new_prefix(self) -> str:
        self.count += 1
        prefix = f"test-{os.getpid()}-{self.count}"
        self.used.append(prefix)
        return prefix

    def use_live_index(self, settings) -> None:
        """Point the hub at a prefix with its live index made, unless the test already wrote under
        its own (then ``ensure_index`` finds or makes the index there, as before)."""
        found = self.client.options(ignore_status=404).indices.get(
            index=f"{settings.ELASTICSEARCH_INDEX_PREFIX}-*", expand_wildcards="all"
        )
        if found.body:
            return
        if self.spare is None:
            self._make_spare()
        assert self.spare is not None
        prefix, made = self.spare
        self.spare = None
        self.used.append(prefix)
        made.result()
        settings.ELASTICSEARCH_INDEX_PREFIX = prefix

    def finish_test(self) -> None:
        """Delete the test's indexes and make the next live index, both in the background."""
        for prefix in self.used:
            self.work.submit(
                self.client.options(ignore_status=404).indices.delete,
                index=f"{prefix}-*",
                expand_wildcards="all",
            )
        self.used = []
        if self.spare is None and self.count:
            self._make_spare()

    def close(self) -> None:
        if self.spare is not None:
            self.used.append(self.spare[0])
            self.spare[1].result()
            self.spare = None
        self.count = 0
        self.finish_test()
        self.work.shutdown(wait=True)
        self.client.close()

    def _make_spare(self) -> None:
        self.count += 1
        prefix = f"test-{os.getpid()}-{self.count}"
        self.spare = (prefix, self.work.submit(self._create_live_index, prefix))

    def _create_live_index(self, prefix: str) -> None:
        """What ``search.indexes.ensure_index`` does for a prefix with no index yet."""
        from django.utils import timezone

        from search.documents import index_body

        alias = f"{prefix}-content"  # ``search.client.alias_name``
        body = index_body()
        body["aliases"] = {alias: {"is_write_index": True}}
        self.client.indices.create(index=f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}", **body)


@pytest.fixture(scope="session")
def indexes_ahead(elasticsearch_url) -> Iterator[IndexesAhead]:
    indexes = IndexesAhead(elasticsearch_url)
    yield indexes
    indexes.close()


@pytest.fixture
def elasticsearch(settings, elasticsearch_url, indexes_ahead):
    """A client for the real node, with the hub pointed at it and a per-test index prefix."""
    from elasticsearch import Elasticsearch

    settings.ELASTICSEARCH_URL = elasticsearch_url
    settings.ELASTICSEARCH_INDEX_PREFIX = indexes_ahead.new_prefix()
    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    yield client
    client.close()
    indexes_ahead.finish_test()


# -- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        missing(
            "Chromium",
            f"install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH; looked at {CHROMIUM}",
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        SERVICES["browser"] = f"Chromium {browser.version} ({CHROMIUM})"
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15000)
    browser_page = context.new_page()
    yield browser_page
    context.close()


@pytest.fixture
def check_accessibility():
    """A function that runs axe-core (WCAG 2.2 A and AA rules) on a page and fails on any violation."""
    if not AXE_JS.exists():
        missing("axe-core", "run `npm ci --prefix tests/browser` (make test does this)")
    source = AXE_JS.read_text()

    def check(browser_page) -> None:
        # Evaluated by the browser's automation channel: an inline <script> tag would break the hub's CSP.
        browser_page.evaluate(source)
        result = browser_page.evaluate(
            """async () => await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in result["violations"]
        ]
        assert violations == [], f"axe-core found violations on {browser_page.url}:\n" + "\n".join(
            violations
        )

    return check


# -- Content ----------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _site_tree(_record_database_version, django_db_blocker):
    """The hub's page tree, built once for the run and committed, so that tests (each rolled back)
    find it instead of each building and publishing it. A flush (transactional tests, the permission
    matrix's world) puts it back with the rest of the run's start (``_snapshot_the_start``); where
    there is no snapshot (SQLite), ``_site_tree_again`` builds it again for the next module, and
    within a module ``home_page`` and the factories build it again as before."""
    from hub.services.site import ensure_site_tree

    if not _test_database_is_set_up():
        return
    with django_db_blocker.unblock():
        ensure_site_tree()
        _snapshot_the_start()


def _test_database_is_set_up() -> bool:
    """Whether this run made a test database: pytest-django makes none when no collected test needs
    one, and then the settings still name the developer's own database, which must not be touched."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    return name.startswith("test_") or "memory" in name


@pytest.fixture(scope="module", autouse=True)
def _site_tree_again(_site_tree, django_db_blocker):
    """The run's tree back for each module after a flush emptied the database (one query otherwise)."""
    from tests.factories import site_tree

    if not _test_database_is_set_up():
        return
    with django_db_blocker.unblock():
        site_tree()


@pytest.fixture(autouse=True)
def _fresh_site_root_paths():
    """Each test starts with Wagtail's cached site root paths cleared, as building the tree used to do
    (a test that saved a Site in its rolled-back transaction must not leave its paths to the next)."""
    from wagtail.models import Site

    Site.clear_site_root_paths_cache()


@pytest.fixture
def page_cache(settings):
    """Visitors' pages kept (the test settings turn it off), the cache emptied before and after."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kept_fragments(settings):
    """The fragment cache on (the test settings turn it off), emptied before and after."""
    from django.core.cache import cache

    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db):
    from tests.factories import site_tree

    return site_tree()


@pytest.fixture
def unused_tcp_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
