import pytest
from django.urls import reverse

from communities.models import Membership, Profile, ProfileVisibility, Visibility
from communities.people.services.communities import do_add_member
from communities.people.services.membership import do_ban, do_request_to_join
from communities.permissions import can_see_profile
from tests.factories import AreaFactory, CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(home_page):
    return {
        "public": UserFactory(display_name="Pat Public", visibility=ProfileVisibility.PUBLIC),
        "members": UserFactory(display_name="Mo Members", visibility=ProfileVisibility.MEMBERS),
        "private": UserFactory(display_name="Priv Private", visibility=ProfileVisibility.PRIVATE),
    }


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        ("anonymous", {"public"}),
        ("signed_in", {"public", "members"}),
        ("owner_of_private", {"public", "members", "private"}),
        ("staff", {"public", "members", "private"}),
    ],
)
def test_profile_page_and_directory_respect_visibility(client, people, viewer, visible):
    if viewer == "signed_in":
        client.force_login(UserFactory())
    elif viewer == "owner_of_private":
        client.force_login(people["private"])
    elif viewer == "staff":
        client.force_login(UserFactory(is_staff=True))

    directory = client.get(reverse("member-directory")).content.decode()
    for key, user in people.items():
        response = client.get(reverse("member-profile", args=[user.pk]))
        assert response.status_code == (200 if key in visible else 404), key
        assert (user.profile.display_name in directory) == (key in visible), key


def test_can_see_profile_matches_the_directory_filter(people):
    from django.contrib.auth.models import AnonymousUser

    from communities.permissions import visible_profile_filter

    for viewer in [AnonymousUser(), UserFactory(), people["private"]]:
        listed = set(
            Profile.objects.filter(visible_profile_filter(viewer)).values_list("pk", flat=True)
        )
        for profile in Profile.objects.all():
            assert (profile.pk in listed) == can_see_profile(viewer, profile)


def test_edit_profile_saves_council_expertise_and_visibility(client, home_page):
    council = AreaFactory(name="Testshire County Council", short_name="Testshire")
    user = UserFactory()
    client.force_login(user)

    page = client.get(reverse("edit-profile")).content.decode()
    assert '<select name="council"' in page and "Testshire County Council" in page

    response = client.post(
        reverse("edit-profile"),
        {
            "display_name": "Jo Bloggs",
            "job_title": "Head of Housing",
            "council": council.pk,
            "expertise": "housing, temporary accommodation",
            "bio": "Twenty years in housing.",
            "visibility": ProfileVisibility.PUBLIC,
        },
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.job_title, profile.council, profile.visibility) == (
        "Jo Bloggs",
        "Head of Housing",
        council,
        ProfileVisibility.PUBLIC,
    )
    assert sorted(t.name for t in profile.expertise.all()) == ["housing", "temporary accommodation"]
    shown = client.get(reverse("member-profile", args=[user.pk])).content.decode()
    assert (
        "Head of Housing" in shown
        and "temporary accommodation" in shown
        and "Twenty years" in shown
    )


def test_bad_profile_input_is_explained_and_the_rest_kept(client, home_page):
    client.force_login(UserFactory())

    response = client.post(
        reverse("edit-profile"),
        {
            "display_name": "",
            "job_title": "Head of Housing",
            "council": "999999",
            "bio": "x" * 2001,
            "visibility": "everyone",
        },
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert page.count("Error:") >= 4
    assert 'value="Head of Housing"' in page


def test_directory_search_finds_by_expertise_and_council(client, home_page):
    council = AreaFactory(short_name="Kirklees")
    UserFactory(
        display_name="Expert One", expertise=["retrofit"], visibility=ProfileVisibility.PUBLIC
    )
    UserFactory(display_name="Council Two", council=council, visibility=ProfileVisibility.PUBLIC)
    UserFactory(display_name="Someone Else", visibility=ProfileVisibility.PUBLIC)

    by_tag = client.get(reverse("member-directory"), {"q": "retrofit"}).content.decode()
    by_council = client.get(reverse("member-directory"), {"q": "kirk"}).content.decode()

    assert "Expert One" in by_tag and "Someone Else" not in by_tag
    assert "Council Two" in by_council and "Someone Else" not in by_council


def test_community_member_list_follows_the_community_rules(client, home_page):
    owner = UserFactory(display_name="Olive Owner", visibility=ProfileVisibility.PUBLIC)
    hidden = UserFactory(display_name="Hidden Member", visibility=ProfileVisibility.PRIVATE)
    open_community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)
    restricted = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    private = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    for community in (open_community, restricted, private):
        do_add_member(community, hidden)

    listing = client.get(reverse("community-members", args=[open_community.slug]))
    assert listing.status_code == 200
    assert (
        "Olive Owner" in listing.content.decode()
        and "Hidden Member" not in listing.content.decode()
    )

    members_only = client.get(reverse("community-members", args=[restricted.slug]))
    assert members_only.status_code == 403
    assert "how to join" in members_only.content.decode()
    assert client.get(reverse("community-members", args=[private.slug])).status_code == 404
    assert client.get(reverse("community-members", args=["no-such-community"])).status_code == 404

    client.force_login(owner)  # facilitators see everyone they manage
    assert (
        "Hidden Member"
        in client.get(reverse("community-members", args=[private.slug])).content.decode()
    )


