"""Discussions anchored to a figure: asking about a council's figure from the data pages, the figure on
the thread, and the discussions listed on the area and measure pages for those who may read them."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from django.urls import reverse

from communities.discussions.services.moderation import do_hide_thread
from communities.discussions.services.notifications import do_set_email_frequency, do_set_watch
from communities.discussions.services.threads import check_figure, do_start_thread
from communities.errors import Invalid
from communities.models import EmailFrequency, Notification, ThreadPage, Visibility, WatchLevel
from tests.factories import CommunityFactory, MembershipFactory, PostFactory, UserFactory
from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures
from tests.search.conftest import search_index  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recycling")]

LEEDS = "E08000035"


def ask_url(area: str = LEEDS, measure: str = "recycling", period: str = "2023-24") -> str:
    return f"{reverse('ask-about-figure')}?area={area}&measure={measure}&period={period}"


@pytest.fixture
def waste(home_page):
    return CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)


@pytest.fixture
def member(waste):
    user = UserFactory(display_name="Amira Khan")
    MembershipFactory(community=waste, user=user)
    return user


def ask(client, where, **data):
    form = {
        "area": LEEDS,
        "measure": "recycling",
        "period": "2023-24",
        "community": str(where.pk),
        "title": "Why is our recycling rate behind?",
        "body": "Similar councils are ahead of us. What changed for them?",
        "idempotency_key": str(uuid.uuid4()),
        **data,
    }
    return client.post(reverse("ask-about-figure"), form)


def anchored(author, community, title, *, area=LEEDS, period="2023/24") -> ThreadPage:
    """A thread about a figure, started through the service as the form does."""
    MembershipFactory(community=community, user=author)
    return do_start_thread(
        community=community,
        author=author,
        title=title,
        body="What is behind this figure?",
        figure=check_figure(area, "recycling", period),
    )


# -- Asking -----------------------------------------------------------------------------------


def test_a_member_asks_about_a_figure_and_the_thread_is_anchored_to_it(client, waste, member):
    client.force_login(member)
    page = client.get(ask_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "Leeds</strong>, recycling rate, 2023/24" in html and "40.1 percent" in html
    assert 'value="Leeds: recycling rate in 2023/24"' in html  # the title, prefilled
    assert f'<option value="{waste.pk}">Waste and recycling</option>' in html

    response = ask(client, waste)

    thread = ThreadPage.objects.get(title="Why is our recycling rate behind?")
    assert response.status_code == 302 and response["Location"] == thread.url
    assert thread.live and thread.author == member and thread.community_id == waste.pk
    assert (thread.figure_area.gss_code, thread.figure_dataset.slug, thread.figure_period.code) == (
        LEEDS,
        "recycling",
        "2023/24",
    )


def test_the_thread_page_shows_the_figure_its_trend_rank_and_links(client, waste, member):
    thread = anchored(member, waste, "Why is our recycling rate behind?")

    html = client.get(thread.url).content.decode()

    assert "The figure this discussion is about" in html
    assert "<strong>40.1 percent</strong>" in html
    # Leeds is third of four in 2023/24: in words, never colour alone.
    assert "Rank 3 of 4 councils in 2023/24: <strong>among the worst third</strong>" in html
    assert 'role="img"' in html and "<title" in html  # the trend chart, named for assistive tech
    assert '<th scope="row">2022/23</th><td>38.5</td>' in html  # ...and its table
    assert f'href="/doc/area/{LEEDS}"' in html
    assert 'href="/doc/measure/recycling?period=2023-24"' in html
    assert f'href="/data/compare/{LEEDS}/?measure=recycling"' in html


def test_a_thread_without_a_figure_shows_none(client, waste, member):
    from tests.factories import ThreadFactory

    thread = ThreadFactory(community=waste, author=member)
    assert "The figure this discussion is about" not in client.get(thread.url).content.decode()


def test_asking_is_announced_like_any_new_thread(client, waste, member):
    watcher = UserFactory()
    MembershipFactory(community=waste, user=watcher)
    do_set_email_frequency(watcher, EmailFrequency.OFF)
    do_set_watch(watcher, level=WatchLevel.WATCHING, community=waste)
    client.force_login(member)

    ask(client, waste)

    assert Notification.objects.filter(
        recipient=watcher, thread__title="Why is our recycling rate behind?"
    ).exists()


def test_a_double_submitted_question_starts_one_thread(client, waste, member):
    client.force_login(member)
    key = str(uuid.uuid4())
    ask(client, waste, idempotency_key=key)
    ask(client, waste, idempotency_key=key)
    assert ThreadPage.objects.filter(title="Why is our recycling rate behind?").count() == 1


def test_anonymous_readers_see_the_figure_and_a_sign_in_link_that_comes_back(client, waste):
    url = ask_url()
    page = client.get(url).content.decode()
    assert "40.1 percent" in page
    assert "Sign in to ask about this figure" in page
    assert f'href="/accounts/login/?next={quote(url, safe="/")}"' in page
    assert "<textarea" not in page

    response = ask(client, waste)

    assert response.status_code == 403
    assert "You are not signed in" in response.content.decode()
    assert "Similar councils are ahead of us" in response.content.decode()  # nothing lost
    assert not ThreadPage.objects.filter(figure_area__isnull=False).exists()


def test_a_member_of_no_community_is_told_how_to_find_one(client, home_page):
    client.force_login(UserFactory())
    page = client.get(ask_url()).content.decode()
    assert "You are not yet a member of a community where you can start a thread" in page
    assert 'href="/communities/"' in page
    assert "<textarea" not in page


def test_only_communities_the_member_may_post_in_are_offered(client, waste, member):
    CommunityFactory(title="Secret club", visibility=Visibility.PRIVATE)
    pending = CommunityFactory(title="Waiting room", visibility=Visibility.RESTRICTED)
    MembershipFactory(community=pending, user=member, status="pending")
    client.force_login(member)

    page = client.get(ask_url()).content.decode()

    assert "Waste and recycling" in page
    assert "Secret club" not in page and "Waiting room" not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area": "E99999999"}, "The hub has no council with the code “E99999999”."),
        ({"measure": "parking"}, "The hub has no measure called “parking”."),
        ({"period": "1999-00"}, "The hub has no period “1999-00”."),
        (
            {"area": "E06000023", "period": "2022-23"},
            "Bristol has no figure for Recycling rate in 2022/23.",
        ),
    ],
)
def test_an_unknown_figure_is_a_clear_error_and_keeps_the_text(
    client, waste, member, change, message
):
    client.force_login(member)
    assert message in client.get(ask_url(**change)).content.decode()

    response = ask(client, waste, **change)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert (
        "Similar councils are ahead of us" in html and "Why is our recycling rate behind?" in html
    )
    assert not ThreadPage.objects.filter(title="Why is our recycling rate behind?").exists()


def test_a_community_the_member_may_not_post_in_is_refused_and_the_text_kept(client, waste, member):
    restricted = CommunityFactory(title="Finance officers", visibility=Visibility.RESTRICTED)
    client.force_login(member)

    for tampered in (str(restricted.pk), "999999999", "not-a-number"):
        response = ask(client, waste, community=tampered)
        html = response.content.decode()
        assert response.status_code == 400
        assert (
            "Choose one of the communities listed: you cannot start a thread in that one." in html
        )
        assert "Similar councils are ahead of us" in html
    assert not ThreadPage.objects.filter(title="Why is our recycling rate behind?").exists()


def test_a_too_short_title_or_empty_question_is_refused_and_the_text_kept(client, waste, member):
    client.force_login(member)

    short = ask(client, waste, title="Why")
    empty = ask(client, waste, body="   ")

    assert short.status_code == 400
    assert "The title must be between 5 and 200 characters (it has 3)." in short.content.decode()
    assert "Similar councils are ahead of us" in short.content.decode()
    assert (
        empty.status_code == 400 and "Write your question before sending." in empty.content.decode()
    )
    assert "Why is our recycling rate behind?" in empty.content.decode()
    assert not ThreadPage.objects.filter(figure_area__isnull=False).exists()


def test_a_member_who_left_the_community_is_refused_with_the_text_kept(client, waste, member):
    from communities.models import Membership

    client.force_login(member)
    client.get(ask_url())
    Membership.objects.filter(user=member, community=waste).update(status="left")

    response = ask(client, waste)

    assert response.status_code == 400
    assert "Similar councils are ahead of us" in response.content.decode()


# -- The data pages list the discussions ------------------------------------------------------


def test_the_area_and_measure_pages_list_the_discussions_a_reader_may_read(client, waste, member):
    restricted = CommunityFactory(title="Finance officers", visibility=Visibility.RESTRICTED)
    older = anchored(member, waste, "Older question about Leeds recycling", period="2022/23")
    newer = anchored(member, waste, "Newer question about Leeds recycling")
    PostFactory(thread=older, body="A reply makes it the latest activity.")
    secret = anchored(UserFactory(), restricted, "Members-only question about recycling")
    hidden = anchored(member, waste, "Hidden question about recycling")
    do_hide_thread(hidden, by=UserFactory(is_staff=True))
    manchester = anchored(member, waste, "Manchester question", area="E08000003")

    area = client.get(f"/doc/area/{LEEDS}").content.decode()
    measure = client.get("/doc/measure/recycling").content.decode()

    assert "Discussions about Leeds’s figures" in area
    assert area.index(older.title) < area.index(newer.title)  # newest activity first
    assert "in Waste and recycling · 1 reply" in area and "· 0 replies" in area
    assert secret.title not in area and hidden.title not in area
    assert manchester.title not in area
    assert "Discussions about recycling rate figures" in measure
    assert all(t.title in measure for t in (older, newer, manchester))
    assert "about Manchester’s recycling rate in 2023/24" in measure
    assert secret.title not in measure and hidden.title not in measure

    client.force_login(MembershipFactory(community=restricted).user)
    assert secret.title in client.get(f"/doc/area/{LEEDS}").content.decode()


def test_an_empty_panel_renders_nothing(client, waste):
    assert "Discussions about" not in client.get(f"/doc/area/{LEEDS}").content.decode()
    assert "Discussions about" not in client.get("/doc/measure/recycling").content.decode()


def test_the_panel_shows_the_most_recent_and_says_how_many_there_are(
    client, settings, waste, member
):
    settings.FIGURE_DISCUSSIONS_PER_PANEL = 2
    for number in range(3):
        anchored(member, waste, f"Question number {number} about recycling")

    html = client.get(f"/doc/area/{LEEDS}").content.decode()

    assert "Question number 2" in html and "Question number 1" in html
    assert "Question number 0" not in html
    assert "The 2 with the latest activity of 3 discussions." in html


def test_the_data_pages_link_each_figure_to_the_question_form(client):
    area = client.get(f"/doc/area/{LEEDS}").content.decode()
    measure = client.get("/doc/measure/recycling?period=2023-24").content.decode()
    compare = client.get(f"/data/compare/{LEEDS}/?measure=recycling").content.decode()

    link = f"{reverse('ask-about-figure')}?area={LEEDS}&amp;measure=recycling&amp;period="
    assert f"{link}2023-24" in area
    assert f"{link}2023-24" in measure and "E08000003&amp;measure=recycling" in measure
    assert f"{link}2022/23" in compare and f"{link}2023/24" in compare


# -- Search -----------------------------------------------------------------------------------


def test_an_anchored_thread_is_searchable_like_any_thread(waste, member, search_index):  # noqa: F811
    from tests.search.conftest import anonymous, find

    thread = anchored(member, waste, "Contamination behind the recycling figure")
    search_index.sync()

    hits = find(anonymous(), "q=contamination").hits
    assert [h.title for h in hits] == [thread.title]


def test_a_figure_that_cannot_be_found_is_invalid():
    with pytest.raises(Invalid):
        check_figure("", "", "")


def test_editing_an_anchored_thread_keeps_its_figure(client, waste, member):
    from communities.discussions.services.threads import do_edit_thread

    thread = anchored(member, waste, "Why is our recycling rate behind?")

    do_edit_thread(thread=thread, editor=member, title="Why is our rate behind?", body="Edited.")

    thread = ThreadPage.objects.get(pk=thread.pk)
    assert thread.title == "Why is our rate behind?"
    assert thread.figure_area.gss_code == LEEDS and thread.figure_period.code == "2023/24"
    assert "<strong>40.1 percent</strong>" in client.get(thread.url).content.decode()
