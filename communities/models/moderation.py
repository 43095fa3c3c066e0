"""Content moderation: flags on posts and the audit log of what facilitators did."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FlagQuerySet(models.QuerySet):
    def open(self) -> FlagQuerySet:
        """Flags no facilitator has dealt with yet."""
        return self.filter(resolved_at__isnull=True)

    def in_community(self, community) -> FlagQuerySet:
        """Flags on replies and on opening posts of threads in ``community``."""
        return self.filter(
            models.Q(post__thread__community=community) | models.Q(thread__community=community)
        )


class Flag(models.Model):
    """A member's report that a reply (``post``) or a thread's opening post (``thread``) needs a
    facilitator's attention; exactly one of the two is set."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or disrespectful"
        PERSONAL_DATA = "personal_data", "Shares personal or confidential information"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else"

    post = models.ForeignKey(
        "communities.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    thread = models.ForeignKey(
        "communities.ThreadPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
        help_text="Set when the thread's opening post is flagged (then ``post`` is empty)",
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["resolved_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post__isnull=False, thread__isnull=True)
                | models.Q(post__isnull=True, thread__isnull=False),
                name="flag_one_target",
            )
        ]

    def __str__(self) -> str:
        target = (
            f"post {self.post_id}"
            if self.post_id
            else f"the opening post of thread {self.thread_id}"
        )
        return f"Flag on {target}: {self.reason}"

    @property
    def is_opening_post(self) -> bool:
        return self.post_id is None

    @property
    def flagged_thread(self):
        """The thread the flagged post is in (the thread itself for an opening post)."""
        return self.thread if self.is_opening_post else self.post.thread


class ModerationAction(models.Model):
    """One entry in a community's audit log: who did what to which thread, post or person."""

    class Kind(models.TextChoices):
        HIDE_POST = "hide_post", "Hid a post"
        UNHIDE_POST = "unhide_post", "Unhid a post"
        HIDE_THREAD = "hide_thread", "Hid a thread"
        UNHIDE_THREAD = "unhide_thread", "Unhid a thread"
        DISMISS_FLAG = "dismiss_flag", "Dismissed a flag"
        LOCK_THREAD = "lock_thread", "Locked a thread"
        UNLOCK_THREAD = "unlock_thread", "Unlocked a thread"
        PIN_THREAD = "pin_thread", "Pinned a thread"
        UNPIN_THREAD = "unpin_thread", "Unpinned a thread"
        MOVE_THREAD_OUT = "move_thread_out", "Moved a thread to another community"
        MOVE_THREAD_IN = "move_thread_in", "Moved a thread here from another community"
        APPROVE_REQUEST = "approve_request", "Approved a request to join"
        DECLINE_REQUEST = "decline_request", "Declined a request to join"
        INVITE = "invite", "Invited someone"
        WITHDRAW_INVITATION = "withdraw_invitation", "Withdrew an invitation"
        REMOVE_MEMBER = "remove_member", "Removed a member"
        BAN_MEMBER = "ban_member", "Banned someone"
        UNBAN_MEMBER = "unban_member", "Lifted a ban"
        CHANGE_ROLE = "change_role", "Changed a member's role"
        CHANGE_SETTINGS = "change_settings", "Changed the community's settings"

    community = models.ForeignKey(
        "communities.CommunityPage", on_delete=models.CASCADE, related_name="moderation_actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    thread = models.ForeignKey(
        "communities.ThreadPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        "communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person the action was about, for membership actions",
    )
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.community_id}"
