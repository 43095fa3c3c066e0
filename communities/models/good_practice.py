"""The good-practice library: structured case studies of what worked in a council."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Coalesce
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import AbstractGroupApprovalTask, Page, PageManager, PageQuerySet
from wagtail.search import index

from communities.models.blocks import GoodPracticeBodyBlock
from hub.floor.fragments import KeptViewRestrictionsMixin, view_restrictions_exist

# A single council initiative saving or costing more than this is a typing error, not a case study.
MAX_AMOUNT = Decimal("1000000000")
AMOUNT_VALIDATORS = [
    MinValueValidator(Decimal("0"), message="Enter an amount of zero or more."),
    MaxValueValidator(MAX_AMOUNT, message="Enter an amount up to £1,000,000,000."),
]


class PracticeStatus(models.TextChoices):
    PILOT = "pilot", "Pilot"
    ESTABLISHED = "established", "Established practice"
    SCALED = "scaled", "Scaled up or shared"
    ENDED = "ended", "Ended"


class ReuseLicence(models.TextChoices):
    OGL = "ogl-3.0", "Open Government Licence v3.0"
    CC_BY = "cc-by-4.0", "Creative Commons Attribution 4.0"
    CC_BY_SA = "cc-by-sa-4.0", "Creative Commons Attribution-ShareAlike 4.0"
    ASK = "ask", "Ask the contact before reusing"


LICENCE_URLS = {
    ReuseLicence.OGL: "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    ReuseLicence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    ReuseLicence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
}


class SavingsPeriod(models.TextChoices):
    ONE_OFF = "one-off", "one-off"
    PER_YEAR = "per-year", "a year"
    PER_MONTH = "per-month", "a month"
    TOTAL = "total", "over the whole project"


class Currency(models.TextChoices):
    GBP = "GBP", "Pounds sterling (£)"


class GoodPracticeTag(TaggedItemBase):
    content_object = ParentalKey(
        "communities.GoodPracticePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class GoodPracticeQuerySet(PageQuerySet):
    def published(self) -> GoodPracticeQuerySet:
        """Case studies anyone may read: live ones. Drafts are reached only through the author's
        and reviewers' own views (see ``communities.permissions.can_view_good_practice_draft``)."""
        if not view_restrictions_exist():  # the usual case: no page has one, nothing to read
            return self.live()
        return self.live().public()

    def with_reuse_counts(self) -> GoodPracticeQuerySet:
        """Annotate ``helped_count`` and ``adopted_count`` (correlated subqueries: joining both
        tables would multiply rows)."""
        from communities.models.reuse import Adoption, HelpedSignal

        def count_of(model):
            rows = model.objects.filter(page=models.OuterRef("pk")).order_by().values("page")
            return Coalesce(models.Subquery(rows.annotate(n=models.Count("pk")).values("n")[:1]), 0)

        return self.annotate(helped_count=count_of(HelpedSignal), adopted_count=count_of(Adoption))


GoodPracticeManager = PageManager.from_queryset(GoodPracticeQuerySet)


