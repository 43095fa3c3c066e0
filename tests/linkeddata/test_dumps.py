"""Each dataset's downloads stand alone: the N-Triples dump, loaded by itself into an empty store, is a
complete W3C Data Cube that passes the specification's integrity constraints (§11), and the CSV comes
with a CSVW metadata document describing its columns."""

from __future__ import annotations

import csv
import gzip
import io
import re
from decimal import Decimal

import pyoxigraph as ox
import pytest
import requests

from linkeddata.uris import Uris
from tests.linkeddata.test_graphs import INTEGRITY_CONSTRAINTS, PREFIXES

pytestmark = pytest.mark.django_db(transaction=True)

CSV_HEADER = ["gss_code", "area_name", "period", "value", "unit"]
EXPECTED = {  # observations, areas, periods
    "recycling": (6, 4, 2),
    "emissions": (3, 2, 2),
}


def dump_alone(live_server, slug: str) -> ox.Store:
    response = requests.get(f"{live_server.url}/data/{slug}.nt.gz", timeout=30)
    assert response.status_code == 200
    store = ox.Store()  # in memory, empty
    store.load(gzip.decompress(response.content), ox.RdfFormat.N_TRIPLES)
    return store


def count(store: ox.Store, where: str) -> int:
    [row] = list(store.query(f"{PREFIXES} SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
    return int(row["n"].value)


@pytest.mark.parametrize("slug", list(EXPECTED))
def test_each_dump_is_a_complete_cube_on_its_own(live_server, recycling, emissions, slug):
    store = dump_alone(live_server, slug)
    violated = [
        name for name, query in INTEGRITY_CONSTRAINTS.items() if bool(store.query(PREFIXES + query))
    ]
    assert violated == []

    observations, areas, periods = EXPECTED[slug]
    uris = Uris.default()
    dataset, dsd = f"<{uris.dataset(slug)}>", f"<{uris.structure(slug)}>"
    assert count(store, "?ds a qb:DataSet") == 1
    assert count(store, f"{dataset} qb:structure {dsd} . {dsd} a qb:DataStructureDefinition") == 1
    assert count(store, f"{dsd} qb:component [ a qb:ComponentSpecification ]") == 4
    # every component property is declared with its range; the dimensions have code lists
    assert count(store, f"{dsd} qb:component/qb:componentProperty ?p . ?p rdfs:range ?range") == 4
    assert (
        count(
            store,
            f"{dsd} qb:component/qb:dimension ?d . ?d qb:codeList ?list . ?list a skos:ConceptScheme",
        )
        == 2
    )
    # the concepts used, and no others
    assert count(store, "?c skos:inScheme <https://w3id.org/localgov-knowledge-hub/def#areas>") == (
        areas
    )
    assert count(
        store, "?c skos:inScheme <https://w3id.org/localgov-knowledge-hub/def#periods>"
    ) == (periods)
    assert count(store, f"{dsd} qb:sliceKey ?key . ?key a qb:SliceKey") == 2
    assert count(store, f"{dataset} qb:slice ?s . ?s a qb:Slice ; qb:sliceStructure []") == (
        areas + periods
    )
    assert count(store, f"?o a qb:Observation ; qb:dataSet {dataset}") == observations
    # nothing of the other dataset
    assert count(store, f"?o qb:dataSet ?other . FILTER (?other != {dataset})") == 0


def test_dumps_break_the_constraints_without_their_structure(live_server, recycling):
    """The constraints are not vacuous on a dump: without its code lists it fails IC-19."""
    store = dump_alone(live_server, "recycling")
    store.update("DELETE WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme }")
    assert bool(
        store.query(PREFIXES + INTEGRITY_CONSTRAINTS["IC-19 codes from code list (concept scheme)"])
    )


def test_the_csv_has_csvw_metadata_describing_its_columns(live_server, recycling):
    base = live_server.url
    download = requests.get(f"{base}/data/recycling.csv", timeout=30)
    assert download.links["describedby"]["url"] == "/data/recycling.csv-metadata.json"
    response = requests.get(f"{base}/data/recycling.csv-metadata.json", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/csvm+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    metadata = response.json()
    assert "http://www.w3.org/ns/csvw" in metadata["@context"]
    assert metadata["url"] == str(Uris.default().download("recycling", "csv"))
    columns = metadata["tableSchema"]["columns"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert [c["name"] for c in columns] == rows[0] == CSV_HEADER
    assert metadata["tableSchema"]["primaryKey"] == ["gss_code", "period"]
    # every row is valid by the metadata's datatypes, and the primary key is unique
    for row in rows[1:]:
        for column, cell in zip(columns, row, strict=True):
            datatype = column["datatype"]
            if isinstance(datatype, dict):
                assert re.fullmatch(datatype["format"].strip("^$"), cell), (column["name"], cell)
            elif datatype == "decimal":
                Decimal(cell)
            assert cell or not column["required"]
    keys = [(row[0], row[2]) for row in rows[1:]]
    assert len(keys) == len(set(keys)) == 6
    # and the catalogue page links it beside the CSV
    assert (
        'href="/data/recycling.csv-metadata.json"' in requests.get(f"{base}/data/", timeout=30).text
    )
