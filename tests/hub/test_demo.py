from django.contrib.auth import get_user_model
from django.core.management import call_command

from communities.models import CommunityPage, GoodPracticePage, Post, ThreadPage, Visibility
from linkeddata.models import Area


def test_demo_loader_builds_a_believable_hub_and_is_idempotent(db, client):
    from tests.communities.good_practice.test_good_practice_views import (
        check_the_demo_library_has_ten_varied_published_case_studies,
    )

    call_command("load_demo", "--production", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # the good-practice library's test on the same load (it loaded the demo just so before)
    check_the_demo_library_has_ten_varied_published_case_studies()
    counts = (
        Area.objects.count(),
        get_user_model().objects.count(),
        CommunityPage.objects.count(),
        ThreadPage.objects.count(),
        Post.objects.count(),
        GoodPracticePage.objects.count(),
    )
    call_command("load_demo", "--production", stdout=open("/dev/null", "w"))  # noqa: SIM115

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


def test_load_demo_refuses_to_run_with_debug_off_unless_told_to():
    from tests.hub.conftest import PRODUCTION_ENV, run_manage

    result = run_manage("load_demo", **PRODUCTION_ENV)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "DEBUG is off" in result.stderr and "--production" in result.stderr
    assert "Demo data ready" not in result.stdout


def test_the_printed_demo_sign_ins_work_and_load_demo_in_production_retires_them(
    db, client, settings
):
    """What ``make run`` prints: one sign-in per role, each with its password, each working; the
    demo it loaded never dates a reply before its thread; and when the hub then goes live, loading
    the demo with ``--production`` leaves no account with the published password (one developer's
    demo load for the three)."""
    import io
    import re

    from django.db.models import F

    from communities.good_practice.queries import waiting_for
    from hub.services.demo import DEMO_EMAIL, DEMO_PASSWORD

    settings.DEBUG = True  # as make run loads it: with the published demo password
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    sign_ins = re.findall(r"^\s+([^:\n]+):\s+(\S+@\S+) / (\S+)", out.getvalue(), re.MULTILINE)
    assert [role for role, _email, _password in sign_ins] == [
        "Member",
        "Facilitator",
        "Good-practice reviewer",
        "Site staff",
    ]
    User = get_user_model()
    waiting = {}
    for role, email, password in sign_ins:
        assert client.login(username=email, password=password), role
        assert client.get("/dashboard/").status_code == 200
        client.logout()
        waiting[role] = waiting_for(User.objects.get(username=email))
    assert waiting["Facilitator"].join_requests >= 1 and waiting["Facilitator"].flags >= 1
    facilitated = CommunityPage.objects.get(slug="community-safety")
    assert facilitated.visibility == Visibility.RESTRICTED
    assert waiting["Good-practice reviewer"].reviews >= 1
    assert waiting["Site staff"].proposals >= 1

    # The demo never dates a reply before its thread.
    assert Post.objects.count() >= 12
    assert not Post.objects.filter(created_at__lt=F("thread__first_published_at")).exists()
    for thread in ThreadPage.objects.all():
        latest = thread.posts.order_by("-created_at").values_list("created_at", flat=True).first()
        assert latest is None or thread.last_activity_at >= latest, thread.title

    # A developer's demo (the one above, with the published password), then the hub goes live.
    settings.DEBUG = False
    assert client.login(username=DEMO_EMAIL, password=DEMO_PASSWORD)
    client.logout()
    out = io.StringIO()

    call_command("load_demo", "--production", stdout=out)

    assert DEMO_PASSWORD not in out.getvalue()
    assert "unusable passwords" in out.getvalue()
    assert not any(user.has_usable_password() for user in get_user_model().objects.all())
    assert not client.login(username=DEMO_EMAIL, password=DEMO_PASSWORD)
