from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from communities.models.communities import CommunityPage
from hub.floor.fragments import KeptViewRestrictionsMixin


class ThreadTag(TaggedItemBase):
    content_object = ParentalKey(
        "communities.ThreadPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ThreadPage(KeptViewRestrictionsMixin, Page):
    """A question or discussion in a community; its first post is the body, replies are posts."""

    body = models.TextField(max_length=50000, help_text="Markdown")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads",
    )
    tags = ClusterTaggableManager(through=ThreadTag, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    reply_count = models.PositiveIntegerField(default=0)
    community = models.ForeignKey(
        CommunityPage,
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="threads",
        help_text="The community the thread is in (its parent page), kept for permission filtering.",
    )
    accepted_post = models.ForeignKey(
        "communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    body_html = models.TextField(
        blank=True, editable=False, help_text="The body rendered and sanitised on save."
    )
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    # The figure a thread asks about ("Ask about this figure"): one observation, named by its three
    # dimensions. PROTECT: the hub never deletes areas, datasets or periods a discussion points at.
    figure_area = models.ForeignKey(
        "linkeddata.Area",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    figure_dataset = models.ForeignKey(
        "linkeddata.Dataset",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    figure_period = models.ForeignKey(
        "linkeddata.Period",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="one_thread_per_submission"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        figure_area__isnull=True,
                        figure_dataset__isnull=True,
                        figure_period__isnull=True,
                    )
                    | models.Q(
                        figure_area__isnull=False,
                        figure_dataset__isnull=False,
                        figure_period__isnull=False,
                    )
                ),
                name="thread_figure_whole_or_none",
            ),
        ]

    content_panels = [*Page.content_panels, FieldPanel("body"), FieldPanel("tags")]
    search_fields = [*Page.search_fields, index.SearchField("body"), index.FilterField("community")]
    parent_page_types = ["communities.CommunityPage"]
    is_creatable = False  # created on the hub's own pages, never in the admin (wagtail_hooks.py)
    subpage_types: list[str] = []

    def save(self, *args, **kwargs):
        from communities.markdown import render_markdown

        self.body_html = render_markdown(self.body)
        if self.path:
            self.community_id = self.parent_community_id()
        return super().save(*args, **kwargs)

    def parent_community_id(self) -> int:
        """The id of the community page this thread sits under in the page tree."""
        return CommunityPage.objects.values_list("pk", flat=True).get(
            path=self.path[: -self.steplen]
        )

    @property
    def is_answered(self) -> bool:
        return self.accepted_post_id is not None

    def serve(self, request, *args, **kwargs):
        from communities.discussions.queries import check_reader

        check_reader(
            request.user, self.community, page=self
        )  # a refusal is rendered by RefusalMiddleware
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from communities.discussions.queries import thread_page

        context = super().get_context(request, *args, **kwargs)
        context.update(thread_page(request, self))
        return context


class Post(models.Model):
    """A reply in a thread."""

    thread = models.ForeignKey(ThreadPage, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    body = models.TextField(max_length=50000, help_text="Markdown")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    body_html = models.TextField(blank=True, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    quoted_post = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="one_post_per_submission"
            )
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    def save(self, *args, **kwargs):
        from communities.markdown import render_markdown

        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)


class PostRevision(models.Model):
    """An earlier text of a post, kept whenever it is edited."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id}"


class HelpfulVote(models.Model):
    """A member found a post helpful; one vote per member and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_helpful_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} found post {self.post_id} helpful"


class Attachment(models.Model):
    """A Wagtail document attached to a thread's opening post or to a reply; served only to readers."""

    thread = models.ForeignKey(ThreadPage, on_delete=models.CASCADE, related_name="attachments")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.document)
