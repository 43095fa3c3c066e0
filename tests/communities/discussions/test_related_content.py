"""Related content is worked out when a thread changes (a task after the service's announcement),
stored, and shown to each reader filtered by what they may read, without asking search on a view."""

import pytest

from communities.models import RelatedContent, Visibility
from tests.factories import CommunityFactory, ThreadFactory, UserFactory
from tests.search.conftest import search_index  # noqa: F401 - the search tests' index fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(search_index):  # noqa: F811 - the search tests' fixture, under a name of its own here
    return search_index


def test_related_threads_are_stored_when_a_thread_is_published_and_shown_to_who_may_read_them(
    client, index, django_capture_on_commit_callbacks, settings
):
    community = CommunityFactory()
    similar = ThreadFactory(
        community=community,
        title="Recycling bin tagging",
        body="Crew feedback tags on contaminated recycling bins.",
    )
    ThreadFactory(community=community, title="Street lighting", body="LED lanterns.")
    insider = UserFactory()
    private = CommunityFactory(visibility=Visibility.PRIVATE)
    secret = ThreadFactory(
        community=private,
        author=insider,
        title="Contaminated recycling bins and crews",
        body="Tagging contaminated recycling bins, with crew feedback.",
    )
    index.sync()

    with django_capture_on_commit_callbacks(execute=True):
        thread = ThreadFactory(
            community=community,
            title="Contamination in recycling bins",
            body="Tagging contaminated recycling bins and crew feedback.",
        )

    stored = RelatedContent.objects.get(page_id=thread.pk).page_ids
    assert similar.pk in stored and secret.pk in stored and thread.pk not in stored

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens: a view may not ask search
    html = client.get(thread.url).content.decode()
    assert 'id="related-heading"' in html
    assert "Recycling bin tagging" in html
    assert "Street lighting" not in html
    assert "Contaminated recycling bins and crews" not in html  # private: not for this reader

    client.force_login(insider)
    assert "Contaminated recycling bins and crews" in client.get(thread.url).content.decode()


def test_an_edit_works_related_content_out_again(index, django_capture_on_commit_callbacks):
    from communities.discussions.services.threads import do_edit_thread

    community = CommunityFactory()
    thread = ThreadFactory(community=community, title="Street lighting", body="LED lanterns.")
    lighting = ThreadFactory(
        community=community, title="LED street lanterns", body="Lanterns and dimming."
    )
    bins = ThreadFactory(
        community=community, title="Recycling bin tagging", body="Contaminated recycling bins."
    )
    index.sync()
    with django_capture_on_commit_callbacks(execute=True):
        do_edit_thread(
            thread=thread,
            editor=thread.author,
            title="Contaminated recycling bins",
            body="Tagging contaminated recycling bins.",
        )
    stored = RelatedContent.objects.get(page_id=thread.pk).page_ids
    assert bins.pk in stored and lighting.pk not in stored