class GoodPracticeIndexPage(KeptViewRestrictionsMixin, Page):
    """The hub-wide library of good practice."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["communities.GoodPracticePage"]
    max_count = 1

    def route(self, request, path_components):
        from communities.models.communities import route_to_child

        return route_to_child(self, request, path_components)

    def get_context(self, request, *args, **kwargs):
        from communities.good_practice.queries import library_page

        context = super().get_context(request, *args, **kwargs)
        context.update(library_page(request.GET, request.user))
        return context


class GoodPracticePage(KeptViewRestrictionsMixin, Page):
    """A structured case study of what worked in a council, for others to reuse."""

    summary = models.TextField(
        max_length=1000, help_text="One paragraph: what was done and what it achieved."
    )
    problem = models.TextField(max_length=5000)
    approach = models.TextField(max_length=10000)
    outcomes = models.TextField(max_length=5000)
    evidence = models.TextField(
        "evidence and evaluation",
        max_length=5000,
        blank=True,
        help_text="How you know it worked: evaluations, data, audits.",
    )
    cost_amount = models.DecimalField(
        "cost", max_digits=13, decimal_places=2, null=True, blank=True, validators=AMOUNT_VALIDATORS
    )
    savings_amount = models.DecimalField(
        "savings",
        max_digits=13,
        decimal_places=2,
        null=True,
        blank=True,
        validators=AMOUNT_VALIDATORS,
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.GBP)
    savings_period = models.CharField(max_length=10, choices=SavingsPeriod.choices, blank=True)
    savings_measurement = models.TextField(
        "how the savings were measured", max_length=2000, blank=True
    )
    councils = ParentalManyToManyField("linkeddata.Area", blank=True, related_name="good_practice")
    service_areas = ParentalManyToManyField(
        "communities.ServiceArea", blank=True, related_name="good_practice"
    )
    tags = ClusterTaggableManager(through=GoodPracticeTag, blank=True)
    communities = ParentalManyToManyField(
        "communities.CommunityPage",
        blank=True,
        related_name="good_practice",
        help_text="Communities where this was discussed.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="good_practice_submissions",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The member to contact; shown only as their profile's visibility allows.",
    )
    practice_date = models.DateField(
        "date", null=True, blank=True, help_text="When the practice started."
    )
    status = models.CharField(
        max_length=12, choices=PracticeStatus.choices, default=PracticeStatus.ESTABLISHED
    )
    licence = models.CharField(
        "licence for reuse", max_length=15, choices=ReuseLicence.choices, default=ReuseLicence.OGL
    )
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image_alt = models.CharField(
        "image description",
        max_length=250,
        blank=True,
        help_text="Describe the image for people who cannot see it.",
    )
    body = StreamField(GoodPracticeBodyBlock(), blank=True, use_json_field=True)

    objects = GoodPracticeManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("problem"),
        FieldPanel("approach"),
        FieldPanel("outcomes"),
        FieldPanel("evidence"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("cost_amount"),
                        FieldPanel("savings_amount"),
                        FieldPanel("currency"),
                    ]
                ),
                FieldPanel("savings_period"),
                FieldPanel("savings_measurement"),
            ],
            heading="Costs and savings",
        ),
        FieldPanel("councils"),
        FieldPanel("service_areas"),
        FieldPanel("tags"),
        FieldPanel("communities"),
        FieldPanel("contact"),
        FieldRowPanel([FieldPanel("practice_date"), FieldPanel("status"), FieldPanel("licence")]),
        FieldPanel("image"),
        FieldPanel("image_alt"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("problem"),
        index.SearchField("approach"),
        index.SearchField("outcomes"),
        index.SearchField("evidence"),
        index.FilterField("practice_date"),
    ]
    parent_page_types = ["communities.GoodPracticeIndexPage"]
    subpage_types: list[str] = []

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    @property
    def year(self) -> int | None:
        when = self.practice_date or (self.first_published_at and self.first_published_at.date())
        return when.year if when else None

    def get_context(self, request, *args, **kwargs):
        from communities.good_practice.queries import case_study, case_study_article

        context = super().get_context(request, *args, **kwargs)
        context.update(case_study(self, request.user))
        if not getattr(request, "is_preview", False):  # a preview shows unpublished changes
            context["article_html"] = case_study_article(request, self, context)
        return context


class GoodPracticeReviewTask(AbstractGroupApprovalTask):
    """Approval by the library's editors (the task's groups, and site staff) or by a facilitator of a
    community the case study is linked to. Who may review is decided in ``communities.permissions``
    alone, read through ``communities.good_practice.queries``."""

    def _may_review(self, obj, user) -> bool:
        from communities.good_practice.queries import may_review

        return may_review(user, getattr(obj, "specific", obj))  # Wagtail may pass a plain Page

    def user_can_access_editor(self, obj, user):
        from communities.good_practice.queries import may_use_review_editor

        return may_use_review_editor(user)

    def locked_for_user(self, obj, user):
        return not self._may_review(obj, user)

    def get_actions(self, obj, user):
        if self._may_review(obj, user):
            return [
                ("reject", "Request changes", True),
                ("approve", "Approve and publish", False),
                ("approve", "Approve with comment", True),
            ]
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from communities.good_practice.queries import reviewable_task_states

        return reviewable_task_states(self, user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        page = task_state.workflow_state.content_object
        if not self._may_review(getattr(page, "specific", page), user):
            # Every door offers only ``get_actions``; this is the backstop (the author above all).
            raise PermissionDenied(
                "Only a reviewer other than its author can review this case study."
            )
        if action_name == "approve" and not user.is_superuser and not self._user_in_groups(user):
            # A facilitator (or site staff outside the editors' group) approves as the task allows,
            # though Wagtail's page permissions would not let them publish: record their approval,
            # then let the workflow publish on its own.
            task_state.approve(user=user, update=False, **kwargs)
            task_state.workflow_state.update(user=None)
            return
        super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "Editors in the chosen groups, or facilitators of a linked community, approve the case study."

    class Meta:
        verbose_name = "Good practice review task"
        verbose_name_plural = "Good practice review tasks"
