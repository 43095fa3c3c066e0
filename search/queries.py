"""The one query builder: the search page, the API, autocomplete and related content use it.

Permission filtering is part of every query (``permission_filter``), built from the communities'
rules, so results, counts, facets, highlights, suggestions, autocomplete and "more like this" only
ever see documents the searcher may see.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from elastic_transport import TransportError
from elasticsearch_dsl import A, Q, Search

from communities.models import CommunityPage
from communities.permissions import (
    active_community_ids,
    communities_by_readers,
    is_site_staff,
    may_list_community,
    readable_of,
)
from hub.floor.actor import Actor
from hub.floor.fragments import kept_value, kept_values
from hub.floor.pagecache import request_generation
from linkeddata.models import Area
from search import synonyms
from search.client import alias_name, get_client
from search.documents import DOC_TYPES
from search.indexing import index_is_current

PER_PAGE = 20
MAX_RESULT_WINDOW = 10_000
MAX_QUERY_LENGTH = 500
MAX_FILTER_VALUES = 20
# the same fields and boosts as the database search (``search.services.fallback.BOOSTS``)
SEARCH_FIELDS = ["title^4", "tags.text^3", "service_areas.text^3", "places^3", "summary^2", "body"]
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE|ESCAPE|PREFIX"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# -- parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    field: str
    kind: str = "keyword"  # or "int"


FACETS = [
    Facet("type", "Type of content", "doc_type"),
    Facet("community", "Community", "community_id", "int"),
    Facet("service_area", "Service area", "service_areas"),
    Facet("tag", "Tag", "tags"),
    Facet("council", "Council", "councils"),
    Facet("region", "Region", "regions"),
    Facet("year", "Year", "year", "int"),
]
FACETS_BY_PARAM = {f.param: f for f in FACETS}


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list] = field(default_factory=dict)
    page: int = 1
    notices: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.q and not self.filters


def clean_text(value: str, limit: int = MAX_QUERY_LENGTH) -> str:
    """Printable text: control characters become spaces, whitespace is collapsed, at most ``limit``."""
    value = unicodedata.normalize("NFC", CONTROL.sub(" ", value or ""))
    return " ".join(value.split())[:limit]


def parse_params(data: QueryDict | Mapping[str, Any]) -> SearchParams:
    """Search parameters from a QueryDict-like mapping; bad values become notices, never errors."""
    params = SearchParams()
    raw_q = data.get("q", "") or ""
    params.q = clean_text(raw_q)
    if len(" ".join(raw_q.split())) > MAX_QUERY_LENGTH:
        params.notices.append(
            f"Your search was shortened to its first {MAX_QUERY_LENGTH} characters."
        )
    for facet in FACETS:
        values = (
            data.getlist(facet.param) if hasattr(data, "getlist") else data.get(facet.param, [])
        )
        if isinstance(values, str):
            values = [values]
        cleaned: list = []
        for value in values[:MAX_FILTER_VALUES]:
            value = clean_text(str(value), 100)
            if not value:
                continue
            if facet.kind == "int":
                if not value.isdecimal() or len(value) > 9:
                    params.notices.append(
                        f"Ignored the {facet.label.lower()} filter “{value}”: it is not a valid value."
                    )
                    continue
                value = int(value)
            elif facet.param == "type" and value not in DOC_TYPES:
                params.notices.append(
                    f"Ignored the type filter “{value}”: there is no such type of content."
                )
                continue
            if value not in cleaned:
                cleaned.append(value)
        if cleaned:
            params.filters[facet.param] = cleaned
    page = str(data.get("page", "1") or "1").strip()
    params.page = int(page) if page.isdecimal() and len(page) < 7 else 1
    params.page = max(params.page, 1)
    return params


# -- permissions -------------------------------------------------------------------------------


def readable_community_ids(user: Actor) -> list[int]:
    """Live communities whose content ``user`` may read (the communities' own rule, applied by
    ``readable_of``). The live communities, split by who may read them, are the same for every
    reader, so they are kept per content generation (a change of visibility or a community published
    or not makes a new one, in its own transaction); the reader's own memberships, read once a
    request, decide the rest, with no query of their own."""
    anyone, members_only = kept_value(
        "live-communities-by-readers",
        [],
        lambda: communities_by_readers(
            CommunityPage.objects.live().order_by("pk").values_list("pk", "visibility")
        ),
    )
    return readable_of(user, anyone, members_only)


def permission_filter(user: Actor) -> Rule:
    """What ``user`` may find, as a filter in the request's JSON; None for site staff (editors), who
    see everything. Built once a search and added to each of its requests as it is sent
    (``request_body``), never to the ``Search`` itself: elasticsearch-dsl walks every value of a
    search it writes out, and a reader's readable communities are thousands of ids at ten times the
    seed's size (9,087 for a visitor: 2.5 ms a request, three requests a search)."""
    if is_site_staff(user):
        return None
    audiences = ["everyone", "signed_in"] if user.is_authenticated else ["everyone"]
    allowed = Q("term", status="live") & (
        Q("terms", audience=audiences)
        | (Q("term", audience="community") & Q("terms", community_id=readable_community_ids(user)))
    )
    if user.is_authenticated:
        # drafts and owner-only documents (a private profile) to their owner
        allowed |= Q("term", owner_id=user.pk) & (
            Q("term", status="draft") | Q("term", audience="owner")
        )
    return allowed.to_dict()


