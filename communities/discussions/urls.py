"""Discussions: threads and posts from the front end, notifications, dashboard, feeds."""

from django.urls import path

from communities.discussions import feeds
from communities.discussions.views import figures, moderation, notifications
from communities.discussions.views import threads as discussions

urlpatterns = [
    path("communities/<slug:slug>/new-thread/", discussions.new_thread, name="new-thread"),
    path("communities/<slug:slug>/watch/", discussions.watch_community, name="watch-community"),
    path("discussions/threads/<id:thread_id>/reply/", discussions.reply, name="reply"),
    path("discussions/threads/<id:thread_id>/edit/", discussions.edit_thread, name="edit-thread"),
    path("discussions/threads/<id:thread_id>/accept/", discussions.accept, name="accept-answer"),
    path(
        "discussions/threads/<id:thread_id>/watch/", discussions.watch_thread, name="watch-thread"
    ),
    path("discussions/posts/<id:post_id>/edit/", discussions.edit_post, name="edit-post"),
    path("discussions/posts/<id:post_id>/history/", discussions.post_history, name="post-history"),
    path("discussions/posts/<id:post_id>/delete/", discussions.delete_post, name="delete-post"),
    path("discussions/posts/<id:post_id>/helpful/", discussions.helpful, name="helpful"),
    path("discussions/attachments/<id:attachment_id>/", discussions.attachment, name="attachment"),
    path("discussions/ask-about-a-figure/", figures.ask_about_figure, name="ask-about-figure"),
    path("notifications/", notifications.notifications, name="notifications"),
    path(
        "notifications/<id:notification_id>/",
        notifications.open_notification,
        name="open-notification",
    ),
    path("notifications/read/", notifications.mark_all_read, name="mark-all-read"),
    path(
        "notifications/settings/", notifications.notification_settings, name="notification-settings"
    ),
    path(
        "notifications/settings/feed-token/",
        notifications.reset_feed_token,
        name="reset-feed-token",
    ),
    path("notifications/settings/tokens/", notifications.create_token, name="create-token"),
    path(
        "notifications/settings/tokens/<id:token_id>/revoke/",
        notifications.revoke_token,
        name="revoke-token",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="unsubscribe",
    ),
    path("dashboard/", notifications.dashboard, name="dashboard"),
    path("feeds/communities/<slug:slug>/rss/", feeds.CommunityRssFeed(), name="community-feed-rss"),
    path(
        "feeds/communities/<slug:slug>/atom/", feeds.CommunityAtomFeed(), name="community-feed-atom"
    ),
    path("feeds/threads/<id:thread_id>/rss/", feeds.ThreadRssFeed(), name="thread-feed-rss"),
    path("feeds/threads/<id:thread_id>/atom/", feeds.ThreadAtomFeed(), name="thread-feed-atom"),
    path(
        "feeds/private/<str:token>/communities/<slug:slug>/rss/",
        feeds.CommunityRssFeed(),
        name="private-community-feed-rss",
    ),
    path(
        "feeds/private/<str:token>/communities/<slug:slug>/atom/",
        feeds.CommunityAtomFeed(),
        name="private-community-feed-atom",
    ),
    path(
        "feeds/private/<str:token>/threads/<id:thread_id>/rss/",
        feeds.ThreadRssFeed(),
        name="private-thread-feed-rss",
    ),
    path(
        "feeds/private/<str:token>/threads/<id:thread_id>/atom/",
        feeds.ThreadAtomFeed(),
        name="private-thread-feed-atom",
    ),
    # Flags and facilitators' moderation
    path("posts/<id:post_id>/flag/", moderation.flag_post, name="flag-post"),
    path("threads/<id:thread_id>/flag/", moderation.flag_thread, name="flag-thread"),
    path(
        "communities/<slug:slug>/moderation/", moderation.moderation_queue, name="moderation-queue"
    ),
    path(
        "communities/<slug:slug>/moderation/log/", moderation.moderation_log, name="moderation-log"
    ),
    path(
        "communities/<slug:slug>/moderation/threads/<id:thread_id>/",
        moderation.moderate_thread,
        name="moderate-thread",
    ),
    path(
        "communities/<slug:slug>/moderation/posts/<id:post_id>/<slug:action>/",
        moderation.moderate_post,
        name="moderate-post",
    ),
]
