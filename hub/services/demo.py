"""Demo data: a believable hub built through the same services as real use. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from communities.discussions.services.threads import do_accept_answer, do_reply, do_start_thread
from communities.good_practice.services import do_make_good_practice_editor
from communities.models import (
    CommunityIndexPage,
    CommunityPage,
    GoodPracticePage,
    ProfileVisibility,
    ServiceArea,
    ThreadPage,
    Visibility,
)
from communities.people.services.communities import do_add_member, do_create_community
from communities.people.services.profiles import do_create_member
from hub.services.site import ensure_site_tree
from linkeddata.models import Area
from linkeddata.services.areas import do_import_areas
from linkeddata.services.shipped import do_import_shipped

DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105 - published demo sign-in, never used in production
DEMO_EMAIL = "amira.khan@leeds.example.gov.uk"
ADMIN_EMAIL = "admin@hub.example.gov.uk"
FACILITATOR_EMAIL = "david.okafor@birmingham.example.gov.uk"
REVIEWER_EMAIL = "sarah.mitchell@norfolk.example.gov.uk"
# One sign-in per role, each with something waiting for it (``make run`` prints these).
SIGN_INS = [
    (
        "Member",
        DEMO_EMAIL,
        "notifications, a case study in review, a request to join Community safety partnerships",
    ),
    (
        "Facilitator",
        FACILITATOR_EMAIL,
        "owns the restricted Community safety partnerships: a request to join and a flagged post",
    ),
    ("Good-practice reviewer", REVIEWER_EMAIL, "a case study waiting for review"),
    ("Site staff", ADMIN_EMAIL, "a community proposal waiting; the admin at /admin/"),
]

# (email, name, job title, council GSS code, expertise, profile visibility)
MEMBERS = [
    (
        DEMO_EMAIL,
        "Amira Khan",
        "Head of Waste Strategy",
        "E08000035",
        ["waste", "recycling", "contracts"],
        ProfileVisibility.PUBLIC,
    ),
    (
        "tom.hughes@manchester.example.gov.uk",
        "Tom Hughes",
        "Housing Needs Manager",
        "E08000003",
        ["homelessness", "temporary accommodation"],
        ProfileVisibility.MEMBERS,
    ),
    (
        "priya.shah@camden.example.gov.uk",
        "Priya Shah",
        "Climate Programme Lead",
        "E09000007",
        ["net zero", "retrofit"],
        ProfileVisibility.PUBLIC,
    ),
    (
        "gareth.jones@cornwall.example.gov.uk",
        "Gareth Jones",
        "Adult Social Care Commissioner",
        "E06000052",
        ["adult social care", "DFG"],
        ProfileVisibility.MEMBERS,
    ),
    (
        "helen.o'brien@kent.example.gov.uk",
        "Helen O'Brien",
        "SEND Service Manager",
        "E10000016",
        ["SEND", "EHCP"],
        ProfileVisibility.MEMBERS,
    ),
    (
        "david.okafor@birmingham.example.gov.uk",
        "David Okafor",
        "Community Safety Officer",
        "E08000025",
        ["ASB", "community safety"],
        ProfileVisibility.PUBLIC,
    ),
    (
        "sarah.mitchell@norfolk.example.gov.uk",
        "Sarah Mitchell",
        "Transport Planner",
        "E10000020",
        ["LTP", "bus services"],
        ProfileVisibility.MEMBERS,
    ),
    (
        "li.wei@bristol.example.gov.uk",
        "Li Wei",
        "Data and Insight Analyst",
        "E06000023",
        ["benchmarking", "open data"],
        ProfileVisibility.PUBLIC,
    ),
    (
        "james.reid@northyorks.example.gov.uk",
        "James Reid",
        "Planning Policy Officer",
        "E06000065",
        ["s106", "CIL", "local plans"],
        ProfileVisibility.MEMBERS,
    ),
    (
        "fatima.begum@towerhamlets.example.gov.uk",
        "Fatima Begum",
        "Revenues and Benefits Lead",
        "E09000030",
        ["council tax", "benefits"],
        ProfileVisibility.PRIVATE,
    ),
    (
        "rachel.green@somerset.example.gov.uk",
        "Rachel Green",
        "Safeguarding Adults Lead",
        "E06000066",
        ["safeguarding", "DoLS", "MASH"],
        ProfileVisibility.MEMBERS,
    ),
    (
        "owen.price@cumberland.example.gov.uk",
        "Owen Price",
        "Digital Services Manager",
        "E06000063",
        ["digital", "service design"],
        ProfileVisibility.PUBLIC,
    ),
]

# (slug, title, visibility, description, tags, owner index, member indexes)
COMMUNITIES = [
    (
        "waste-and-recycling",
        "Waste and recycling",
        Visibility.OPEN,
        "Collection, disposal and recycling services: contracts, food waste, Simpler Recycling and performance.",
        ["waste", "recycling"],
        0,
        [1, 2, 7, 11],
    ),
    (
        "housing-and-homelessness",
        "Housing and homelessness",
        Visibility.OPEN,
        "Prevention, temporary accommodation, allocations and the Homelessness Reduction Act in practice.",
        ["housing", "homelessness"],
        1,
        [0, 3, 9],
    ),
    (
        "net-zero-councils",
        "Net zero councils",
        Visibility.OPEN,
        "Climate action plans, retrofit, fleet decarbonisation and reporting emissions.",
        ["net zero", "climate"],
        2,
        [0, 6, 7],
    ),
    (
        "digital-and-data",
        "Digital and data",
        Visibility.OPEN,
        "Service design, open data, benchmarking and the tools councils use to understand performance.",
        ["digital", "data"],
        11,
        [7, 2, 0],
    ),
    (
        "local-transport",
        "Local transport planning",
        Visibility.OPEN,
        "Local Transport Plans (LTP), bus service improvement, active travel and parking.",
        ["transport", "LTP"],
        6,
        [8, 2],
    ),
    (
        "planning-and-growth",
        "Planning and growth",
        Visibility.OPEN,
        "Local plans, developer contributions (s106 and CIL), housing delivery and viability.",
        ["planning", "s106", "CIL"],
        8,
        [6, 1],
    ),
    (
        "adult-social-care-commissioning",
        "Adult social care commissioning",
        Visibility.RESTRICTED,
        "Market shaping, home care, Disabled Facilities Grants (DFG) and charging reform. Members only.",
        ["adult social care", "commissioning"],
        3,
        [10, 1],
    ),
    (
        "send-leaders",
        "SEND leaders network",
        Visibility.RESTRICTED,
        "For SEND service leads: EHCP timeliness, tribunals, safety valve agreements and inclusion.",
        ["SEND", "EHCP"],
        4,
        [10],
    ),
    (
        "community-safety",
        "Community safety partnerships",
        Visibility.RESTRICTED,
        "Anti-social behaviour (ASB), the community trigger, CCTV and working with the police.",
        ["ASB", "community safety"],
        5,
        [1, 9],
    ),
    (
        "revenues-benefits",
        "Revenues and benefits practitioners",
        Visibility.RESTRICTED,
        "Council tax collection, support schemes, business rates and Housing Benefit subsidy.",
        ["council tax", "benefits"],
        9,
        [1, 3],
    ),
    (
        "safeguarding-adults-boards",
        "Safeguarding adults board managers",
        Visibility.PRIVATE,
        "A closed group for board managers sharing safeguarding adults reviews before publication.",
        ["safeguarding", "DoLS"],
        10,
        [3],
    ),
    (
        "chief-digital-officers",
        "Chief digital officers",
        Visibility.PRIVATE,
        "Invitation-only peer group of council digital leads: procurement, suppliers and budgets.",
        ["digital", "leadership"],
        11,
        [7],
    ),
]

# (community slug, author index, title, body, tags, [(replier index, reply)], accepted reply index)
THREADS = [
    (
        "waste-and-recycling",
        0,
        "How are you preparing for weekly food waste collections?",
        "We start weekly food waste collections in April. How did you size the **caddy roll-out** and "
        "what participation rate did you see in the first six months?",
        ["food waste"],
        [
            (
                1,
                "We budgeted for 110% of households to cover replacements; participation was 38% after six months.",
            ),
            (
                7,
                "Our data shows participation climbs for about a year. Leaflets with the bin calendar helped most.",
            ),
            (
                11,
                "Put the caddy liners offer on the website's bin day lookup: it cut calls by a fifth.",
            ),
        ],
        0,
    ),
    (
        "waste-and-recycling",
        2,
        "Contamination in dry mixed recycling: what worked?",
        "Our contamination rate is 17%. Has anyone had success with bin tagging or crew feedback?",
        ["recycling"],
        [
            (
                0,
                "Tag-and-educate cut contamination from 15% to 9% in our pilot rounds over 12 weeks.",
            )
        ],
        None,
    ),
    (
        "housing-and-homelessness",
        1,
        "Reducing the use of bed and breakfast for families",
        "We have 40 families in B&B beyond six weeks. What has helped other councils move them on faster?",
        ["temporary accommodation"],
        [
            (
                3,
                "Leasing a block from a housing association gave us 30 self-contained units within a year.",
            ),
            (
                9,
                "Check your discretionary housing payments: we used them to secure private rented tenancies.",
            ),
        ],
        0,
    ),
    (
        "net-zero-councils",
        2,
        "Reporting scope 3 emissions for the council's supply chain",
        "Which method are you using for scope 3: spend-based factors or supplier data?",
        ["net zero", "reporting"],
        [(7, "Spend-based to start, then supplier data for the top 20 suppliers by spend.")],
        0,
    ),
    (
        "digital-and-data",
        7,
        "Comparing recycling rates with similar councils",
        "Has anyone used the ONS similar-areas groups rather than CIPFA nearest neighbours for benchmarking?",
        ["benchmarking"],
        [
            (
                11,
                "Yes: the ONS groups are open, so we can publish our comparisons without a licence question.",
            )
        ],
        0,
    ),
    (
        "local-transport",
        6,
        "What goes into a good Local Transport Plan (LTP) refresh?",
        "We are refreshing our LTP. How much weight did you give to decarbonisation against congestion?",
        ["LTP"],
        [(8, "We set a carbon budget first and judged every scheme against it.")],
        None,
    ),
    (
        "planning-and-growth",
        8,
        "Monitoring s106 obligations",
        "What systems do you use to track s106 and CIL receipts and spending?",
        ["s106", "CIL"],
        [
            (
                6,
                "We moved from spreadsheets to the module in our planning system; the infrastructure funding statement now takes a day.",
            )
        ],
        0,
    ),
    (
        "adult-social-care-commissioning",
        3,
        "Speeding up Disabled Facilities Grant (DFG) adaptations",
        "Our average DFG takes 38 weeks end to end. Where did other councils find the time savings?",
        ["DFG"],
        [
            (10, "A trusted assessor for minor adaptations took 10 weeks out of our process."),
            (1, "We framework-procured contractors so each job no longer goes to tender."),
        ],
        0,
    ),
    (
        "send-leaders",
        4,
        "EHCP timeliness: keeping to 20 weeks",
        "Our 20-week completion rate fell to 31%. What has helped others recover?",
        ["EHCP"],
        [
            (
                10,
                "Weekly panel and a tracker shared with educational psychology got us back above 60%.",
            )
        ],
        None,
    ),
    (
        "community-safety",
        5,
        "Using the ASB case review (community trigger) well",
        "How do you publicise the anti-social behaviour case review and who chairs your panels?",
        ["ASB"],
        [(9, "An independent chair from a neighbouring council has helped trust in the process.")],
        0,
    ),
    (
        "safeguarding-adults-boards",
        10,
        "Draft review: lessons on self-neglect",
        "Sharing our draft safeguarding adults review on self-neglect for comment before publication.",
        ["safeguarding"],
        [(3, "Thank you. The multi-agency risk management section is a model for us.")],
        None,
    ),
    (
        "chief-digital-officers",
        11,
        "Supplier price rises on case management systems",
        "Our renewal came with a 24% increase. Is anyone coordinating a joint negotiation?",
        ["procurement"],
        [(7, "We are; happy to share our benchmark of contract values.")],
        None,
    ),
]


@dataclass
class DemoResult:
    areas_created: int = 0
    members_created: int = 0
    communities_created: int = 0
    threads_created: int = 0
    good_practice_created: int = 0
    notes: list[str] = field(default_factory=list)


def _council(gss_code: str) -> Area | None:
    return Area.objects.filter(gss_code=gss_code).first()


@transaction.atomic
def load_demo(*, password: str | None = DEMO_PASSWORD) -> DemoResult:
    """Build the demo hub. Running it again creates nothing new.

    ``password`` is every demo account's password: the published ``DEMO_PASSWORD`` for development,
    ``None`` for a hub open to others (the accounts then have unusable passwords, and any demo
    account still holding the published password loses it)."""
    result = DemoResult()
    result.areas_created = do_import_areas().created
    ensure_site_tree()
    User = get_user_model()

    if not User.objects.filter(username=ADMIN_EMAIL).exists():
        do_create_member(
            email=ADMIN_EMAIL,
            password=password,
            display_name="Hub Administrator",
            job_title="Site staff",
            is_superuser=True,
            visibility=ProfileVisibility.PRIVATE,
        )
        result.members_created += 1
    users = []
    for email, name, job, gss, expertise, visibility in MEMBERS:
        user = User.objects.filter(username=email.lower()).first()
        if user is None:
            user = do_create_member(
                email=email,
                password=password,
                display_name=name,
                job_title=job,
                council=_council(gss),
                expertise=expertise,
                visibility=visibility,
                bio=f"{job} with an interest in {', '.join(expertise)}.",
            )
            result.members_created += 1
        users.append(user)

    index = CommunityIndexPage.objects.get()
    communities = {}
    for slug, title, visibility, description, tags, owner, members in COMMUNITIES:
        community = CommunityPage.objects.filter(slug=slug).first()
        if community is None:
            community = do_create_community(
                index=index,
                title=title,
                slug=slug,
                description=description,
                visibility=visibility,
                owner=users[owner],
                tags=tags,
                councils=[c for c in [users[owner].profile.council] if c],
            )
            for member in members:
                do_add_member(community, users[member])
            result.communities_created += 1
            communities[slug] = (community, True)
        else:
            communities[slug] = (community, False)

    started = timezone.now() - timedelta(days=60)
    for position, (slug, author, title, body, tags, replies, accepted) in enumerate(THREADS):
        community, is_new = communities[slug]
        if not is_new:
            continue
        thread = do_start_thread(
            community=community, author=users[author], title=title, body=body, tags=tags
        )
        opened = started + timedelta(days=position * 4)
        _date_thread(thread, opened)
        posts = [
            do_reply(
                thread=thread,
                author=users[replier],
                body=text,
                created_at=opened + timedelta(hours=number * 5 + 2),  # after the thread
            )
            for number, (replier, text) in enumerate(replies)
        ]
        if accepted is not None:
            do_accept_answer(thread=thread, post=posts[accepted])
        result.threads_created += 1

    if password is None:
        _retire_published_password([ADMIN_EMAIL, *(email for email, *_ in MEMBERS)], result)
    # The reviewer is an editor before the case study in review is sent, so it is waiting for them.
    do_make_good_practice_editor(User.objects.get(username=REVIEWER_EMAIL))
    result.good_practice_created = load_good_practice_demo(users)
    load_people_demo(
        users, {slug: community for slug, (community, _) in communities.items()}, result
    )
    load_discussion_demo(users, result)
    load_demo_benchmarks(result)
    load_anchored_demo(users, result)
    return result


def _date_thread(thread: ThreadPage, opened: datetime) -> None:
    """Date a demo thread in the past, as if it had been started then (its replies come after)."""
    ThreadPage.objects.filter(pk=thread.pk).update(
        first_published_at=opened,
        last_published_at=opened,
        latest_revision_created_at=opened,
        last_activity_at=opened,
    )


def _retire_published_password(emails: list[str], result: DemoResult) -> None:
    """Demo accounts created earlier with the published password get an unusable one."""
    for user in get_user_model().objects.filter(username__in=[e.lower() for e in emails]):
        if user.check_password(DEMO_PASSWORD):
            user.set_unusable_password()
            user.save(update_fields=["password"])
            result.notes.append(f"{user.username} no longer signs in with the demo password.")


def load_demo_benchmarks(result: DemoResult) -> None:
    """The real benchmarking datasets, their similar areas and their linked-data publication."""
    imported = do_import_shipped()
    created = sum(r.created for r in imported.values())
    if created:
        result.notes.append(f"benchmarking data: {created} observations imported")


# (community slug, author index, GSS code, dataset slug, period, title, body, [(replier, reply)])
ANCHORED_THREADS = [
    (
        "waste-and-recycling",
        0,
        "E08000035",
        "household-recycling-rate",
        "2023/24",
        "Leeds: why has our recycling rate been stuck around 35%?",
        "Our rate has hovered around 35% for years while similar councils moved on. Is it the lack "
        "of a garden waste charge, the flats, or something in how it is counted?",
        [(11, "Flats were most of our gap too; communal bin redesign moved us three points.")],
    ),
    (
        "net-zero-councils",
        2,
        "E09000007",
        "greenhouse-gas-emissions-per-person",
        "2023",
        "Camden: emissions per person fell again in 2023. What counts?",
        "How much of the fall is the grid rather than our retrofit programme? Has anyone split it?",
        [],
    ),
]


def load_anchored_demo(users: list, result: DemoResult) -> None:
    """Two discussions about a figure, so the area and measure pages list something. Idempotent;
    after the benchmarks, whose figures they point at."""
    from communities.discussions.services.threads import check_figure

    for slug, author, gss, dataset, period, title, body, replies in ANCHORED_THREADS:
        if ThreadPage.objects.filter(title=title, figure_area__isnull=False).exists():
            continue
        thread = do_start_thread(
            community=CommunityPage.objects.get(slug=slug),
            author=users[author],
            title=title,
            body=body,
            figure=check_figure(gss, dataset, period),
        )
        for replier, text in replies:
            do_reply(thread=thread, author=users[replier], body=text)
        result.threads_created += 1


def load_people_demo(users: list, communities: dict, result: DemoResult) -> None:
    """Membership and moderation work in progress: requests, an invitation, a flag, a proposal. Idempotent."""
    from communities.discussions.services.moderation import do_flag_post, do_pin_thread
    from communities.discussions.services.threads import do_reply
    from communities.models import CommunityProposal, Flag, Invitation, JoinRequest
    from communities.people.services.membership import do_invite, do_request_to_join
    from communities.people.services.proposals import do_propose_community

    safety = communities["community-safety"]
    if not Flag.objects.in_community(safety).exists():
        thread = ThreadPage.objects.filter(community=safety).order_by("first_published_at").first()
        if thread is not None:
            reply = do_reply(
                thread=thread,
                author=users[9],
                body="The complainant at 14 Elm Road has now asked for a case review three times; "
                "her neighbour's name is in the police log if anyone needs it.",
            )
            do_flag_post(
                reply,
                by=users[1],
                reason="personal_data",
                detail="This names a resident's address: please hide it.",
            )
            do_pin_thread(thread, by=users[5])  # an entry in the community's moderation log
    if Invitation.objects.exists() or JoinRequest.objects.exists():
        return
    # The demo user (Amira) waits for an answer; Owen waits at a community Helen facilitates.
    do_request_to_join(
        users[0],
        communities["community-safety"],
        "I manage waste enforcement and work with the ASB team on fly-tipping.",
    )
    do_request_to_join(
        users[11],
        communities["send-leaders"],
        "We are redesigning the EHCP request journey and would value the network's advice.",
    )
    do_invite(communities["chief-digital-officers"], email=users[2].email, by=users[11])
    if not CommunityProposal.objects.exists():
        do_propose_community(
            by=users[1],
            title="Coastal councils",
            visibility="open",
            tags="coast, tourism",
            description="Erosion, seasonal tourism and services for coastal towns.",
            reason="Coastal issues come up in several communities but have no home.",
        )
    result.notes.append(
        "2 requests to join, 1 invitation, 1 flagged post and 1 community proposal waiting"
    )


# -- Good practice ----------------------------------------------------------------------------
# Each case study: author (member index), councils (GSS codes), service areas ("Parent › Child"),
# tags, structured fields, body blocks, and reuse signals from other members.
GOOD_PRACTICE = [
    {
        "title": "Tag-and-educate cut recycling contamination by a third",
        "author": 0,
        "councils": ["E08000035"],
        "areas": ["Environment and waste › Recycling"],
        "tags": ["recycling", "behaviour change"],
        "date": "2022-03-01",
        "status": "scaled",
        "summary": "Crews tagged contaminated bins and left feedback; contamination fell from 15% to 9% in 12 weeks.",
        "problem": "Dry mixed recycling contamination was 15%, costing £400,000 a year in rejected loads.",
        "approach": "Crews checked bins at the kerbside, tagged contaminated ones with a reason and left them "
        "unemptied, then revisited after two weeks with a letter.",
        "outcomes": "Contamination fell to 9%; rejected-load charges fell by £180,000 in the first year.",
        "evidence": "Monthly sampling at the materials recovery facility before, during and after the pilot rounds.",
        "cost": "45000",
        "savings": "180000",
        "period": "per-year",
        "measured": "Rejected-load charges invoiced by the contractor, compared with the previous year.",
        "figure": ("9", "%", "contamination after 12 weeks, down from 15%"),
        "steps": [
            "Pick pilot rounds with the worst contamination.",
            "Brief crews and give them tags with tick-box reasons.",
            "Tag and leave contaminated bins; revisit after two weeks.",
            "Write to households tagged twice.",
        ],
        "benchmark": (
            "household-recycling-rate",
            "E08000035",
            "2020-21",
            "37.1",
            "2022-23",
            "39.8",
            "%",
        ),
        "helped": [1, 2, 7, 11],
        "adopted": [(2, "Ran it on six rounds in Camden."), (11, "")],
        "questions": [
            (6, "Did you tag bins on rural rounds too, or only in the city?"),
            (0, "City rounds first; rural rounds followed with a leaflet instead of tags."),
        ],
    },
    {
        "title": "Leasing a block to end family stays in bed and breakfast",
        "author": 1,
        "councils": ["E08000003"],
        "areas": ["Housing › Homelessness and temporary accommodation"],
        "tags": ["temporary accommodation", "homelessness"],
        "date": "2021-09-01",
        "status": "established",
        "summary": "A long lease with a housing association gave 30 self-contained family units and ended six-week B&B breaches.",
        "problem": "Forty families were in bed and breakfast for more than six weeks, against the legal limit.",
        "approach": "The council leased a refurbished block for ten years, with support staff on site, funded from the "
        "temporary accommodation budget.",
        "outcomes": "No family has been in B&B beyond six weeks since; net saving £1.1m a year against nightly-paid placements.",
        "evidence": "Quarterly H-CLIC returns and the finance team's comparison with nightly-paid costs.",
        "cost": "650000",
        "savings": "1100000",
        "period": "per-year",
        "measured": "Nightly-paid placement costs avoided, less lease and support costs.",
        "figure": ("£1.1m", "", "saved a year against nightly-paid placements"),
        "quote": (
            "Families have a front door of their own while we find them a settled home.",
            "Housing Needs Manager",
        ),
        "helped": [0, 3, 9, 5],
        "adopted": [(9, "A smaller block of 12 units."), (3, "")],
        "questions": [(9, "How did you fund the on-site support staff after the first year?")],
    },
    {
        "title": "Trusted assessors for minor adaptations",
        "author": 3,
        "councils": ["E06000052"],
        "areas": ["Adult social care › Adaptations and equipment"],
        "tags": ["DFG", "adult social care"],
        "date": "2023-01-01",
        "status": "established",
        "summary": "Trained trusted assessors approve minor adaptations directly, taking 10 weeks out of the DFG process.",
        "problem": "Disabled Facilities Grant adaptations averaged 38 weeks from enquiry to completion.",
        "approach": "Occupational therapy assistants and home improvement agency staff were trained as trusted assessors "
        "for adaptations under £5,000.",
        "outcomes": "Average time fell to 28 weeks; more people stayed safely at home after hospital discharge.",
        "cost": "85000",
        "period": "",
        "figure": ("10", "weeks", "taken out of the average adaptation"),
        "steps": [
            "Agree the list of minor adaptations.",
            "Train assessors with the occupational therapy team.",
            "Audit one in ten assessments for the first six months.",
        ],
        "helped": [10, 1],
        "adopted": [(10, "Started with grab rails and stair rails.")],
    },
    {
        "title": "Open benchmarking with ONS similar councils",
        "author": 7,
        "councils": ["E06000023"],
        "areas": ["Digital, data and technology › Data and insight"],
        "tags": ["benchmarking", "open data"],
        "date": "2024-04-01",
        "status": "established",
        "summary": "Publishing performance against the ONS similar-areas groups made comparisons open and reusable.",
        "problem": "Benchmarking relied on licensed nearest-neighbour groups that could not be published.",
        "approach": "The insight team rebuilt its comparison dashboards on the ONS similar-areas groupings and open datasets.",
        "outcomes": "Comparisons are now published monthly and reused by three neighbouring councils.",
        "link": (
            "https://www.ons.gov.uk/",
            "Office for National Statistics",
            "Source of the similar-areas groupings.",
        ),
        "benchmark": (
            "household-recycling-rate",
            "E06000023",
            "2019-20",
            "47.1",
            "2022-23",
            "45.1",
            "%",
        ),
        "helped": [11, 2, 0],
        "adopted": [(11, "")],
    },
    {
        "title": "A retrofit one-stop shop for owner-occupiers",
        "author": 2,
        "councils": ["E09000007"],
        "areas": ["Environment and waste › Climate and net zero"],
        "tags": ["net zero", "retrofit"],
        "date": "2023-06-01",
        "status": "pilot",
        "summary": "One service takes homeowners from a survey to finished insulation and heat pumps, with vetted installers.",
        "problem": "Homeowners who wanted to retrofit gave up when faced with surveys, grants and installers to choose.",
        "approach": "The council funded a retrofit coordinator who arranges a whole-house survey, a plan, grant applications "
        "and vetted installers, and checks the work.",
        "outcomes": "212 homes retrofitted in the first year; average modelled saving of 2.1 tonnes of CO2 per home.",
        "evidence": "Post-installation surveys and modelled energy use from the retrofit assessments.",
        "cost": "310000",
        "period": "",
        "figure": ("212", "homes", "retrofitted in the first year"),
        "helped": [0, 6],
        "adopted": [],
    },
    {
        "title": "A weekly EHCP panel and shared tracker restored 20-week timeliness",
        "author": 4,
        "councils": ["E10000016"],
        "areas": ["Children's services › SEND"],
        "tags": ["SEND", "EHCP"],
        "date": "2023-09-01",
        "status": "established",
        "summary": "A weekly decision panel and a tracker shared with educational psychology doubled on-time EHC plans.",
        "problem": "Only 31% of education, health and care plans were issued within 20 weeks.",
        "approach": "A weekly multi-agency panel made decisions at fixed points, and a tracker shared with educational "
        "psychology and health showed every overdue advice request.",
        "outcomes": "Completion within 20 weeks rose to 64% in nine months; tribunal appeals fell by a quarter.",
        "figure": ("64", "%", "of plans issued within 20 weeks, up from 31%"),
        "helped": [10],
        "adopted": [(10, "Adopted the tracker only.")],
    },
    {
        "title": "Independent chairs for anti-social behaviour case reviews",
        "author": 5,
        "councils": ["E08000025"],
        "areas": ["Community safety › Anti-social behaviour"],
        "tags": ["ASB", "community trigger"],
        "date": "2022-11-01",
        "status": "established",
        "summary": "A chair from a neighbouring council made ASB case reviews more trusted by the people who asked for them.",
        "problem": "Victims who used the anti-social behaviour case review felt the agencies were marking their own homework.",
        "approach": "Two neighbouring councils swap chairs for each other's case review panels and publish anonymised outcomes.",
        "outcomes": "Satisfaction with the review process rose from 41% to 73% in a year.",
        "helped": [1, 9],
        "adopted": [],
    },
    {
        "title": "Demand-responsive buses replaced low-use rural routes",
        "author": 6,
        "councils": ["E10000020"],
        "areas": ["Transport and highways › Bus services"],
        "tags": ["bus services", "rural"],
        "date": "2022-05-01",
        "status": "scaled",
        "summary": "Bookable minibuses replaced fixed rural routes carrying fewer than five people a trip, at lower cost.",
        "problem": "Supported rural bus routes averaged four passengers a trip and cost £9 a passenger.",
        "approach": "Three fixed routes were replaced by a bookable minibus zone with app and phone booking, linking to "
        "market towns and the main bus corridors.",
        "outcomes": "Passenger numbers rose 35% and the subsidy per passenger fell to £5.80.",
        "cost": "120000",
        "savings": "420000",
        "period": "per-year",
        "measured": "Contract payments for the replaced routes against the zone's operating contract.",
        "figure": ("35", "%", "more passengers in the first year"),
        "helped": [8, 2],
        "adopted": [(8, "Piloting one zone in the Dales.")],
    },
    {
        "title": "A multi-agency panel for self-neglect",
        "author": 10,
        "councils": ["E06000066"],
        "areas": ["Adult social care › Safeguarding"],
        "tags": ["safeguarding", "self-neglect"],
        "date": "2023-02-01",
        "status": "established",
        "summary": "A monthly risk panel brings housing, health, fire and police together on people who self-neglect.",
        "problem": "Safeguarding adults reviews found agencies each held part of the picture about people who self-neglect.",
        "approach": "A monthly multi-agency risk management panel shares information under a protocol and agrees one lead "
        "professional per person.",
        "outcomes": "Repeat safeguarding referrals for self-neglect fell by 30%; no deaths reviewed in the first two years.",
        "quote": (
            "We stopped closing cases because someone would not engage.",
            "Safeguarding Adults Lead",
        ),
        "helped": [3],
        "adopted": [(3, "")],
    },
    {
        "title": "Targeting council tax support take-up with data",
        "author": 9,
        "councils": ["E09000030"],
        "areas": ["Revenues and benefits › Council tax"],
        "tags": ["council tax", "take-up"],
        "date": "2024-01-01",
        "status": "pilot",
        "summary": "Matching benefit and council tax records found 1,900 households missing out on support.",
        "problem": "Households in arrears were often entitled to council tax support they had not claimed.",
        "approach": "The team matched council tax, housing benefit and free school meals data to find likely-eligible "
        "households and wrote to them with a pre-filled claim.",
        "outcomes": "1,900 households claimed; arrears in the group fell by a fifth and collection costs fell.",
        "savings": "260000",
        "period": "per-year",
        "measured": "Enforcement and collection costs avoided.",
        "helped": [1, 3],
        "adopted": [],
    },
    {
        "title": "Monitoring s106 obligations in the planning system",
        "author": 8,
        "councils": ["E06000065"],
        "areas": ["Planning and growth › Developer contributions"],
        "tags": ["s106", "CIL"],
        "date": "2021-04-01",
        "status": "established",
        "summary": "Moving s106 and CIL monitoring from spreadsheets into the planning system made every obligation traceable.",
        "problem": "Obligations were tracked in spreadsheets per area team; triggers were missed and money went unspent.",
        "approach": "Every obligation was entered in the planning system's monitoring module with triggers and alerts.",
        "outcomes": "The infrastructure funding statement now takes a day; £2.3m of missed contributions were recovered.",
        "figure": ("£2.3m", "", "of missed contributions recovered"),
        "helped": [6, 1],
        "adopted": [(6, "")],
    },
    {
        "title": "Caddy liner requests on the bin day lookup cut calls by a fifth",
        "author": 11,
        "councils": ["E06000063"],
        "areas": [
            "Digital, data and technology › Service design",
            "Environment and waste › Waste collection",
        ],
        "tags": ["digital", "food waste"],
        "date": "2024-06-01",
        "status": "established",
        "summary": "Putting the most common requests on the bin day lookup page cut waste calls to the contact centre by 21%.",
        "problem": "Most calls about waste were about bin days, missed bins and food caddy liners.",
        "approach": "User research showed residents looked up their bin day first, so the lookup page now offers "
        "liner requests and missed-bin reports for that address.",
        "outcomes": "Calls fell by 21% and online requests doubled within three months.",
        "savings": "95000",
        "period": "per-year",
        "measured": "Contact centre call volumes times cost per call.",
        "helped": [0, 7],
        "adopted": [(0, "Added liner requests to our lookup.")],
    },
]
GOOD_PRACTICE_IN_REVIEW = {
    "title": "Weekly food waste roll-out: sizing the caddy order",
    "author": 0,
    "councils": ["E08000035"],
    "areas": ["Environment and waste › Waste collection"],
    "tags": ["food waste"],
    "date": "2025-04-01",
    "status": "pilot",
    "summary": "How we sized caddy orders for weekly food waste collections and what participation we saw.",
    "problem": "Ordering too few caddies delays roll-out; too many wastes money.",
    "approach": "We budgeted for 110% of households and offered liners through the bin day lookup.",
    "outcomes": "Participation reached 38% after six months.",
}


def _service_area(path: str) -> ServiceArea:
    parent, _, child = path.partition(" › ")
    top = ServiceArea.objects.get(parent=None, name=parent)
    return ServiceArea.objects.get(parent=top, name=child) if child else top


def _good_practice_data(entry: dict) -> dict:
    from datetime import date
    from decimal import Decimal

    body = []
    if "figure" in entry:
        value, unit, label = entry["figure"]
        body.append(("key_figure", {"value": value, "unit": unit, "label": label}))
    if "steps" in entry:
        body.append(("steps", {"heading": "How we did it", "steps": entry["steps"]}))
    if "quote" in entry:
        body.append(("quotation", {"quote": entry["quote"][0], "attribution": entry["quote"][1]}))
    if "link" in entry:
        url, title, description = entry["link"]
        body.append(("link", {"url": url, "title": title, "description": description}))
    if "benchmark" in entry:
        measure, area, before, value_before, after, value_after, unit = entry["benchmark"]
        body.append(
            (
                "benchmark_evidence",
                {
                    "measure": measure,
                    "area": area,
                    "period_before": before,
                    "value_before": Decimal(value_before),
                    "period_after": after,
                    "value_after": Decimal(value_after),
                    "unit": unit,
                    "note": "",
                },
            )
        )
    return {
        "title": entry["title"],
        "summary": entry["summary"],
        "problem": entry["problem"],
        "approach": entry["approach"],
        "outcomes": entry["outcomes"],
        "evidence": entry.get("evidence", ""),
        "cost_amount": Decimal(entry["cost"]) if entry.get("cost") else None,
        "savings_amount": Decimal(entry["savings"]) if entry.get("savings") else None,
        "savings_period": entry.get("period", ""),
        "savings_measurement": entry.get("measured", ""),
        "councils": [c for c in (_council(code) for code in entry["councils"]) if c],
        "service_areas": [_service_area(path) for path in entry["areas"]],
        "tags": entry["tags"],
        "practice_date": date.fromisoformat(entry["date"]),
        "status": entry["status"],
        "body": body,
    }


def load_good_practice_demo(users: list) -> int:
    """Case studies published through the review workflow, with reuse signals; one more waiting
    for review. Returns how many were created."""
    from communities.good_practice.services import (
        do_ask_question,
        do_create_good_practice,
        do_mark_helped,
        do_record_adoption,
        do_review_good_practice,
    )

    reviewer = get_user_model().objects.get(username=ADMIN_EMAIL)
    created = 0
    for entry in GOOD_PRACTICE:
        if GoodPracticePage.objects.filter(title=entry["title"]).exists():
            continue
        page = do_create_good_practice(
            author=users[entry["author"]], data=_good_practice_data(entry), submit=True
        )
        do_review_good_practice(
            page, reviewer, approve=True, comment="Clear and well evidenced. Thank you."
        )
        page = GoodPracticePage.objects.get(pk=page.pk)
        for member in entry["helped"]:
            do_mark_helped(page, users[member])
        for member, note in entry["adopted"]:
            do_record_adoption(page, users[member], note)
        for member, question in entry.get("questions", []):
            do_ask_question(page, users[member], question)
        created += 1
    entry = GOOD_PRACTICE_IN_REVIEW
    if not GoodPracticePage.objects.filter(title=entry["title"]).exists():
        do_create_good_practice(
            author=users[entry["author"]], data=_good_practice_data(entry), submit=True
        )
        created += 1
    return created


def load_discussion_demo(users: list, result: DemoResult) -> None:
    """Watches, helpful votes, notification preferences and a mention, so that the dashboard,
    notifications and digests have something to show. Idempotent."""
    from communities.discussions.services.notifications import do_set_email_frequency, do_set_watch
    from communities.discussions.services.threads import do_reply, do_toggle_helpful
    from communities.models import EmailFrequency, HelpfulVote, Post, ThreadPage, Watch, WatchLevel

    demo_user = users[0]
    if Watch.objects.filter(user=demo_user, community__isnull=False).exists():
        return
    waste = CommunityPage.objects.get(slug="waste-and-recycling")
    do_set_watch(demo_user, level=WatchLevel.WATCHING, community=waste)
    do_set_watch(
        users[1],
        level=WatchLevel.WATCHING,
        community=CommunityPage.objects.get(slug="housing-and-homelessness"),
    )
    do_set_watch(
        users[7],
        level=WatchLevel.MUTED,
        community=CommunityPage.objects.get(slug="net-zero-councils"),
    )
    do_set_email_frequency(users[1], EmailFrequency.DAILY)
    do_set_email_frequency(users[7], EmailFrequency.OFF)
    for post in Post.objects.filter(thread__community__visibility=Visibility.OPEN).select_related(
        "thread"
    )[:8]:
        for voter in users[:4]:
            if (
                voter.pk != post.author_id
                and not HelpfulVote.objects.filter(post=post, user=voter).exists()
            ):
                do_toggle_helpful(post=post, user=voter)
    thread = ThreadPage.objects.filter(community=waste).order_by("first_published_at").first()
    if thread is not None:
        do_reply(
            thread=thread,
            author=users[11],
            body="@amira-khan did the tag-and-educate letters go out in other languages too?",
        )
        do_reply(
            thread=thread,
            author=users[2],
            body="We are starting a similar pilot; watching this thread.",
        )
    result.notes.append(
        "Discussions: watches, helpful votes, a mention and notifications for the demo sign-in."
    )