Rule = dict[str, Any] | None  # a permission filter (``permission_filter``); None: no filter
_UNSET: Any = object()  # ``rule`` not given: build it


def request_body(search: Search, user: Actor, rule: Rule = _UNSET) -> dict[str, Any]:
    """The body of ``search`` as sent for ``user``: its query under their permission filter
    (``rule``: one already built for this request)."""
    if rule is _UNSET:
        rule = permission_filter(user)
    body = search.to_dict()
    if rule is not None:
        query: dict[str, Any] = {"filter": [rule]}
        if "query" in body:  # scored as before: the filter adds no score
            query["must"] = [body["query"]]
        body["query"] = {"bool": query}
    return body


def _matches_any(search: Search, user: Actor, rule: Rule = _UNSET) -> bool:
    """Whether anything ``user`` may see matches ``search`` (the node stops at the first)."""
    query = request_body(search, user, rule).get("query", {"match_all": {}})
    return bool(get_client().count(index=alias_name(), query=query, terminate_after=1)["count"])


# -- full-text search --------------------------------------------------------------------------


QUOTED = re.compile(r'("[^"]*")')


def with_operators(q: str) -> str:
    """Words people type as operators (OR, AND, NOT, in capitals) in ``simple_query_string`` syntax."""
    parts = QUOTED.split(q)
    for i in range(0, len(parts), 2):  # the even parts are outside quotes
        part = re.sub(r"\bOR\b", "|", parts[i])
        part = re.sub(r"\bAND\b", "+", part)
        parts[i] = re.sub(r"\bNOT\s+", "-", part)
    return "".join(parts)


PLAIN_WORD = re.compile(r'"[^"]*"?|(?<![\w*~-])([^\W\d_]{5,})(?![\w*~&-])')
VOWELS = set("aeiou")


def word_stem(word: str) -> str:
    """A light English stem (``caddies``, ``caddy`` → ``cadd``), from which a word's forms are made
    (``word_forms``): the node has no stemmer (server-core analysis)."""
    w = word.lower()
    for suffix, keep in (("ies", 3), ("ing", 3), ("ed", 2), ("es", 2), ("s", 1)):
        if w.endswith(suffix) and len(w) - keep >= 4 and not w.endswith("ss"):
            if suffix == "es" and not w[:-2].endswith(("s", "x", "z", "ch", "sh")):
                return w[:-1]
            return w[: len(w) - keep]
    if w.endswith("y") and len(w) >= 5 and w[-2] not in VOWELS:
        return w[:-1]
    if w.endswith("e") and len(w) >= 6:
        return w[:-1]
    return w


# the endings a word's stem takes in English inflection (plurals, tenses, comparatives)
INFLECTIONS = ("", "s", "es", "e", "ed", "ing", "er", "ers", "y", "ies", "ied")


def word_forms(word: str) -> list[str]:
    """``word`` and the forms of its stem (``caddies`` → caddies, cadd, cadds, …, caddy, …). Each is
    a plain term: a stem as a prefix (``cadd*``) made the node gather every term starting so, in
    every document, before matching could skip any (at ten times the seed's size, most of a slow
    search's time)."""
    stem = word_stem(word)
    forms = [word.lower(), *(stem + ending for ending in INFLECTIONS)]
    if stem.endswith("e"):  # a final e dropped before an ending: service → serviced, servicing
        forms += [stem[:-1] + ending for ending in ("ed", "ing", "er", "ers")]
    return list(dict.fromkeys(forms))


def with_word_forms(query: str) -> str:
    """Each plain word of five letters or more outside quotes as ``(word | form | …)``
    (``word_forms``; hyphenated words and exclusions stay as typed)."""

    def forms(match: re.Match) -> str:
        word = match.group(1)
        if word is None:
            return match.group(0)
        return f"({' | '.join(word_forms(word))})"

    return PLAIN_WORD.sub(forms, query)


