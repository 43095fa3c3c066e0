"""What goes into the search index: one mapping, and one builder per type of content.

The index holds one kind of document for everything (``doc_type`` tells them apart), so that a
single query ranks, filters and facets across communities, threads, posts, good practice and
profiles. Each document carries what the permission filter needs:

- ``audience``: ``everyone``, ``signed_in``, ``community`` (readers of ``community_id``, decided at
  query time from the communities' rules, so a membership or visibility change needs no
  re-indexing) or ``owner`` (only ``owner_id`` and site staff);
- ``status``: ``live`` or ``draft`` (drafts only to their owner and editors);
- ``visibility`` and ``community_id``, as the communities app defines them.

To make a new field searchable, add it to ``ContentDocument`` (and to ``SEARCH_FIELDS`` or a facet
in ``search.queries`` if it is searched or faceted) and fill it in the type's ``build`` function:
that is the only place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from django.db.models import F, Model, Prefetch, QuerySet
from django.urls import reverse
from django.utils.html import strip_tags
from elasticsearch_dsl import Date, Document, Integer, Keyword, Long, Text
from wagtail.models import Page, Site

from communities.models import (
    CommunityPage,
    GoodPracticePage,
    Post,
    Profile,
    ProfileVisibility,
    ThreadPage,
    Visibility,
)
from linkeddata.models import Area, Measure
from linkeddata.services.areas import searchable_areas, searchable_measures

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# server-core analysis only: works on every Elasticsearch distribution (no stemmer there: the
# query builder adds word forms, ``search.queries.with_word_forms``)
ANALYZER = "standard"
BODY_LIMIT = 60_000  # characters of body text indexed per document


class ContentDocument(Document):
    doc_type = Keyword()
    object_id = Long()
    # Highlighted fields index their offsets, so highlighting reads them instead of re-analysing the text;
    # they are copied into ``spelling`` (title, summary and body together, for "did you mean") by the
    # node, so the text is sent once.
    title = Text(
        analyzer=ANALYZER,
        index_prefixes={"min_chars": 1, "max_chars": 10},
        fields={"raw": Keyword()},
        index_options="offsets",
        copy_to="spelling",
    )
    summary = Text(analyzer=ANALYZER, index_options="offsets", copy_to="spelling")
    body = Text(analyzer=ANALYZER, index_options="offsets", copy_to="spelling")
    tags = Keyword(
        fields={"text": Text(analyzer=ANALYZER, index_prefixes={"min_chars": 1, "max_chars": 10})}
    )
    # council names and GSS codes ("Leeds", "E08000035"): searched, beside the ``councils`` facet
    places = Text(analyzer=ANALYZER)
    spelling = Text(analyzer=ANALYZER)
    url = Keyword(index=False)
    # permission filtering
    audience = Keyword()
    status = Keyword()
    visibility = Keyword()
    community_id = Long()
    owner_id = Long()
    # facets
    councils = Keyword()
    regions = Keyword()
    service_areas = Keyword(fields={"text": Text(analyzer=ANALYZER)})
    year = Integer()
    date = Date()

    class Meta:
        dynamic = "strict"


INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}


def index_body() -> dict:
    """Settings and mappings for a new index (``search.indexes`` names and swaps it)."""
    return {
        "settings": {"index": INDEX_SETTINGS},
        "mappings": ContentDocument._doc_type.mapping.to_dict(),
    }


# -- building documents ------------------------------------------------------------------------


def page_url(page: Page) -> str:
    """The page's path on the default site, without a query per page."""
    return url_from_path(page.url_path)


def url_from_path(url_path: str) -> str:
    root = _site_root_path()
    if root and url_path.startswith(root):
        return "/" + url_path[len(root) :]
    return url_path


_ROOT_CACHE: dict[str, str] = {}


def _site_root_path() -> str:
    if "root" not in _ROOT_CACHE:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            return ""
        _ROOT_CACHE["root"] = site.root_page.url_path
    return _ROOT_CACHE["root"]


