"""Apache Jena Fuseki for the tests and the SPARQL benchmark: a second SPARQL 1.1 server beside Oxigraph's.

The standalone server jar comes from Maven Central by the same code that fetches Elasticsearch
(``search.node.maven_fetch``: cached in the Maven repository, so later runs are offline). It runs on a
TDB2 dataset whose default graph is the union of its named graphs, as the hub expects of its server, with
query, update and Graph Store endpoints under ``/hub/`` and a query time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from hub.floor.loopback import dies_with_parent, free_port, wait_for_http

VERSION = os.environ.get("HUB_FUSEKI_VERSION", "5.6.0")  # the newest that runs on Java 17
ARTIFACT = "org.apache.jena:jena-fuseki-server:{version}:jar"
ROOT = Path(__file__).resolve().parents[2] / "var" / "fuseki"

CONFIG = """@prefix fuseki: <http://jena.apache.org/fuseki#> .
@prefix tdb2: <http://jena.apache.org/2016/tdb#> .
@prefix ja: <http://jena.hpl.hp.com/2005/11/Assembler#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

<#service> rdf:type fuseki:Service ;
  fuseki:name "hub" ;
  fuseki:endpoint [ fuseki:operation fuseki:query ; fuseki:name "query" ] ;
  fuseki:endpoint [ fuseki:operation fuseki:update ; fuseki:name "update" ] ;
  fuseki:endpoint [ fuseki:operation fuseki:gsp-rw ; fuseki:name "store" ] ;
  ja:context [ ja:cxtName "arq:queryTimeout" ; ja:cxtValue "{timeout_ms}" ] ;
  fuseki:dataset <#dataset> .

<#dataset> rdf:type tdb2:DatasetTDB2 ;
  tdb2:location "{location}" ;
  tdb2:unionDefaultGraph true .
"""


class FusekiUnavailable(Exception):
    """Java or the jar is missing, or the server did not start; the message says which."""


def jar() -> Path:
    # the same fetch as Elasticsearch's (tests and benchmarks only)
    from search.node import maven_fetch

    return maven_fetch(
        ARTIFACT.format(version=VERSION),
        ROOT / "download",
        f"jena-fuseki-server-{VERSION}.jar",
        f"Apache Jena Fuseki {VERSION}",
    )


def load(work: Path, nt_path: Path, graph: str) -> None:
    """Load an N-Triples file into ``graph`` of the TDB2 dataset ``start`` serves from ``work`` (with
    Jena's bulk loader, before the server starts)."""
    java = shutil.which("java")
    if java is None:
        raise FusekiUnavailable("Java is needed: apt-get install default-jre-headless")
    done = subprocess.run(  # noqa: S603 - Java running Jena's loader from the fetched jar
        [
            java,
            "-cp",
            str(jar()),
            "tdb2.tdbloader",
            f"--loc={work / 'tdb2'}",
            f"--graph={graph}",
            str(nt_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise FusekiUnavailable(f"the loader failed: {(done.stdout + done.stderr)[-800:]}")


def start(
    work: Path,
    timeout_seconds: int,
    ports: Iterable[int] = range(8500, 8600),
    heap: str = "256m",
) -> tuple[subprocess.Popen, str]:
    """A Fuseki server on a free loopback port of ``ports`` in ``work``, with a Java heap of ``heap``;
    returns the process and its base URL (``{base}/query``, ``{base}/update``, ``{base}/store``)."""
    java = shutil.which("java")
    if java is None:
        raise FusekiUnavailable("Java is needed: apt-get install default-jre-headless")
    server_jar = jar()
    config = work / "config.ttl"
    config.write_text(
        CONFIG.replace("{timeout_ms}", str(timeout_seconds * 1000)).replace(
            "{location}", str(work / "tdb2")
        )
    )
    port = free_port(ports)
    log = (work / "fuseki.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - Java running the fetched Fuseki jar
        [
            java,
            f"-Xmx{heap}",
            "-jar",
            str(server_jar),
            f"--config={config}",
            f"--port={port}",
            "--localhost",
        ],
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=dies_with_parent(),  # ends with the test process, however it ends
    )
    base = f"http://127.0.0.1:{port}/hub"
    if not wait_for_http(f"{base}/query?query=ASK%7B%7D", 90, process):
        process.kill()
        process.wait(timeout=10)
        raise FusekiUnavailable(
            f"it did not answer on {base} within 90 s: {(work / 'fuseki.log').read_text()[-800:]}"
        )
    return process, base
