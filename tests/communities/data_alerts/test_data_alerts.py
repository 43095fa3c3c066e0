"""Following figures: an import tells each follower once, in words, and linked communities get a post."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from communities.alerts import do_unsubscribe
from communities.data_alerts.services import (
    do_follow,
    do_set_linked_measures,
    do_set_own_council,
    do_tell_release,
)
from communities.discussions.services.notifications import do_set_email_frequency
from communities.models import (
    EmailFrequency,
    FiguresRelease,
    LinkedMeasure,
    Notification,
    ThreadPage,
    Visibility,
)
from communities.people.services.profiles import do_update_profile
from linkeddata.models import Measure
from tests.communities.data_alerts.conftest import NEW_PERIOD, REVISION
from tests.factories import AreaFactory, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LEEDS_LINE = (
    "Leeds's recycling rate for 2024/25 is 44.0%, up 3.9; now in the middle third, "
    "was the worst third; among its ONS similar councils now in the middle third, was the worst third"
)


def figures(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.FIGURES))


def with_council(user, area):
    do_update_profile(user.profile, by=user, display_name=user.profile.display_name, council=area)
    return user


@pytest.fixture
def people(recycling, councils):
    measure = Measure.objects.get(slug="recycling")
    leeds = councils["leeds"]
    own = with_council(UserFactory(), leeds)  # follows Leeds by default
    switched_off = with_council(UserFactory(), leeds)
    do_set_own_council(switched_off, False)
    measure_follower = UserFactory()
    do_follow(measure_follower, measure=measure, area=None)
    both = with_council(UserFactory(), leeds)  # council, area and area-on-measure: one notification
    do_follow(both, measure=None, area=leeds)
    do_follow(both, measure=measure, area=leeds)
    bristol = UserFactory()
    do_follow(bristol, measure=measure, area=councils["bristol"])
    outsider = UserFactory()
    for user in (own, measure_follower, both, bristol, outsider):
        do_set_email_frequency(user, EmailFrequency.IMMEDIATE)
    return {
        "own": own,
        "switched_off": switched_off,
        "measure": measure_follower,
        "both": both,
        "bristol": bristol,
        "outsider": outsider,
    }


def test_a_new_period_tells_each_follower_once_in_words(people, import_figures):
    """End to end: ``import_benchmarks`` with a new period; followers, members of the council and the
    linked communities hear once, with the right words; the same import again tells nobody."""
    owner = with_council(UserFactory(), people["own"].profile.council)
    community = CommunityFactory(title="Waste officers", owner=owner)
    do_set_linked_measures(community, [Measure.objects.get(slug="recycling")])
    mail.outbox.clear()

    import_figures(NEW_PERIOD)

    (own,) = figures(people["own"])
    assert own.message.startswith(LEEDS_LINE)
    assert own.headline == (
        "Leeds moved from the worst third to the middle third of councils on recycling rate (2024/25)"
    )
    assert own.link == "/data/compare/E08000035/?measure=recycling"
    assert own.alert == "follow:council"
    site = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    figures_link = f"{site}/doc/measure/recycling?period=2024-25#council-E08000035"
    assert figures_link in own.message  # whole addresses: the message is also emailed
    reader = Client()
    reader.force_login(people["own"])
    page = reader.get("/notifications/").content.decode()
    assert f'<a href="{figures_link}"' in page.replace("&amp;", "&")

    (both,) = figures(people["both"])  # three follows matched: one notification, one line
    assert both.message.count("Leeds's recycling rate") == 1
    assert both.alert.startswith("follow:") and both.alert != "follow:council"

    (measure,) = figures(people["measure"])
    assert measure.headline == "New figures: Recycling rate for 2024/25: 4 new figures"
    assert measure.link == "/doc/measure/recycling?period=2024-25"

    (bristol,) = figures(people["bristol"])
    assert bristol.message.startswith(
        "Bristol's recycling rate for 2024/25 is 43.0%, down 1.9; now among the worst third, "
        "was the middle third"
    )
    assert figures(people["switched_off"]) == []
    assert figures(people["outsider"]) == []

    # Emailed by the usual path, straight away, the alert's headline as the subject.
    to_own = [m for m in mail.outbox if m.to == [people["own"].email]]
    assert len(to_own) == 1 and "Leeds moved from the worst third" in to_own[0].subject

    # The linked community: a thread by the Knowledge Hub, about its members' council.
    thread = ThreadPage.objects.child_of(community).get(title="New data: Recycling rate")
    assert LEEDS_LINE in thread.body
    assert "Bristol's" not in thread.body
    assert thread.author.profile.display_name == "Knowledge Hub"
    page = pytest.importorskip("django.test").Client().get(thread.url).content.decode()
    assert "Started by Knowledge Hub" in page

    # Again: nothing changed, nobody is told twice, the release is not told twice either.
    import_figures(NEW_PERIOD, name="again.csv")
    assert len(figures(people["own"])) == 1
    release = FiguresRelease.objects.latest("pk")
    assert release.sent_at is not None
    assert do_tell_release(release.pk) == 0
    # own, both, measure, bristol and the community's owner (a Leeds officer): once each.
    assert Notification.objects.filter(kind=Notification.Kind.FIGURES).count() == 5
    assert ThreadPage.objects.child_of(community).count() == 1


def test_a_revision_is_told_with_its_earlier_value(people, import_figures):
    import_figures(NEW_PERIOD)
    import_figures(REVISION, name="revised.csv")
    latest = figures(people["own"])[0]
    assert latest.message.startswith(
        "Leeds's recycling rate for 2024/25 is 44.5%, revised from 44.0%; still in the middle third"
    )
    assert figures(people["bristol"]) and len(figures(people["bristol"])) == 1  # Bristol unchanged


def test_a_linked_community_gets_one_thread_and_then_replies(people, import_figures):
    owner = UserFactory()
    community = CommunityFactory(title="Private waste", owner=owner, visibility=Visibility.PRIVATE)
    member = with_council(UserFactory(), people["own"].profile.council)
    MembershipFactory(community=community, user=member)
    do_set_linked_measures(community, [Measure.objects.get(slug="recycling")])
    import_figures(NEW_PERIOD)
    import_figures(REVISION, name="revised.csv")
    link = LinkedMeasure.objects.get(community=community)
    assert ThreadPage.objects.child_of(community).count() == 1
    replies = list(link.thread.posts.all())
    assert len(replies) == 1 and "revised from 44.0%" in replies[0].body
    assert replies[0].author.profile.display_name == "Knowledge Hub"


def test_the_own_council_alert_and_a_follow_are_switched_off_from_an_email(people, councils):
    own = people["own"]
    assert do_unsubscribe(own, "follow:council") is True
    assert own.data_alert_settings.own_council is False
    follow = people["bristol"].data_follows.get()
    assert do_unsubscribe(people["own"], f"follow:{follow.pk}") is False  # not theirs
    assert do_unsubscribe(people["bristol"], f"follow:{follow.pk}") is True
    assert not people["bristol"].data_follows.exists()


def test_one_click_unsubscribe_switches_off_every_follow_that_raised_the_email(
    client, people, import_figures
):
    """A notification raised by several follows (the member's council, the area, the area on the
    measure): its email's one-click unsubscribe (RFC 8058 POST, not signed in) stops all of them,
    and the next import tells that member nothing; other members keep their follows."""
    import re

    both = people["both"]
    mail.outbox.clear()
    import_figures(NEW_PERIOD)
    (message,) = [m for m in mail.outbox if m.to == [both.email]]
    header = message.extra_headers["List-Unsubscribe"]
    path = re.fullmatch(r"<https?://[^/]+(/notifications/unsubscribe/[^/>]+/)>", header).group(1)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    assert not both.data_follows.exists()
    both.data_alert_settings.refresh_from_db()
    assert both.data_alert_settings.own_council is False
    assert people["bristol"].data_follows.exists()
    # posted again: nothing left to switch off, still a page that says so (no error)
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    import_figures(REVISION, name="revised.csv")
    assert len(figures(both)) == 1  # the first import's, nothing since
    assert len(figures(people["own"])) == 2


def test_a_notification_raised_by_one_follow_names_that_follow(people, import_figures):
    import_figures(NEW_PERIOD)
    (bristol,) = figures(people["bristol"])
    follow = people["bristol"].data_follows.get()
    assert bristol.alert == f"follow:{follow.pk}"
    (both,) = figures(people["both"])
    # a follow made after the release was told is not what raised it: it stays on
    later = do_follow(people["both"], measure=Measure.objects.get(slug="recycling"), area=None)
    assert do_unsubscribe(people["both"], both.alert) is True
    assert list(people["both"].data_follows.all()) == [later]
    # another member without follows: nothing of theirs raised it
    assert do_unsubscribe(people["outsider"], both.alert) is False


def test_follow_from_the_measure_and_area_pages(client, people, councils):
    page = client.get("/doc/measure/recycling").content.decode()
    assert "Sign in to follow this measure" in page
    user = people["outsider"]
    client.force_login(user)
    page = client.get("/doc/measure/recycling").content.decode()
    assert "Follow recycling rate" in page
    response = client.post(
        reverse("data-follow"), {"measure": "recycling", "next": "/doc/measure/recycling"}
    )
    assert response.status_code == 302 and response["Location"] == "/doc/measure/recycling"
    page = client.get("/doc/measure/recycling").content.decode()
    assert "You follow this measure." in page

    page = client.get("/doc/area/E08000003").content.decode()
    assert "Follow all of Manchester's figures" in page
    client.post(reverse("data-follow"), {"area": "E08000003", "measure": "recycling"})
    response = client.post(reverse("data-follow"), {"area": "E99999999"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "There is no such measure or council to follow" in page
    assert "Manchester on recycling rate" in page
    assert "Recycling rate, every council" in page

    follow = user.data_follows.get(area__isnull=False)
    client.post(reverse("data-unfollow", args=[follow.pk]))
    assert (
        "Manchester on recycling rate"
        not in client.get(reverse("notification-settings")).content.decode()
    )


def test_own_council_on_the_settings_page(client, people):
    own = people["own"]
    client.force_login(own)
    page = client.get(reverse("notification-settings")).content.decode()
    assert "Your council, Leeds: you follow its figures." in page
    client.post(reverse("data-own-council"), {})
    page = client.get(reverse("notification-settings")).content.decode()
    assert "Your council, Leeds: switched off." in page
    client.post(reverse("data-own-council"), {"own_council": "on"})
    own.data_alert_settings.refresh_from_db()
    assert own.data_alert_settings.own_council is True


def test_linked_measures_page_is_for_facilitators(client, recycling):
    owner, member = UserFactory(), UserFactory()
    community = CommunityFactory(title="Waste leads", owner=owner)
    MembershipFactory(community=community, user=member)
    url = reverse("community-linked-measures", args=[community.slug])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(member)
    assert client.get(url).status_code == 403
    assert client.post(url, {"measure": "recycling"}).status_code == 403
    assert not LinkedMeasure.objects.exists()
    client.force_login(owner)
    assert "Linked measures" in client.get(community.url).content.decode()
    response = client.post(url, {"measure": ["recycling", "nonsense"]})
    assert response.status_code == 400
    assert "Choose measures from the list." in response.content.decode()
    assert client.post(url, {"measure": "recycling"}).status_code == 302
    assert LinkedMeasure.objects.filter(community=community).count() == 1
    client.post(url, {})
    assert not LinkedMeasure.objects.exists()


def test_a_backfill_tells_only_its_latest_period(people, import_figures):
    rows = NEW_PERIOD.split("\n", 1)[1]
    import_figures(NEW_PERIOD + rows.replace("2024/25", "2025/26"))
    (own,) = figures(people["own"])
    assert own.message.startswith("Leeds's recycling rate for 2025/26 is 44.0%, level")
    assert "2024/25" not in own.message


def test_a_move_among_similar_councils_alone_is_called_out(people, import_figures):
    """Leeds stays in the worst third of all councils but rises into the middle third of its ONS
    similar councils (Barnsley, Bristol, Manchester): the headline says so."""
    others = {"E06000901": (50, 60), "E06000902": (49, 59), "E06000903": (48, 58)}
    for number, code in enumerate(others):
        AreaFactory(code=f"X{number}", gss_code=code, short_name=f"Other {number}")
    import_figures(
        "gss_code,period,value\n"
        + "".join(f"{code},2023/24,{old}\n" for code, (old, _) in others.items()),
        name="others.csv",
    )
    Notification.objects.all().delete()
    import_figures(
        NEW_PERIOD + "".join(f"{code},2024/25,{new}\n" for code, (_, new) in others.items())
    )
    (own,) = figures(people["own"])
    assert own.message.startswith(
        "Leeds's recycling rate for 2024/25 is 44.0%, up 3.9; still among the worst third; among its "
        "ONS similar councils now in the middle third, was the worst third"
    )
    assert own.headline == (
        "Leeds moved from the worst third to the middle third of its ONS similar councils on "
        "recycling rate (2024/25)"
    )
