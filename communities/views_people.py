"""Pages for accounts, profiles, the member directory, membership, moderation and proposals.

Views parse input, make one service call and render or redirect; permissions come from
``communities.permissions`` and rules from the services.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from communities import forms_people as forms
from communities.models import (
    CommunityPage,
    CommunityProposal,
    Flag,
    Invitation,
    JoinRequest,
    Membership,
    ModerationAction,
    Post,
    Profile,
    ThreadPage,
)
from communities.permissions import (
    can_facilitate,
    can_flag_post,
    can_flag_thread,
    can_manage,
    can_read_community,
    can_see_community,
    can_see_profile,
    facilitated_community_filter,
    is_email_confirmed,
    is_site_staff,
    visible_profile_filter,
)
from communities.services import accounts, membership, moderation, proposals
from communities.services.membership import NotAllowed, display_name_of

PAGE_SIZE = 30


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _community_or_404(request, slug: str) -> CommunityPage:
    """The live community at ``slug`` if the visitor may know it exists (private ones are a 404)."""
    community = CommunityPage.objects.live().filter(slug=slug).first()
    if community is None or not can_see_community(request.user, community):
        raise Http404
    return community


def _members_only(request, community: CommunityPage):
    return TemplateResponse(
        request, "communities/members_only.html", {"page": community, "community": community}, status=403
    )


def _refused(request, community: CommunityPage | None, error: Exception, status: int = 403):
    return TemplateResponse(
        request, "communities/people/refused.html", {"community": community, "reason": str(error)}, status=status
    )


def facilitators_only(view):
    """A view for a community's facilitators (and site staff), called with the community instead of its slug."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, slug: str, *args, **kwargs):
        community = _community_or_404(request, slug)
        if not can_facilitate(request.user, community):
            return _refused(request, community, NotAllowed("Only the community's facilitators can do this."))
        return view(request, community, *args, **kwargs)

    return wrapper


def _paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# -- Accounts -----------------------------------------------------------------------------------


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("edit-profile")
    form = forms.SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")[:254]})
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.do_sign_up(
                email=form.cleaned_data["email"], password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"], base_url=_base_url(request),
            )
        except accounts.AccountError as exc:
            form.add_error("email", str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome. We have sent a link to {user.email}: follow it to confirm your address before you post.",
            )
            return redirect(_safe_next(request, reverse("edit-profile")))
    return render(request, "registration/signup.html", {"form": form, "next": _safe_next(request, "")})


def confirm_email(request, token: str):
    try:
        user = accounts.do_confirm_email(token)
    except accounts.AccountError as exc:
        return render(request, "registration/confirm_email_failed.html", {"reason": str(exc)}, status=400)
    messages.success(request, f"Thank you: {user.email} is confirmed. You can now post in your communities.")
    return redirect("my-memberships" if request.user.is_authenticated else "login")


@login_required
@require_POST
def resend_confirmation(request):
    if is_email_confirmed(request.user):
        messages.info(request, "Your email address is already confirmed.")
    else:
        accounts.do_send_confirmation(request.user, base_url=_base_url(request))
        messages.success(request, f"We have sent a new confirmation link to {request.user.email}.")
    return redirect("my-memberships")


# -- Profiles and directories ------------------------------------------------------------------


def _profile_search(request, profiles):
    query = request.GET.get("q", "").strip()[:100]
    if query:
        profiles = profiles.filter(
            Q(display_name__icontains=query) | Q(job_title__icontains=query)
            | Q(council__short_name__icontains=query) | Q(expertise__name__iexact=query)
        ).distinct()
    return query, profiles


def member_directory(request):
    profiles = (
        Profile.objects.filter(visible_profile_filter(request.user), user__is_active=True)
        .select_related("council").order_by("display_name", "pk")
    )
    query, profiles = _profile_search(request, profiles)
    return render(request, "communities/people/directory.html", {"page_obj": _paginate(request, profiles), "query": query})