def clear_caches() -> None:
    _ROOT_CACHE.clear()


def _areas(areas: Iterable) -> dict:
    areas = [a for a in areas if a is not None]
    return {
        "councils": sorted({a.code for a in areas}),
        "regions": sorted({a.region for a in areas if a.region}),
        "places": _places(areas),
    }


def _places(areas: Iterable) -> str:
    """Council names and GSS codes as searchable text."""
    names: list[str] = []
    for area in areas:
        for name in (area.short_name, area.name, area.gss_code):
            if name and name not in names:
                names.append(name)
    return "\n".join(names)


def plain_text(html: str, fallback: str = "") -> str:
    """Rendered Markdown as plain text (what a snippet shows), or ``fallback`` when not rendered."""
    if not html:
        return fallback
    return " ".join(unescape(strip_tags(html)).split())


def _status(page: Page) -> str:
    return "live" if page.live else "draft"


def _year(when: datetime | None) -> int | None:
    return when.year if when else None


def _text(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)[:BODY_LIMIT]


def build_community(c: CommunityPage) -> dict:
    private = c.visibility == Visibility.PRIVATE
    return {
        "title": c.title,
        "summary": c.description,
        "body": "",
        "tags": [t.name for t in c.tags.all()],
        "url": page_url(c),
        "status": _status(c),
        "visibility": c.visibility,
        # open and restricted communities are listed for everyone; private ones only to members
        "audience": "community" if private else "everyone",
        "community_id": c.pk,
        "owner_id": c.owner_id,
        **_areas(c.councils.all()),
        "service_areas": [],
        "year": _year(c.first_published_at),
        "date": c.first_published_at,
    }


def build_thread(t: ThreadPage) -> dict:
    posts = getattr(t, "indexed_posts", None)  # prefetched by the thread type's queryset
    replies = [
        plain_text(p.body_html, p.body)
        for p in (t.posts.all() if posts is None else posts)
        if not p.is_deleted and not p.is_hidden
    ]
    body = plain_text(t.body_html, t.body)
    author_council = (
        getattr(getattr(t.author, "profile", None), "council", None) if t.author_id else None
    )
    return {
        "title": t.title,
        "summary": body[:300],
        "body": _text(body, *replies),
        "tags": [tag.name for tag in t.tags.all()],
        "url": page_url(t),
        "status": _status(t),
        "visibility": t.community.visibility if t.community else "",
        "audience": "community",
        "community_id": t.community_id,
        "owner_id": t.author_id,
        **_areas([author_council]),
        "places": "",  # the author's council is a facet, not what the thread is about
        "service_areas": [],
        "year": _year(t.first_published_at),
        "date": t.last_activity_at,
    }


class PostValues(TypedDict):
    """What ``post_queryset`` reads alongside each reply."""

    thread_title: str
    thread_url_path: str
    thread_live: bool
    thread_community_id: int | None
    community_visibility: str | None
    council_code: str | None
    council_region: str | None


def post_queryset() -> QuerySet[WithAnnotations[Post, PostValues]]:
    """Replies with what their document needs from the thread, community and author as plain values
    (no page objects are built: there are many more replies than anything else)."""
    return Post.objects.only(
        "pk", "thread_id", "author_id", "body", "body_html", "created_at", "is_deleted", "is_hidden"
    ).annotate(
        thread_title=F("thread__title"),
        thread_url_path=F("thread__url_path"),
        thread_live=F("thread__live"),
        thread_community_id=F("thread__community_id"),
        community_visibility=F("thread__community__visibility"),
        council_code=F("author__profile__council__code"),
        council_region=F("author__profile__council__region"),
    )


