import pytest
from django.core import mail
from django.urls import reverse

from communities.errors import Refusal
from communities.models import CommunityPage, CommunityProposal, Membership
from communities.people.services.accounts import do_sign_up
from communities.people.services.proposals import do_decide_proposal, do_propose_community
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "title": "Coastal councils",
    "description": "Erosion, tourism and seasonal services.",
    "visibility": "restricted",
    "tags": "coast, tourism",
    "reason": "No home for coastal issues.",
}


def test_a_practitioner_proposes_and_staff_approve_creating_the_community(
    client, home_page, django_capture_on_commit_callbacks
):
    proposer = UserFactory()
    staff = UserFactory(is_staff=True)
    client.force_login(proposer)
    assert client.post(reverse("propose-community"), PROPOSAL).status_code == 302
    assert "Waiting for a decision" in client.get(reverse("my-memberships")).content.decode()

    client.force_login(staff)
    queue = client.get(reverse("proposal-queue")).content.decode()
    assert "Coastal councils" in queue and "No home for coastal issues." in queue
    proposal = CommunityProposal.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("decide-proposal", args=[proposal.pk]),
            {"decision": "approve", "response": "Great idea"},
        )

    community = CommunityPage.objects.get(title="Coastal councils")
    assert community.live and community.visibility == "restricted"
    assert sorted(t.name for t in community.tags.all()) == ["coast", "tourism"]
    owner = Membership.objects.get(community=community)
    assert (owner.user, owner.role, owner.status) == (proposer, "owner", "active")
    assert mail.outbox[-1].to == [proposer.email] and "Great idea" in mail.outbox[-1].body


def test_declined_proposal_creates_nothing_and_tells_the_proposer(client, home_page):
    proposer = UserFactory()
    proposal = do_propose_community(by=proposer, **PROPOSAL)

    do_decide_proposal(
        proposal, by=UserFactory(is_staff=True), approve=False, response="Join Tourism instead"
    )

    assert not CommunityPage.objects.filter(title="Coastal councils").exists()
    client.force_login(proposer)
    assert "Join Tourism instead" in client.get(reverse("my-memberships")).content.decode()
    with pytest.raises(Refusal, match="already been decided"):
        do_decide_proposal(proposal, by=UserFactory(is_staff=True), approve=True)


def test_only_site_staff_see_and_decide_proposals(client, home_page):
    proposal = do_propose_community(by=UserFactory(), **PROPOSAL)
    client.force_login(UserFactory())

    assert client.get(reverse("proposal-queue")).status_code == 403
    assert (
        client.post(
            reverse("decide-proposal", args=[proposal.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    assert CommunityProposal.objects.get().status == "pending"


def test_proposals_need_a_signed_in_confirmed_account(client, home_page):
    assert client.get(reverse("propose-community")).status_code == 302
    unconfirmed = do_sign_up(
        email="new@york.example.gov.uk", password="a-long-passphrase-here", display_name="New"
    )
    with pytest.raises(Refusal, match="Confirm your email"):
        do_propose_community(by=unconfirmed, **PROPOSAL)


def test_bad_proposal_input_is_explained_and_kept(client, home_page):
    client.force_login(UserFactory())

    response = client.post(
        reverse("propose-community"), {**PROPOSAL, "title": "", "visibility": "secret"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Error:") == 2 and "Erosion, tourism" in page
    assert not CommunityProposal.objects.exists()


def test_two_proposals_with_the_same_name_get_different_addresses(home_page):
    staff = UserFactory(is_staff=True)
    for _ in range(2):
        do_decide_proposal(
            do_propose_community(by=UserFactory(), **PROPOSAL), by=staff, approve=True
        )

    slugs = CommunityPage.objects.filter(title="Coastal councils").values_list("slug", flat=True)
    assert sorted(slugs) == ["coastal-councils", "coastal-councils-2"]


def test_site_staff_find_the_proposal_queue_from_their_communities_page(client, home_page):
    do_propose_community(by=UserFactory(), **PROPOSAL)
    client.force_login(UserFactory(is_staff=True))

    assert (
        "Review community proposals (1 waiting)"
        in client.get(reverse("my-memberships")).content.decode()
    )
