"""A local single-node Elasticsearch for tests, benchmarks and development.

Fetches the official ``integ-test-zip`` distribution from Maven Central with
``mvn dependency:copy`` (cached in the Maven repository, so later runs are offline),
unpacks it under ``var/elasticsearch/`` and runs one node on 127.0.0.1 with security off,
a small heap and relaxed disk watermarks. Elasticsearch refuses to run as root, so as root
the node runs as a system user created for it.

That distribution is the server core only: no ``analysis-common`` (no language analyzers,
no synonym or stemming filters), no painless and no reindex module. The search mappings
use only the ``standard`` analyzer and keyword normalisation so they work on it and on a
full cluster alike.

Usage: ``python -m search.node start|stop|status|url``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

VERSION = os.environ.get("HUB_ELASTICSEARCH_VERSION", "8.19.21")
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
SERVICE_USER = "hubsearch"
DEFAULT_PORT = int(os.environ.get("HUB_ELASTICSEARCH_PORT", "9250"))
HEAP = os.environ.get("HUB_ELASTICSEARCH_HEAP", "512m")
START_TIMEOUT = float(os.environ.get("HUB_ELASTICSEARCH_START_TIMEOUT", "120"))
BASE_DIR = Path(__file__).resolve().parent.parent


class NodeError(RuntimeError):
    """The node could not be fetched or started; the message says why and what to do."""


def maven_fetch(artifact: str, download_dir: Path, filename: str, label: str) -> Path:
    """``download_dir / filename``, copied there from Maven Central with ``mvn dependency:copy`` (cached
    in the Maven repository, so later runs are offline) unless it is there already."""
    target = download_dir / filename
    if target.exists():
        return target
    if shutil.which("mvn") is None:
        raise NodeError(f"Maven (mvn) is needed to fetch {label}: apt-get install maven")
    download_dir.mkdir(parents=True, exist_ok=True)
    command = [
        "mvn", "-q", "-B", "dependency:copy",
        f"-Dartifact={artifact}",
        f"-DoutputDirectory={download_dir}",
        "-Dmdep.overWriteIfNewer=true",
    ]  # fmt: skip
    print(f"Fetching {label} from Maven Central…", file=sys.stderr)
    result = subprocess.run(command, capture_output=True, text=True, cwd=download_dir, check=False)  # noqa: S603
    if result.returncode != 0 or not target.exists():
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise NodeError(f"mvn dependency:copy failed for {label}:\n{tail}")
    return target


@dataclass
class Node:
    version: str = VERSION
    port: int = DEFAULT_PORT
    root: Path = BASE_DIR / "var" / "elasticsearch"

    def __post_init__(self) -> None:
        if os.geteuid() == 0 and not self._reachable_by_service_user():
            # a checkout inside a private folder: keep the node's files where its user can reach them
            digest = hashlib.sha1(str(self.root).encode(), usedforsecurity=False).hexdigest()[:12]
            self.root = Path("/var/lib/hub-elasticsearch") / digest

    @property
    def home(self) -> Path:
        return self.root / f"elasticsearch-{self.version}"

    @property
    def data_path(self) -> Path:
        return self.root / f"data-{self.port}"

    @property
    def logs_path(self) -> Path:
        return self.root / f"logs-{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.root / f"node-{self.port}.pid"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- fetching -------------------------------------------------------------------------

    def fetch(self) -> Path:
        """The unpacked distribution, downloading it through Maven if it is not cached."""
        if (self.home / "bin" / "elasticsearch").exists():
            return self.home
        self.root.mkdir(parents=True, exist_ok=True)
        archive = maven_fetch(
            ARTIFACT.format(version=self.version),
            self.root / "download",
            f"elasticsearch-{self.version}.zip",
            f"Elasticsearch {self.version}",
        )
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(self.root)
        for script in (self.home / "bin").iterdir():
            script.chmod(0o755)
        jdk_bin = self.home / "jdk" / "bin"
        if jdk_bin.exists():
            for tool in jdk_bin.iterdir():
                tool.chmod(0o755)
        return self.home

    # -- running --------------------------------------------------------------------------

    def health(self, wait_seconds: float = 0) -> dict | None:
        wait = f"&timeout={int(wait_seconds)}s" if wait_seconds else ""
        url = f"{self.url}/_cluster/health?wait_for_status=yellow{wait}"
        try:
            with urllib.request.urlopen(url, timeout=wait_seconds + 2) as response:  # noqa: S310 - loopback
                return json.load(response)
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def server_version(self) -> str | None:
        try:
            with urllib.request.urlopen(  # noqa: S310 - loopback URLs of the test services
                f"{self.url}/_nodes/_local?filter_path=nodes.*.version", timeout=2
            ) as r:
                nodes = json.load(r)["nodes"]
                return next(iter(nodes.values()))["version"]
        except (urllib.error.URLError, OSError, ValueError, KeyError, StopIteration):
            return None

    def is_running(self) -> bool:
        return self.health() is not None

    def _port_taken(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def _java_home(self) -> str:
        for candidate in (os.environ.get("ES_JAVA_HOME"), os.environ.get("JAVA_HOME")):
            if candidate and (Path(candidate) / "bin" / "java").exists():
                return candidate
        java = shutil.which("java")
        if java is None:
            raise NodeError(
                "Java is needed to run Elasticsearch: apt-get install default-jre-headless"
            )
        return str(Path(java).resolve().parent.parent)

    def _ensure_service_user(self) -> str | None:
        """As root, the unprivileged user the node runs as (created if missing)."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(  # noqa: S603
                [  # noqa: S607 - Debian's tool, on PATH
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SERVICE_USER,
                ],
                check=True,
            )
        return SERVICE_USER

    def _reachable_by_service_user(self) -> bool:
        """Whether every folder above the root lets other users through (the node runs as one)."""
        return all(
            os.stat(parent).st_mode & 0o001 for parent in self.root.parents if parent.exists()
        )

    def start(self) -> str:
        """Start the node (or reuse one already answering on the port); returns its URL."""
        if self.is_running():
            return self.url
        if self._port_taken():
            raise NodeError(f"port {self.port} is taken by something that is not Elasticsearch")
        home = self.fetch()
        for path in (self.data_path, self.logs_path):
            path.mkdir(parents=True, exist_ok=True)
        user = self._ensure_service_user()
        if user:
            uid = pwd.getpwnam(user).pw_uid
            for path in [self.root, *self.root.rglob("*")]:
                os.lchown(path, uid, -1)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": self._java_home(),
            "ES_JAVA_OPTS": f"-Xms{HEAP} -Xmx{HEAP}",
            "ES_TMPDIR": str(self.root / "tmp"),
        }
        (self.root / "tmp").mkdir(exist_ok=True)
        if user:
            os.lchown(self.root / "tmp", pwd.getpwnam(user).pw_uid, -1)
        command = [
            str(home / "bin" / "elasticsearch"), "-d", "-p", str(self.pid_file),
            "-E", "discovery.type=single-node",
            "-E", "network.host=127.0.0.1",
            "-E", f"http.port={self.port}",
            "-E", f"transport.port={self.port + 100}",
            "-E", "xpack.security.enabled=false",
            "-E", f"path.data={self.data_path}",
            "-E", f"path.logs={self.logs_path}",
            "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
            "-E", "action.destructive_requires_name=false",
        ]  # fmt: skip
        if user:
            command = ["runuser", "-u", user, "--", *command]
        self.pid_file.unlink(missing_ok=True)
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.health(wait_seconds=1) is not None:
                return self.url
            if result.returncode != 0:
                break
            time.sleep(0.5)
        self.stop()
        raise NodeError(
            f"Elasticsearch {self.version} did not become healthy on {self.url} within "
            f"{START_TIMEOUT:.0f}s (launcher exit code {result.returncode}).\n"
            f"{result.stderr.strip()[-2000:]}\nLast lines of the node's log:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        log = self.logs_path / "elasticsearch.log"
        if not log.exists():
            return "(no log written)"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 30) -> None:
        if not self.pid_file.exists():
            return
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
        except (ValueError, ProcessLookupError, PermissionError):
            self.pid_file.unlink(missing_ok=True)
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status", "url", "fetch"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    node = Node(port=args.port)
    try:
        if args.action == "fetch":
            print(node.fetch())
        elif args.action == "start":
            print(node.start())
        elif args.action == "stop":
            node.stop()
        elif args.action == "url":
            print(node.url)
        else:
            version = node.server_version()
            print(f"running: Elasticsearch {version} at {node.url}" if version else "not running")
            return 0 if version else 1
    except NodeError as exc:
        print(f"search.node: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
