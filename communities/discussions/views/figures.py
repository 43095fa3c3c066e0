"""Ask about this figure: a thread started from a figure on the data pages, anchored to it.

The figure (council, measure, period) comes in the query string, and again in the form's hidden
fields; the service checks it (``check_figure``) and the community (``check_start_thread``) before
``do_start_thread`` writes. Whatever is refused, the page shows why and keeps what was typed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from communities.discussions.forms import AskAboutFigureForm
from communities.discussions.queries import figure_of
from communities.discussions.services import threads
from communities.errors import Refusal
from communities.permissions import SIGNED_OUT, postable_communities
from communities.refusals import render_refusal

TEMPLATE = "communities/ask_about_figure.html"


@require_http_methods(["GET", "HEAD", "POST"])
def ask_about_figure(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    codes = {name: data.get(name, "") for name in ("area", "measure", "period")}
    communities = postable_communities(request.user)
    if request.method == "POST":
        form = AskAboutFigureForm(request.POST, communities=communities)
    else:
        form = AskAboutFigureForm(
            initial={**codes, "idempotency_key": uuid.uuid4()}, communities=communities
        )
    context: dict[str, Any] = {
        "form": form,
        "codes": codes,
        "has_communities": communities.exists(),
        "next": request.get_full_path(),
    }
    try:
        observation = threads.check_figure(codes["area"], codes["measure"], codes["period"])
    except Refusal as refusal:
        return render_refusal(request, refusal, TEMPLATE, context)
    context["figure"] = figure = figure_of(
        observation.area, observation.dataset, observation.period
    )
    if request.method != "POST":
        measure = figure.dataset.measure
        form.initial["title"] = (
            f"{figure.area.short_name}: {measure.label.lower()} in {figure.period.code}"
        )
        return TemplateResponse(request, TEMPLATE, context)
    if not request.user.is_authenticated:
        return render_refusal(request, Refusal(SIGNED_OUT, 403), TEMPLATE, context)
    if not form.is_valid():
        return TemplateResponse(request, TEMPLATE, context, status=400)
    try:
        title, body = threads.check_start_thread(
            request.user,
            form.cleaned_data["community"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except Refusal as refusal:
        return render_refusal(request, refusal, TEMPLATE, context)
    thread = threads.do_start_thread(
        community=form.cleaned_data["community"],
        author=request.user,
        title=title,
        body=body,
        idempotency_key=form.cleaned_data["idempotency_key"],
        figure=observation,
    )
    return redirect(thread.url)
