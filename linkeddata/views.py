"""Linked-data views: thin (parse, one service call, render). Pages read the relational tables;
RDF documents are built from the same rows by the pure functions in ``services.graphs``."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rdflib import Graph

from hub.floor.clients import client_address
from hub.floor.fragments import fragment, kept_value
from hub.floor.pagecache import never_keep
from linkeddata import charts
from linkeddata.http import etag_of, not_modified, public_read, with_validators
from linkeddata.models import Area, Dataset, Observation, Period, SimilarArea
from linkeddata.negotiation import (
    FORMATS,
    RDFLIB_FORMATS,
    NotAcceptable,
    choose_format,
    not_acceptable,
    public_data_headers,
)
from linkeddata.panels import area_panels, measure_panels
from linkeddata.services import benchmarks, cube
from linkeddata.services.content import ContentKind, one_item_graph
from linkeddata.services.graphs import (
    ObservationRecord,
    area_graph,
    catalogue_graph,
    dataset_graph,
    observations_graph,
    period_graph,
    serialize_graph,
    unit_slug,
)
from linkeddata.services.hexmap import hex_figures
from linkeddata.services.imports import RECODINGS
from linkeddata.services.periods import period_code_from_slug
from linkeddata.services.publish import (
    area_records,
    catalogue,
    catch_up,
    csv_bytes,
    csvw_metadata_bytes,
    dataset_ntriples,
    dataset_record,
    dump_path,
    measure_record,
    observation_records,
    published_mark,
)
from linkeddata.services.sparql import (
    RESULT_FORMATS,
    SD_FORMATS,
    Answer,
    ProtocolDataset,
    SparqlError,
    check_dataset,
    choose_formats,
    example_links,
    examples,
    offered_formats,
    page_answer,
    page_formats,
    run_query,
    service_description,
)
from linkeddata.uris import REFERENCE_GRAPH, Uris

ALL = list(FORMATS)
DOCUMENT_CACHE_SECONDS = 3600
FORMAT_LINKS = [(ext, FORMATS[ext]) for ext in ALL if ext != "html"]
RDF_ONLY = [ext for ext in FORMATS if ext != "csv"]
RDF_LINKS = [(ext, FORMATS[ext]) for ext in RDF_ONLY if ext != "html"]
RANKING_PAGE_SIZE = 50  # councils per page of a measure's ranking
OBSERVATION_CSV_HEADER = ["dataset", "gss_code", "area_name", "period", "value", "unit"]


def _csv_response(header: list[str], rows: Iterable[Iterable[object]]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")


def _observations_csv(observations: Iterable[Observation]) -> HttpResponse:
    """One row per observation (with ``dataset__measure``, ``area`` and ``period`` selected)."""
    return _csv_response(
        OBSERVATION_CSV_HEADER,
        (
            (
                o.dataset.slug,
                o.area.gss_code,
                o.area.short_name,
                o.period.code,
                format(o.value.normalize(), "f"),
                o.dataset.measure.unit,
            )
            for o in observations
        ),
    )


def publication_version() -> str:
    """Changes whenever a dataset or the reference data is re-imported with changes."""
    latest = Dataset.objects.aggregate(latest=Max("modified"))["latest"]
    mark = published_mark()
    published = mark.stat().st_mtime_ns if mark.exists() else 0
    return (
        f"{latest.timestamp() if latest else 0}-{SimilarArea.objects.count()}-"
        f"{Area.objects.count()}-{published}"
    )


def publication_time() -> datetime | None:
    """When the figures or the reference data last changed: documents' Last-Modified."""
    latest = Dataset.objects.aggregate(latest=Max("modified"))["latest"]
    mark = published_mark()
    if mark.exists():
        published = datetime.fromtimestamp(mark.stat().st_mtime, tz=UTC)
        latest = max(latest, published) if latest else published
    return latest


def _document(
    request: HttpRequest,
    path: str,
    extension: str | None,
    offered_formats: list[str],
    graph: Callable[[], Graph],
    html: Callable[[], HttpResponse],
    table: Callable[[], HttpResponse] | None = None,
) -> HttpResponse:
    """Answer one document in the format asked for, with the headers linked-data clients rely on."""
    try:
        chosen = choose_format(request, extension, offered_formats)
    except NotAcceptable as exc:
        return public_data_headers(
            not_acceptable(exc.offered), request.build_absolute_uri(path), exc.offered, True
        )
    # Data (not pages, which show who is signed in) carries validators for conditional GET.
    version = publication_version() if chosen != "html" else ""
    etag = etag_of(request.get_full_path(), chosen, version) if version else ""
    modified = publication_time() if etag else None
    if etag and (unchanged := not_modified(request, etag, modified)):
        return public_data_headers(
            unchanged, request.build_absolute_uri(path), offered_formats, extension is None
        )
    if chosen == "html":
        response = html()
    elif chosen == "csv" and table is not None:
        response = table()
    else:
        # Documents change only when data is imported: cache them per publication.
        key = f"linkeddata:{path}:{chosen}:{version}"
        body = cache.get(key)
        if body is None:
            body = serialize_graph(graph(), RDFLIB_FORMATS[chosen])
            cache.set(key, body, DOCUMENT_CACHE_SECONDS)
        response = HttpResponse(
            body,
            content_type=f"{FORMATS[chosen]}; charset=utf-8" if chosen != "nt" else FORMATS[chosen],
        )
    if extension is None:
        response["Content-Location"] = f"{path}.{chosen}"
    if etag:
        with_validators(response, etag, modified)
    return public_data_headers(
        response, request.build_absolute_uri(path), offered_formats, extension is None
    )


