"""The good practice library's own pages: submitting, editing, previewing and reviewing case
studies, reuse signals and questions. Case study pages themselves are Wagtail pages."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from communities.errors import Refusal
from communities.good_practice import queries, services
from communities.good_practice.forms import AdoptionForm, GoodPracticeForm, ReviewForm
from communities.models import GoodPracticePage
from communities.permissions import (
    SELF_REVIEW_REFUSAL,
    access_good_practice,
    can_review_good_practice,
    is_good_practice_author,
    is_reviewer_role,
)
from communities.refusals import render_refusal

FORM_TEMPLATE = "communities/good_practice/form.html"


def _submit_requested(request) -> bool:
    return request.POST.get("action") == "submit"


@login_required
def submit_good_practice(request):
    form = GoodPracticeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        page = services.do_create_good_practice(
            author=request.user, data=form.to_data(), submit=_submit_requested(request)
        )
        messages.success(request, _saved_message(page, _submit_requested(request)))
        return redirect("good-practice-submissions")
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "heading": "Share good practice"},
        status=400 if form.errors else 200,
    )


def _saved_message(page: GoodPracticePage, submitted: bool) -> str:
    if submitted:
        return f"“{page.title}” has been sent to the library's editors for review."
    return f"“{page.title}” is saved as a draft. Send it for review when it is ready."


@login_required
def edit_good_practice(request, pk: int):
    page = access_good_practice(request.user, pk, "edit")
    draft = page.get_latest_revision_as_object()
    form = GoodPracticeForm(
        request.POST or None, request.FILES or None, user=request.user, instance=draft
    )
    if request.method == "POST" and form.is_valid():
        page = services.do_update_good_practice(
            page, request.user, form.to_data(), submit=_submit_requested(request)
        )
        messages.success(request, _saved_message(page, _submit_requested(request)))
        return redirect("good-practice-submissions")
    context = {
        "form": form,
        "heading": f"Edit “{draft.title}”",
        "page_being_edited": page,
        "status": queries.submission_status(page),
    }
    return render(request, FORM_TEMPLATE, context, status=400 if form.errors else 200)


@login_required
@require_POST
def send_for_review(request, pk: int):
    page = access_good_practice(request.user, pk, "edit")
    services.do_submit_for_review(page, request.user)
    messages.success(request, _saved_message(page, True))
    return redirect("good-practice-submissions")


@login_required
def my_submissions(request):
    return render(
        request,
        "communities/good_practice/submissions.html",
        {"submissions": queries.submissions_of(request.user)},
    )


@login_required
def draft_preview(request, pk: int):
    """The latest version of a case study, for its author and reviewers only."""
    page = access_good_practice(request.user, pk, "preview")
    draft = page.get_latest_revision_as_object()
    context = {
        "page": draft,
        "self": draft,
        "is_draft_preview": True,
        "status": queries.submission_status(page),
        **queries.case_study(page, request.user),
    }
    if context["status"].code == "in-review":
        if can_review_good_practice(request.user, page):
            context["review_form"] = ReviewForm()
        elif is_good_practice_author(request.user, page) and is_reviewer_role(request.user, page):
            context["self_review_notice"] = SELF_REVIEW_REFUSAL
    return render(request, "communities/good_practice_page.html", context)


@login_required
def review_queue(request):
    pages = queries.awaiting_review_by(request.user)
    submitted = [(page, queries.visible_author_name(page, request.user)) for page in pages]
    return render(request, "communities/good_practice/review_queue.html", {"submitted": submitted})


@login_required
@require_POST
def review_good_practice(request, pk: int):
    page = access_good_practice(request.user, pk, "preview")
    try:
        services.check_can_review_good_practice(page, request.user)
    except Refusal as refusal:
        return render_refusal(request, refusal)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        draft = page.get_latest_revision_as_object()
        context = {
            "page": draft,
            "self": draft,
            "is_draft_preview": True,
            "review_form": form,
            "status": queries.submission_status(page),
            **queries.case_study(page, request.user),
        }
        return render(request, "communities/good_practice_page.html", context, status=400)
    try:
        services.do_review_good_practice(
            page,
            request.user,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
    except Refusal as error:
        messages.error(request, str(error))
        return redirect("good-practice-review-queue")
    verb = (
        "published"
        if form.cleaned_data["decision"] == "approve"
        else "returned to its author with your comments"
    )
    messages.success(request, f"“{page.title}” has been {verb}.")
    return redirect("good-practice-review-queue")


@require_POST
def mark_helped(request, pk: int):
    page = access_good_practice(request.user, pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={page.url}")
    created = services.do_mark_helped(page, request.user)
    messages.success(
        request,
        "Thank you: we have recorded that this helped you."
        if created
        else "You have already said this helped you.",
    )
    return HttpResponseRedirect(f"{page.url}#reuse")


@require_POST
def record_adoption(request, pk: int):
    page = access_good_practice(request.user, pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={page.url}")
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your note is too long: keep it under 1,000 characters.")
        return HttpResponseRedirect(f"{page.url}#reuse")
    try:
        adoption = services.do_record_adoption(page, request.user, form.cleaned_data["note"])
    except Refusal as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Thank you: we have recorded that {adoption.council.short_name} adopted this."
        )
    return HttpResponseRedirect(f"{page.url}#reuse")


@require_POST
def ask_question(request, pk: int):
    page = access_good_practice(request.user, pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={page.url}")
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        key = None
    try:
        question = services.check_can_ask_question(
            page=page,
            user=request.user,
            question=request.POST.get("question", ""),
            idempotency_key=key,
        )
        thread = services.do_ask_question(page, request.user, question, idempotency_key=key)
    except Refusal as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(f"{page.url}#discussion-heading")
    messages.success(request, "Your question has been posted. You will find the answers here.")
    return HttpResponseRedirect(thread.url)
