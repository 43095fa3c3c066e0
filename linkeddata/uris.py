"""The hub's cool URIs: ``/id/...`` names a thing, ``/doc/...`` is the document about it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from rdflib import URIRef

from linkeddata.vocab import GOVERNMENT_YEAR, STATISTICAL_GEOGRAPHY, YEAR

REFERENCE_GRAPH = (
    "reference"  # the named graph of areas, periods and the catalogue; datasets' are their slugs
)
CONTENT_GRAPH = "content"  # the named graph of the public communities, threads and good practice


def base_uri() -> str:
    """Where the hub's URIs start: ``LINKED_DATA_BASE_URI`` or the site's own URL."""
    return (getattr(settings, "LINKED_DATA_BASE_URI", "") or settings.WAGTAILADMIN_BASE_URL).rstrip(
        "/"
    )


def period_slug(code: str) -> str:
    return code.replace("/", "-")


def period_uri(code: str) -> URIRef:
    """reference.data.gov.uk URI of a calendar year (``2023``) or government year (``2023/24``)."""
    if "/" in code:
        start = int(code[:4])
        return GOVERNMENT_YEAR[f"{start}-{start + 1}"]
    return YEAR[code]


def ons_area_uri(gss_code: str) -> URIRef:
    return STATISTICAL_GEOGRAPHY[gss_code]


@dataclass(frozen=True)
class Uris:
    """URI builder for one base; graph-building functions take one so they never read settings."""

    base: str

    @classmethod
    def default(cls) -> Uris:
        return cls(base_uri())

    def _id(self, *parts: str) -> URIRef:
        return URIRef("/".join([self.base, "id", *parts]))

    def area(self, gss_code: str) -> URIRef:
        return self._id("area", gss_code)

    def dataset(self, slug: str) -> URIRef:
        return self._id("dataset", slug)

    def structure(self, slug: str) -> URIRef:
        return self._id("structure", slug)

    def period_slice_key(self, slug: str) -> URIRef:
        return self._id("structure", slug, "period-slice")

    def period_slice(self, slug: str, period_code: str) -> URIRef:
        """All of a dataset's observations for one period: the cross-section a ranking reads."""
        return self._id("slice", slug, period_slug(period_code))

    def area_slice_key(self, slug: str) -> URIRef:
        return self._id("structure", slug, "area-slice")

    def area_slice(self, slug: str, gss_code: str) -> URIRef:
        """All of a dataset's observations for one area: the series a comparison over time reads."""
        return self._id("slice", slug, "area", gss_code)

    def measure(self, slug: str) -> URIRef:
        return self._id("measure", slug)

    def unit(self, slug: str) -> URIRef:
        return self._id("unit", slug)

    def observation(self, dataset_slug: str, gss_code: str, period_code: str) -> URIRef:
        return self._id("observation", dataset_slug, gss_code, period_slug(period_code))

    def practice(self, slug: str) -> URIRef:
        return self._id("practice", slug)

    def community(self, slug: str) -> URIRef:
        return self._id("community", slug)

    def thread(self, thread_id: int) -> URIRef:
        return self._id("thread", str(thread_id))

    def service_area(self, slug: str) -> URIRef:
        return self._id("service-area", slug)

    def service_areas(self) -> URIRef:
        """The code list (skos:ConceptScheme) good practice is filed under."""
        return self._id("service-areas")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}/graph/{name}")

    def catalogue(self) -> URIRef:
        return URIRef(f"{self.base}/data/#catalogue")

    def service(self) -> URIRef:
        return URIRef(f"{self.base}/data/#service")

    def sparql(self) -> URIRef:
        return URIRef(f"{self.base}/sparql")

    def download(self, slug: str, extension: str) -> URIRef:
        return URIRef(f"{self.base}/data/{slug}.{extension}")

    def csv_metadata(self, slug: str) -> URIRef:
        """The CSVW metadata of a dataset's CSV, where CSVW processors look for it."""
        return URIRef(f"{self.base}/data/{slug}.csv-metadata.json")

    def catalogue_record(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}/data/#record-{slug}")

    def publisher(self) -> URIRef:
        return URIRef(f"{self.base}/data/#publisher")

    def contact_point(self) -> URIRef:
        return URIRef(f"{self.base}/data/#contact")

    def dataset_page(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}/doc/dataset/{slug}")
