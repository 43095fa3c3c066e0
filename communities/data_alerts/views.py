"""Following figures (from the data pages and the settings page) and a community's linked measures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from communities.data_alerts import services
from communities.data_alerts.queries import linked_measures, measures_with_figures
from communities.errors import Invalid, Refusal
from communities.permissions import access_community
from communities.refusals import render_refusal
from linkeddata.models import Area, Measure


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notification-settings")
    return redirect(target)


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    slug, gss = request.POST.get("measure", "").strip(), request.POST.get("area", "").strip()
    measure = Measure.objects.filter(slug=slug).first() if slug else None
    area = Area.objects.filter(gss_code=gss).first() if gss else None
    try:
        if (slug and measure is None) or (gss and area is None):
            raise Invalid(
                "There is no such measure or council to follow; choose one from the list."
            )
        user = services.check_follow(request.user, measure=measure, area=area)
    except Refusal as refusal:
        messages.error(request, refusal.message)
        return _back(request)
    services.do_follow(user, measure=measure, area=area)
    what = " on ".join(str(x) for x in (area, measure) if x is not None)
    messages.success(request, f"You follow {what}: new figures will be in your notifications.")
    return _back(request)


@login_required
@require_POST
def unfollow(request: HttpRequest, follow_id: int) -> HttpResponse:
    if services.do_unfollow(request.user, follow_id):
        messages.success(request, "You no longer follow those figures.")
    else:
        messages.error(request, "You were not following those figures.")
    return _back(request)


@login_required
@require_POST
def own_council(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("own_council") == "on"
    services.do_set_own_council(request.user, on)
    messages.success(
        request,
        "You follow your council's figures."
        if on
        else "You no longer follow your council's figures.",
    )
    return _back(request)


@login_required
def community_linked_measures(request: HttpRequest, slug: str) -> HttpResponse:
    community = access_community(request.user, slug, "facilitate")
    choices = list(measures_with_figures())
    if request.method == "POST":
        chosen = set(request.POST.getlist("measure"))
        unknown = chosen - {m.slug for m in choices}
        if unknown:
            return render_refusal(
                request,
                Invalid("Choose measures from the list."),
                "communities/data_alerts/linked_measures.html",
                {"community": community, "choices": choices, "linked": set()},
            )
        services.check_link_measures(request.user, community)
        services.do_set_linked_measures(community, [m for m in choices if m.slug in chosen])
        messages.success(request, "Linked measures saved.")
        return redirect("community-linked-measures", slug=community.slug)
    linked = {link.measure_id for link in linked_measures(community)}
    return TemplateResponse(
        request,
        "communities/data_alerts/linked_measures.html",
        {"community": community, "choices": choices, "linked": linked},
    )
