"""RSS and Atom feeds per community and per thread (Django's syndication framework).

Public feed URLs are read as an anonymous visitor; content of restricted and private communities
is only in a member's secret feed URL (``/feeds/private/<token>/…``), read as that member, with
the same permission functions as the pages. Only the token's digest is stored; resetting the
token (or the member's password) retires every old link.

Links are absolute on the host the feed was asked of; ids (Atom ``id``, RSS ``guid``) are stable
``tag:`` URIs on the site's configured host (``hub.floor.links``), marked ``isPermaLink="false"``.
Every feed names the site as its author, so an entry whose author has left still has one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from communities.discussions.queries import thread_listing
from communities.errors import NotFound
from communities.models import NotificationSettings, Post
from communities.models.tokens import token_digest
from communities.people.queries import profile_name
from communities.permissions import access_community, access_thread, visible_replies
from hub.floor.actor import Actor
from hub.floor.links import tag_uri

FEED_LENGTH = 30


def feed_reader(token: str | None) -> Actor:
    """Who a feed request reads as: the token's member, or an anonymous visitor."""
    if token is None:
        return AnonymousUser()
    prefs = (
        NotificationSettings.objects.select_related("user")
        .filter(feed_token_digest=token_digest(token))
        .first()
    )
    if prefs is None or not prefs.user.is_active:
        raise NotFound()
    return prefs.user


class HubFeed(Feed):
    """What every feed of the hub has: the site as author, ids that are ``tag:`` URIs."""

    item_guid_is_permalink = False

    def author_name(self) -> str:
        return settings.SITE_NAME


class CommunityRssFeed(HubFeed):
    def get_object(self, request, slug, token=None):
        return access_community(feed_reader(token), slug, "read")

    def feed_guid(self, community):
        return tag_uri(community.first_published_at, f"community-{community.pk}")

    def title(self, community):
        return f"{community.title}: latest threads"

    def link(self, community):
        return community.url

    def description(self, community):
        return community.description

    def items(self, community):
        return (
            thread_listing(community)
            .select_related("author__profile")
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

    def item_guid(self, thread):
        return tag_uri(thread.first_published_at, f"thread-{thread.pk}")

    def item_updateddate(self, thread):
        return thread.last_activity_at

    def item_author_name(self, thread):
        return profile_name(thread.author)


class CommunityAtomFeed(CommunityRssFeed):
    feed_type = Atom1Feed
    subtitle = CommunityRssFeed.description


class ThreadRssFeed(HubFeed):
    def get_object(self, request, thread_id, token=None):
        return access_thread(feed_reader(token), thread_id)

    def feed_guid(self, thread):
        return tag_uri(thread.first_published_at, f"thread-{thread.pk}-replies")

    def title(self, thread):
        return f"{thread.title} ({thread.community.title})"

    def link(self, thread):
        return thread.url

    def description(self, thread):
        return f"Replies in “{thread.title}”."

    def items(self, thread):
        return (
            visible_replies(Post.objects.filter(thread=thread))
            .select_related("author__profile", "thread")
            .order_by("-created_at")[:FEED_LENGTH]
        )

    def item_title(self, post):
        name = profile_name(post.author) or "A member"
        return f"{name} replied to {post.thread.title}"

    def item_description(self, post):
        return post.body_html

    def item_link(self, post):
        return f"{post.thread.url}#post-{post.pk}"

    def item_guid(self, post):
        return tag_uri(post.created_at, f"post-{post.pk}")

    def item_pubdate(self, post):
        return post.created_at

    def item_updateddate(self, post):
        return post.edited_at or post.created_at

    def item_author_name(self, post):
        return profile_name(post.author)


class ThreadAtomFeed(ThreadRssFeed):
    feed_type = Atom1Feed
    subtitle = ThreadRssFeed.description