def member_profile(request, user_id: int):
    profile = Profile.objects.select_related("council", "user").filter(user_id=user_id, user__is_active=True).first()
    if profile is None or not can_see_profile(request.user, profile):
        raise Http404
    communities = (
        CommunityPage.objects.live().readable_by(request.user)  # who belongs is members-only content
        .filter(memberships__user_id=user_id, memberships__status=Membership.Status.ACTIVE).order_by("title")
    )
    return render(request, "communities/people/profile.html", {
        "profile": profile, "communities": communities, "is_me": request.user.pk == user_id,
    })


@login_required
def my_profile(request):
    return redirect("member-profile", user_id=request.user.pk)


@login_required
def edit_profile(request):
    profile, _ = Profile.objects.get_or_create(  # accounts made outside sign-up may have none yet
        user=request.user, defaults={"display_name": request.user.get_full_name() or request.user.get_username()}
    )
    form = forms.ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("member-profile", user_id=request.user.pk)
    return render(request, "communities/people/edit_profile.html", {"form": form})


@login_required
def my_memberships(request):
    memberships = (
        Membership.objects.filter(user=request.user, community__live=True)
        .exclude(status=Membership.Status.LEFT).select_related("community").order_by("community__title")
    )
    return render(request, "communities/people/my_memberships.html", {
        "memberships": memberships,
        "join_requests": JoinRequest.objects.filter(user=request.user).select_related("community")[:20],
        "proposals": CommunityProposal.objects.filter(proposer=request.user).select_related("community")[:20],
        "email_confirmed": is_email_confirmed(request.user),
        "proposals_waiting": CommunityProposal.objects.filter(status=CommunityProposal.Status.PENDING).count()
        if is_site_staff(request.user) else None,
    })


def community_members(request, slug: str):
    community = _community_or_404(request, slug)
    if not can_read_community(request.user, community):
        return _members_only(request, community)
    facilitating = can_facilitate(request.user, community)
    memberships = (
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
        .select_related("user__profile__council").order_by("user__profile__display_name", "pk")
    )
    if not facilitating:  # facilitators see everyone they manage; others what profiles allow
        memberships = memberships.filter(user__profile__in=Profile.objects.filter(visible_profile_filter(request.user)))
    query = request.GET.get("q", "").strip()[:100]
    if query:
        memberships = memberships.filter(
            Q(user__profile__display_name__icontains=query) | Q(user__profile__job_title__icontains=query)
        )
    context = {
        "community": community, "page_obj": _paginate(request, memberships), "query": query,
        "can_facilitate": facilitating, "can_manage": can_manage(request.user, community),
        "role_choices": Membership.Role.choices,
    }
    if facilitating:
        context["banned"] = Membership.objects.filter(community=community, status=Membership.Status.BANNED).select_related("user__profile")
    return render(request, "communities/people/community_members.html", context)


# -- Joining, requesting, leaving ---------------------------------------------------------------


@require_POST
def join_community(request, slug: str):
    community = _community_or_404(request, slug)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={community.url}")
    try:
        membership.do_join(request.user, community)
    except NotAllowed as exc:
        return _refused(request, community, exc)
    messages.success(request, f"You have joined {community.title}.")
    return redirect(community.url)


@login_required
def request_to_join(request, slug: str):
    community = _community_or_404(request, slug)
    form = forms.JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership.do_request_to_join(request.user, community, form.cleaned_data["message"])
        except NotAllowed as exc:
            return _refused(request, community, exc)
        messages.success(request, "Your request has been sent. You will hear when a facilitator decides.")
        return redirect("my-memberships")
    return render(request, "communities/people/request_to_join.html", {"community": community, "form": form})


@login_required
@require_POST
def leave_community(request, slug: str):
    community = _community_or_404(request, slug)
    try:
        membership.do_leave(request.user, community)
    except NotAllowed as exc:
        return _refused(request, community, exc, status=400)
    messages.success(request, f"You have left {community.title}.")
    return redirect("my-memberships")


# -- Facilitators: requests, invitations, members -----------------------------------------------


