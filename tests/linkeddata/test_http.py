"""HTTP semantics of the linked-data URLs, with a real HTTP client against a live server: HEAD answers
like GET without a body, any origin may read (and preflight) the public documents and downloads, and
documents and downloads carry validators for conditional GET that change when a publication does."""

from __future__ import annotations

import pytest
import requests

from linkeddata.services.imports import do_import_observations
from tests.linkeddata.conftest import CSV

pytestmark = pytest.mark.django_db(transaction=True)

# path, Accept: every kind of read URL (303s from /id/ and /graph/, documents, the catalogue, downloads)
READ_URLS = [
    ("/id/area/E08000035", "text/turtle"),
    ("/id/dataset/recycling", "text/turtle"),
    ("/graph/recycling", "*/*"),
    ("/doc/area/E08000035", "text/turtle"),
    ("/doc/area/E08000035.csv", "*/*"),
    ("/doc/dataset/recycling.jsonld", "*/*"),
    ("/doc/measure/recycling.ttl", "*/*"),
    ("/doc/observation/recycling/E08000035/2023-24.nt", "*/*"),
    ("/doc/slice/recycling/2023-24.rdf", "*/*"),
    ("/doc/structure/recycling", "text/turtle"),
    ("/doc/unit/percent.ttl", "*/*"),
    ("/data/", "text/turtle"),
    ("/data/catalogue.ttl", "*/*"),
    ("/data/recycling.csv", "*/*"),
    ("/data/recycling.nt.gz", "*/*"),
    ("/data/recycling.csv-metadata.json", "*/*"),
]
PAGES = ["/doc/area/E08000035", "/data/", "/data/areas/", "/healthz", "/healthz/live"]
SAME_HEADERS = [  # and Content-Length, which a server may leave out of a HEAD of an empty body
    "Content-Type",
    "ETag",
    "Last-Modified",
    "Location",
    "Link",
    "Vary",
    "Content-Location",
    "Access-Control-Allow-Origin",
]


def _get(live_server, path: str, method: str = "GET", **headers: str) -> requests.Response:
    return requests.request(
        method, f"{live_server.url}{path}", headers=headers, allow_redirects=False, timeout=30
    )


def test_head_answers_like_get_without_a_body(live_server, recycling):
    for path, accept in READ_URLS:
        get = _get(live_server, path, Accept=accept)
        head = _get(live_server, path, "HEAD", Accept=accept)
        assert get.status_code in {200, 303}, path
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        for header in SAME_HEADERS:
            assert head.headers.get(header) == get.headers.get(header), (path, header)
        if get.status_code == 200:
            assert int(head.headers["Content-Length"]) == len(get.content), path


def test_head_of_pages_and_health(live_server, recycling):
    """HTML pages carry a fresh nonce each time, so only the status and type must match."""
    for path in PAGES:
        get, head = _get(live_server, path), _get(live_server, path, "HEAD")
        assert head.status_code == get.status_code == 200, path
        assert head.headers["Content-Type"] == get.headers["Content-Type"], path
        assert head.content == b"", path


def test_any_origin_may_read_documents_and_downloads(live_server, recycling):
    for path, accept in READ_URLS:
        if not path.startswith(("/doc/", "/data/")):
            continue
        for method in ("GET", "HEAD"):
            response = _get(live_server, path, method, Accept=accept, Origin="https://example.org")
            assert response.headers["Access-Control-Allow-Origin"] == "*", (path, method)
            assert "Access-Control-Allow-Credentials" not in response.headers, path
            exposed = response.headers["Access-Control-Expose-Headers"]
            assert "ETag" in exposed and "Link" in exposed, path


@pytest.mark.parametrize(
    "path", ["/doc/area/E08000035", "/doc/dataset/recycling.ttl", "/data/", "/data/recycling.nt.gz"]
)
def test_cors_preflight_is_answered(live_server, recycling, path):
    response = _get(
        live_server,
        path,
        "OPTIONS",
        Origin="https://example.org",
        **{
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept, if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "accept" in allowed and "if-none-match" in allowed
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_no_cors_on_member_only_pages(live_server, recycling):
    preflight = _get(
        live_server,
        "/admin/",
        "OPTIONS",
        Origin="https://example.org",
        **{"Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    page = _get(live_server, "/admin/", Origin="https://example.org")
    assert "Access-Control-Allow-Origin" not in page.headers


def test_other_methods_are_refused(live_server, recycling):
    # (unsafe methods such as DELETE are refused earlier, by the CSRF check)
    response = _get(live_server, "/doc/area/E08000035.ttl", "TRACE")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


CONDITIONAL = [
    "/doc/dataset/recycling.ttl",
    "/doc/area/E08000035.csv",
    "/data/catalogue.ttl",
    "/data/recycling.nt.gz",
    "/data/recycling.csv",
    "/data/recycling.csv-metadata.json",
]


def test_conditional_get_and_etags_that_change_with_a_publication(live_server, recycling, tmp_path):
    before = {}
    for path in CONDITIONAL:
        first = _get(live_server, path)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        before[path] = etag
        for method in ("GET", "HEAD"):
            unchanged = _get(live_server, path, method, **{"If-None-Match": etag})
            assert unchanged.status_code == 304, (path, method)
            assert unchanged.content == b""
            assert unchanged.headers["ETag"] == etag
        assert _get(live_server, path, **{"If-Modified-Since": modified}).status_code == 304, path
        assert _get(live_server, path, **{"If-None-Match": '"other"'}).status_code == 200, path

    # new figures are imported and published (after the import's commit)
    updated = tmp_path / "v2.csv"
    updated.write_text(CSV.replace("40.1", "40.6"), encoding="utf-8")
    do_import_observations(updated, recycling)

    for path in CONDITIONAL:
        again = _get(live_server, path, **{"If-None-Match": before[path]})
        assert again.status_code == 200, path
        assert again.headers["ETag"] != before[path], path
    assert b"40.6" in _get(live_server, "/data/recycling.csv").content
