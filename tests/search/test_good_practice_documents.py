"""Good-practice case studies in search: their structured fields, service areas and drafts."""

from search.documents import profile_url
from tests.factories import GoodPracticeFactory, UserFactory, service_area
from tests.search.conftest import anonymous, find


def test_case_studies_are_found_by_evidence_and_filtered_by_service_area(search_index):
    safeguarding = service_area("Adult social care › Safeguarding")
    GoodPracticeFactory(
        title="Trusted assessors",
        evidence="Evaluated with a stepped-wedge trial.",
        service_areas=[safeguarding],
    )
    GoodPracticeFactory(title="Food waste caddies", evidence="Tonnage returns before and after.")
    search_index.sync()

    assert [h.title for h in find(anonymous(), "q=stepped-wedge").hits] == ["Trusted assessors"]
    facets = {
        f.param: {v.label: v.count for v in f.values}
        for f in find(anonymous(), "q=achieved").facets
    }
    assert facets["service_area"]["Adult social care › Safeguarding"] == 1
    assert facets["service_area"]["Adult social care"] == 1  # a part counts for its parent too
    by_parent = find(anonymous(), "q=evaluated OR tonnage&service_area=Adult social care")
    assert [h.title for h in by_parent.hits] == ["Trusted assessors"]


def test_a_draft_case_study_is_found_only_by_its_author(search_index):
    author = UserFactory()
    GoodPracticeFactory(title="Unpublished allotment scheme", author=author, publish=False)
    search_index.sync()

    assert find(anonymous(), "q=allotment").hits == []
    assert find(UserFactory(), "q=allotment").hits == []
    assert [h.title for h in find(author, "q=allotment").hits] == ["Unpublished allotment scheme"]


def test_profile_results_link_to_the_member_profile_page(db):
    member = UserFactory()

    assert profile_url(member.pk) == f"/members/{member.pk}/"
