from django.contrib.auth import get_user_model
from django.core.management import call_command

from communities.models import CommunityPage, GoodPracticePage, Post, ThreadPage, Visibility
from linkeddata.models import Area


def test_demo_loader_builds_a_believable_hub_and_is_idempotent(db, client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Area.objects.count(),
        get_user_model().objects.count(),
        CommunityPage.objects.count(),
        ThreadPage.objects.count(),
        Post.objects.count(),
        GoodPracticePage.objects.count(),
    )
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert counts == (
        Area.objects.count(),
        get_user_model().objects.count(),
        CommunityPage.objects.count(),
        ThreadPage.objects.count(),
        Post.objects.count(),
        GoodPracticePage.objects.count(),
    )
    assert Area.objects.get(gss_code="E08000035").short_name == "Leeds"
    assert Area.objects.councils().count() >= 300
    assert CommunityPage.objects.count() >= 12
    assert {c.visibility for c in CommunityPage.objects.all()} == set(Visibility.values)
    councils = {
        u.profile.council_id for u in get_user_model().objects.exclude(profile__council=None)
    }
    assert len(councils) >= 5
    assert Post.objects.count() >= 12
    assert GoodPracticePage.objects.live().count() >= 3

    html = client.get("/").content.decode()
    assert "Waste and recycling" in html
    assert "Chief digital officers" not in html
    thread = ThreadPage.objects.get(slug="how-are-you-preparing-for-weekly-food-waste-collections")
    page = client.get(thread.url).content.decode()
    assert "caddy roll-out" in page and "Accepted answer" in page
