"""Small benchmarking fixtures built through the import services (tidy CSVs written to tmp_path)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from hub.floor.loopback import dies_with_parent, free_port, stop
from linkeddata.models import Area, PeriodKind, SimilarArea
from linkeddata.services.catalogue import DatasetDefinition, do_ensure_dataset
from linkeddata.services.imports import do_import_observations
from tests.conftest import SERVICES, missing, ports_of_this_process
from tests.factories import AreaFactory

RECYCLING = DatasetDefinition(
    slug="recycling",
    title="Recycling rate",
    description="Household waste recycled.",
    label="Recycling rate",
    unit="percent",
    higher_is_better=True,
    period_kind=PeriodKind.FINANCIAL,
    source="DEFRA",
    source_url="https://example.gov.uk/env18",
    attribution="Contains public sector information (OGL v3.0).",
    filename="unused.csv",
)
CSV = """gss_code,area_name,period,value,unit
E08000035,Leeds,2022/23,38.5,percent
E08000035,Leeds,2023/24,40.1,percent
E08000003,Manchester,2022/23,35.0,percent
E08000003,Manchester,2023/24,33.2,percent
E08000038,Barnsley,2023/24,45.0,percent
E06000023,Bristol,2023/24,44.9,percent
"""


SERVER_TIMEOUT_SECONDS = 3


@pytest.fixture(scope="session")
def sparql_server(tmp_path_factory):
    """A real external SPARQL server for this run: Oxigraph server (the ``oxigraph`` package), on loopback,
    answering over the union of its named graphs and cancelling queries after a few seconds."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if binary is None:
        missing("Oxigraph server", "install the test dependencies (pip install -e '.[test]')")
    port = free_port(ports_of_this_process(range(8200, 8300)))
    location = tmp_path_factory.mktemp("oxigraph-server")
    log = (location.parent / "oxigraph-server.log").open("wb")
    server = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
            "--timeout-s",
            str(SERVER_TIMEOUT_SECONDS),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=dies_with_parent(),  # ends with this test process, however it ends
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1):  # noqa: S310 - loopback
                break
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    else:
        server.kill()
        missing("Oxigraph server", f"it did not answer on {base} within 10 s")
    if server.poll() is not None:
        missing(
            "Oxigraph server",
            f"it exited: {(location.parent / 'oxigraph-server.log').read_text()[-500:]}",
        )
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    SERVICES["sparql server"] = f"{version} at {base}"
    try:
        yield {"query": f"{base}/query", "update": f"{base}/update", "store": f"{base}/store"}
    finally:
        stop(server)
        log.close()


SLOW_ON_THE_SERVER = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:x:p> ?b . ?c <urn:x:p> ?d . ?e <urn:x:p> ?f }"
)