@facilitators_only
def join_requests(request, community: CommunityPage):
    pending = JoinRequest.objects.filter(community=community, status=JoinRequest.Status.PENDING).select_related("user__profile")
    decided = JoinRequest.objects.filter(community=community).exclude(status=JoinRequest.Status.PENDING).select_related("user__profile", "decided_by__profile")[:20]
    return render(request, "communities/people/join_requests.html", {
        "community": community, "pending": pending, "decided": decided, "form": forms.DecisionForm(),
    })


@require_POST
@facilitators_only
def decide_join_request(request, community: CommunityPage, request_id: int):
    try:
        join_request = get_object_or_404(JoinRequest, pk=request_id, community=community)
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            raise NotAllowed("Choose approve or decline.")
        approve = form.cleaned_data["decision"] == "approve"
        membership.do_decide_request(join_request, by=request.user, approve=approve, response=form.cleaned_data["response"])
    except NotAllowed as exc:
        return _refused(request, community, exc)
    name = display_name_of(join_request.user)
    messages.success(request, f"{name} is now a member." if approve else f"You declined {name}'s request.")
    return redirect("community-requests", slug=community.slug)


@facilitators_only
def invite(request, community: CommunityPage):
    form = forms.InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership.do_invite(community, email=form.cleaned_data["email"], by=request.user, base_url=_base_url(request))
        except NotAllowed as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"We have emailed an invitation to {form.cleaned_data['email']}.")
            return redirect("community-invite", slug=community.slug)
    invitations = Invitation.objects.filter(community=community)
    return render(request, "communities/people/invite.html", {
        "community": community, "form": form,
        "pending": invitations.pending().select_related("invited_by__profile"),
        "past": invitations.past().select_related("withdrawn_by__profile")[:30],
    })


@require_POST
@facilitators_only
def withdraw_invitation(request, community: CommunityPage, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, community=community)  # never another community's
    try:
        withdrawn = membership.do_withdraw_invitation(invitation, by=request.user)
    except NotAllowed as exc:
        return _refused(request, community, exc)
    if withdrawn:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn: its link no longer works.")
    else:
        messages.info(request, f"The invitation to {invitation.email} was already withdrawn.")
    return redirect("community-invite", slug=community.slug)


def accept_invitation(request, token: str):
    try:
        invitation = membership.load_invitation(token)
    except NotAllowed as exc:
        return _refused(request, None, exc, status=400)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership.do_accept_invitation(token, request.user)
        except NotAllowed as exc:
            return _refused(request, None, exc, status=400)
        messages.success(request, f"Welcome to {invitation.community.title}.")
        return redirect(invitation.community.url)
    has_account = get_user_model().objects.filter(username__iexact=invitation.email).exists()
    return render(request, "communities/people/accept_invitation.html", {
        "invitation": invitation, "community": invitation.community, "has_account": has_account,
        "here": request.get_full_path(),
    })


MEMBER_ACTIONS = {"remove", "ban", "unban", "role"}


@login_required
@require_POST
def member_action(request, slug: str, user_id: int, action: str):
    if action not in MEMBER_ACTIONS:
        raise Http404
    community = _community_or_404(request, slug)
    target = get_object_or_404(get_user_model(), pk=user_id)
    try:
        if action == "remove":
            membership.do_remove_member(community, target, by=request.user)
            done = f"{display_name_of(target)} is no longer a member."
        elif action == "ban":
            membership.do_ban(community, target, by=request.user)
            done = f"{display_name_of(target)} is banned."
        elif action == "unban":
            membership.do_unban(community, target, by=request.user)
            done = f"The ban on {display_name_of(target)} is lifted."
        else:
            form = forms.RoleForm(request.POST)
            if not form.is_valid():
                raise NotAllowed("Choose member, facilitator or owner.")
            changed = membership.do_change_role(community, target, role=form.cleaned_data["role"], by=request.user)
            done = f"{display_name_of(target)} is now {changed.get_role_display().lower()}."
    except Membership.DoesNotExist:
        raise Http404 from None
    except NotAllowed as exc:
        return _refused(request, community, exc)
    messages.success(request, done)
    return redirect("community-members", slug=slug)


