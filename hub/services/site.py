"""The page tree every hub has: a home page with the community index and the good-practice library."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from communities.good_practice.services import ensure_good_practice_library
from communities.models import CommunityIndexPage, GoodPracticeIndexPage
from hub.models import HomePage


def _create_root() -> Page:
    """The tree's root and default locale, as Wagtail's migrations make them (for a flushed database)."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(
        instance=Page(
            title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
        )
    )


@transaction.atomic
def ensure_site_tree() -> HomePage:
    """Create the home page and its indexes if missing, replacing Wagtail's welcome page. Idempotent."""
    # images and documents go in the root collection (gone from a flushed database)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or _create_root()
        # Wagtail's initial "Welcome" page (and the site pointing at it) make way for the hub's home page.
        for page in Page.objects.filter(
            depth=2, content_type__model="page", content_type__app_label="wagtailcore"
        ):
            page.delete()
        home = HomePage(
            title="Local Government Knowledge Hub",
            slug="home",
            intro=(
                "Where council officers share what works: join communities of practice, ask and answer "
                "questions, reuse good practice from other councils and compare councils on real data."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "port": 80,
                "root_page": home,
                "site_name": settings.SITE_NAME,
            },
        )
        home = HomePage.objects.get(pk=home.pk)
    if not CommunityIndexPage.objects.exists():
        index = CommunityIndexPage(
            title="Communities",
            slug="communities",
            intro="Communities of practice for people who run public services. Join one to take part.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    if not GoodPracticeIndexPage.objects.exists():
        library = GoodPracticeIndexPage(
            title="Good practice",
            slug="good-practice",
            intro="What worked in councils, written up so that others can reuse it.",
        )
        home.add_child(instance=library)
        library.save_revision().publish()
    ensure_good_practice_library()
    return home