def text_query(q: str) -> Q:
    return Q(
        "simple_query_string",
        query=with_word_forms(synonyms.expand(with_operators(q))),
        fields=SEARCH_FIELDS,
        default_operator="and",
        flags=QUERY_FLAGS,
        lenient=True,
    )


PREFIX = re.compile(r"([^\W_]+)\*")


def marked_in(text: Q, field: str) -> Q:
    """What marks the words of ``text`` (a ``text_query``) found in ``field``: the same words asked
    of that field alone, any of them. The highlighter marks what its query matched in the field it
    highlights, so this marks what the search's own query would there (the same marks on every page
    of the search benchmark's 200 searches), without the node matching each of that query's clauses,
    every word in six fields, in each field of each result: at the seed's size, that was a third of
    the results' request (its ``took`` p50 / p95 24 / 93 ms against 16 / 56). All the words asked of
    one field would mark nothing there when one of them is only in another."""
    return Q(
        "simple_query_string",
        **{
            **text.to_dict()["simple_query_string"],
            "fields": [field],
            "default_operator": "or",
        },
    )


def title_highlight_query(text: Q) -> Q:
    """What marks the words found in a title: the search's ``text_query`` on the title
    (``marked_in``), and each prefix typed (``collecti*``) in it again as a wildcard on the title. The
    title indexes its prefixes, so the query finds ``collecti*`` there through a field the
    highlighter cannot read back; a wildcard is read from the title itself."""
    on_title = marked_in(text, "title")
    outside_quotes = QUOTED.split(text.query)[::2]
    prefixes = dict.fromkeys(p.lower() for part in outside_quotes for p in PREFIX.findall(part))
    wildcards = [Q("wildcard", title={"value": f"{prefix}*"}) for prefix in prefixes]
    return Q("bool", should=[on_title, *wildcards]) if wildcards else on_title


# Recency as a gentle boost: a multiplier from 1 (old) to 1.5 (this month).
RECENCY = [
    {"weight": 1},
    {
        "gauss": {"date": {"origin": "now", "offset": "30d", "scale": "365d", "decay": 0.5}},
        "weight": 0.5,
    },
]
RECENCY_WINDOW = 500


def by_recency(window: int) -> dict[str, Any]:
    """The recency boost (``RECENCY``) applied to the best ``window`` matches by their words, as a
    rescore: the page of results is ranked by words times recency, as it would be were every match
    boosted. Boosting every match in the query itself made the node score each one (a
    ``function_score`` cannot skip the matches that cannot reach the page): at ten times the seed's
    size, a search's results took a median 95 ms that way against 15 ms rescored (the search
    benchmark's 200 searches: the same first five results for all of them, the same twenty in the
    same order for 179; at the seed's size, the same twenty for all, in another order among equal
    scores for 8). A match outside the window would reach the page only if its words scored
    at least two thirds of the page's last result (the boost is at most 1.5×) with 500 others
    scoring higher still."""
    return {
        "window_size": window,
        "query": {
            "rescore_query": {
                "function_score": {
                    "query": {"match_all": {}},
                    "functions": RECENCY,
                    "score_mode": "sum",
                    "boost_mode": "replace",
                }
            },
            "query_weight": 1,
            "rescore_query_weight": 1,
            "score_mode": "multiply",
        },
    }


def _facet_filter(facet: Facet, values: list) -> Q:
    return Q("terms", **{facet.field: values})


# Counting every match is most of the time of a search matching much of the index: its total and its
# facets over a million documents at ten times the seed's size. So the counts stop at the first
# ``SEARCH_EXACT_COUNTS_UP_TO`` matches, and a search matching more shows its total and facet counts as
# estimates from a random sample of its matches, asked at the same time (``build_search``), sized to
# hold about ``COUNT_SAMPLE_SIZE`` documents for a search matching just past the limit (more for one
# matching more). The limit is at least the result window, so every page a search offers is full.
COUNT_SAMPLE_SIZE = 500
# An estimated facet count read from fewer of the sample's documents is not shown (its value is):
# its standard error would be more than a fifth of it.
FEWEST_SAMPLED = 25
COUNT_SAMPLE_SEED = 2026  # the same sample each time, so the same search shows the same estimates


def count_sample_probability() -> float:
    """The share of a search's matches its estimated counts are read from (the node takes at most
    one half, or all)."""
    return min(0.5, COUNT_SAMPLE_SIZE / settings.SEARCH_EXACT_COUNTS_UP_TO)


Requests = tuple[Search, Search, Search]