@login_required
def community_settings(request, slug: str):
    community = _community_or_404(request, slug)
    if not can_manage(request.user, community):
        return _refused(request, community, NotAllowed("Only the community's owners change its settings."))
    initial = {"description": community.description, "tags": list(community.tags.all()), "visibility": community.visibility}
    form = forms.CommunitySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        membership.do_update_community_settings(
            community, by=request.user, description=form.cleaned_data["description"],
            tags=form.cleaned_data["tags"], visibility=form.cleaned_data["visibility"],
        )
        messages.success(request, "The community's settings are saved.")
        return redirect(community.url)
    return render(request, "communities/people/community_settings.html", {"community": community, "form": form})


# -- Moderation ---------------------------------------------------------------------------------


def _flag(request, *, thread: ThreadPage, may_flag: bool, flag, body: str, back_url: str, opening_post: bool):
    """The flag form for a reply or an opening post: 404 where the community is private to the
    visitor, the members-only page where they may not read it."""
    community = thread.community
    if not can_see_community(request.user, community):
        raise Http404
    if not may_flag:
        return _members_only(request, community)
    form = forms.FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        flag(by=request.user, reason=form.cleaned_data["reason"], detail=form.cleaned_data["detail"])
        messages.success(request, "Thank you. The community's facilitators will look at the post.")
        return redirect(back_url)
    return render(request, "communities/people/flag_post.html", {
        "thread": thread, "community": community, "form": form, "body": body, "back_url": back_url,
        "opening_post": opening_post,
    })


@login_required
def flag_post(request, post_id: int):
    post = get_object_or_404(
        Post.objects.select_related("thread__community"), pk=post_id, is_deleted=False, is_hidden=False, thread__live=True
    )
    return _flag(request, thread=post.thread, may_flag=can_flag_post(request.user, post),
                 flag=functools.partial(moderation.do_flag_post, post), body=post.body,
                 back_url=f"{post.thread.url}#post-{post.pk}", opening_post=False)


@login_required
def flag_thread(request, thread_id: int):
    """Flag a thread's opening post."""
    thread = get_object_or_404(ThreadPage.objects.live().select_related("community"), pk=thread_id)
    return _flag(request, thread=thread, may_flag=can_flag_thread(request.user, thread),
                 flag=functools.partial(moderation.do_flag_thread, thread), body=thread.body,
                 back_url=f"{thread.url}#opening-post", opening_post=True)


@facilitators_only
def moderation_queue(request, community: CommunityPage):
    flags = (
        Flag.objects.open().in_community(community)
        .select_related("post__thread", "post__author__profile", "thread__author__profile", "flagged_by__profile")
        .order_by("created_at")
    )
    return render(request, "communities/people/moderation_queue.html", {
        "community": community, "flags": flags,
        "pending_requests": JoinRequest.objects.filter(community=community, status=JoinRequest.Status.PENDING).count(),
        # hidden threads too, so that facilitators can find them again and unhide them
        "threads": ThreadPage.objects.filter(community=community).order_by("-last_activity_at")[:50],
    })


@facilitators_only
def moderation_log(request, community: CommunityPage):
    entries = ModerationAction.objects.filter(community=community).select_related("actor__profile", "subject__profile", "thread", "post")
    return render(request, "communities/people/moderation_log.html", {"community": community, "page_obj": _paginate(request, entries)})


THREAD_ACTIONS = {
    "lock": (moderation.do_lock_thread, "The thread is locked."),
    "unlock": (moderation.do_unlock_thread, "The thread is unlocked."),
    "pin": (moderation.do_pin_thread, "The thread is pinned."),
    "unpin": (moderation.do_unpin_thread, "The thread is unpinned."),
    "hide": (moderation.do_hide_thread, "The thread is hidden."),
    "unhide": (moderation.do_unhide_thread, "The thread is visible again."),
}