def build_post(p: WithAnnotations[Post, PostValues]) -> dict | None:
    if p.is_deleted or p.is_hidden:
        return None
    return {
        "title": f"Reply in “{p.thread_title}”",
        "summary": "",
        "body": plain_text(p.body_html, p.body)[:BODY_LIMIT],
        "tags": [],
        "url": f"{url_from_path(p.thread_url_path)}#post-{p.pk}",
        "status": "live" if p.thread_live else "draft",
        "visibility": p.community_visibility or "",
        "audience": "community",
        "community_id": p.thread_community_id,
        "owner_id": p.author_id,
        "councils": [p.council_code] if p.council_code else [],
        "regions": [p.council_region] if p.council_region else [],
        "places": "",
        "service_areas": [],
        "year": p.created_at.year,
        "date": p.created_at,
    }


GOOD_PRACTICE_TEXT_FIELDS = ("problem", "approach", "outcomes", "evidence", "savings_measurement")


def _service_area_names(areas: Iterable) -> list[str]:
    """Each service area's full name and its parent's, so a filter on "Adult social care" finds its parts."""
    names: set[str] = set()
    for area in areas:
        names.add(area.full_name)
        if area.parent is not None:
            names.add(area.parent.full_name)
    return sorted(names)


def build_good_practice(g: GoodPracticePage) -> dict:
    return {
        "title": g.title,
        "summary": g.summary,
        "body": _text(*(getattr(g, name) for name in GOOD_PRACTICE_TEXT_FIELDS)),
        "tags": [t.name for t in g.tags.all()],
        "url": page_url(g),
        "status": _status(g),
        "visibility": "",
        "audience": "everyone",
        "community_id": None,
        "owner_id": g.author_id or g.owner_id,
        **_areas(g.councils.all()),
        "service_areas": _service_area_names(g.service_areas.all()),
        "year": _year(g.first_published_at or g.latest_revision_created_at),
        "date": g.first_published_at or g.latest_revision_created_at,
    }


PROFILE_AUDIENCE: dict[str, str] = {
    ProfileVisibility.PUBLIC: "everyone",
    ProfileVisibility.MEMBERS: "signed_in",
    ProfileVisibility.PRIVATE: "owner",
}


def profile_url(user_id: int) -> str:
    """The member's profile page (addressed by the member's user id)."""
    return reverse("member-profile", args=[user_id])


def profile_page_url(p: Profile) -> str:
    return profile_url(p.user_id)


def build_profile(p: Profile) -> dict | None:
    if not p.user.is_active:
        return None
    return {
        "title": p.display_name,
        "summary": p.job_title,
        "body": p.bio,
        "tags": [t.name for t in p.expertise.all()],
        "url": profile_page_url(p),
        "status": "live",
        "visibility": p.visibility,
        "audience": PROFILE_AUDIENCE.get(p.visibility, "owner"),
        "community_id": None,
        "owner_id": p.user_id,
        **_areas([p.council]),
        "service_areas": [],
        "year": _year(p.user.date_joined),
        "date": p.user.date_joined,
    }


def area_url(gss_code: str) -> str:
    return f"/doc/area/{gss_code}"


def area_page_url(a: Area) -> str:
    return area_url(a.gss_code or a.code)


def build_area(a: Area) -> dict:
    """A council's data page: found by its names and GSS code."""
    described = f"{a.name}: {a.authority_type_name}" + (f" in {a.region}" if a.region else "")
    return {
        "title": a.short_name,
        "summary": f"{described}. GSS code {a.gss_code}.",
        "body": " ".join(c for c in (a.former_gss_codes or "").replace(",", " ").split()),
        "tags": [],
        "url": area_page_url(a),
        "status": "live",
        "visibility": "",
        "audience": "everyone",
        "community_id": None,
        "owner_id": None,
        **_areas([a]),
        "service_areas": [],
        "year": None,
        "date": None,
    }


def measure_url(m: Measure) -> str:
    return f"/doc/measure/{m.slug}"


