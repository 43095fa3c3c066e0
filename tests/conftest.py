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
    """Start the longest tests first, so parallel test processes finish together."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


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


@pytest.fixture(scope="session", autouse=True)
def _flush_by_deleting():
    """The flush after each transactional test (and the permission matrix's world) empties every
    table with one ``DELETE`` each instead of PostgreSQL's ``TRUNCATE``: the same empty tables (the
    hub's foreign keys are all deferred to the commit; sequences are not reset either way), without
    giving each of the hundred tables and their indexes new files, several times faster. A flush that
    resets sequences still truncates."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        deletes = "".join(f"DELETE FROM {self.quote_name(table)};" for table in tables)  # noqa: S608 - Django's own table names, quoted
        return [f"SET CONSTRAINTS ALL DEFERRED;{deletes}"]

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
        from tests import migrated_database

        _CONTROLLER_TEMPLATE["thread"].join()
        migrated_database.drop(_CONTROLLER_TEMPLATE["name"])
        shutil.rmtree(_CONTROLLER_TEMPLATE["ready"].parent, ignore_errors=True)


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


@pytest.fixture
def elasticsearch(settings, elasticsearch_url):
    """A client for the real node, with the hub pointed at it and a per-test index prefix."""
    from elasticsearch import Elasticsearch

    prefix = f"test-{os.getpid()}"
    settings.ELASTICSEARCH_URL = elasticsearch_url
    settings.ELASTICSEARCH_INDEX_PREFIX = prefix
    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    yield client
    client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
    client.close()


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
    matrix's world) empties it: ``_site_tree_again`` builds it again for the next module, and within a
    module ``home_page`` and the factories build it again as before."""
    from hub.services.site import ensure_site_tree

    if not _test_database_is_set_up():
        return
    with django_db_blocker.unblock():
        ensure_site_tree()


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
