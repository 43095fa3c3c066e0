"""Demo data: a believable hub built through the same services as real use. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from communities.models import (
    CommunityIndexPage,
    CommunityPage,
    GoodPracticeIndexPage,
    GoodPracticePage,
    ProfileVisibility,
    Visibility,
)
from communities.services.communities import do_add_member, do_create_community
from communities.services.profiles import do_create_member
from communities.services.threads import do_accept_answer, do_reply, do_start_thread
from hub.services.site import ensure_site_tree
from linkeddata.models import Area
from linkeddata.services.areas import do_import_areas

DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105 - published demo sign-in, never used in production
DEMO_EMAIL = "amira.khan@leeds.example.gov.uk"
ADMIN_EMAIL = "admin@hub.example.gov.uk"

# (email, name, job title, council GSS code, expertise, profile visibility)
MEMBERS = [
    (DEMO_EMAIL, "Amira Khan", "Head of Waste Strategy", "E08000035", ["waste", "recycling", "contracts"], ProfileVisibility.PUBLIC),
    ("tom.hughes@manchester.example.gov.uk", "Tom Hughes", "Housing Needs Manager", "E08000003", ["homelessness", "temporary accommodation"], ProfileVisibility.MEMBERS),
    ("priya.shah@camden.example.gov.uk", "Priya Shah", "Climate Programme Lead", "E09000007", ["net zero", "retrofit"], ProfileVisibility.PUBLIC),
    ("gareth.jones@cornwall.example.gov.uk", "Gareth Jones", "Adult Social Care Commissioner", "E06000052", ["adult social care", "DFG"], ProfileVisibility.MEMBERS),
    ("helen.o'brien@kent.example.gov.uk", "Helen O'Brien", "SEND Service Manager", "E10000016", ["SEND", "EHCP"], ProfileVisibility.MEMBERS),
    ("david.okafor@birmingham.example.gov.uk", "David Okafor", "Community Safety Officer", "E08000025", ["ASB", "community safety"], ProfileVisibility.PUBLIC),
    ("sarah.mitchell@norfolk.example.gov.uk", "Sarah Mitchell", "Transport Planner", "E10000020", ["LTP", "bus services"], ProfileVisibility.MEMBERS),
    ("li.wei@bristol.example.gov.uk", "Li Wei", "Data and Insight Analyst", "E06000023", ["benchmarking", "open data"], ProfileVisibility.PUBLIC),
    ("james.reid@northyorks.example.gov.uk", "James Reid", "Planning Policy Officer", "E06000065", ["s106", "CIL", "local plans"], ProfileVisibility.MEMBERS),
    ("fatima.begum@towerhamlets.example.gov.uk", "Fatima Begum", "Revenues and Benefits Lead", "E09000030", ["council tax", "benefits"], ProfileVisibility.PRIVATE),
    ("rachel.green@somerset.example.gov.uk", "Rachel Green", "Safeguarding Adults Lead", "E06000066", ["safeguarding", "DoLS", "MASH"], ProfileVisibility.MEMBERS),
    ("owen.price@cumberland.example.gov.uk", "Owen Price", "Digital Services Manager", "E06000063", ["digital", "service design"], ProfileVisibility.PUBLIC),
]

# (slug, title, visibility, description, tags, owner index, member indexes)
COMMUNITIES = [
    ("waste-and-recycling", "Waste and recycling", Visibility.OPEN,
     "Collection, disposal and recycling services: contracts, food waste, Simpler Recycling and performance.",
     ["waste", "recycling"], 0, [1, 2, 7, 11]),
    ("housing-and-homelessness", "Housing and homelessness", Visibility.OPEN,
     "Prevention, temporary accommodation, allocations and the Homelessness Reduction Act in practice.",
     ["housing", "homelessness"], 1, [0, 3, 9]),
    ("net-zero-councils", "Net zero councils", Visibility.OPEN,
     "Climate action plans, retrofit, fleet decarbonisation and reporting emissions.",
     ["net zero", "climate"], 2, [0, 6, 7]),
    ("digital-and-data", "Digital and data", Visibility.OPEN,
     "Service design, open data, benchmarking and the tools councils use to understand performance.",
     ["digital", "data"], 11, [7, 2, 0]),
    ("local-transport", "Local transport planning", Visibility.OPEN,
     "Local Transport Plans (LTP), bus service improvement, active travel and parking.",
     ["transport", "LTP"], 6, [8, 2]),
    ("planning-and-growth", "Planning and growth", Visibility.OPEN,
     "Local plans, developer contributions (s106 and CIL), housing delivery and viability.",
     ["planning", "s106", "CIL"], 8, [6, 1]),
    ("adult-social-care-commissioning", "Adult social care commissioning", Visibility.RESTRICTED,
     "Market shaping, home care, Disabled Facilities Grants (DFG) and charging reform. Members only.",
     ["adult social care", "commissioning"], 3, [10, 1]),
    ("send-leaders", "SEND leaders network", Visibility.RESTRICTED,
     "For SEND service leads: EHCP timeliness, tribunals, safety valve agreements and inclusion.",
     ["SEND", "EHCP"], 4, [10]),
    ("community-safety", "Community safety partnerships", Visibility.RESTRICTED,
     "Anti-social behaviour (ASB), the community trigger, CCTV and working with the police.",
     ["ASB", "community safety"], 5, [1, 9]),
    ("revenues-benefits", "Revenues and benefits practitioners", Visibility.RESTRICTED,
     "Council tax collection, support schemes, business rates and Housing Benefit subsidy.",
     ["council tax", "benefits"], 9, [1, 3]),
    ("safeguarding-adults-boards", "Safeguarding adults board managers", Visibility.PRIVATE,
     "A closed group for board managers sharing safeguarding adults reviews before publication.",
     ["safeguarding", "DoLS"], 10, [3]),
    ("chief-digital-officers", "Chief digital officers", Visibility.PRIVATE,
     "Invitation-only peer group of council digital leads: procurement, suppliers and budgets.",
     ["digital", "leadership"], 11, [7]),
]

# (community slug, author index, title, body, tags, [(replier index, reply)], accepted reply index)
THREADS = [
    ("waste-and-recycling", 0, "How are you preparing for weekly food waste collections?",
     "We start weekly food waste collections in April. How did you size the **caddy roll-out** and "
     "what participation rate did you see in the first six months?", ["food waste"],
     [(1, "We budgeted for 110% of households to cover replacements; participation was 38% after six months."),
      (7, "Our data shows participation climbs for about a year. Leaflets with the bin calendar helped most."),
      (11, "Put the caddy liners offer on the website's bin day lookup: it cut calls by a fifth.")], 0),
    ("waste-and-recycling", 2, "Contamination in dry mixed recycling: what worked?",
     "Our contamination rate is 17%. Has anyone had success with bin tagging or crew feedback?", ["recycling"],
     [(0, "Tag-and-educate cut contamination from 15% to 9% in our pilot rounds over 12 weeks.")], None),
    ("housing-and-homelessness", 1, "Reducing the use of bed and breakfast for families",
     "We have 40 families in B&B beyond six weeks. What has helped other councils move them on faster?",
     ["temporary accommodation"],
     [(3, "Leasing a block from a housing association gave us 30 self-contained units within a year."),
      (9, "Check your discretionary housing payments: we used them to secure private rented tenancies.")], 0),
    ("net-zero-councils", 2, "Reporting scope 3 emissions for the council's supply chain",
     "Which method are you using for scope 3: spend-based factors or supplier data?", ["net zero", "reporting"],
     [(7, "Spend-based to start, then supplier data for the top 20 suppliers by spend.")], 0),
    ("digital-and-data", 7, "Comparing recycling rates with similar councils",
     "Has anyone used the ONS similar-areas groups rather than CIPFA nearest neighbours for benchmarking?",
     ["benchmarking"],
     [(11, "Yes: the ONS groups are open, so we can publish our comparisons without a licence question.")], 0),
    ("local-transport", 6, "What goes into a good Local Transport Plan (LTP) refresh?",
     "We are refreshing our LTP. How much weight did you give to decarbonisation against congestion?",
     ["LTP"], [(8, "We set a carbon budget first and judged every scheme against it.")], None),
    ("planning-and-growth", 8, "Monitoring s106 obligations",
     "What systems do you use to track s106 and CIL receipts and spending?", ["s106", "CIL"],
     [(6, "We moved from spreadsheets to the module in our planning system; the infrastructure funding statement now takes a day.")], 0),
    ("adult-social-care-commissioning", 3, "Speeding up Disabled Facilities Grant (DFG) adaptations",
     "Our average DFG takes 38 weeks end to end. Where did other councils find the time savings?", ["DFG"],
     [(10, "A trusted assessor for minor adaptations took 10 weeks out of our process."),
      (1, "We framework-procured contractors so each job no longer goes to tender.")], 0),
    ("send-leaders", 4, "EHCP timeliness: keeping to 20 weeks",
     "Our 20-week completion rate fell to 31%. What has helped others recover?", ["EHCP"],
     [(10, "Weekly panel and a tracker shared with educational psychology got us back above 60%.")], None),
    ("community-safety", 5, "Using the ASB case review (community trigger) well",
     "How do you publicise the anti-social behaviour case review and who chairs your panels?", ["ASB"],
     [(9, "An independent chair from a neighbouring council has helped trust in the process.")], 0),
    ("safeguarding-adults-boards", 10, "Draft review: lessons on self-neglect",
     "Sharing our draft safeguarding adults review on self-neglect for comment before publication.",
     ["safeguarding"], [(3, "Thank you. The multi-agency risk management section is a model for us.")], None),
    ("chief-digital-officers", 11, "Supplier price rises on case management systems",
     "Our renewal came with a 24% increase. Is anyone coordinating a joint negotiation?", ["procurement"],
     [(7, "We are; happy to share our benchmark of contract values.")], None),
]

GOOD_PRACTICE = [
    ("Tag-and-educate cut recycling contamination by a third", "E08000035", ["recycling", "behaviour change"],
     "Crews tagged contaminated bins and left feedback; contamination fell from 15% to 9% in 12 weeks.",
     "Dry mixed recycling contamination was 15%, costing £400,000 a year in rejected loads.",
     "Crews checked bins at the kerbside, tagged contaminated ones with a reason and left them unemptied, then "
     "revisited after two weeks with a letter.",
     "Contamination fell to 9%; rejected-load charges fell by £180,000 in the first year."),
    ("Leasing a block to end family stays in bed and breakfast", "E08000003", ["temporary accommodation"],
     "A long lease with a housing association gave 30 self-contained family units and ended six-week B&B breaches.",
     "Forty families were in bed and breakfast for more than six weeks, against the legal limit.",
     "The council leased a refurbished block for ten years, with support staff on site, funded from the "
     "temporary accommodation budget.",
     "No family has been in B&B beyond six weeks since; net saving £1.1m a year against nightly-paid placements."),
    ("Trusted assessors for minor adaptations", "E06000052", ["DFG", "adult social care"],
     "Trained trusted assessors approve minor adaptations directly, taking 10 weeks out of the DFG process.",
     "Disabled Facilities Grant adaptations averaged 38 weeks from enquiry to completion.",
     "Occupational therapy assistants and home improvement agency staff were trained as trusted assessors for "
     "adaptations under £5,000.",
     "Average time fell to 28 weeks; more people stayed safely at home after hospital discharge."),
    ("Open benchmarking with ONS similar councils", "E06000023", ["benchmarking", "open data"],
     "Publishing performance against the ONS similar-areas groups made comparisons open and reusable.",
     "Benchmarking relied on licensed nearest-neighbour groups that could not be published.",
     "The insight team rebuilt its comparison dashboards on the ONS similar-areas groupings and open datasets.",
     "Comparisons are now published monthly and reused by three neighbouring councils."),
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
def load_demo() -> DemoResult:
    """Build the demo hub. Running it again creates nothing new."""
    result = DemoResult()
    result.areas_created = do_import_areas().created
    home = ensure_site_tree()
    User = get_user_model()

    if not User.objects.filter(username=ADMIN_EMAIL).exists():
        do_create_member(email=ADMIN_EMAIL, password=DEMO_PASSWORD, display_name="Hub Administrator",
                         job_title="Site staff", is_superuser=True, visibility=ProfileVisibility.PRIVATE)
        result.members_created += 1
    users = []
    for email, name, job, gss, expertise, visibility in MEMBERS:
        user = User.objects.filter(username=email.lower()).first()
        if user is None:
            user = do_create_member(email=email, password=DEMO_PASSWORD, display_name=name, job_title=job,
                                    council=_council(gss), expertise=expertise, visibility=visibility,
                                    bio=f"{job} with an interest in {', '.join(expertise)}.")
            result.members_created += 1
        users.append(user)

    index = CommunityIndexPage.objects.get()
    communities = {}
    for slug, title, visibility, description, tags, owner, members in COMMUNITIES:
        community = CommunityPage.objects.filter(slug=slug).first()
        if community is None:
            community = do_create_community(
                index=index, title=title, slug=slug, description=description, visibility=visibility,
                owner=users[owner], tags=tags, councils=[c for c in [users[owner].profile.council] if c],
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
        thread = do_start_thread(community=community, author=users[author], title=title, body=body, tags=tags)
        posts = [
            do_reply(thread=thread, author=users[replier], body=text,
                     created_at=started + timedelta(days=position * 4, hours=number * 5 + 2))
            for number, (replier, text) in enumerate(replies)
        ]
        if accepted is not None:
            do_accept_answer(thread=thread, post=posts[accepted])
        result.threads_created += 1

    library = GoodPracticeIndexPage.objects.get()
    for title, gss, tags, summary, problem, approach, outcomes in GOOD_PRACTICE:
        if GoodPracticePage.objects.filter(title=title).exists():
            continue
        page = GoodPracticePage(title=title, summary=summary, problem=problem, approach=approach, outcomes=outcomes)
        page.tags.set(tags)
        council = _council(gss)
        if council:
            page.councils.set([council])
        library.add_child(instance=page)
        page.save_revision().publish()
        result.good_practice_created += 1
    del home
    load_discussion_demo(users, result)
    return result


def load_discussion_demo(users: list, result: DemoResult) -> None:
    """Watches, helpful votes, notification preferences and a mention, so that the dashboard,
    notifications and digests have something to show. Idempotent."""
    from communities.models import EmailFrequency, HelpfulVote, Post, ThreadPage, Watch, WatchLevel
    from communities.services.notifications import do_set_email_frequency, do_set_watch
    from communities.services.threads import do_reply, do_toggle_helpful

    demo_user = users[0]
    if Watch.objects.filter(user=demo_user, community__isnull=False).exists():
        return
    waste = CommunityPage.objects.get(slug="waste-and-recycling")
    do_set_watch(demo_user, level=WatchLevel.WATCHING, community=waste)
    do_set_watch(users[1], level=WatchLevel.WATCHING, community=CommunityPage.objects.get(slug="housing-and-homelessness"))
    do_set_watch(users[7], level=WatchLevel.MUTED, community=CommunityPage.objects.get(slug="net-zero-councils"))
    do_set_email_frequency(users[1], EmailFrequency.DAILY)
    do_set_email_frequency(users[7], EmailFrequency.OFF)
    for post in Post.objects.filter(thread__community__visibility=Visibility.OPEN).select_related("thread")[:8]:
        for voter in users[:4]:
            if voter.pk != post.author_id and not HelpfulVote.objects.filter(post=post, user=voter).exists():
                do_toggle_helpful(post=post, user=voter)
    thread = ThreadPage.objects.filter(community=waste).order_by("first_published_at").first()
    if thread is not None:
        do_reply(thread=thread, author=users[11],
                 body="@amira-khan did the tag-and-educate letters go out in other languages too?")
        do_reply(thread=thread, author=users[2], body="We are starting a similar pilot; watching this thread.")
    result.notes.append("Discussions: watches, helpful votes, a mention and notifications for the demo sign-in.")
