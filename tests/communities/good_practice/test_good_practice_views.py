"""Good practice on every surface: the submission form, the library, a case study, reuse
signals, the API and the feeds, and drafts kept from everyone but their author and editors."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage

from communities.errors import Refusal
from communities.good_practice import queries, services
from communities.models import (
    Adoption,
    GoodPracticeDiscussion,
    GoodPracticePage,
    HelpedSignal,
    Membership,
    ProfileVisibility,
    Visibility,
)
from communities.people.services.communities import do_add_member
from tests.factories import (
    AreaFactory,
    CommunityFactory,
    GoodPracticeFactory,
    UserFactory,
    good_practice_editor,
    service_area,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def valid_form(**overrides):
    council = AreaFactory(short_name="Leedsham", gss_code="E08000999")
    data = {
        "title": "Tag-and-educate cut recycling contamination",
        "summary": "Crews tagged contaminated bins.",
        "problem": "Contamination was 15%.",
        "approach": "Tag, leave and revisit.",
        "outcomes": "Contamination fell to 9%.",
        "councils": council.gss_code,
        "service_areas": [service_area("Environment and waste › Recycling").pk],
        "tags": "recycling, behaviour change",
        "status": "established",
        "licence": "ogl-3.0",
        "savings_amount": "180000",
        "savings_period": "per-year",
        "action": "submit",
    }
    data.update(overrides)
    return data


def png_bytes(padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    return buffer.getvalue() + b"\0" * padding


# -- Submission form ----------------------------------------------------------------------------


def test_signed_in_member_submits_a_case_study_for_review(client, home_page):
    author = UserFactory()
    image = SimpleUploadedFile("team.png", png_bytes(), content_type="image/png")
    response = signed_in(client, author).post(
        "/good-practice/submit/",
        {**valid_form(image_alt="The crew with the bin tags"), "image": image},
    )

    assert response.status_code == 302 and response.url == "/good-practice/submissions/"
    page = GoodPracticePage.objects.get(author=author)
    assert not page.live
    assert [a.gss_code for a in page.councils.all()] == ["E08000999"]
    assert sorted(t.name for t in page.tags.all()) == ["behaviour change", "recycling"]
    assert page.savings_amount == Decimal("180000") and page.currency == "GBP"
    assert page.image is not None and page.image_alt == "The crew with the bin tags"
    assert page.contact == author
    listing = client.get("/good-practice/submissions/").content.decode()
    assert (
        "Tag-and-educate cut recycling contamination" in listing and "Waiting for review" in listing
    )


def test_signing_in_is_required_to_submit(client, home_page):
    response = client.get("/good-practice/submit/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_missing_required_fields_are_reported_next_to_each_field_and_the_rest_is_kept(
    client, home_page
):
    response = signed_in(client, UserFactory()).post(
        "/good-practice/submit/", valid_form(title="", problem="", service_areas=[])
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"title", "problem", "service_areas"}
    html = response.content.decode()
    assert (
        'for="id_title">Title (required)<span class="error">Error: This field is required.</span>'
        in html
    )
    assert "Choose at least one service area." in html
    assert "Crews tagged contaminated bins." in html  # the summary typed is kept
    assert not GoodPracticePage.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("savings_amount", "-500", "Enter savings of zero or more."),
        ("savings_amount", "5000000000000", "Enter savings up to £1,000,000,000."),
        ("cost_amount", "-1", "Enter a cost of zero or more."),
        ("councils", "E08000035\nE99999999", "No council matches 'E99999999'"),
        ("councils", "Atlantis", "No council matches 'Atlantis'"),
        ("contact_email", "nobody@nowhere.example", "No member of the hub has this email address."),
    ],
)
def test_bad_values_are_rejected_with_a_message_next_to_the_field(
    client, home_page, field, value, message
):
    AreaFactory(short_name="Leeds", gss_code="E08000035")
    response = signed_in(client, UserFactory()).post(
        "/good-practice/submit/", valid_form(**{field: value})
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert message in response.context["form"].errors[field][0]
    html = response.content.decode()
    assert f'<label for="id_{field}">' in html and message.replace("'", "&#x27;") in html
    assert 'value="Tag-and-educate cut recycling contamination"' in html
    assert not GoodPracticePage.objects.exists()


def test_a_20_mb_image_is_rejected_and_the_rest_of_the_form_kept(client, home_page, settings):
    image = SimpleUploadedFile(
        "huge.png", png_bytes(padding=20 * 1024 * 1024), content_type="image/png"
    )
    response = signed_in(client, UserFactory()).post(
        "/good-practice/submit/", {**valid_form(image_alt="A huge photo"), "image": image}
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["image"]
    assert "too big" in errors["image"][0] and "10.0" in errors["image"][0]
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert "A huge photo" in response.content.decode()


def test_councils_by_name_comma_separated_and_with_commas_in_their_name(home_page):
    from communities.good_practice.forms import resolve_councils

    bcp = AreaFactory(short_name="Bournemouth, Christchurch and Poole", gss_code="E06000058")
    leeds = AreaFactory(short_name="Leeds", gss_code="E08000035")
    york = AreaFactory(short_name="York", gss_code="E06000014")

    found, unknown = resolve_councils("Bournemouth, Christchurch and Poole\nleeds, e06000014; York")
    assert (found, unknown) == ([bcp, leeds, york], [])


def test_others_cannot_open_or_change_an_authors_case_study(client, home_page):
    page = GoodPracticeFactory(publish=False)
    other = signed_in(client, UserFactory())

    assert other.get(f"/good-practice/submissions/{page.pk}/edit/").status_code == 403
    assert (
        other.post(
            f"/good-practice/submissions/{page.pk}/edit/", valid_form(title="Hijacked")
        ).status_code
        == 403
    )
    assert other.post(f"/good-practice/submissions/{page.pk}/send/").status_code == 403
    assert other.get(f"/good-practice/submissions/{page.pk}/").status_code == 404
    assert (
        GoodPracticePage.objects.get(pk=page.pk).get_latest_revision_as_object().title == page.title
    )


def test_author_edits_after_changes_are_requested_and_resubmits(client, home_page):
    author = UserFactory()
    page = GoodPracticeFactory(author=author, publish=False, submit=True)
    services.do_review_good_practice(
        page, good_practice_editor(), approve=False, comment="Say what it cost."
    )

    form_page = (
        signed_in(client, author)
        .get(f"/good-practice/submissions/{page.pk}/edit/")
        .content.decode()
    )
    assert "Changes requested" in form_page and "Say what it cost." in form_page
    response = client.post(
        f"/good-practice/submissions/{page.pk}/edit/", valid_form(cost_amount="85000")
    )

    assert response.status_code == 302
    assert queries.submission_status(GoodPracticePage.objects.get(pk=page.pk)).code == "in-review"


def test_editor_reviews_from_the_front_end(client, home_page):
    page = GoodPracticeFactory(publish=False, submit=True, title="Leasing a block")
    editor = signed_in(client, good_practice_editor())

    assert "Leasing a block" in editor.get("/good-practice/review/").content.decode()
    preview = editor.get(f"/good-practice/submissions/{page.pk}/").content.decode()
    assert "Your review" in preview
    rejected = editor.post(
        f"/good-practice/review/{page.pk}/", {"decision": "reject", "comment": ""}
    )
    assert (
        rejected.status_code == 400
        and "Tell the author what to change." in rejected.content.decode()
    )

    assert (
        editor.post(f"/good-practice/review/{page.pk}/", {"decision": "approve"}).status_code == 302
    )
    assert GoodPracticePage.objects.get(pk=page.pk).live


def test_review_queue_names_the_author_only_as_their_profile_allows(client, home_page):
    facilitator = UserFactory()
    community = CommunityFactory(owner=facilitator)
    private_author = UserFactory(display_name="Fatima Begum", visibility=ProfileVisibility.PRIVATE)
    GoodPracticeFactory(
        author=private_author, publish=False, submit=True, communities=[community], title="Take-up"
    )

    html = signed_in(client, facilitator).get("/good-practice/review/").content.decode()
    assert "Take-up" in html and "Fatima Begum" not in html and "profile is private" in html


# -- Drafts on every surface -----------------------------------------------------------------


def test_drafts_are_invisible_to_everyone_but_their_author_and_editors(client, home_page):
    author, other = UserFactory(), UserFactory()
    GoodPracticeFactory(title="Published open benchmarking")
    draft = GoodPracticeFactory(
        author=author, publish=False, submit=True, title="Secret draft about adaptations"
    )
    services.do_review_good_practice(
        draft, good_practice_editor(), approve=False, comment="Not yet"
    )
    draft_url = "/good-practice/" + draft.slug + "/"

    def surfaces(c) -> str:
        return "".join(
            c.get(url).content.decode()
            for url in [
                "/good-practice/",
                "/api/good-practice/",
                f"/api/good-practice/{draft.pk}",
                "/good-practice/feed/",
                "/good-practice/feed/atom/",
                "/search/?q=adaptations",
            ]
        )

    for viewer in (None, other, author, good_practice_editor()):
        client.logout()
        if viewer:
            client.force_login(viewer)
        everything = surfaces(client)
        assert "Published open benchmarking" in everything
        assert "Secret draft" not in everything
        assert client.get(draft_url).status_code == 404
        assert client.get(f"/api/good-practice/{draft.pk}").status_code == 404

    client.force_login(other)
    assert client.get(f"/good-practice/submissions/{draft.pk}/").status_code == 404
    for allowed in (author, good_practice_editor()):
        client.force_login(allowed)
        assert (
            "Secret draft about adaptations"
            in client.get(f"/good-practice/submissions/{draft.pk}/").content.decode()
        )


def test_unpublished_changes_to_a_live_case_study_stay_private(client, home_page):
    page = GoodPracticeFactory(title="Demand-responsive buses")
    services.do_update_good_practice(
        page, page.author, {"title": "Draft retitle nobody should see"}, submit=True
    )

    for url in [
        page.url,
        "/good-practice/",
        "/api/good-practice/",
        f"/api/good-practice/{page.pk}",
        "/good-practice/feed/",
    ]:
        html = client.get(url).content.decode()
        assert "Demand-responsive buses" in html, url
        assert "Draft retitle" not in html, url


# -- Library: filters, sorting, pagination -------------------------------------------------------


@pytest.fixture
def library(home_page):
    north = AreaFactory(
        short_name="Northtown",
        region="North West",
        authority_type="MD",
        authority_type_name="Metropolitan district",
    )
    south = AreaFactory(
        short_name="Southshire",
        region="South East",
        authority_type="CTY",
        authority_type_name="County",
    )
    safeguarding = service_area("Adult social care › Safeguarding")
    home_care = service_area("Adult social care › Home care")
    recycling = service_area("Environment and waste › Recycling")
    pages = {
        "safeguarding": GoodPracticeFactory(
            title="Self-neglect panel",
            councils=[north],
            service_areas=[safeguarding],
            tags=["safeguarding"],
            practice_date=date(2022, 3, 1),
        ),
        "home_care": GoodPracticeFactory(
            title="Home care rounds",
            councils=[south],
            service_areas=[home_care],
            tags=["home care"],
            practice_date=date(2023, 5, 1),
        ),
        "recycling": GoodPracticeFactory(
            title="Bin tagging",
            councils=[north],
            service_areas=[recycling],
            tags=["recycling", "behaviour change"],
            practice_date=date(2023, 9, 1),
        ),
    }
    members = [UserFactory(council=AreaFactory()) for _ in range(3)]
    for member in members:
        services.do_mark_helped(pages["home_care"], member)
    services.do_mark_helped(pages["recycling"], members[0])
    for member in members[:2]:
        services.do_record_adoption(pages["recycling"], member)
    return pages


def titles(response) -> list[str]:
    return [page.title for page in response.context["case_studies"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "service_area=adult-social-care",
            {"Self-neglect panel", "Home care rounds"},
        ),  # a parent includes its parts
        ("service_area=adult-social-care-safeguarding", {"Self-neglect panel"}),
        ("tag=behaviour-change", {"Bin tagging"}),
        ("council_type=CTY", {"Home care rounds"}),
        ("region=North+West", {"Self-neglect panel", "Bin tagging"}),
        ("year=2023", {"Home care rounds", "Bin tagging"}),
        ("year=2023&region=North+West", {"Bin tagging"}),
        (
            "service_area=adult-social-care-safeguarding&service_area=environment-and-waste-recycling",
            {"Self-neglect panel", "Bin tagging"},
        ),
        ("year=nonsense&sort=bogus", {"Self-neglect panel", "Home care rounds", "Bin tagging"}),
        ("council_type=" + "x" * 500, set()),
    ],
)
def test_library_filters(client, library, query, expected):
    response = client.get(f"/good-practice/?{query}")
    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_library_filters_are_checkboxes_that_work_without_javascript(client, library):
    html = client.get("/good-practice/?region=North+West").content.decode()
    assert '<input type="checkbox" name="region" value="North West" checked>' in html
    assert (
        '<input type="checkbox" name="service_area" value="adult-social-care-safeguarding">' in html
    )
    assert '<input type="checkbox" name="council_type" value="CTY">' in html
    assert '<input type="checkbox" name="year" value="2023">' in html
    assert "Clear filters" in html


def test_library_sorting(client, library):
    assert titles(client.get("/good-practice/?sort=adopted"))[0] == "Bin tagging"
    assert titles(client.get("/good-practice/?sort=helpful"))[0] == "Home care rounds"
    assert titles(client.get("/good-practice/?sort=newest")) == [
        "Bin tagging",
        "Home care rounds",
        "Self-neglect panel",
    ]


def test_library_is_paginated_and_keeps_filters_across_pages(client, home_page):
    council = AreaFactory(region="London")
    for number in range(queries.PAGE_SIZE + 2):
        GoodPracticeFactory(title=f"London case study {number}", councils=[council])
    first = client.get("/good-practice/?region=London")
    assert len(titles(first)) == queries.PAGE_SIZE
    assert "region=London&amp;page=2" in first.content.decode()
    second = client.get("/good-practice/?region=London&page=2")
    assert len(titles(second)) == 2
    assert client.get("/good-practice/?page=999").status_code == 200


def test_api_lists_filters_and_sorts_like_the_library(client, library):
    body = client.get("/api/good-practice/?sort=adopted&region=North+West").json()
    assert body["count"] == 2
    assert [r["title"] for r in body["results"]] == ["Bin tagging", "Self-neglect panel"]
    assert body["results"][0]["adopted_count"] == 2
    both = client.get(
        "/api/good-practice/?service_area=adult-social-care-safeguarding"
        "&service_area=environment-and-waste-recycling"
    ).json()
    assert {r["title"] for r in both["results"]} == {"Self-neglect panel", "Bin tagging"}
    detail = client.get(f"/api/good-practice/{library['recycling'].pk}").json()
    assert detail["service_areas"] == ["Environment and waste › Recycling"]
    assert len(detail["adopting_councils"]) == 2


def test_feeds_list_newly_published_good_practice(client, library):
    rss = client.get("/good-practice/feed/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "<title>Bin tagging</title>" in rss.content.decode()
    atom = client.get("/good-practice/feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "Home care rounds" in atom.content.decode()


# -- A case study: reuse signals, contact, discussion, related -----------------------------------


def test_reuse_signals_are_counted_once_per_member(client, home_page):
    page = GoodPracticeFactory()
    leeds = AreaFactory(short_name="Leeds")
    member = UserFactory(council=leeds)
    signed_in(client, member)

    for _ in range(2):
        assert client.post(f"/good-practice/{page.pk}/helped/").status_code == 302
        client.post(f"/good-practice/{page.pk}/adopted/", {"note": "Rolled out on six rounds."})
    client.post(f"/good-practice/{page.pk}/adopted/", {"note": "Now on all rounds."})

    assert HelpedSignal.objects.filter(page=page).count() == 1
    assert Adoption.objects.get(page=page).note == "Now on all rounds."
    html = client.get(page.url).content.decode()
    assert "<strong>1</strong> member found this helpful" in html
    assert "<strong>1</strong> adoption recorded" in html
    assert "Leeds: Now on all rounds." in html
    assert "You said this helped you." in html


def test_adoption_needs_a_council_and_signing_in(client, home_page):
    page = GoodPracticeFactory()
    response = client.post(f"/good-practice/{page.pk}/adopted/")
    assert response.status_code == 302 and "/accounts/login/" in response.url

    signed_in(client, UserFactory())  # no council on the profile
    response = client.post(f"/good-practice/{page.pk}/adopted/", follow=True)
    assert "Add your council to your profile first" in response.content.decode()
    assert not Adoption.objects.exists()


def test_reuse_signals_are_refused_on_drafts(client, home_page):
    draft = GoodPracticeFactory(publish=False)
    signed_in(client, UserFactory(council=AreaFactory()))
    assert client.post(f"/good-practice/{draft.pk}/helped/").status_code == 404
    assert client.post(f"/good-practice/{draft.pk}/adopted/").status_code == 404
    assert not HelpedSignal.objects.exists()


@pytest.mark.parametrize(
    ("visibility", "anonymous", "member"),
    [
        (ProfileVisibility.PUBLIC, True, True),
        (ProfileVisibility.MEMBERS, False, True),
        (ProfileVisibility.PRIVATE, False, False),
    ],
)
def test_contact_person_is_shown_only_as_their_profile_allows(
    client, home_page, visibility, anonymous, member
):
    contact = UserFactory(display_name="Rachel Green", visibility=visibility)
    page = GoodPracticeFactory(author=contact)

    assert ("Rachel Green" in client.get(page.url).content.decode()) is anonymous
    signed_in(client, UserFactory())
    assert ("Rachel Green" in client.get(page.url).content.decode()) is member
    signed_in(client, contact)
    assert "Rachel Green" in client.get(page.url).content.decode()


def test_questions_go_to_one_thread_per_case_study(client, home_page):
    page = GoodPracticeFactory(title="Bin tagging")
    first, second = UserFactory(), UserFactory()

    response = signed_in(client, first).post(
        f"/good-practice/{page.pk}/questions/", {"question": "How many crews?"}
    )
    thread = page.discussion.thread
    assert response.status_code == 302 and response.url == thread.url
    assert thread.title == "Questions about: Bin tagging" and thread.author == first
    assert thread.community.slug == services.QUESTIONS_COMMUNITY_SLUG
    assert "How many crews?" in client.get(thread.url).content.decode()

    signed_in(client, second).post(
        f"/good-practice/{page.pk}/questions/", {"question": "What did the tags cost?"}
    )
    page.discussion.thread.refresh_from_db()
    assert GoodPracticeDiscussion.objects.filter(page=page).count() == 1
    assert [post.body for post in page.discussion.thread.posts.all()] == ["What did the tags cost?"]
    html = client.get(page.url).content.decode()
    assert "Read the questions asked about this case study" in html and "1 reply so far" in html


def test_bad_questions_are_refused_with_a_message(client, home_page):
    page = GoodPracticeFactory()
    assert (
        "/accounts/login/"
        in client.post(f"/good-practice/{page.pk}/questions/", {"question": "Hi"}).url
    )
    signed_in(client, UserFactory())
    response = client.post(f"/good-practice/{page.pk}/questions/", {"question": "   "}, follow=True)
    assert "Write your question." in response.content.decode()
    draft = GoodPracticeFactory(publish=False)
    assert (
        client.post(f"/good-practice/{draft.pk}/questions/", {"question": "Hi"}).status_code == 404
    )
    assert not GoodPracticeDiscussion.objects.exists()


def test_member_banned_from_the_questions_community_cannot_ask(client, home_page):
    page = GoodPracticeFactory()
    member = UserFactory()
    services.do_ask_question(page, member, "First question")
    Membership.objects.filter(user=member).update(status=Membership.Status.BANNED)

    with pytest.raises(Refusal):
        services.do_ask_question(page, member, "Another one")
    assert page.discussion.thread.posts.count() == 0


def test_case_study_lists_only_linked_communities_the_viewer_may_know(client, home_page):
    owner = UserFactory()
    open_community = CommunityFactory(
        title="Waste and recycling", visibility=Visibility.OPEN, owner=owner
    )
    private = CommunityFactory(
        title="Chief digital officers", visibility=Visibility.PRIVATE, owner=owner
    )
    page = GoodPracticeFactory(
        author=owner, communities=[open_community, private], title="Bin tagging"
    )

    html = client.get(page.url).content.decode()
    assert "Waste and recycling" in html and "Chief digital officers" not in html

    insider = UserFactory()
    do_add_member(private, insider)
    assert "Chief digital officers" in signed_in(client, insider).get(page.url).content.decode()


def test_related_good_practice_shares_service_areas_and_tags(client, library):
    extra = GoodPracticeFactory(
        title="Adult safeguarding training",
        service_areas=[service_area("Adult social care › Safeguarding")],
    )
    GoodPracticeFactory(title="Unrelated parking permits", tags=["parking"])
    tagged = GoodPracticeFactory(title="Recycling leaflets", tags=["safeguarding"])

    related = queries.related_good_practice(library["safeguarding"])
    assert related[:2] == [extra, tagged]
    html = client.get(library["safeguarding"].url).content.decode()
    assert "Related good practice" in html and "Adult safeguarding training" in html
    assert "Unrelated parking permits" not in html


def test_case_study_page_shows_structured_fields_and_body_blocks(client, home_page):
    page = GoodPracticeFactory(
        title="Leasing a block",
        savings_amount=Decimal("1100000"),
        savings_period="per-year",
        savings_measurement="Nightly-paid costs avoided.",
        evidence="Quarterly returns.",
        body=[
            ("key_figure", {"value": "£1.1m", "unit": "", "label": "saved a year"}),
            ("steps", {"heading": "How we did it", "steps": ["Find a block", "Agree a lease"]}),
            (
                "quotation",
                {"quote": "A front door of their own.", "attribution": "Housing manager"},
            ),
            (
                "benchmark_evidence",
                {
                    "measure": "unknown-measure",
                    "area": page_area().gss_code,
                    "period_before": "2020",
                    "value_before": Decimal("4"),
                    "period_after": "2023",
                    "value_after": None,
                    "unit": "",
                },
            ),
        ],
    )
    html = client.get(page.url).content.decode()
    for text in [
        "£1,100,000 a year",
        "Nightly-paid costs avoided.",
        "Quarterly returns.",
        "£1.1m",
        "saved a year",
        "<li>Agree a lease</li>",
        "A front door of their own.",
        "Unknown measure",
        "not given",
        "Open Government Licence v3.0",
    ]:
        assert text in html, text


def page_area():
    return AreaFactory(short_name="Benchmarkton")


def check_the_demo_library_has_ten_varied_published_case_studies() -> None:
    """Run on the demo as ``load_demo --production`` leaves it (tests run with DEBUG off), by the
    demo loader's test (``tests/hub/test_demo.py``), which loads it that way first: one load for both."""
    published = GoodPracticePage.objects.published()
    assert published.count() >= 10
    assert published.values("councils").distinct().count() >= 10
    assert published.values("service_areas__parent").distinct().count() >= 8
    assert Adoption.objects.count() >= 8
    assert GoodPracticePage.objects.filter(live=False).exists()  # one still in review

    client = Client()
    assert (
        "Tag-and-educate cut recycling contamination"
        in client.get("/good-practice/?sort=adopted").content.decode()
    )
    case = published.get(title="Tag-and-educate cut recycling contamination by a third")
    html = client.get(case.url).content.decode()
    assert (
        "Household recycling rate" in html
        and "Leeds" in html
        and "Camden: Ran it on six rounds" in html
    )
    assert "Read the questions asked about this case study" in html


