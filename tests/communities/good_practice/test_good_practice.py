"""Good practice case studies: the model, the review workflow and who may change what."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.models import WorkflowPage

from communities.errors import Refusal
from communities.good_practice import queries, services
from communities.models import (
    CommunityPage,
    GoodPracticeIndexPage,
    GoodPracticePage,
    Membership,
    ServiceArea,
)
from communities.models.blocks import BenchmarkEvidenceBlock
from communities.people.services.communities import do_add_member
from communities.permissions import GOOD_PRACTICE_EDITORS
from hub.services.site import ensure_site_tree
from tests.factories import (
    AreaFactory,
    CommunityFactory,
    GoodPracticeFactory,
    UserFactory,
    good_practice_editor,
    service_area,
)
from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def draft_data(**overrides):
    data = {
        "title": "Trusted assessors for minor adaptations",
        "summary": "Trusted assessors approve minor adaptations directly.",
        "problem": "Adaptations took 38 weeks.",
        "approach": "We trained assessors.",
        "outcomes": "Ten weeks faster.",
        "councils": [AreaFactory()],
        "tags": ["DFG"],
    }
    return {**data, **overrides}


def test_setup_creates_the_editors_group_and_review_workflow(home_page):
    ensure_site_tree()  # twice: idempotent

    library = GoodPracticeIndexPage.objects.get()
    assert Group.objects.filter(name=GOOD_PRACTICE_EDITORS).count() == 1
    assert WorkflowPage.objects.get(page=library).workflow.name == services.WORKFLOW_NAME
    assert (
        library.get_workflow()
        .tasks.get()
        .specific.groups.filter(name=GOOD_PRACTICE_EDITORS)
        .exists()
    )
    assert not CommunityPage.objects.filter(
        slug=services.QUESTIONS_COMMUNITY_SLUG
    ).exists()  # made on first use
    safeguarding = ServiceArea.objects.get(slug="adult-social-care-safeguarding")
    assert str(safeguarding) == "Adult social care › Safeguarding"


def test_draft_goes_through_review_to_publication(home_page):
    author = UserFactory()
    page = services.do_create_good_practice(author=author, data=draft_data(), submit=False)

    assert not page.live
    assert queries.submission_status(page).code == "draft"

    services.do_submit_for_review(page, author)
    page.refresh_from_db()
    assert queries.submission_status(page).code == "in-review"
    assert not page.live

    services.do_review_good_practice(page, good_practice_editor(), approve=True)
    page.refresh_from_db()
    assert page.live
    assert queries.submission_status(page).code == "published"


def test_changes_requested_then_author_edits_and_resubmits(home_page):
    author = UserFactory()
    editor = good_practice_editor()
    page = services.do_create_good_practice(author=author, data=draft_data(), submit=True)

    services.do_review_good_practice(page, editor, approve=False, comment="Add the costs, please.")
    status = queries.submission_status(GoodPracticePage.objects.get(pk=page.pk))
    assert (status.code, status.comment) == ("needs-changes", "Add the costs, please.")

    page = services.do_update_good_practice(
        page,
        author,
        draft_data(title="Trusted assessors: ten weeks faster", cost_amount=Decimal("85000")),
        submit=True,
    )
    assert queries.submission_status(page).code == "in-review"
    services.do_review_good_practice(page, editor, approve=True)

    live = GoodPracticePage.objects.get(pk=page.pk)
    assert live.live and live.title == "Trusted assessors: ten weeks faster"
    assert live.cost_amount == Decimal("85000")


def test_published_case_study_keeps_its_live_version_until_changes_are_approved(home_page):
    page = GoodPracticeFactory(title="Open benchmarking")
    services.do_update_good_practice(
        page, page.author, draft_data(title="Open benchmarking, revised"), submit=True
    )

    live = GoodPracticePage.objects.get(pk=page.pk)
    assert live.title == "Open benchmarking"
    assert queries.submission_status(live).code == "in-review"

    services.do_review_good_practice(live, good_practice_editor(), approve=True)
    assert GoodPracticePage.objects.get(pk=page.pk).title == "Open benchmarking, revised"


def test_edits_and_submissions_by_others_are_refused(home_page):
    page = GoodPracticeFactory(publish=False)
    other = UserFactory()

    with pytest.raises(Refusal):
        services.do_update_good_practice(page, other, draft_data(title="Hijacked"))
    with pytest.raises(Refusal):
        services.do_submit_for_review(page, other)
    with pytest.raises(Refusal):
        services.do_update_good_practice(
            page, good_practice_editor(), draft_data(title="Editor edits in the admin")
        )
    assert (
        GoodPracticePage.objects.get(pk=page.pk).get_latest_revision_as_object().title == page.title
    )


def test_members_cannot_review_but_facilitators_of_a_linked_community_can(home_page):
    facilitator, member = UserFactory(), UserFactory()
    community = CommunityFactory(owner=facilitator)
    do_add_member(community, member)
    page = GoodPracticeFactory(publish=False, submit=True, communities=[community])

    assert queries.awaiting_review_by(member) == []
    with pytest.raises(Refusal):
        services.do_review_good_practice(page, member, approve=True)

    assert queries.awaiting_review_by(facilitator) == [page]
    services.do_review_good_practice(
        page, facilitator, approve=True, comment="Matches what we discussed."
    )
    page.refresh_from_db()
    assert page.live
    assert not facilitator.is_staff and not facilitator.groups.exists()


def test_facilitator_of_an_unrelated_community_cannot_review(home_page):
    facilitator = UserFactory()
    CommunityFactory(owner=facilitator)
    page = GoodPracticeFactory(publish=False, submit=True)

    assert queries.awaiting_review_by(facilitator) == []
    with pytest.raises(Refusal):
        services.do_review_good_practice(page, facilitator, approve=True)


def test_banned_facilitator_cannot_review(home_page):
    facilitator = UserFactory()
    community = CommunityFactory(owner=facilitator)
    Membership.objects.filter(user=facilitator).update(status=Membership.Status.BANNED)
    page = GoodPracticeFactory(publish=False, submit=True, communities=[community])

    with pytest.raises(Refusal):
        services.do_review_good_practice(page, facilitator, approve=True)


def test_reviewing_something_not_in_review_is_a_clear_error(home_page):
    page = GoodPracticeFactory()
    with pytest.raises(Refusal):
        services.do_review_good_practice(page, good_practice_editor(), approve=True)


@pytest.mark.parametrize("amount", [Decimal("-1"), Decimal("1000000000.01")])
def test_model_rejects_negative_and_absurd_amounts(home_page, amount):
    page = GoodPracticePage(
        title="x",
        slug="x",
        summary="s",
        problem="p",
        approach="a",
        outcomes="o",
        savings_amount=amount,
        cost_amount=amount,
    )
    with pytest.raises(ValidationError) as error:
        page.full_clean(exclude=["path", "depth"])
    assert {"savings_amount", "cost_amount"} <= set(error.value.message_dict)


def test_service_area_tree_has_two_levels(home_page):
    child = service_area("Adult social care › Safeguarding")
    grandchild = ServiceArea(name="Too deep", parent=child)
    with pytest.raises(ValidationError):
        grandchild.full_clean()
    assert set(child.parent.with_descendants()) >= {child.pk, child.parent_id}


def test_benchmark_evidence_is_stored_as_identifiers_and_rejects_unknown_areas(home_page):
    area = AreaFactory(short_name="Testborough")
    block = BenchmarkEvidenceBlock()
    value = block.to_python(
        {
            "measure": "household-recycling-rate",
            "area": area.gss_code.lower(),
            "period_before": "2020-21",
            "value_before": "37.1",
            "period_after": "2022-23",
            "value_after": "39.8",
            "unit": "%",
        }
    )
    cleaned = block.clean(value)
    assert cleaned["area"] == area.gss_code

    html = block.render(cleaned)
    assert "Household recycling rate" in html and "Testborough" in html
    assert "+2.7" in html and "not yet in the hub" in html

    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({**dict(value), "area": "E99999999"}))


def test_editors_work_in_the_wagtail_admin_too(client, home_page):
    page = GoodPracticeFactory(
        publish=False,
        submit=True,
        title="Weekly food waste roll-out",
        service_areas=[service_area("Environment and waste › Waste collection")],
    )
    client.force_login(good_practice_editor())

    assert client.get("/admin/").status_code == 200
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200 and "Benchmark evidence" in edit.content.decode()
    assert (
        "Weekly food waste roll-out" in client.get("/admin/").content.decode()
    )  # awaiting review panel
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    snippets = client.get("/admin/snippets/communities/servicearea/")
    assert snippets.status_code == 200 and "Adult social care" in snippets.content.decode()


def test_benchmark_evidence_shows_the_hubs_published_figures_chart_and_table(recycling):  # noqa: F811
    from tests.linkeddata.conftest import area

    block = BenchmarkEvidenceBlock()
    value = block.clean(
        block.to_python(
            {
                "measure": "recycling",
                "area": "E08000035",
                "period_before": "2022-23",
                "period_after": "2023-24",
            }
        )
    )

    html = block.render(value)

    assert "Recycling rate" in html and "Leeds" in html
    assert "Hub&#x27;s published value" in html or "Hub's published value" in html
    assert "38.5" in html and "40.1" in html and "+1.6" in html
    assert 'role="img"' in html and "<svg" in html  # the chart, with a table beside it
    assert "every year (table)" in html
    assert f'href="/doc/area/{area("E08000035").gss_code}"' in html
    assert "not yet in the hub" not in html
