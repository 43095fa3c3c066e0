"""Notifications, the personal dashboard and notification settings (email, feeds, API tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from communities.dashboard import dashboard_panels
from communities.discussions.queries import (
    dashboard_threads,
    notification_page,
    notification_url,
    waiting_in_communities,
)
from communities.discussions.services.notifications import (
    check_unsubscribe,
    describe_alert,
    do_mark_dashboard_seen,
    do_mark_read,
    do_reset_feed_token,
    do_set_email_frequency,
    do_unsubscribe_from_email,
    preferences_for,
)
from communities.errors import Refusal
from communities.models import (
    EmailFrequency,
    Membership,
    PersonalToken,
    Watch,
    WatchLevel,
)
from communities.people.services.tokens import do_create_token, do_revoke_token
from communities.permissions import (
    readable_communities,
    readable_notifications,
)
from hub.floor.numbers import page_number


@login_required
def notifications(request):
    page, unread = notification_page(request.user, page_number(request.GET.get("page")))
    context = {"notifications": page, "unread_notifications": unread}  # the header's count too
    return TemplateResponse(request, "communities/notifications.html", context)


@login_required
def open_notification(request, notification_id: int):
    notification = get_object_or_404(readable_notifications(request.user), pk=notification_id)
    do_mark_read(request.user, [notification.pk])
    return redirect(notification_url(notification))


@login_required
@require_POST
def mark_all_read(request):
    count = do_mark_read(request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications")


@login_required
def dashboard(request):
    user = request.user
    prefs = preferences_for(user)
    since = prefs.dashboard_seen_at
    memberships = list(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("community")
        .order_by("community__title")
    )
    mine = [m.community_id for m in memberships if m.community.live]
    watched = {
        thread_id: (community_id, visibility)
        for thread_id, community_id, visibility in Watch.objects.filter(
            user=user, level=WatchLevel.WATCHING, thread__isnull=False
        ).values_list("thread_id", "thread__community_id", "thread__community__visibility")
    }
    context = {
        "memberships": memberships,
        "since": since,
        **dashboard_threads(user, mine, watched, since),
        "waiting_in_communities": waiting_in_communities(user),
        "panels": dashboard_panels(request),
    }
    do_mark_dashboard_seen(user, prefs)
    return TemplateResponse(request, "communities/dashboard.html", context)


@login_required
def notification_settings(request):
    prefs = preferences_for(request.user)
    if request.method == "POST":
        frequency = request.POST.get("email_frequency", "")
        if frequency in EmailFrequency.values:
            do_set_email_frequency(request.user, frequency)
            messages.success(request, "Your email preference is saved.")
        else:
            messages.error(request, "Choose how often you want email.")
        return redirect("notification-settings")
    communities = (
        readable_communities(request.user)
        .filter(memberships__user=request.user, memberships__status=Membership.Status.ACTIVE)
        .order_by("title")
    )
    feed_token = request.session.pop("new_feed_token", None)  # shown once, like an API token
    feeds = (
        [
            (
                c,
                request.build_absolute_uri(
                    reverse("private-community-feed-rss", args=[feed_token, c.slug])
                ),
                request.build_absolute_uri(
                    reverse("private-community-feed-atom", args=[feed_token, c.slug])
                ),
            )
            for c in communities
        ]
        if feed_token
        else []
    )
    return TemplateResponse(
        request,
        "communities/notification_settings.html",
        {
            "prefs": prefs,
            "frequencies": EmailFrequency.choices,
            "feeds": feeds,
            "communities": communities,
            "has_feed_links": prefs.feed_token_digest is not None,
            "tokens": PersonalToken.objects.filter(user=request.user),
            "new_token": request.session.pop("new_token", None),
        },
    )


@login_required
@require_POST
def reset_feed_token(request):
    request.session["new_feed_token"] = do_reset_feed_token(request.user)
    messages.success(request, "Your feed links have changed; the old ones no longer work.")
    return redirect("notification-settings")


@login_required
@require_POST
def create_token(request):
    _, raw = do_create_token(request.user, request.POST.get("name", "").strip())
    request.session["new_token"] = raw
    return redirect(reverse("notification-settings") + "#tokens")


@login_required
@require_POST
def revoke_token(request, token_id: int):
    if do_revoke_token(request.user, token_id):
        messages.success(request, "The token was revoked.")
    return redirect(reverse("notification-settings") + "#tokens")


@csrf_exempt  # mail clients post the one-click unsubscribe cross-site (RFC 8058); the token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """An email's unsubscribe link: GET asks (mail scanners follow links), POST switches the alert
    off, for the member and alert the signed token names only, whoever is signed in."""
    try:
        user, alert = check_unsubscribe(token)
    except Refusal as refusal:
        return TemplateResponse(
            request, "communities/unsubscribe.html", {"error": str(refusal)}, status=400
        )
    context = {"what": describe_alert(user, alert), "token": token}
    if request.method == "POST":
        context["changed"] = do_unsubscribe_from_email(user, alert)
        context["done"] = True
    return TemplateResponse(request, "communities/unsubscribe.html", context)