def test_form_edits_the_key_figure_and_steps_and_keeps_blocks_editors_added(client, home_page):
    author = UserFactory()
    page = GoodPracticeFactory(
        author=author,
        title="Leasing a block",
        body=[
            ("key_figure", {"value": "30", "unit": "homes", "label": "for families"}),
            (
                "quotation",
                {"quote": "A front door of their own.", "attribution": "Housing manager"},
            ),
        ],
    )
    form = signed_in(client, author).get(f"/good-practice/submissions/{page.pk}/edit/")
    assert form.context["form"]["key_figure_value"].value() == "30"

    response = client.post(
        f"/good-practice/submissions/{page.pk}/edit/",
        valid_form(
            title="Leasing a block",
            key_figure_value="1.1",
            key_figure_unit="£m",
            key_figure_label="saved a year",
            steps="Find a block\n\nAgree a ten-year lease\nPut support staff on site",
        ),
    )
    assert response.status_code == 302
    draft = GoodPracticePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert [block.block_type for block in draft.body] == ["key_figure", "steps", "quotation"]
    assert list(draft.body[1].value["steps"]) == [
        "Find a block",
        "Agree a ten-year lease",
        "Put support staff on site",
    ]

    services.do_review_good_practice(page, good_practice_editor(), approve=True)
    html = client.get(page.url).content.decode()
    assert (
        "£1.1m" in html
        and "<li>Agree a ten-year lease</li>" in html
        and "A front door of their own." in html
    )