def build_search(params: SearchParams) -> Requests:
    """The three requests of a search for ``params``, sent together under the reader's permission
    filter (``_execute_search``):
    the page of results (ranked, highlighted, with spelling), the counts (the total and the facets,
    over the same matches, unranked, up to ``SEARCH_EXACT_COUNTS_UP_TO`` matches) and the same counts
    estimated from a sample, used when there are more matches than that. Elasticsearch answers them
    at once, side by side, so a search waits for the longest of the three, not for each in turn."""
    results = counts = Search(using=get_client(), index=alias_name())
    start = (params.page - 1) * PER_PAGE
    if params.q:
        text = text_query(params.q)
        # the whole page within the rescored window, however far on it is
        results = results.query(text).extra(
            rescore=by_recency(max(RECENCY_WINDOW, start + PER_PAGE))
        )
        # The title whole (it is shown as the result's heading, never cut to its best sentence), with
        # its word forms marked (``title_highlight_query``); the summary and body as up to two
        # passages; each marked from the words found in it (``marked_in``), not the recency boost.
        results = results.highlight(
            "title",
            number_of_fragments=0,
            highlight_query=title_highlight_query(text).to_dict(),
        )
        for name in ("summary", "body"):
            results = results.highlight(
                name,
                fragment_size=160,
                number_of_fragments=2,
                highlight_query=marked_in(text, name).to_dict(),
            )
        results = results.highlight_options(
            pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html"
        )
        results = results.suggest(
            "spelling",
            params.q,
            term={"field": "spelling", "suggest_mode": "popular", "min_word_length": 4, "size": 1},
        )
        counts = counts.filter(text)  # the same matches, without scoring them
    else:
        results = results.sort({"date": {"order": "desc", "missing": "_last"}})
    # Disjunctive facets: each facet's counts apply every other facet's filter, not its own.
    selected = {p: _facet_filter(FACETS_BY_PARAM[p], v) for p, v in params.filters.items()}
    chosen = Q("bool", filter=list(selected.values())) if selected else Q("match_all")
    if selected:
        results, counts = results.post_filter(chosen), counts.post_filter(chosen)
    facets = {}
    for facet in FACETS:
        others = [q for p, q in selected.items() if p != facet.param]
        size = 20 if facet.param != "year" else 30
        inner = A("terms", field=facet.field, size=size)
        # with another facet's filter, the counts are within it; else over the results themselves
        facets[facet.param] = (
            A("filter", Q("bool", filter=others), aggs={"values": inner}) if others else inner
        )
    results = results.source(HIT_FIELDS).extra(track_total_hits=False)[start : start + PER_PAGE]
    counts = counts.extra(size=0)
    sampled = counts.extra(track_total_hits=False)
    sample = sampled.aggs.bucket(
        "sample", "random_sampler", probability=count_sample_probability(), seed=COUNT_SAMPLE_SEED
    )
    sample.bucket("results", "filter", chosen)  # the total: the facets ignore the post filter
    # the node stops counting (and gathering facets) once this many documents pass the post filter
    counts = counts.extra(track_total_hits=True, terminate_after=settings.SEARCH_EXACT_COUNTS_UP_TO)
    for name, aggregation in facets.items():
        counts.aggs.bucket(name, aggregation)
        sample.bucket(name, aggregation)
    return results, counts, sampled


# What a page shows of each hit, and of the answer: the rest of Elasticsearch's answer (shards,
# index names, scores, bucket error bounds) is left on the node (``filter_path``).
HIT_FIELDS = ["doc_type", "title", "summary", "url", "date", "tags", "community_id"]
RESULTS_ANSWER = [
    "took",
    "hits.hits._id",
    "hits.hits._source",
    "hits.hits.highlight",
    "suggest.spelling.offset",
    "suggest.spelling.length",
    "suggest.spelling.options.text",
]
FACET_COUNTS = [
    "*.buckets.key",
    "*.buckets.doc_count",
    "*.values.buckets.key",
    "*.values.buckets.doc_count",
]
COUNTS_ANSWER = [
    "took",
    "terminated_early",
    "hits.total.value",
    *(f"aggregations.{path}" for path in FACET_COUNTS),
    "aggregations.sample.results.doc_count",
    *(f"aggregations.sample.{path}" for path in FACET_COUNTS),
]
SEARCH_ANSWER = ",".join(
    f"responses.{path}" for path in sorted({*RESULTS_ANSWER, *COUNTS_ANSWER, "error"})
)


def _execute(search: Search, user: Actor, filter_path: str, rule: Rule = _UNSET) -> dict[str, Any]:
    """``search`` sent for ``user`` (``request_body``), its answer as plain JSON (no per-hit wrapper
    objects)."""
    body = request_body(search, user, rule)
    return get_client().search(index=alias_name(), body=body, filter_path=filter_path).body