@facilitators_only
def moderate_thread(request, community: CommunityPage, thread_id: int):
    thread = get_object_or_404(ThreadPage.objects.select_related("author__profile"), pk=thread_id, community=community)
    targets = CommunityPage.objects.live().filter(facilitated_community_filter(request.user)).exclude(pk=community.pk).order_by("title")
    form = forms.MoveThreadForm(request.POST or None, communities=targets)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "move":
                if not form.is_valid():
                    raise NotAllowed("Choose the community to move the thread to.")
                moved = moderation.do_move_thread(thread, to=form.cleaned_data["to"], by=request.user)
                messages.success(request, f"The thread is now in {form.cleaned_data['to'].title}.")
                return redirect(moved.url)
            if action == "dismiss":
                moderation.do_dismiss_flags(thread, by=request.user)
                messages.success(request, "The flags on the opening post are dismissed.")
            elif action in THREAD_ACTIONS:
                do, done = THREAD_ACTIONS[action]
                do(thread, by=request.user)
                messages.success(request, done)
            else:
                raise NotAllowed("Choose what to do with the thread.")
            return redirect(_safe_next(request, reverse("moderate-thread", args=[community.slug, thread.pk])))
        except NotAllowed as exc:
            form.add_error(None, str(exc))
    posts = thread.posts.filter(is_deleted=False).select_related("author__profile").prefetch_related(Prefetch("flags", queryset=Flag.objects.open())).order_by("created_at")  # as the opening post's count
    return render(request, "communities/people/moderate_thread.html", {
        "community": community, "thread": thread, "posts": posts, "form": form, "has_targets": targets.exists(),
        "opening_post_flags": thread.flags.open().count(),
    })


@require_POST
@facilitators_only
def moderate_post(request, community: CommunityPage, post_id: int, action: str):
    actions = {"hide": moderation.do_hide_post, "unhide": moderation.do_unhide_post}
    if action not in actions and action != "dismiss":
        raise Http404
    try:
        post = get_object_or_404(Post.objects.select_related("thread__community"), pk=post_id, thread__community=community)
        if action == "dismiss":
            moderation.do_dismiss_flags(post, by=request.user)
            messages.success(request, "The flags on the post are dismissed.")
        else:
            actions[action](post, by=request.user)
            messages.success(request, "The post is hidden." if action == "hide" else "The post is visible again.")
    except NotAllowed as exc:
        return _refused(request, community, exc)
    return redirect(_safe_next(request, reverse("moderation-queue", args=[community.slug])))


# -- Proposals ----------------------------------------------------------------------------------


@login_required
def propose_community(request):
    form = forms.ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.do_propose_community(by=request.user, **form.cleaned_data)
        except NotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Thank you: site staff will review your proposal. You will hear by email.")
            return redirect("my-memberships")
    return render(request, "communities/people/propose_community.html", {"form": form})


@login_required
def proposal_queue(request):
    if not is_site_staff(request.user):
        return _refused(request, None, NotAllowed("Only site staff review community proposals."))
    return render(request, "communities/people/proposal_queue.html", {
        "pending": CommunityProposal.objects.filter(status=CommunityProposal.Status.PENDING).select_related("proposer__profile"),
        "decided": CommunityProposal.objects.exclude(status=CommunityProposal.Status.PENDING).select_related("proposer__profile", "community")[:20],
    })


@login_required
@require_POST
def decide_proposal(request, proposal_id: int):
    if not is_site_staff(request.user):
        return _refused(request, None, NotAllowed("Only site staff review community proposals."))
    proposal = get_object_or_404(CommunityProposal, pk=proposal_id)
    form = forms.DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise NotAllowed("Choose approve or decline.")
        approve = form.cleaned_data["decision"] == "approve"
        proposals.do_decide_proposal(proposal, by=request.user, approve=approve, response=form.cleaned_data["response"])
    except NotAllowed as exc:
        return _refused(request, None, exc, status=400)
    messages.success(request, f"“{proposal.title}” is approved and created." if approve else f"“{proposal.title}” is declined.")
    return redirect("proposal-queue")