def test_a_key_figure_needs_its_number_and_label(client, home_page):
    response = signed_in(client, UserFactory()).post(
        "/good-practice/submit/", valid_form(key_figure_value="38")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["key_figure_label"] == [
        "Say what the key figure measures."
    ]


def test_api_is_described_in_the_openapi_document(client, home_page):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/good-practice/" in paths and "/api/good-practice/{page_id}" in paths
    parameters = {p["name"] for p in paths["/api/good-practice/"]["get"]["parameters"]}
    assert {"service_area", "tag", "council_type", "region", "year", "sort", "page"} <= parameters


def test_questions_on_a_case_study_keep_the_posting_rate_limits(client, home_page, settings):
    settings.THREADS_PER_HOUR, settings.POSTS_PER_HOUR = 1, 2
    member = signed_in(client, UserFactory())
    first, second = (
        GoodPracticeFactory(title="Bin tagging"),
        GoodPracticeFactory(title="Bin amnesty"),
    )

    member.post(f"/good-practice/{first.pk}/questions/", {"question": "How many crews?"})
    refused = member.post(
        f"/good-practice/{second.pk}/questions/", {"question": "Who paid?"}, follow=True
    )
    assert "the most allowed" in refused.content.decode()
    assert not GoodPracticeDiscussion.objects.filter(page=second).exists()

    for number in range(2):
        member.post(f"/good-practice/{first.pk}/questions/", {"question": f"Follow-up {number}"})
    refused = member.post(
        f"/good-practice/{first.pk}/questions/", {"question": "One more"}, follow=True
    )
    assert "the most allowed" in refused.content.decode()
    assert [post.body for post in first.discussion.thread.posts.all()] == [
        "Follow-up 0",
        "Follow-up 1",
    ]


def test_a_question_sent_twice_is_asked_once(client, home_page):
    page = GoodPracticeFactory(title="Bin tagging")
    member = signed_in(client, UserFactory())
    form = client.get(page.url).content.decode()
    key = form.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]

    for _ in range(2):
        member.post(
            f"/good-practice/{page.pk}/questions/",
            {"question": "How many crews?", "idempotency_key": key},
        )
    follow_up = {
        "question": "And the cost?",
        "idempotency_key": "5f0e8a1c-0d4e-4a63-9d35-6f1f0b1a2c3d",
    }
    for _ in range(2):
        member.post(f"/good-practice/{page.pk}/questions/", follow_up)

    thread = GoodPracticeDiscussion.objects.get(page=page).thread
    assert thread.body.startswith("How many crews?")
    assert [post.body for post in thread.posts.all()] == ["And the cost?"]


def test_site_staff_see_the_review_form_only_where_their_review_then_succeeds(client, home_page):
    page = GoodPracticeFactory(publish=False, submit=True, title="Leasing a block")
    staff = signed_in(
        client, UserFactory(is_staff=True)
    )  # neither a superuser nor a library editor

    assert "Leasing a block" in staff.get("/good-practice/review/").content.decode()
    assert "Your review" in staff.get(f"/good-practice/submissions/{page.pk}/").content.decode()
    assert (
        staff.post(f"/good-practice/review/{page.pk}/", {"decision": "approve"}).status_code == 302
    )
    assert GoodPracticePage.objects.get(pk=page.pk).live


def test_members_who_may_not_review_see_no_review_form(client, home_page):
    page = GoodPracticeFactory(publish=False, submit=True, title="Leasing a block")
    member = signed_in(client, UserFactory())

    assert member.get(f"/good-practice/submissions/{page.pk}/").status_code == 404
    assert (
        member.post(f"/good-practice/review/{page.pk}/", {"decision": "approve"}).status_code == 404
    )
    assert not GoodPracticePage.objects.get(pk=page.pk).live
