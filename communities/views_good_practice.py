"""Front-end views of the good-practice library: submit, edit, review, reuse signals, feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from communities.forms_good_practice import AdoptionForm, GoodPracticeForm, ReviewForm
from communities.models import GoodPracticeIndexPage, GoodPracticePage, ServiceArea
from communities.permissions import (
    can_edit_good_practice,
    can_review_good_practice,
    can_view_good_practice_draft,
)
from communities.services import good_practice as services

FORM_TEMPLATE = "communities/good_practice/form.html"


def _submit_requested(request) -> bool:
    return request.POST.get("action") == "submit"


@login_required
def submit_good_practice(request):
    form = GoodPracticeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        page = services.do_create_good_practice(author=request.user, data=form.to_data(), submit=_submit_requested(request))
        messages.success(request, _saved_message(page, _submit_requested(request)))
        return redirect("good-practice-submissions")
    return render(request, FORM_TEMPLATE, {"form": form, "heading": "Share good practice"}, status=400 if form.errors else 200)


def _saved_message(page: GoodPracticePage, submitted: bool) -> str:
    if submitted:
        return f"“{page.title}” has been sent to the library's editors for review."
    return f"“{page.title}” is saved as a draft. Send it for review when it is ready."


def _own_page(request, pk: int) -> GoodPracticePage:
    page = get_object_or_404(GoodPracticePage, pk=pk)
    if not can_edit_good_practice(request.user, page):
        raise PermissionDenied("Only the author can change this case study.")
    return page


@login_required
def edit_good_practice(request, pk: int):
    page = _own_page(request, pk)
    draft = page.get_latest_revision_as_object()
    form = GoodPracticeForm(request.POST or None, request.FILES or None, user=request.user, instance=draft)
    if request.method == "POST" and form.is_valid():
        page = services.do_update_good_practice(page, request.user, form.to_data(), submit=_submit_requested(request))
        messages.success(request, _saved_message(page, _submit_requested(request)))
        return redirect("good-practice-submissions")
    context = {"form": form, "heading": f"Edit “{draft.title}”", "page_being_edited": page,
               "status": services.submission_status(page)}
    return render(request, FORM_TEMPLATE, context, status=400 if form.errors else 200)


@login_required
@require_POST
def send_for_review(request, pk: int):
    page = _own_page(request, pk)
    services.do_submit_for_review(page, request.user)
    messages.success(request, _saved_message(page, True))
    return redirect("good-practice-submissions")


@login_required
def my_submissions(request):
    return render(request, "communities/good_practice/submissions.html",
                  {"submissions": services.submissions_of(request.user)})


@login_required
def draft_preview(request, pk: int):
    """The latest version of a case study, for its author and reviewers only."""
    page = get_object_or_404(GoodPracticePage, pk=pk)
    if not can_view_good_practice_draft(request.user, page):
        raise Http404
    draft = page.get_latest_revision_as_object()
    context = {
        "page": draft, "self": draft, "is_draft_preview": True, "status": services.submission_status(page),
        **services.case_study_context(page, request.user),
    }
    if can_review_good_practice(request.user, page) and context["status"].code == "in-review":
        context["review_form"] = ReviewForm()
    return render(request, "communities/good_practice_page.html", context)


@login_required
def review_queue(request):
    pages = services.awaiting_review_by(request.user)
    submitted = [(page, services.visible_author_name(page, request.user)) for page in pages]
    return render(request, "communities/good_practice/review_queue.html", {"submitted": submitted})


@login_required
@require_POST
def review_good_practice(request, pk: int):
    page = get_object_or_404(GoodPracticePage, pk=pk)
    if not can_review_good_practice(request.user, page):
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        draft = page.get_latest_revision_as_object()
        context = {"page": draft, "self": draft, "is_draft_preview": True, "review_form": form,
                   "status": services.submission_status(page), **services.case_study_context(page, request.user)}
        return render(request, "communities/good_practice_page.html", context, status=400)
    try:
        services.do_review_good_practice(page, request.user, approve=form.cleaned_data["decision"] == "approve",
                                         comment=form.cleaned_data["comment"])
    except services.ReviewError as error:
        messages.error(request, str(error))
        return redirect("good-practice-review-queue")
    verb = "published" if form.cleaned_data["decision"] == "approve" else "returned to its author with your comments"
    messages.success(request, f"“{page.title}” has been {verb}.")
    return redirect("good-practice-review-queue")


def _live_page(pk: int) -> GoodPracticePage:
    page = GoodPracticePage.objects.published().filter(pk=pk).first()
    if page is None:
        raise Http404
    return page


@require_POST
def mark_helped(request, pk: int):
    page = _live_page(pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={page.url}")
    created = services.do_mark_helped(page, request.user)
    messages.success(request, "Thank you: we have recorded that this helped you." if created
                     else "You have already said this helped you.")
    return HttpResponseRedirect(f"{page.url}#reuse")


@require_POST
def record_adoption(request, pk: int):
    page = _live_page(pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={page.url}")
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your note is too long: keep it under 1,000 characters.")
        return HttpResponseRedirect(f"{page.url}#reuse")
    try:
        adoption = services.do_record_adoption(page, request.user, form.cleaned_data["note"])
    except services.ReuseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Thank you: we have recorded that {adoption.council.short_name} adopted this.")
    return HttpResponseRedirect(f"{page.url}#reuse")


@require_POST
def ask_question(request, pk: int):
    page = _live_page(pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={page.url}")
    try:
        thread = services.do_ask_question(page, request.user, request.POST.get("question", ""))
    except services.ReuseError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(f"{page.url}#discussion-heading")
    messages.success(request, "Your question has been posted. You will find the answers here.")
    return HttpResponseRedirect(thread.url)


class GoodPracticeFeed(Feed):
    """Newly published good practice (RSS 2.0); published case studies only."""

    title = "New good practice"
    description = "Case studies newly published in the good practice library."

    def link(self):
        library = GoodPracticeIndexPage.objects.first()
        return library.url if library else "/"

    def items(self):
        return (GoodPracticePage.objects.published().order_by("-first_published_at")
                .prefetch_related(Prefetch("service_areas", ServiceArea.objects.select_related("parent")))[:30])

    def item_title(self, item: GoodPracticePage) -> str:
        return item.title

    def item_description(self, item: GoodPracticePage) -> str:
        return item.summary

    def item_link(self, item: GoodPracticePage) -> str:
        return item.url

    def item_pubdate(self, item: GoodPracticePage):
        return item.first_published_at

    def item_updateddate(self, item: GoodPracticePage):
        return item.last_published_at

    def item_categories(self, item: GoodPracticePage):
        return [area.full_name for area in item.service_areas.all()]  # prefetched in items()


class GoodPracticeAtomFeed(GoodPracticeFeed):
    feed_type = Atom1Feed
    subtitle = GoodPracticeFeed.description
