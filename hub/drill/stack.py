"""The drill's own production-like hub, on loopback: every process it needs, started and stopped here.

Its own PostgreSQL cluster (Debian's binaries, run as ``postgres``), its own Elasticsearch node
(``search.node``, sharing the one downloaded distribution), an Oxigraph SPARQL server, gunicorn with
several workers and two task workers. Never the shared PostgreSQL on 5432 or Elasticsearch on 9250.

Migrating and loading the demo takes well over a minute, so the first run builds a *seed* (the database
cluster, the SPARQL server's store and the data directory with collected static files) under
``HUB_DRILL_SEED_DIR`` (``/var/tmp/localgov-hub-drill``), shared by every checkout, and later runs copy it; the seed's name is a digest of the migrations, the demo loader
and the static files, so a change to any of them builds a new one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hub.floor import loopback

if TYPE_CHECKING:
    from search.node import Node

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
# Every port a server listens on lies below 32768, outside Linux's ephemeral range (32768–60999):
# an outgoing connection may hold any port in that range for a moment, and a server then cannot bind it.
PG_PORTS = range(5450, 5460)
ES_PORTS = range(9360, 9370)
OXIGRAPH_PORTS = range(7960, 7970)
WEB_PORTS = range(8700, 8800)
ES_HEAP = "256m"
SPARQL_SERVER_TIMEOUT_SECONDS = 5
# Outside the checkout, so fresh clones of the same code share one seed; a directory the postgres
# user can reach (a home directory often is not); used only when this user owns it.
SEED_ROOT = Path(os.environ.get("HUB_DRILL_SEED_DIR") or "/var/tmp/localgov-hub-drill")  # noqa: S108


class StackError(RuntimeError):
    """A process of the stack could not be started; the message says which and why."""


def free_port(ports: Iterable[int]) -> int:
    """The first port of ``ports`` nothing listens on."""
    try:
        return loopback.free_port(ports)
    except OSError as exc:
        raise StackError(str(exc)) from None


wait_for_http = loopback.wait_for_http


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _chown_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(path)], check=True)  # noqa: S603, S607


@dataclass
class Postgres:
    """One PostgreSQL cluster of the drill's own, trusting loopback connections."""

    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://hub@127.0.0.1:{self.port}/hub"

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), *args])
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if check and result.returncode != 0:
            raise StackError(f"pg_ctl {args[0]} failed: {result.stderr.strip() or result.stdout}")
        return result

    def init(self) -> None:
        self.data_dir.mkdir(parents=True)
        _chown_postgres(self.data_dir)
        command = [str(PG_BIN / "initdb"), "-D", str(self.data_dir), "-U", "postgres"]
        command += ["--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        result = subprocess.run(_as_postgres(command), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise StackError(f"initdb failed: {result.stderr.strip()}")

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    def start(self) -> None:
        """Start the cluster and wait until it takes connections; StackError with its log if not."""
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        try:
            self._pg_ctl("start", "-w", "-t", "120", "-l", str(self.log), "-o", options)
        except StackError as error:
            log = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
            raise StackError(f"{error}\nits log ends:\n{log[-2000:]}") from None

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode, "-w", check=False)

    def psql(self, sql: str, database: str = "postgres") -> str:
        command = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        command += ["-d", database, "-tAc", sql]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise StackError(f"psql refused {sql!r}: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_hub_database(self) -> None:
        self.psql("CREATE ROLE hub LOGIN CREATEDB")
        self.psql("CREATE DATABASE hub OWNER hub")


@dataclass
class Oxigraph:
    """The external SPARQL server (``oxigraph serve``), answering over the union of its graphs."""

    location: Path
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def binary() -> str:
        binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
            "oxigraph"
        )
        if binary is None:
            raise StackError("oxigraph is missing: pip install -e '.[test]'")
        return binary

    def start(self) -> None:
        binary = self.binary()
        self.location.mkdir(parents=True, exist_ok=True)
        command = [binary, "serve", "--location", str(self.location)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]
        command += ["--timeout-s", str(SPARQL_SERVER_TIMEOUT_SECONDS)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        if not wait_for_http(f"{self.base}/query?query=ASK%7B%7D", 60, self.process):
            raise StackError(f"the Oxigraph server did not answer on {self.base}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def query(self, sparql: str) -> bytes:
        data = urllib.parse.urlencode({"query": sparql}).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{self.base}/query", data=data, headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.read()


def elasticsearch_node(port: int) -> Node:
    """A node of ``search.node`` on ``port``, sharing the distribution already downloaded, with a
    small heap (read by ``search.node`` at import time)."""
    os.environ.setdefault("HUB_ELASTICSEARCH_HEAP", ES_HEAP)
    from search.node import Node

    return Node(port=port)


def _digest(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


APPS = ("hub", "communities", "linkeddata", "search")


def seed_key() -> str:
    """A digest of what the seed's content comes from: the demo loader and the static files."""
    files = [BASE_DIR / "hub" / "services" / "demo.py"]
    for app in APPS:
        files += sorted(path for path in (BASE_DIR / app).glob("static/**/*") if path.is_file())
    return _digest(files)


def migrations_key() -> str:
    """A digest of every migration: a seed migrated with others is migrated again when copied."""
    return _digest(
        path for app in APPS for path in sorted((BASE_DIR / app).glob("**/migrations/*.py"))
    )


@dataclass
class Stack:
    """The whole hub of one drill, under ``run_dir``."""

    run_dir: Path
    web_workers: int = 3
    task_workers: int = 2
    pg: Postgres = field(init=False)
    oxigraph: Oxigraph = field(init=False)
    web_port: int = field(init=False)
    es_port: int = field(init=False)
    web: subprocess.Popen | None = field(default=None, init=False)
    workers: dict[str, subprocess.Popen] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)
        self.pg = Postgres(self.run_dir / "pgdata", free_port(PG_PORTS))
        self.oxigraph = Oxigraph(
            self.run_dir / "oxigraph", free_port(OXIGRAPH_PORTS), self.run_dir / "oxigraph.log"
        )
        self.es_port = free_port(ES_PORTS)
        self.web_port = free_port(WEB_PORTS)
        self.es = elasticsearch_node(self.es_port)
        self.mail_dir.mkdir(exist_ok=True)

    # -- shape ----------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    @property
    def mail_dir(self) -> Path:
        return self.run_dir / "mail"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        """The hub's environment: production settings pointing at this stack's services."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="hub.settings.base",
            DEBUG="false",
            SECRET_KEY="drill-" + "x" * 50,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_COOKIES="false",
            SITE_URL=self.url,
            DATABASE_URL=self.pg.url,
            ELASTICSEARCH_URL=self.es.url,
            ELASTICSEARCH_INDEX_PREFIX="drill",
            ELASTICSEARCH_TIMEOUT="2",
            SPARQL_ENDPOINT_URL=f"{self.oxigraph.base}/query",
            SPARQL_GRAPH_STORE_URL=f"{self.oxigraph.base}/store",
            SPARQL_TIMEOUT_SECONDS="5",
            TASKS_BACKEND="database",
            HUB_DATA_DIR=str(self.data_dir),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            POSTS_PER_HOUR="100000",
            THREADS_PER_HOUR="100000",
            LOG_LEVEL="WARNING",
            # a killed worker's task goes back to the queue within seconds, not the default minute
            WORKER_HEARTBEAT_SECONDS="2",
            WORKER_LEASE_SECONDS="10",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> str:
        command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
        result = subprocess.run(  # noqa: S603
            command,
            env=env or self.env(),
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    # -- seed -----------------------------------------------------------------------------------

    def _seed(self, say: Callable[[str], None]) -> Path:
        """The seed for this code, built first if missing (migrated hub, demo data, published)."""
        SEED_ROOT.mkdir(parents=True, exist_ok=True)
        if SEED_ROOT.stat().st_uid != os.getuid():
            raise StackError(
                f"{SEED_ROOT} belongs to another user: remove it or set HUB_DRILL_SEED_DIR"
            )
        SEED_ROOT.chmod(0o755)  # only this user writes; postgres reads
        seed = SEED_ROOT / f"seed-{seed_key()}"
        if (seed / "complete").exists():
            if (seed / "migrations").read_text() != migrations_key():
                say("applying the migrations newer than the seed to it")
                pg = Postgres(seed / "pgdata", self.pg.port)
                pg.start()
                try:
                    env = {**self.env(), "DATABASE_URL": pg.url, "TASKS_BACKEND": "immediate"}
                    self.manage("migrate", "--no-input", "-v", "0", env=env)
                finally:
                    pg.stop()
                (seed / "pgdata" / "server.log").unlink(missing_ok=True)
                (seed / "migrations").write_text(migrations_key())
            os.utime(seed)  # in use: not pruned as old
            return seed
        say(f"building the drill's seed in {seed} (once per change of migrations or demo data)")
        building = SEED_ROOT / f"building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        building.chmod(0o755)
        SEED_ROOT.chmod(0o755)
        for old in SEED_ROOT.glob("seed-*"):  # seeds of older code are never used again
            if time.time() - old.stat().st_mtime > 7 * 86400:
                shutil.rmtree(old, ignore_errors=True)
        pg = Postgres(building / "pgdata", self.pg.port)
        oxigraph = Oxigraph(building / "oxigraph", self.oxigraph.port, building / "oxigraph.log")
        pg.init()
        pg.start()
        try:
            pg.create_hub_database()
            oxigraph.start()
            env = self.env()
            env.update(
                DATABASE_URL=pg.url,
                HUB_DATA_DIR=str(building / "data"),
                EMAIL_FILE_PATH=str(building / "mail"),
                TASKS_BACKEND="immediate",
                SPARQL_ENDPOINT_URL=f"{oxigraph.base}/query",
                SPARQL_GRAPH_STORE_URL=f"{oxigraph.base}/store",
            )
            env.pop("ELASTICSEARCH_URL")
            self.manage("migrate", "--no-input", "-v", "0", env=env)
            # The demo's published sign-in is what the drill's members use, on this throwaway loopback
            # cluster only; load_demo refuses it with DEBUG off, so the seed is loaded as a demo is.
            self.manage("load_demo", env={**env, "DEBUG": "true"})
            self.manage("publish_linked_data", env=env)
            self.manage("collectstatic", "--no-input", "-v", "0", env=env)
        finally:
            oxigraph.stop()
            pg.stop()
        # compact the store's write-ahead log into sorted tables, or every copy replays it on opening
        subprocess.run(  # noqa: S603
            [oxigraph.binary(), "optimize", "--location", str(oxigraph.location)],
            capture_output=True,
            check=True,
        )
        (building / "oxigraph.log").unlink(missing_ok=True)
        (building / "pgdata" / "server.log").unlink(missing_ok=True)
        (building / "migrations").write_text(migrations_key())
        (building / "complete").touch()
        try:
            building.rename(seed)
        except OSError:  # another run finished the same seed first: use theirs
            shutil.rmtree(building, ignore_errors=True)
        return seed

    # -- whole stack ----------------------------------------------------------------------------

    def start(self, say: Callable[[str], None] = print) -> None:
        """Copy the seed, start every process, index the demo; the hub then answers on ``url``."""
        started = time.monotonic()
        shutil.rmtree(self.es.data_path, ignore_errors=True)
        say(f"Elasticsearch on {self.es.url} (starting in the background)")
        es_launch = subprocess.Popen(  # noqa: S603 - the node's own launcher, in the background
            [sys.executable, "-m", "search.node", "start", "--port", str(self.es_port)],
            cwd=BASE_DIR,
            env={**os.environ, "HUB_ELASTICSEARCH_HEAP": ES_HEAP},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seed = self._seed(say)
        for name in ("pgdata", "oxigraph", "data"):
            shutil.copytree(seed / name, self.run_dir / name, symlinks=True)
        _chown_postgres(self.pg.data_dir)
        self.pg.data_dir.chmod(0o700)
        self.pg.start()
        say(f"PostgreSQL on 127.0.0.1:{self.pg.port}")
        self.oxigraph.start()
        say(f"Oxigraph SPARQL server on {self.oxigraph.base}")
        out, err = es_launch.communicate(timeout=300)
        if es_launch.returncode != 0:
            raise StackError(f"Elasticsearch did not start: {err.strip()[-2000:]}")
        self.manage("search_rebuild")
        self.start_web()
        for number in range(1, self.task_workers + 1):
            self.start_worker(f"drill-worker-{number}")
        say(f"the hub on {self.url} ({time.monotonic() - started:.0f} s to start)")

    def start_web(self) -> None:
        command = [str(Path(sys.executable).parent / "gunicorn"), "hub.wsgi"]
        command += ["--workers", str(self.web_workers), "--bind", f"127.0.0.1:{self.web_port}"]
        command += ["--threads", "4", "--timeout", "60", "--graceful-timeout", "5"]
        with (self.run_dir / "gunicorn.log").open("ab") as log:
            self.web = subprocess.Popen(  # noqa: S603
                command, cwd=BASE_DIR, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        if not wait_for_http(f"{self.url}/healthz", 60, self.web):
            raise StackError(
                f"gunicorn did not answer on {self.url}: see {self.run_dir}/gunicorn.log"
            )

    def worker_command(self, worker_id: str) -> list[str]:
        # the hub's own worker (reconnects, heartbeat, leases) where this version of the hub has it
        hub_worker = BASE_DIR / "hub" / "management" / "commands" / "hub_worker.py"
        name = "hub_worker" if hub_worker.exists() else "db_worker"
        command = [sys.executable, str(BASE_DIR / "manage.py"), name, "--no-reload"]
        return [*command, "--interval", "0.5", "--worker-id", worker_id]

    def start_worker(self, worker_id: str) -> None:
        with (self.run_dir / f"{worker_id}.log").open("ab") as log:
            self.workers[worker_id] = subprocess.Popen(  # noqa: S603
                self.worker_command(worker_id),
                cwd=BASE_DIR,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill_worker(self, worker_id: str) -> None:
        """``kill -9`` the worker, as a crash or an OOM kill would."""
        process = self.workers[worker_id]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        """Stop every process of the stack (each by its own handle), whatever state it is in."""
        for process in [self.web, *self.workers.values()]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.web, *self.workers.values()]:
            if process is not None:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.oxigraph.stop()
        self.es.stop()
        self.pg.stop()