def _see_other(location: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = location
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


@public_read
def see_other(request: HttpRequest, rest: str) -> HttpResponse:
    """``/id/...`` names a thing, not a document: 303 See Other to the document about it."""
    return _see_other(f"/doc/{rest}")


@public_read
def content_document(
    request: HttpRequest, kind: ContentKind, key: str, ext: str | None = None
) -> HttpResponse:
    """A public community, thread, case study or service area as RDF; as HTML, its own page. Never cached here: a
    withdrawn item must disappear at once, so it is built from what is public now."""
    path = f"/doc/{kind}/{key}" if key else f"/doc/{kind}"
    offered = [f for f in RDF_ONLY if f != "html"]
    try:
        chosen = choose_format(request, ext, ["html", *offered])
    except NotAcceptable as exc:
        return public_data_headers(
            not_acceptable(exc.offered), request.build_absolute_uri(path), exc.offered, True
        )
    found = one_item_graph(Uris.default(), kind, key)
    if found is None:
        raise Http404("Nothing public has this address.")
    graph, page_url = found
    if chosen == "html":
        return redirect(page_url)
    response = HttpResponse(
        serialize_graph(graph, RDFLIB_FORMATS[chosen]),
        content_type=f"{FORMATS[chosen]}; charset=utf-8" if chosen != "nt" else FORMATS[chosen],
    )
    if ext is None:
        response["Content-Location"] = f"{path}.{chosen}"
    return public_data_headers(response, request.build_absolute_uri(path), offered, ext is None)


@public_read
def named_graph(request: HttpRequest, name: str) -> HttpResponse:
    """A named graph's URI (``/graph/{name}``, as loaded into the SPARQL store): 303 to its contents."""
    location = cube.named_graph_location(name)
    if location is None:
        raise Http404("The hub publishes no graph of that name.")
    return _see_other(location)


def _find_area(code: str) -> Area | None:
    matches = (
        Q(gss_code=code) | Q(former_gss_codes__contains=code)
        if len(code) == 9
        else Q(gss_code=code)
    )
    return Area.objects.filter(matches).first()


def _area_or_404(request: HttpRequest, gss: str) -> Area:
    code = RECODINGS.get(gss.upper(), gss.upper())
    # Reference data, changed only by a publication: found once per content generation. A code
    # that is no GSS code at all is looked up every time, so nonsense fills no cache.
    area = (
        kept_value("area-by-code", [code], lambda: _find_area(code))
        if len(code) == 9 and code.isalnum()
        else _find_area(code)
    )
    if area is None:
        raise AreaNotFound(gss)
    return area


class AreaNotFound(Exception):
    pass


def _area_not_found(request: HttpRequest, gss: str) -> HttpResponse:
    return render(request, "linkeddata/area_not_found.html", {"code": gss}, status=404)


def _hex_map(
    dataset: Dataset,
    period: Period,
    rows: list[benchmarks.RankingRow],
    caption: str,
    *,
    area: Area | None = None,
    similar: list[Area] | None = None,
    table_note: str = "",
) -> dict[str, object]:
    """The hex map of ``rows`` (a ranking) for a page: its SVG, caption and key."""
    measure = dataset.measure
    similar_codes = frozenset(a.gss_code for a in similar or [] if a.gss_code)
    figures = hex_figures(
        rows,
        measure,
        highlight=area.gss_code or "" if area is not None else "",
        similar=similar_codes,
    )
    where = f", {area.short_name} and its similar councils outlined" if area is not None else ""
    svg = charts.hex_map(
        f"Map of {measure.label.lower()}, {period.code}",
        f"Hex map of the UK's councils, each shaded by the third its figure for "
        f"{measure.label.lower()} ({measure.polarity_text}) falls in{where}. "
        "Each hexagon is a link named by its council, figure and third.",
        figures,
    )
    return {
        "svg": svg,
        "caption": caption,
        "legend": charts.hex_legend(marks=area is not None),
        "table_note": table_note,
    }


@public_read
def area_document(request: HttpRequest, gss: str, ext: str | None = None) -> HttpResponse:
    try:
        area = _area_or_404(request, gss)
    except AreaNotFound:
        return _area_not_found(request, gss)
    uris = Uris.default()
    code = area.gss_code or gss  # found by a GSS code, so it has one
    path = f"/doc/area/{code}"

    def graph() -> Graph:
        g = area_graph(uris, area_records(Area.objects.filter(pk=area.pk)))
        by_dataset: dict[int, list[ObservationRecord]] = {}
        rows = Observation.objects.filter(area=area).values_list(
            "dataset_id", "period__code", "value"
        )
        for dataset_id, period_code, value in rows.order_by("dataset_id", "period__start_date"):
            by_dataset.setdefault(dataset_id, []).append(
                ObservationRecord(code, period_code, value)
            )
        for dataset in Dataset.objects.filter(pk__in=by_dataset).select_related("measure"):
            observations_graph(
                uris, dataset.slug, measure_record(dataset), by_dataset[dataset.pk], graph=g
            )
        return g

    def body() -> str:
        """Everything above the panels: public figures, the same for every reader, so kept per
        content generation and the measure on the map (``fragment``)."""
        summaries = benchmarks.area_summaries(area)
        mapped = next(
            (s for s in summaries if s.dataset.measure.slug == request.GET.get("map")),
            summaries[0] if summaries else None,
        )

        def render_body() -> str:
            similar = benchmarks.similar_areas(area)
            hex_map, map_rows = None, []
            ranking: list[benchmarks.RankingRow] = []
            if mapped is not None:
                ranking = benchmarks.ranking(mapped.dataset, mapped.period)
                shown = {area.pk} | {a.pk for a in similar}
                map_rows = [
                    (row, benchmarks.third_of(row.rank, len(ranking)))
                    for row in ranking
                    if row.area.pk in shown
                ]
                hex_map = _hex_map(
                    mapped.dataset,
                    mapped.period,
                    ranking,
                    f"{mapped.dataset.measure.label}, {mapped.period.code}, in thirds of "
                    f"{len(ranking)} councils ({mapped.dataset.measure.polarity_text}).",
                    area=area,
                    similar=similar,
                    table_note="The table below gives the figures of the outlined councils; "
                    "the measure's page ranks them all.",
                )
            context = {
                "area": area,
                "summaries": summaries,
                "mapped": mapped,
                "hex": hex_map,
                "map_rows": map_rows,
                "map_ranked": len(ranking),
                "similar": similar,
                "clusters": area.clusters.all(),
            }
            return render_to_string("linkeddata/_area_body.html", context)

        return fragment("area-body", [area.pk, mapped.dataset.pk if mapped else None], render_body)

    def html() -> HttpResponse:
        return render(
            request,
            "linkeddata/area.html",
            {
                "area": area,
                "body": body(),
                "panels": area_panels(request, area),
                "path": path,
                "formats_all": FORMAT_LINKS,
            },
        )

    def table() -> HttpResponse:
        rows = Observation.objects.filter(area=area).order_by("dataset__slug", "period__start_date")
        return _observations_csv(rows.select_related("dataset__measure", "area", "period"))

    return _document(request, path, ext, ALL, graph, html, table)


def _filters(request: HttpRequest) -> tuple[str, str]:
    return request.GET.get("region", "").strip(), request.GET.get("type", "").strip()


def _ranking_context(
    request: HttpRequest,
    dataset: Dataset,
    periods: list[Period],
    chosen: Period,
    ranking: list[benchmarks.RankingRow],
    region: str,
    authority_type: str,
) -> dict[str, object]:
    """What the measure page's ranking shows (filters, chart, map, table, pages), the same for
    every reader."""
    paginator = Paginator(ranking, RANKING_PAGE_SIZE)
    ranking_page = paginator.get_page(request.GET.get("page"))
    page_query = request.GET.copy()
    page_query.pop("page", None)
    page_query.pop("find", None)
    shown = ranking if len(ranking) <= 40 else ranking[:15] + ranking[-15:]
    unit = dataset.measure.unit
    chart = None
    if ranking:
        described = "all" if len(shown) == len(ranking) else "the 15 best and 15 worst of"
        chart = charts.bar_chart(
            f"{dataset.measure.label}, {chosen.code}",
            f"Bar chart of {described} {len(ranking)} councils ranked by {dataset.measure.label.lower()} "
            f"in {unit} ({dataset.measure.polarity_text}). The table below gives every figure.",
            [(row.area.short_name, row.value) for row in shown],
            unit,
        )
    areas = Area.objects.councils()
    hex_map = None
    if ranking:
        hex_map = _hex_map(
            dataset,
            chosen,
            ranking,
            f"{dataset.measure.label}, {chosen.code}, in thirds of the {len(ranking)} "
            "councils in the ranking"
            + (
                " (with these filters; the others show no figure)."
                if region or authority_type
                else "."
            ),
            table_note="The ranking table below gives every figure.",
        )
    return {
        "dataset": dataset,
        "measure": dataset.measure,
        "periods": periods,
        "period": chosen,
        "ranking": ranking,
        "ranking_page": ranking_page,
        "page_query": page_query.urlencode(),
        "find_choices": sorted(ranking, key=lambda row: row.area.short_name),
        "chart": chart,
        "hex": hex_map,
        "region": region,
        "type": authority_type,
        "regions": sorted(set(areas.exclude(region="").values_list("region", flat=True))),
        "types": sorted(set(areas.values_list("authority_type", "authority_type_name"))),
        "csv_query": request.GET.urlencode(),
    }


def _dataset_periods(slug: str) -> tuple[Dataset | None, list[Period]]:
    dataset = (
        Dataset.objects.select_related("measure").filter(measure__slug=slug).order_by("pk").first()
    )
    return dataset, benchmarks.dataset_periods(dataset) if dataset is not None else []


@public_read
def measure_document(request: HttpRequest, slug: str, ext: str | None = None) -> HttpResponse:
    # Public reference data, changed only by a publication: read once per content generation.
    dataset, periods = kept_value("measure-periods", [slug], lambda: _dataset_periods(slug))
    if dataset is None:
        raise Http404("No measure has this address.")
    if not periods:
        raise Http404("This measure has no figures yet.")
    chosen = next((p for p in periods if p.slug == request.GET.get("period")), periods[-1])
    region, authority_type = _filters(request)
    path = f"/doc/measure/{slug}"

    def rows() -> list[benchmarks.RankingRow]:
        return benchmarks.ranking(dataset, chosen, region, authority_type)

    def graph() -> Graph:
        from linkeddata.services.graphs import measure_graph

        return measure_graph(Uris.default(), measure_record(dataset))

    def html() -> HttpResponse:
        find = request.GET.get("find", "").strip().upper()
        find_error = ""
        found: list[benchmarks.RankingRow] | None = None
        if find:
            found = rows()
            position = next((i for i, row in enumerate(found) if row.area.gss_code == find), None)
            if position is not None:
                query = request.GET.copy()
                query.pop("find")
                query["page"] = str(position // RANKING_PAGE_SIZE + 1)
                return redirect(f"{request.path}?{query.urlencode()}#council-{find}")
            named = Area.objects.filter(gss_code=find).first()
            find_error = (
                f"{named.short_name if named else find} has no figure for {chosen.code}"
                + (" with these filters." if region or authority_type else ".")
            )
        mine = getattr(getattr(request.user, "profile", None), "council", None)
        find_selected = find or (mine.gss_code if mine is not None else "")

        def ranking_html() -> str:
            ranking = found if found is not None else rows()
            return render_to_string(
                "linkeddata/includes/measure_ranking.html",
                _ranking_context(request, dataset, periods, chosen, ranking, region, authority_type)
                | {"find_error": find_error, "find_selected": find_selected, "path": path},
            )

        # The same for every reader (public figures) who has the same council chosen in "Find":
        # kept until the figures are published again (hub.floor.fragments).
        parts = (dataset.pk, chosen.pk, sorted(request.GET.lists()), find_selected)
        return render(
            request,
            "linkeddata/measure.html",
            {
                "dataset": dataset,
                "measure": dataset.measure,
                "period": chosen,
                "ranking_html": ranking_html()
                if find
                else fragment("measure", parts, ranking_html),
                "panels": measure_panels(request, dataset),
            },
        )

    def table() -> HttpResponse:
        response = _csv_response(
            ["rank", "gss_code", "area_name", "period", "value", "unit"],
            (
                (
                    row.rank,
                    row.area.gss_code,
                    row.area.short_name,
                    chosen.code,
                    format(row.value.normalize(), "f"),
                    dataset.measure.unit,
                )
                for row in rows()
            ),
        )
        response["Content-Disposition"] = f'attachment; filename="{slug}-{chosen.slug}.csv"'
        return response

    return _document(request, path, ext, ALL, graph, html, table)


@public_read
def dataset_document(request: HttpRequest, slug: str, ext: str | None = None) -> HttpResponse:
    dataset = get_object_or_404(Dataset.objects.select_related("measure"), slug=slug)
    path = f"/doc/dataset/{slug}"
    record = dataset_record(dataset)

    def html() -> HttpResponse:
        return render(
            request,
            "linkeddata/dataset.html",
            {
                "dataset": dataset,
                "record": record,
                "path": path,
                "formats_all": FORMAT_LINKS,
                "periods": benchmarks.dataset_periods(dataset),
            },
        )

    def table() -> HttpResponse:
        return HttpResponse(_dump_bytes(dataset, "csv"), content_type="text/csv; charset=utf-8")

    return _document(
        request, path, ext, ALL, lambda: dataset_graph(Uris.default(), record), html, table
    )


@public_read
def observation_document(
    request: HttpRequest, slug: str, gss: str, period: str, ext: str | None = None
) -> HttpResponse:
    observation = (
        Observation.objects.select_related("dataset__measure", "area", "period")
        .filter(dataset__slug=slug, area__gss_code=gss, period__code=period_code_from_slug(period))
        .first()
    )
    if observation is None:
        if not Area.objects.filter(gss_code=gss).exists():
            return _area_not_found(request, gss)
        raise Http404("No such observation.")
    path = f"/doc/observation/{slug}/{gss}/{period}"
    dataset = observation.dataset

    def graph() -> Graph:
        g = observations_graph(
            Uris.default(),
            slug,
            measure_record(dataset),
            observation_records(Observation.objects.filter(pk=observation.pk)),
        )
        return g + period_graph([observation.period.code])

    def html() -> HttpResponse:
        return render(
            request,
            "linkeddata/observation.html",
            {
                "observation": observation,
                "path": path,
                "formats_all": FORMAT_LINKS,
                "revisions": observation.revisions.all(),
            },
        )

    return _document(request, path, ext, ALL, graph, html, lambda: _observations_csv([observation]))


def _slice_page(
    request: HttpRequest,
    dataset: Dataset,
    observations: QuerySet[Observation],
    path: str,
    *,
    period: Period | None = None,
    area: Area | None = None,
) -> HttpResponse:
    return render(
        request,
        "linkeddata/slice.html",
        {
            "dataset": dataset,
            "measure": dataset.measure,
            "observations": observations,
            "period": period,
            "area": area,
            "path": path,
            "formats_all": FORMAT_LINKS,
        },
    )


@public_read
def period_slice_document(
    request: HttpRequest, slug: str, period: str, ext: str | None = None
) -> HttpResponse:
    """A period slice (``/id/slice/{dataset}/{period}``): every area's figure for one period."""
    dataset = get_object_or_404(Dataset.objects.select_related("measure"), slug=slug)
    chosen = get_object_or_404(Period, code=period_code_from_slug(period))
    observations = cube.period_slice(dataset, chosen)
    if not observations.exists():
        raise Http404("This dataset has no figures for that period.")
    path = f"/doc/slice/{slug}/{chosen.slug}"
    return _document(
        request,
        path,
        ext,
        ALL,
        lambda: cube.period_slice_graph(Uris.default(), dataset, chosen),
        lambda: _slice_page(request, dataset, observations, path, period=chosen),
        lambda: _observations_csv(observations),
    )


@public_read
def area_slice_document(
    request: HttpRequest, slug: str, gss: str, ext: str | None = None
) -> HttpResponse:
    """An area slice (``/id/slice/{dataset}/area/{GSS}``): one area's figures for every period."""
    dataset = get_object_or_404(Dataset.objects.select_related("measure"), slug=slug)
    try:
        area = _area_or_404(request, gss)
    except AreaNotFound:
        return _area_not_found(request, gss)
    observations = cube.area_slice(dataset, area)
    if not observations.exists():
        raise Http404(f"This dataset has no figures for {area.short_name}.")
    path = f"/doc/slice/{slug}/area/{area.gss_code}"
    return _document(
        request,
        path,
        ext,
        ALL,
        lambda: cube.area_slice_graph(Uris.default(), dataset, area),
        lambda: _slice_page(request, dataset, observations, path, area=area),
        lambda: _observations_csv(observations),
    )


@public_read
def structure_document(request: HttpRequest, slug: str, ext: str | None = None) -> HttpResponse:
    """A dataset's qb:DataStructureDefinition (``/id/structure/{dataset}``)."""
    dataset = get_object_or_404(Dataset.objects.select_related("measure"), slug=slug)
    path = f"/doc/structure/{slug}"

    def html() -> HttpResponse:
        return render(
            request,
            "linkeddata/structure.html",
            {
                "dataset": dataset,
                "measure": dataset.measure,
                "unit_slug": unit_slug(dataset.measure.unit),
                "path": path,
                "formats_all": RDF_LINKS,
            },
        )

    return _document(
        request,
        path,
        ext,
        RDF_ONLY,
        lambda: cube.dataset_structure_graph(Uris.default(), dataset),
        html,
    )


@public_read
def slice_key_document(
    request: HttpRequest, slug: str, key: str, ext: str | None = None
) -> HttpResponse:
    """A slice key (``/id/structure/{dataset}/period-slice`` or ``.../area-slice``) and the slices made with it."""
    dataset = get_object_or_404(Dataset.objects.select_related("measure"), slug=slug)
    path = f"/doc/structure/{slug}/{key}"

    def html() -> HttpResponse:
        by_period = key == "period-slice"
        return render(
            request,
            "linkeddata/slice_key.html",
            {
                "dataset": dataset,
                "key": key,
                "by_period": by_period,
                "periods": benchmarks.dataset_periods(dataset) if by_period else [],
                "areas": [] if by_period else cube.sliced_areas(dataset),
                "path": path,
                "formats_all": RDF_LINKS,
            },
        )

    return _document(
        request,
        path,
        ext,
        RDF_ONLY,
        lambda: cube.slice_key_graph(Uris.default(), dataset, key),
        html,
    )


@public_read
def unit_document(request: HttpRequest, slug: str, ext: str | None = None) -> HttpResponse:
    """A unit of measure (``/id/unit/{slug}``) and the measures given in it."""
    datasets = cube.unit_datasets(slug)
    if not datasets:
        raise Http404("No measure is given in that unit.")
    path = iri_to_uri(f"/doc/unit/{slug}")

    def html() -> HttpResponse:
        return render(
            request,
            "linkeddata/unit.html",
            {
                "unit": datasets[0].measure.unit,
                "datasets": datasets,
                "path": path,
                "formats_all": RDF_LINKS,
            },
        )

    return _document(
        request, path, ext, RDF_ONLY, lambda: cube.unit_graph(Uris.default(), slug, datasets), html
    )


@public_read
def catalogue_document(request: HttpRequest, ext: str | None = None) -> HttpResponse:
    path = "/data/catalogue"

    def html() -> HttpResponse:
        return render(request, "linkeddata/catalogue.html", {"catalogue": catalogue()})

    response = _document(
        request, path, ext, RDF_ONLY, lambda: catalogue_graph(Uris.default(), catalogue()), html
    )
    return response


def _dump_bytes(dataset: Dataset, extension: str) -> bytes:
    catch_up()  # an import run while this process held the store left its downloads pending
    stored = dump_path(dataset.slug, extension)
    if stored.exists():
        return stored.read_bytes()
    if extension == "csv":
        return csv_bytes(dataset)
    return gzip.compress(b"".join(dataset_ntriples(Uris.default(), dataset)))


DOWNLOAD_TYPES = {"csv": "text/csv; charset=utf-8", "nt.gz": "application/gzip"}
CSVW_MEDIA_TYPE = "application/csvm+json"


@public_read
def download(request: HttpRequest, slug: str, extension: str) -> HttpResponseBase:
    """A dataset's bulk download: CSV or gzip-compressed N-Triples, with validators from the file the
    last publication wrote (so they change exactly when a publication changes it)."""
    dataset = get_object_or_404(Dataset.objects.select_related("measure"), slug=slug)
    catch_up()  # an import run while this process held the store left its downloads pending
    stored = dump_path(slug, extension)
    if stored.exists():
        stat = stored.stat()
        etag = etag_of(slug, extension, stat.st_mtime_ns, stat.st_size)
        modified: datetime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    else:
        etag, modified = etag_of(slug, extension, dataset.modified.isoformat()), dataset.modified
    if unchanged := not_modified(request, etag, modified):
        return unchanged
    response: HttpResponseBase
    if stored.exists():  # streamed: a large dataset's dump is not read into memory
        response = FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=f"{slug}.{extension}",
            content_type=DOWNLOAD_TYPES[extension],
        )
    else:
        response = HttpResponse(
            _dump_bytes(dataset, extension), content_type=DOWNLOAD_TYPES[extension]
        )
        response["Content-Disposition"] = f'attachment; filename="{slug}.{extension}"'
    if extension == "csv":  # where CSVW processors find the columns' description
        response["Link"] = (
            f'<{reverse("linkeddata:csv-metadata", args=[slug])}>; rel="describedby"; '
            f'type="{CSVW_MEDIA_TYPE}"'
        )
    return with_validators(response, etag, modified)


@public_read
def csv_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    """The CSVW metadata of a dataset's CSV download: its columns, datatypes and primary key."""
    dataset = get_object_or_404(Dataset.objects.select_related("measure"), slug=slug)
    etag = etag_of(request.path, publication_version())
    modified = publication_time()
    if unchanged := not_modified(request, etag, modified):
        return unchanged
    response = HttpResponse(
        csvw_metadata_bytes(Uris.default(), dataset), content_type=CSVW_MEDIA_TYPE
    )
    return with_validators(response, etag, modified)


@public_read
def area_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    areas = Area.objects.councils()
    if query:
        areas = areas.filter(
            Q(short_name__icontains=query) | Q(name__icontains=query) | Q(gss_code__iexact=query)
        )
    return render(request, "linkeddata/areas.html", {"areas": areas, "q": query})


def _picked(request: HttpRequest, area: Area) -> tuple[list[Area], list[str]]:
    """The councils chosen so far (``council``, GSS codes), less one removed (``remove``), plus one
    typed into the type-ahead (``add``, a name or GSS code), and what was wrong with the input."""
    errors: list[str] = []
    removed = request.GET.get("remove", "")
    codes = [code for code in request.GET.getlist("council") if code and code != removed]
    by_code = {a.gss_code: a for a in Area.objects.councils().filter(gss_code__in=codes)}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        errors.append(f"No council has the code {', '.join(unknown)}; choose from the list.")
    picked = [by_code[code] for code in dict.fromkeys(codes) if code in by_code]
    typed = request.GET.get("add", "").strip()
    if typed:
        found = benchmarks.find_council(typed)
        if len(found) == 1 and found[0] != area:
            if found[0] not in picked:
                picked.append(found[0])
        elif len(found) == 1:
            errors.append(f"{area.short_name} is the council being compared; choose another.")
        elif found:
            errors.append(
                f"“{typed}” matches several councils ({', '.join(a.short_name for a in found)}); "
                "choose one from the list."
            )
        else:
            errors.append(f"No English council is called “{typed}”; choose one from the list.")
    if len(picked) > benchmarks.MAX_PICKED:
        errors.append(
            f"Choose at most {benchmarks.MAX_PICKED} councils; the first {benchmarks.MAX_PICKED} are shown."
        )
        picked = picked[: benchmarks.MAX_PICKED]
    return picked, errors


COMPARE_CONTENT = "linkeddata/includes/compare_content.html"


@public_read
def compare(request: HttpRequest, gss: str) -> HttpResponse:
    try:
        area = _area_or_404(request, gss)
    except AreaNotFound:
        return _area_not_found(request, gss)
    picking = request.GET.get("with") == "picked" or any(
        name in request.GET for name in ("council", "add", "remove")
    )
    if picking or request.GET.get("format") == "csv":
        return _compare(request, area, "linkeddata/compare.html")
    # Comparing with similar councils, a region or all councils: the same for every reader (public
    # figures), kept until the figures are published again (hub.floor.fragments).
    content = fragment(
        "compare",
        (area.pk, sorted(request.GET.lists())),
        lambda: _compare(request, area, COMPARE_CONTENT).content.decode(),
    )
    return render(
        request, "linkeddata/compare.html", {"area": area, "errors": [], "content": content}
    )


def _compare(request: HttpRequest, area: Area, template: str) -> HttpResponse:
    """The comparison page (or only its content, ``COMPARE_CONTENT``), or its CSV download."""
    datasets = list(Dataset.objects.select_related("measure"))
    if not datasets:
        raise Http404("No benchmarking data has been imported yet.")
    dataset = next((d for d in datasets if d.slug == request.GET.get("measure")), datasets[0])
    mode = request.GET.get("with", "similar")
    if mode not in benchmarks.COMPARE_MODES:
        mode = "similar"
    picked, errors = _picked(request, area)
    if mode == "picked" and not picked and not errors:
        errors.append("Choose at least one council to compare with, or choose another comparison.")
    context = {
        "area": area,
        "datasets": datasets,
        "dataset": dataset,
        "mode": mode,
        "modes": benchmarks.COMPARE_MODES,
        "mode_label": benchmarks.COMPARE_MODES[mode],
        "councils": Area.objects.councils().exclude(pk=area.pk).only("gss_code", "short_name"),
        "picked": picked,
        "errors": errors,
        "cluster": benchmarks.global_cluster(area),
    }
    if mode == "picked" and not picked:
        return render(request, template, context, status=400)
    result = benchmarks.comparison(area, dataset, mode, picked)
    rows = [
        (period, [line.values[i] for line in result.lines])
        for i, period in enumerate(result.periods)
    ]
    if request.GET.get("format") == "csv":
        response = _csv_response(
            ["period", *(f"{line.name} ({dataset.measure.unit})" for line in result.lines)],
            (
                (period, *("" if v is None else format(v.normalize(), "f") for v in values))
                for period, values in rows
            ),
        )
        response["Content-Disposition"] = (
            f'attachment; filename="compare-{area.gss_code}-{dataset.slug}-{mode}.csv"'
        )
        return response
    unit = dataset.measure.unit
    context["chart"] = charts.line_chart(
        f"{dataset.measure.label}: {area.short_name} compared with {benchmarks.COMPARE_MODES[mode]}",
        f"Line chart of {dataset.measure.label.lower()} in {unit} ({dataset.measure.polarity_text}) from "
        f"{result.periods[0] if result.periods else ''} to {result.periods[-1] if result.periods else ''} for "
        + ", ".join(line.name for line in result.lines)
        + ". The table below gives every figure.",
        result.periods,
        [(line.name, line.values) for line in result.lines],
        unit,
    )
    query = request.GET.copy()
    query.pop("add", None)
    query.pop("remove", None)
    query.setlist("council", [a.gss_code or "" for a in picked])
    query["format"] = "csv"
    context.update(comparison=result, rows=rows, csv_query=query.urlencode())
    return render(request, template, context)


SPARQL_METHODS = "GET, POST, HEAD, OPTIONS"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "This endpoint is read-only: SPARQL Update is refused."


def _sparql_input(request: HttpRequest) -> tuple[str, ProtocolDataset]:
    """The query and dataset of a SPARQL 1.1 Protocol query request, or SparqlError (4xx) saying what
    is wrong with it: an update, two queries, a body of the wrong type or encoding."""
    content_type = request.content_type or ""
    if request.method == "POST" and content_type == UPDATE:
        raise SparqlError(403, READ_ONLY)
    if request.method == "POST" and content_type not in {FORM, DIRECT}:
        raise SparqlError(
            415,
            f"A query sent by POST must be {FORM} (a 'query' parameter) or {DIRECT} (the query as "
            f"the body); this request's body is {content_type or 'of no stated type'}.",
        )
    form = request.POST if request.method == "POST" and content_type == FORM else None
    if "update" in request.GET or (form is not None and "update" in form):
        raise SparqlError(403, READ_ONLY)
    queries = request.GET.getlist("query") + (form.getlist("query") if form is not None else [])
    if request.method == "POST" and content_type == DIRECT:
        charset = (request.content_params or {}).get("charset", "utf-8").lower()
        if charset not in {"utf-8", "utf8"}:
            raise SparqlError(
                415, f"The query must be sent in UTF-8; this one says it is in {charset}."
            )
        try:
            queries.append(request.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise SparqlError(400, "The query is not valid UTF-8.") from None
    if len(queries) > 1:
        raise SparqlError(
            400,
            f"The request holds {len(queries)} queries; send exactly one (one 'query' parameter, or "
            "the query as the body).",
        )

    def values(name: str) -> list[str]:
        return request.GET.getlist(name) + (form.getlist(name) if form is not None else [])

    dataset = check_dataset(values("default-graph-uri"), values("named-graph-uri"))
    return (queries[0] if queries else ""), dataset


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


def _sparql_preflight() -> HttpResponse:
    """The CORS preflight: any origin may GET or POST a query (no credentials)."""
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = SPARQL_METHODS
    response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response["Access-Control-Max-Age"] = "86400"
    response["Allow"] = SPARQL_METHODS
    return response


def _without_body(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """HEAD: the GET answer's status and headers, its length, no body."""
    if request.method == "HEAD":
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


def _wants_page(request: HttpRequest, offered: list[str]) -> bool:
    """A browser (HTML preferred to every format offered) gets the page; any other client the data."""
    accept = request.headers.get("Accept")
    return bool(accept) and request.get_preferred_type(["text/html", *offered]) == "text/html"


def _service_description(request: HttpRequest, media_type: str) -> HttpResponse:
    names = [str(Uris.default().graph(REFERENCE_GRAPH))] + [
        str(Uris.default().graph(slug))
        for slug in Dataset.objects.order_by("slug").values_list("slug", flat=True)
    ]
    graph = service_description(request.build_absolute_uri(reverse("linkeddata:sparql")), names)
    body = graph.serialize(format=SD_FORMATS[media_type], encoding="utf-8")
    return _cors(HttpResponse(body, content_type=f"{media_type}; charset=utf-8"))


def _page(
    request: HttpRequest, query: str, answer: Answer | None = None, error: SparqlError | None = None
) -> HttpResponse:
    base = Uris.default().base
    context: dict[str, object] = {
        "examples_html": fragment(  # the same for everyone: kept, not rendered on every view
            "sparql-examples",
            [base],
            lambda: render_to_string(
                "linkeddata/_sparql_examples.html", {"examples": example_links(base)}
            ),
        ),
        "query": query,
        "error": error,
        "result_links": [(short.upper(), short) for short in RESULT_FORMATS.values()],
    }
    if answer is not None:
        context.update(page_answer(answer))
    status = error.status if error is not None else 200
    return _cors(render(request, "linkeddata/sparql.html", context, status=status))


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD", "OPTIONS"])
def sparql(request: HttpRequest) -> HttpResponse:
    """SPARQL 1.1 Protocol query operation (GET, POST form, POST application/sparql-query), read-only;
    with no query, the page (HTML) or the Service Description (RDF); CORS for any origin."""
    if request.method == "OPTIONS":
        return _sparql_preflight()
    try:
        query, dataset = _sparql_input(request)
    except SparqlError as exc:
        return _sparql_error(exc)
    if request.method in {"GET", "HEAD"} and not query:
        if _wants_page(request, list(SD_FORMATS)) or not request.headers.get("Accept"):
            shown = request.GET.get("q") or examples(Uris.default().base)[0][2]
            return _without_body(request, _page(request, shown))
        media_type = request.get_preferred_type(list(SD_FORMATS))
        if media_type is not None:
            return _without_body(request, _service_description(request, media_type))
        return _without_body(request, _page(request, examples(Uris.default().base)[0][2]))
    form = request.POST if request.content_type == FORM else None  # no body read for another type
    short = (
        request.GET.get("format")
        or request.GET.get("output")
        or (form.get("format") if form is not None else None)
    )
    page = not short and request.method != "POST" and _wants_page(request, offered_formats())
    if page:
        formats = page_formats()
    else:
        preferred = request.get_preferred_type if request.headers.get("Accept") else None
        formats = choose_formats(short or "", preferred)
    try:
        answer = run_query(
            query,
            client_address(request),
            formats=formats,
            dataset=dataset,
            base_iri=request.build_absolute_uri(reverse("linkeddata:sparql")),
        )
    except SparqlError as exc:
        if page and exc.status == 400:
            return _without_body(request, _page(request, query, error=exc))
        return _without_body(request, _sparql_error(exc))
    if page:
        response = _page(request, query, answer)
    else:
        response = _cors(
            HttpResponse(answer.body, content_type=f"{answer.media_type}; charset=utf-8")
        )
    # the page and the Service Description are kept for visitors; an answer never is: each query
    # is run, within its client's slots and time limit, on the data as it is
    never_keep(response)
    return _without_body(request, response)


def _sparql_error(exc: SparqlError) -> HttpResponse:
    response = HttpResponse(
        f"{exc.message}\n", status=exc.status, content_type="text/plain; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    if exc.status in {429, 503}:
        response["Retry-After"] = "5"
    return response