def slow_query_on(server: dict) -> str:
    """A query that runs until a time limit stops it and that the server's own ``--timeout-s`` does
    stop: it reads the store (2,000 triples joined three times). Oxigraph's server checks its time
    limit only while reading the store, so a query over ``VALUES`` alone (a cross product of
    numbers) would run on in the server for minutes after the hub gave up on it."""
    triples = "".join(f"<urn:x:s{n}> <urn:x:p> <urn:x:o{n}> .\n" for n in range(2000)).encode()
    put = urllib.request.Request(  # noqa: S310 - loopback URLs of the test services
        f"{server['store']}?graph=urn:x:slow",
        data=triples,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    urllib.request.urlopen(put, timeout=30).close()  # noqa: S310 - loopback
    return SLOW_ON_THE_SERVER


def clear_server(server: dict) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback URLs of the test services
        server["update"],
        data=b"CLEAR ALL",
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback
        pass


@pytest.fixture
def rdf_store(settings, tmp_path):
    """A fresh Oxigraph store for this test."""
    settings.RDF_STORE_PATH = tmp_path / "rdf"
    return settings.RDF_STORE_PATH


@pytest.fixture
def external_store(settings, tmp_path, sparql_server):
    """The hub pointed at the external SPARQL server (emptied for this test), as a large deployment is."""
    clear_server(sparql_server)
    settings.RDF_STORE_PATH = tmp_path / "unused-local-rdf"
    settings.SPARQL_ENDPOINT_URL = sparql_server["query"]
    settings.SPARQL_GRAPH_STORE_URL = sparql_server["store"]
    settings.SPARQL_UPDATE_URL = sparql_server["update"]
    yield sparql_server
    assert not settings.RDF_STORE_PATH.exists(), (
        "the local store must not be opened when an external server is used"
    )


@pytest.fixture
def councils(db):
    areas = {
        "leeds": AreaFactory(
            code="LDS",
            gss_code="E08000035",
            name="Leeds City Council",
            short_name="Leeds",
            authority_type="MD",
            authority_type_name="Metropolitan district",
            region="Yorkshire and The Humber",
        ),
        "manchester": AreaFactory(
            code="MAN",
            gss_code="E08000003",
            name="Manchester City Council",
            short_name="Manchester",
            authority_type="MD",
            authority_type_name="Metropolitan district",
            region="North West",
        ),
        "barnsley": AreaFactory(
            code="BNS",
            gss_code="E08000016",
            name="Barnsley Metropolitan Borough Council",
            short_name="Barnsley",
            authority_type="MD",
            authority_type_name="Metropolitan district",
            region="Yorkshire and The Humber",
        ),
        "bristol": AreaFactory(
            code="BST",
            gss_code="E06000023",
            name="Bristol City Council",
            short_name="Bristol",
            authority_type="UA",
            authority_type_name="Unitary authority",
            region="South West",
        ),
        "old": AreaFactory(
            code="OLD",
            gss_code="E07000999",
            name="Oldtown District Council",
            short_name="Oldtown",
            authority_type="NMD",
            authority_type_name="Non-metropolitan district",
            region="South West",
            is_current=False,
            end_date=date(2023, 3, 31),
            replaced_by="BST",
        ),
    }
    for rank, key in enumerate(["manchester", "barnsley", "bristol"], start=1):
        SimilarArea.objects.create(
            area=areas["leeds"], similar=areas[key], similarity_type="global", rank=rank
        )
    return areas


@pytest.fixture
def recycling(councils, tmp_path, rdf_store):
    """A small dataset imported through the real import service (published to this test's own store)."""
    dataset = do_ensure_dataset(RECYCLING)
    path = tmp_path / "recycling.csv"
    path.write_text(CSV, encoding="utf-8")
    do_import_observations(path, dataset)
    return dataset


def area(gss: str) -> Area:
    return Area.objects.get(gss_code=gss)


EMISSIONS = DatasetDefinition(
    slug="emissions",
    title="Emissions per person",
    description="Greenhouse gas emissions per resident.",
    label="Emissions per person",
    unit="tonnes CO2e per person",
    higher_is_better=False,
    period_kind=PeriodKind.CALENDAR,
    source="DESNZ",
    source_url="https://example.gov.uk/emissions",
    attribution="Contains public sector information (OGL v3.0).",
    filename="unused.csv",
    decimal_places=2,
)
EMISSIONS_CSV = """gss_code,area_name,period,value,unit
E08000035,Leeds,2022,5.31,tonnes CO2e per person
E08000035,Leeds,2023,5.02,tonnes CO2e per person
E06000023,Bristol,2023,4.12,tonnes CO2e per person
"""


@pytest.fixture
def emissions(councils, tmp_path, rdf_store):
    """A second dataset, of calendar years, so each download is shown to stand alone."""
    dataset = do_ensure_dataset(EMISSIONS)
    path = tmp_path / "emissions.csv"
    path.write_text(EMISSIONS_CSV, encoding="utf-8")
    do_import_observations(path, dataset)
    return dataset


@pytest.fixture(scope="session")
def fuseki_server(tmp_path_factory):
    """A second real SPARQL 1.1 server: Apache Jena Fuseki (from Maven Central), on loopback, its default
    graph the union of its named graphs, cancelling queries after a few seconds."""
    from linkeddata.benchmarks import fuseki

    try:
        process, base = fuseki.start(tmp_path_factory.mktemp("fuseki"), SERVER_TIMEOUT_SECONDS)
    except (fuseki.FusekiUnavailable, OSError) as exc:
        missing("Apache Jena Fuseki", str(exc))
    except Exception as exc:  # noqa: BLE001 - NodeError: Maven could not fetch the jar
        missing("Apache Jena Fuseki", f"{exc.__class__.__name__}: {exc}")
    SERVICES["fuseki"] = f"Apache Jena Fuseki {fuseki.VERSION} at {base}"
    try:
        yield {"query": f"{base}/query", "update": f"{base}/update", "store": f"{base}/store"}
    finally:
        stop(process, 30)


@pytest.fixture
def fuseki_store(settings, tmp_path, fuseki_server):
    """The hub pointed at Fuseki (emptied for this test) instead of Oxigraph's server."""
    clear_server(fuseki_server)
    settings.RDF_STORE_PATH = tmp_path / "unused-local-rdf"
    settings.SPARQL_ENDPOINT_URL = fuseki_server["query"]
    settings.SPARQL_GRAPH_STORE_URL = fuseki_server["store"]
    return fuseki_server