def _execute_search(requests: Requests, user: Actor, rule: Rule) -> dict[str, Any]:
    """A search's results and counts (``build_search``) for ``user`` in one multi-search, as one answer: the
    results' hits and spelling, the counts' total and facets (``estimated``: from the sample), and the
    longest ``took``.

    The answer is kept (``SEARCH_CACHE_SECONDS``) for the content generation, under the requests
    exactly as sent, permission filter included, so only a search with the same filter, words, facets
    and page gets it, and never once a change has committed. It is kept only if, before asking, the
    index had every committed change (``index_is_current``): an answer from an index still catching
    up is never kept, and says so (``current``: False), so the page showing it is not kept either. A
    kept answer has no ``took`` (None): the engine was not asked."""
    bodies = tuple(request_body(request, user, rule) for request in requests)
    seconds = settings.SEARCH_CACHE_SECONDS
    generation = request_generation() if seconds else None
    if generation is not None:
        request = orjson.dumps([alias_name(), bodies], option=orjson.OPT_SORT_KEYS, default=str)
        key = f"hub-search:{generation}:{hashlib.sha256(request).hexdigest()}"
        kept = cache.get(key)
        if kept is not None:
            return {**kept, "took": None, "current": True}
    current = index_is_current()  # asked first: a change indexed meanwhile is in the answer too
    answer = _send_search(bodies)
    if current and generation is not None:
        cache.set(key, answer, seconds)
    return {**answer, "current": current}


