"""RSS and Atom feeds per community and per thread (Django's syndication framework).

Public feed URLs are read as an anonymous visitor; content of restricted and private communities
is only in a member's secret feed URL (``/feeds/private/<token>/…``), read as that member, with
the same permission functions as the pages. Resetting the token retires every old link.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from communities.models import CommunityPage, NotificationSettings, Post, ThreadPage
from communities.permissions import can_read_community, can_see_community

FEED_LENGTH = 30


def feed_reader(token: str | None):
    """Who a feed request reads as: the token's member, or an anonymous visitor."""
    if token is None:
        return AnonymousUser()
    prefs = NotificationSettings.objects.select_related("user").filter(feed_token=token).first()
    if prefs is None or not prefs.user.is_active:
        raise Http404
    return prefs.user


def _check(reader, community: CommunityPage) -> None:
    if not can_see_community(reader, community):
        raise Http404
    if not can_read_community(reader, community):
        raise PermissionDenied(
            "This community's discussions are for its members: members find their personal feed links "
            "on their notification settings page."
        )


class CommunityRssFeed(Feed):
    def get_object(self, request, slug, token=None):
        community = CommunityPage.objects.live().filter(slug=slug).first()
        if community is None:
            raise Http404
        _check(feed_reader(token), community)
        return community

    def title(self, community):
        return f"{community.title}: latest threads"

    def link(self, community):
        return community.url

    def description(self, community):
        return community.description

    def items(self, community):
        return (
            ThreadPage.objects.live().child_of(community).select_related("author__profile")
            .order_by("-first_published_at")[:FEED_LENGTH]
        )

    def item_title(self, thread):
        return thread.title

    def item_description(self, thread):
        return thread.body_html

    def item_link(self, thread):
        return thread.url

    def item_pubdate(self, thread):
        return thread.first_published_at

    def item_updateddate(self, thread):
        return thread.last_activity_at

    def item_author_name(self, thread):
        return thread.author.profile.display_name if thread.author_id and hasattr(thread.author, "profile") else None


class CommunityAtomFeed(CommunityRssFeed):
    feed_type = Atom1Feed
    subtitle = CommunityRssFeed.description


class ThreadRssFeed(Feed):
    def get_object(self, request, thread_id, token=None):
        thread = ThreadPage.objects.live().select_related("community").filter(pk=thread_id).first()
        if thread is None:
            raise Http404
        _check(feed_reader(token), thread.community)
        return thread

    def title(self, thread):
        return f"{thread.title} ({thread.community.title})"

    def link(self, thread):
        return thread.url

    def description(self, thread):
        return f"Replies in “{thread.title}”."

    def items(self, thread):
        return (
            Post.objects.filter(thread=thread, is_deleted=False, is_hidden=False)
            .select_related("author__profile", "thread").order_by("-created_at")[:FEED_LENGTH]
        )

    def item_title(self, post):
        name = post.author.profile.display_name if post.author_id and hasattr(post.author, "profile") else "A member"
        return f"{name} replied to {post.thread.title}"

    def item_description(self, post):
        return post.body_html

    def item_link(self, post):
        return f"{post.thread.url}#post-{post.pk}"

    def item_guid(self, post):
        return f"post-{post.pk}"

    def item_pubdate(self, post):
        return post.created_at


class ThreadAtomFeed(ThreadRssFeed):
    feed_type = Atom1Feed
    subtitle = ThreadRssFeed.description