def build_measure(m: Measure) -> dict:
    """A measure's page (figures for every council): found by its name and description."""
    return {
        "title": m.label,
        "summary": m.description,
        "body": _text(
            *[d.title for d in m.datasets.all()],
            f"Unit: {m.unit}, {m.polarity_text}.",
            f"Source: {m.source}.",
        ),
        "tags": [],
        "url": measure_url(m),
        "status": "live",
        "visibility": "",
        "audience": "everyone",
        "community_id": None,
        "owner_id": None,
        "councils": [],
        "regions": [],
        "places": "",
        "service_areas": [],
        "year": None,
        "date": None,
    }


# -- the registry ------------------------------------------------------------------------------


M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class DocType(Generic[M]):
    """One type of searchable content: where it comes from and how it becomes a document."""

    name: str
    label: str
    model: type[Model]
    queryset: Callable[[], QuerySet[M]]
    build: Callable[[M], dict | None]
    indexable: dict[str, Any] = field(
        default_factory=dict
    )  # filter on what ``build`` keeps (for counts, rebuilds)
    # where a result leads, for an object of the type (the address ``build`` gives its document)
    url: Callable[[Any], str] = page_url

    def indexable_queryset(self) -> QuerySet[M]:
        return self.queryset().filter(**self.indexable)

    def doc_id(self, pk: int) -> str:
        return f"{self.name}-{pk}"

    def source(self, obj: M) -> dict | None:
        body = self.build(obj)
        if body is None:
            return None
        body.update(doc_type=self.name, object_id=obj.pk)
        return body


# into a plain list (``to_attr``): Django then skips building a related manager's queryset per thread
_posts_visible = Prefetch(
    "posts",
    queryset=Post.objects.only("thread_id", "body", "body_html", "is_deleted", "is_hidden"),
    to_attr="indexed_posts",
)

DOC_TYPES: dict[str, DocType[Any]] = {
    t.name: t
    for t in [
        DocType(
            "community",
            "Community",
            CommunityPage,
            lambda: CommunityPage.objects.prefetch_related("tags", "councils"),
            build_community,
        ),
        DocType(
            "thread",
            "Thread",
            ThreadPage,
            lambda: ThreadPage.objects.select_related(
                "community", "author__profile__council"
            ).prefetch_related("tags", _posts_visible),
            build_thread,
        ),
        DocType(
            "post",
            "Reply",
            Post,
            post_queryset,
            build_post,
            {"is_deleted": False, "is_hidden": False},
            url=lambda p: f"{page_url(p.thread)}#post-{p.pk}",
        ),
        DocType(
            "good_practice",
            "Good practice",
            GoodPracticePage,
            lambda: GoodPracticePage.objects.prefetch_related(
                "tags", "councils", "service_areas__parent"
            ),
            build_good_practice,
        ),
        DocType(
            "profile",
            "Member",
            Profile,
            lambda: Profile.objects.select_related("user", "council").prefetch_related("expertise"),
            build_profile,
            {"user__is_active": True},
            url=profile_page_url,
        ),
        DocType("area", "Council data", Area, searchable_areas, build_area, url=area_page_url),
        DocType(
            "measure",
            "Measure",
            Measure,
            lambda: searchable_measures().prefetch_related("datasets"),
            build_measure,
            url=measure_url,
        ),
    ]
}


def parse_doc_id(doc_id: str) -> tuple[DocType[Any], int] | None:
    """The type and primary key named by ``doc_id`` ("thread-12"), or None if it names nothing."""
    name, _, pk = str(doc_id).rpartition("-")
    if name not in DOC_TYPES or not pk.isdecimal() or len(pk) > 18:
        return None
    return DOC_TYPES[name], int(pk)


def iter_sources(doc_type: DocType[Any], pks: Iterable[int]) -> Iterator[tuple[int, dict | None]]:
    """(pk, source or None) for each pk; None means the document should not be in the index."""
    pks = list(pks)
    found = {obj.pk: obj for obj in doc_type.queryset().filter(pk__in=pks)}
    for pk in pks:
        obj = found.get(pk)
        yield pk, (doc_type.source(obj) if obj is not None else None)