@pytest.mark.parametrize("status", ["pending", "banned", "left", "invited"])
def test_people_who_are_not_active_members_cannot_read_a_restricted_member_list(
    client, home_page, status
):
    owner = UserFactory()
    restricted = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    private = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    person = UserFactory()
    for community in (restricted, private):
        Membership.objects.create(community=community, user=person, status=status)
    client.force_login(person)

    assert client.get(reverse("community-members", args=[restricted.slug])).status_code == 403
    assert client.get(reverse("community-members", args=[private.slug])).status_code == 404


def test_profile_lists_only_communities_the_viewer_may_know_of(client, home_page):
    member = UserFactory(visibility=ProfileVisibility.PUBLIC)
    open_community = CommunityFactory(title="Open Circle", visibility=Visibility.OPEN, owner=member)
    CommunityFactory(title="Secret Circle", visibility=Visibility.PRIVATE, owner=member)
    restricted = CommunityFactory(
        title="Pending Circle", visibility=Visibility.RESTRICTED, owner=UserFactory()
    )
    do_request_to_join(member, restricted)
    members_only = CommunityFactory(
        title="Members Circle", visibility=Visibility.RESTRICTED, owner=member
    )
    banned_from = CommunityFactory(title="Banned Circle", owner=UserFactory())
    do_add_member(banned_from, member)
    do_ban(banned_from, member, by=banned_from.memberships.get(role="owner").user)

    page = client.get(reverse("member-profile", args=[member.pk])).content.decode()

    assert open_community.title in page
    assert (
        "Secret Circle" not in page and "Pending Circle" not in page and "Banned Circle" not in page
    )
    assert "Members Circle" not in page  # a restricted community's members are for its members
    fellow = UserFactory()
    do_add_member(members_only, fellow)
    client.force_login(fellow)
    assert (
        "Members Circle" in client.get(reverse("member-profile", args=[member.pk])).content.decode()
    )


@pytest.mark.parametrize("url_name", ["member-directory", "community-members"])
def test_member_lists_run_the_same_queries_for_few_and_many_members(client, home_page, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    community = CommunityFactory(
        visibility=Visibility.OPEN, owner=UserFactory(visibility=ProfileVisibility.PUBLIC)
    )
    url = reverse(url_name, args=[community.slug] if url_name == "community-members" else [])

    def count_queries(extra: int) -> int:
        for _ in range(extra):
            do_add_member(
                community, UserFactory(council=AreaFactory(), visibility=ProfileVisibility.PUBLIC)
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.get(url)  # first request fills per-process caches (content types, sites)
    assert count_queries(3) == count_queries(40)  # 40 spans two pages


@pytest.mark.parametrize("kept", [False, True], ids=["counted", "kept"])
def test_directory_pages_count_exactly_what_each_reader_may_see(client, people, request, kept):
    """The directory's page count is kept per class of reader: each reader's own count, at once
    after a sign-up or a profile's visibility change, whoever asked first."""
    from communities.people.services.profiles import do_update_profile
    from communities.people.views import PAGE_SIZE
    from communities.permissions import visible_profile_filter

    if kept:
        request.getfixturevalue("kept_fragments")
    for n in range(PAGE_SIZE):  # members-only profiles: a second page for signed-in readers
        UserFactory(display_name=f"Member {n:02}", visibility=ProfileVisibility.MEMBERS)
    readers = {
        "anonymous": None,
        "owner_of_private": people["private"],
        "signed_in": UserFactory(),
        "staff": UserFactory(is_staff=True),
    }

    def pages_shown(reader) -> str:
        client.logout()
        if reader is not None:
            client.force_login(reader)
        html = client.get(reverse("member-directory")).content.decode()
        return (
            html.split("<p>Page 1 of ", 1)[1].split("<", 1)[0] if "<p>Page 1 of " in html else "1"
        )

    def pages_expected(reader) -> str:
        from django.contrib.auth.models import AnonymousUser

        viewer = reader or AnonymousUser()
        visible = Profile.objects.filter(visible_profile_filter(viewer), user__is_active=True)
        return str(max(1, -(-visible.count() // PAGE_SIZE)))

    def each_reader_sees_their_own_count() -> None:
        for order in (list(readers), list(reversed(readers))):
            for name in order:
                assert pages_shown(readers[name]) == pages_expected(readers[name]), name

    each_reader_sees_their_own_count()
    assert pages_shown(None) == "1" and pages_shown(readers["signed_in"]) == "2"
    for n in range(PAGE_SIZE):  # a page's worth of sign-ups: one more page at once
        UserFactory(display_name=f"Newcomer {n:02}", visibility=ProfileVisibility.MEMBERS)
    each_reader_sees_their_own_count()
    assert pages_shown(readers["signed_in"]) == "3"
    public = people["public"]
    do_update_profile(
        public.profile, by=public, display_name="Pat Public", visibility=ProfileVisibility.PRIVATE
    )
    each_reader_sees_their_own_count()