def _send_search(bodies: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    # Not kept in the node's request cache (which keeps answers without hits until the next refresh):
    # each search is counted afresh, as the single request before it was.
    index = {"index": alias_name(), "request_cache": False}
    results, counts, sampled = get_client().msearch(
        searches=[part for body in bodies for part in (index, body)],
        filter_path=SEARCH_ANSWER,
    )["responses"]
    for answer in (results, counts, sampled):
        if "error" in answer:  # as a failed search: the caller falls back to the database
            raise TransportError(str(answer["error"])[:500])
    total, aggregations = counts["hits"]["total"]["value"], counts.get("aggregations", {})
    estimated = bool(counts.get("terminated_early"))
    if estimated:  # more matches than are counted: the sample's counts, scaled up by the node
        sample = sampled.get("aggregations", {}).get("sample", {})
        total = max(total, sample.get("results", {}).get("doc_count", 0))
        aggregations = {name: value for name, value in sample.items() if name != "results"}
    return {
        **results,
        "hits": {**results.get("hits", {}), "total": {"value": total}},
        "aggregations": aggregations,
        "estimated": estimated,
        "took": max(results["took"], counts["took"], sampled["took"]),
    }


@dataclass
class FacetValue:
    value: str
    label: str
    count: int | None  # None: estimated from too few of the sample's documents to be shown
    selected: bool


@dataclass
class FacetResult:
    param: str
    label: str
    values: list[FacetValue]


@dataclass
class Hit:
    doc_id: str
    doc_type: str
    type_label: str
    title: str
    url: str
    snippet: SafeString
    date: str | None
    community: str = ""
    tags: list[str] = field(default_factory=list)
    title_html: SafeString | None = None
    click_url: str = ""


@dataclass
class SearchResults:
    params: SearchParams
    total: int
    hits: list[Hit]
    facets: list[FacetResult]
    backend: str
    page: int = 1
    suggestion: str = ""
    notices: list[str] = field(default_factory=list)
    took_ms: int | None = (
        None  # the engine's own time for the search request (Elasticsearch's took)
    )
    # whether the total and facet counts are estimates, rounded (more matches than are counted exactly:
    # ``SEARCH_EXACT_COUNTS_UP_TO``)
    estimated: bool = False
    # whether a page showing these results may be kept for the content generation: not when the index
    # was still catching up with a committed change, nor from the database standing in for the engine
    keepable: bool = True

    @property
    def num_pages(self) -> int:
        return max(1, min(-(-self.total // PER_PAGE), MAX_RESULT_WINDOW // PER_PAGE))


def run_search(user: Actor, params: SearchParams) -> SearchResults:
    """Search as ``user``. Raises the client's errors (``search.client.SEARCH_ERRORS``) for the caller."""
    max_page = MAX_RESULT_WINDOW // PER_PAGE
    if params.page > max_page:
        params.notices.append(f"Only the first {max_page} pages of results can be shown.")
        params.page = max_page
    rule = permission_filter(user)  # built once: the readable communities are read once per search
    answer = _execute_search(build_search(params), user, rule)
    total = answer["hits"]["total"]["value"]  # always there: counted, or estimated (``estimated``)
    pages = max(1, -(-total // PER_PAGE))
    if total and params.page > pages:
        params.notices.append(
            f"There are only {pages} page{'s' if pages > 1 else ''} of results: showing the last."
        )
        params.page = min(pages, max_page)
        answer = _execute_search(build_search(params), user, rule)
    hits = answer.get("hits", {}).get("hits", [])
    aggregations = answer.get("aggregations", {})
    buckets = {f.param: _buckets(aggregations.get(f.param, {})) for f in FACETS}
    estimated = answer.get("estimated", False)
    if estimated:
        total = max(about(total), settings.SEARCH_EXACT_COUNTS_UP_TO)
        shown = FEWEST_SAMPLED / count_sample_probability()
        buckets = {
            param: [
                {**b, "doc_count": about(b["doc_count"]) if b["doc_count"] >= shown else None}
                for b in values
            ]
            for param, values in buckets.items()
        }
    communities = _community_titles(
        user,
        {c for h in hits if (c := h["_source"].get("community_id"))}
        | {int(b["key"]) for b in buckets["community"]},
    )
    results = SearchResults(
        params=params,
        total=total,
        hits=_hits(hits, communities),
        facets=_facets(user, params, buckets, communities),
        backend="elasticsearch",
        page=params.page,
        notices=params.notices,
        took_ms=answer["took"],
        estimated=estimated,
        keepable=answer["current"],
    )
    if params.q and total < 5:
        results.suggestion = did_you_mean(user, params.q, answer, rule)
    return results


def about(count: int) -> int:
    """An estimated count to two significant figures (1,316,480 → 1,300,000): no more precise than
    it is."""
    return int(float(f"{count:.2g}")) if count >= 100 else count


def _buckets(aggregation: dict[str, Any]) -> list[dict[str, Any]]:
    """A facet's buckets, whether or not it sits in another facets' filter (``values``); the answer
    leaves out what is empty."""
    return aggregation.get("values", aggregation).get("buckets", [])


def _community_titles(user: Actor, ids: set[int]) -> dict[int, tuple[str, bool]]:
    """Community id → (title, whether ``user`` may know the community exists). Titles and
    visibilities are kept per content generation, the same for everyone; whether this reader may
    know each community is decided from them (``may_list_community``). A signed-in reader's
    memberships are read whether or not a private community is among them, so the page's queries
    do not depend on which communities its results come from (memoised: the Elasticsearch path has
    read them already for its permission filter)."""
    known = kept_values("community-title", sorted(ids), _titles_and_visibilities)
    if known:
        active_community_ids(user)
    return {
        pk: (title, may_list_community(user, pk, visibility))
        for pk, (title, visibility) in known.items()
    }


def _own_community_ids(hits: list[dict[str, Any]]) -> set[int]:
    """The communities whose own documents are among ``hits``."""
    return {
        c
        for h in hits
        if h["_source"].get("doc_type") == "community" and (c := h["_source"].get("community_id"))
    }


def _listed(source: dict[str, Any], communities: dict[int, tuple[str, bool]]) -> bool:
    """Whether a hit may be shown as the database's rule stands now: a community's own document says
    "everyone" in the index until the outbox re-indexes it after a change of visibility, so it is
    shown only if ``may_list_community`` (in ``communities``, from ``_community_titles``) lets this
    reader know of the community. Every other document's rule is applied by the query itself."""
    if source.get("doc_type") != "community":
        return True
    known = communities.get(int(source.get("community_id") or 0))
    return known is not None and known[1]


def _titles_and_visibilities(ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = CommunityPage.objects.filter(pk__in=ids).values_list("pk", "title", "visibility")
    return {pk: (title, visibility) for pk, title, visibility in rows}


def _snippet(hit: dict[str, Any]) -> SafeString:  # a hit of Elasticsearch's answer
    highlight = hit.get("highlight") or {}
    for name in ("body", "summary"):
        fragments = highlight.get(name)
        if fragments:
            return mark_safe(" … ".join(fragments))  # noqa: S308 - escaped by Elasticsearch's html encoder
    summary = hit["_source"].get("summary") or ""
    return escape(summary[:240])


def _hits(
    hits: list[dict[str, Any]], communities: dict[int, tuple[str, bool]] | None = None
) -> list[Hit]:
    """Hits of Elasticsearch's answer (``_id``, ``_source``, ``highlight``) as the page shows them."""
    if communities is None:
        ids = {c for h in hits if (c := h["_source"].get("community_id"))}
        communities = {
            pk: (title, True)
            for pk, title in CommunityPage.objects.filter(pk__in=ids).values_list("pk", "title")
        }
    names: dict[int | None, str] = {pk: title for pk, (title, _) in communities.items()}
    out = []
    for h in hits:
        source = h["_source"]
        name = source["doc_type"]
        if not _listed(source, communities):
            continue
        doc_type = DOC_TYPES.get(name)
        title_hl = (h.get("highlight") or {}).get("title")
        out.append(
            Hit(
                doc_id=h["_id"],
                doc_type=name,
                type_label=doc_type.label if doc_type else name,
                title=source["title"],
                url=source.get("url") or "",
                snippet=_snippet(h),
                date=str(source.get("date") or "")[:10] or None,
                community=names.get(source.get("community_id"), "") if name != "community" else "",
                tags=list(source.get("tags") or []),
            )
        )
        if title_hl:
            out[-1].title_html = mark_safe(title_hl[0])  # noqa: S308 - escaped by the html encoder
    return out


def _facets(
    user: Actor, params: SearchParams, buckets: dict, communities: dict[int, tuple[str, bool]]
) -> list[FacetResult]:
    labels = _facet_labels(buckets, communities)
    results = []
    for facet in FACETS:
        selected = [str(v) for v in params.filters.get(facet.param, [])]
        values = []
        for bucket in buckets[facet.param]:
            key = str(bucket["key"])
            label = labels.get(facet.param, {}).get(key, key)
            if label is None:
                continue
            values.append(FacetValue(key, label, bucket["doc_count"], key in selected))
        for key in selected:  # a selected value with no results stays visible, so it can be removed
            if key not in {v.value for v in values}:
                values.append(FacetValue(key, labels.get(facet.param, {}).get(key) or key, 0, True))
        if facet.param == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        if values:
            results.append(FacetResult(facet.param, facet.label, values))
    return results


def _facet_labels(
    buckets: dict, titles: dict[int, tuple[str, bool]]
) -> dict[str, dict[str, str | None]]:
    """Labels per facet value; None hides a community the searcher may not know of."""
    community_ids = [int(b["key"]) for b in buckets["community"]]
    communities = {pk: title for pk, (title, listable) in titles.items() if listable}
    codes = [b["key"] for b in buckets["council"]]
    councils = council_names(codes)
    return {
        "type": {name: t.label for name, t in DOC_TYPES.items()},
        "community": {str(pk): communities.get(pk) for pk in community_ids},
        "council": {code: councils.get(code, code) for code in codes},
    }


COUNCIL_NAMES_SECONDS = 300
_COUNCIL_NAMES: dict[str, str] = {}
_COUNCIL_NAMES_LOADED = [0.0]


def council_names(codes: list[str]) -> dict[str, str]:
    """Short names of councils by code, kept per process (reference data; cleared when an area is saved)."""
    if time.monotonic() - _COUNCIL_NAMES_LOADED[0] > COUNCIL_NAMES_SECONDS:
        clear_council_names()
        _COUNCIL_NAMES_LOADED[0] = time.monotonic()
    missing = [c for c in codes if c not in _COUNCIL_NAMES]
    if missing:
        _COUNCIL_NAMES.update({c: c for c in missing})
        _COUNCIL_NAMES.update(
            Area.objects.filter(code__in=missing).values_list("code", "short_name")
        )
    return {c: _COUNCIL_NAMES[c] for c in codes}


def clear_council_names(**kwargs: object) -> None:
    _COUNCIL_NAMES.clear()


# -- did you mean --------------------------------------------------------------------------------


def did_you_mean(user: Actor, q: str, answer: dict[str, Any], rule: Rule = _UNSET) -> str:
    """A corrected query, offered only if it finds something ``user`` may see.

    The term suggester proposes words from the whole index; checking the corrected query with the
    permission filter means a word known only from content the user may not see is never offered.
    """
    entries = answer.get("suggest", {}).get("spelling")
    if not entries:
        return ""
    corrected, changed, shift = q, False, 0
    for entry in entries:
        if entry.get("options"):
            text = entry["options"][0]["text"]
            start = entry["offset"] + shift
            corrected = corrected[:start] + text + corrected[start + entry["length"] :]
            shift += len(text) - entry["length"]
            changed = True
    if not changed or corrected.lower() == q.lower():
        return ""
    search = Search(using=get_client(), index=alias_name()).query(text_query(corrected))
    return corrected if _matches_any(search, user, rule) else ""


# -- autocomplete ----------------------------------------------------------------------------------


class Suggestions(list[dict[str, str]]):
    """Autocomplete's suggestions, with the engine's own time for the request (Elasticsearch's
    ``took``, None when none was asked), printed beside the page time by the search benchmark."""

    took_ms: int | None = None
    # as ``SearchResults.keepable``; a signed-in reader's are never kept (nor looked at for it)
    keepable: bool = True


def autocomplete(user: Actor, prefix: str, size: int = 8) -> Suggestions:
    """Titles and tags starting with what the user has typed, from what they may see."""
    prefix = clean_text(prefix, 100)
    if not prefix.strip():
        return Suggestions()
    search = Search(using=get_client(), index=alias_name()).query(
        Q(
            "multi_match",
            query=prefix,
            type="bool_prefix",
            operator="and",
            fields=["title^2", "tags.text"],
        )
    )
    search = search.exclude("term", doc_type="post").source(
        ["title", "url", "doc_type", "community_id"]
    )[:size]
    # no count of everything that matches (the box shows a few), so the node can stop early
    search = search.extra(track_total_hits=False)
    # the tags starting with what was typed, most used first: only those are counted
    search.aggs.bucket(
        "tags", A("terms", field="tags", size=TAG_SUGGESTIONS, include=starts_with(prefix))
    )
    # asked first, as for a search (``_execute_search``); only a visitor's suggestions are kept
    current = not user.is_authenticated and index_is_current()
    answer = _execute(search, user, AUTOCOMPLETE_ANSWER)
    items = [
        {"kind": "tag", "label": tag, "url": f"/search/?{urlencode({'tag': tag})}", "type": "Tag"}
        for tag in (
            b["key"] for b in answer.get("aggregations", {}).get("tags", {}).get("buckets", [])
        )
    ]
    hits = answer.get("hits", {}).get("hits", [])
    communities = _community_titles(user, _own_community_ids(hits))
    for hit in hits:
        source = hit["_source"]
        name = source["doc_type"]
        if not _listed(source, communities):
            continue
        items.append(
            {
                "kind": "page",
                "label": source["title"],
                "url": source.get("url") or "",
                "type": DOC_TYPES[name].label if name in DOC_TYPES else name,
            }
        )
    suggestions = Suggestions(items[:size])
    suggestions.took_ms = answer["took"]
    suggestions.keepable = current
    return suggestions


TAG_SUGGESTIONS = 3
AUTOCOMPLETE_ANSWER = "took,hits.hits._source,aggregations.tags.buckets.key"


def starts_with(prefix: str) -> str:
    """A Lucene regular expression for a keyword starting with ``prefix``, in any case."""
    parts = []
    for char in prefix:
        lower, upper = char.lower(), char.upper()
        if lower != upper and len(lower) == len(upper) == 1:
            parts.append(f"[{lower}{upper}]")
        elif not char.isalnum():  # any other character, escaped: never an operator
            parts.append("\\" + char)
        else:
            parts.append(char)
    return "".join(parts) + ".*"


# -- more like this --------------------------------------------------------------------------------


def is_visible(user: Actor, doc_id: str, rule: Rule = _UNSET) -> bool:
    """Whether ``user`` may see the indexed document ``doc_id`` (by the same permission filter)."""
    search = Search(using=get_client(), index=alias_name()).filter("ids", values=[doc_id])
    return _matches_any(search, user, rule)


RELATED_ANSWER = "hits.hits._id,hits.hits._source"


def related(user: Actor, doc_id: str, size: int = 5) -> list[Hit]:
    """Threads and good practice like ``doc_id`` that ``user`` may see (nothing if they may not see it)."""
    rule = permission_filter(user)  # built once: it reads the communities the user may read
    if not is_visible(user, doc_id, rule):
        return []
    search = Search(using=get_client(), index=alias_name()).query(
        Q(
            "more_like_this",
            fields=["title", "summary", "body", "tags.text"],
            like=[{"_index": alias_name(), "_id": doc_id}],
            min_term_freq=1,
            min_doc_freq=1,
            max_query_terms=25,
            minimum_should_match="20%",
        )
    )
    search = search.filter("terms", doc_type=["thread", "good_practice"]).exclude(
        "ids", values=[doc_id]
    )
    answer = _execute(search.source(HIT_FIELDS)[:size], user, RELATED_ANSWER, rule)
    return _hits(answer.get("hits", {}).get("hits", []))


def related_page_ids(doc_id: str, text: dict[str, str], size: int = 10) -> list[int]:
    """Ids of the threads and case studies most like ``text`` (a page's ``title``, ``summary``,
    ``body``), best first, ``doc_id`` itself left out, whoever may read them: stored as a page's
    related content and filtered for each reader when shown. ``text`` is given, not looked up by
    ``doc_id``, so it works before the page's own document is indexed."""
    search = Search(using=get_client(), index=alias_name()).query(
        Q(
            "more_like_this",
            fields=["title", "summary", "body"],
            like=[{"_index": alias_name(), "doc": {k: v for k, v in text.items() if v}}],
            min_term_freq=1,
            min_doc_freq=1,
            max_query_terms=25,
            minimum_should_match="20%",
        )
    )
    search = search.filter("terms", doc_type=["thread", "good_practice"]).exclude(
        "ids", values=[doc_id]
    )
    return [int(hit.object_id) for hit in search.source(["object_id"])[:size].execute()]
