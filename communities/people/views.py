"""Pages for accounts, profiles, the member directory, membership and community proposals.

Views parse input, make one service call and render or redirect; what a person may see comes
from the fetchers in ``communities.permissions``, rules from the services, and every refusal is
rendered by ``communities.refusals.render_refusal``.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from communities.errors import Invalid, NotFound, Refusal
from communities.models import (
    AccountEmail,
    CommunityPage,
    CommunityProposal,
    Invitation,
    JoinRequest,
    Membership,
    Profile,
)
from communities.people import forms, queries
from communities.people.queries import display_name_of
from communities.people.services import accounts, membership, profiles, proposals, signin
from communities.people.services.email_limits import do_allow_account_email
from communities.permissions import (
    access_community,
    can_facilitate,
    can_manage,
    can_see_profile,
    is_email_confirmed,
    is_site_staff,
    readable_communities,
)
from communities.refusals import render_refusal
from hub.floor.clients import client_address
from hub.floor.numbers import page_number

PAGE_SIZE = 30


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _refused(request, community: CommunityPage | None, error: Refusal):
    return render_refusal(request, error, context={"community": community})


def facilitators_only(view):
    """A view for a community's facilitators (and site staff), called with the community instead of its slug."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, slug: str, *args, **kwargs):
        try:
            community = access_community(request.user, slug, "facilitate")
        except NotFound:
            raise
        except Refusal as refusal:  # they may see the community: say so there, with a way back
            return _refused(request, access_community(request.user, slug), refusal)
        return view(request, community, *args, **kwargs)

    return wrapper


def paginate(request, queryset, count: int | None = None):
    """A page of ``queryset``; ``count``: its length when already known (saves counting it)."""
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not counted again
    return paginator.get_page(page_number(request.GET.get("page")))


# -- Accounts -----------------------------------------------------------------------------------


SIGN_IN_BACKEND = "communities.people.backends.ThrottledModelBackend"


def _invitation_token_in(url: str) -> str | None:
    """The invitation token in a ``next`` URL that leads to an invitation, if it does."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.kwargs.get("token") if match.url_name == "accept-invitation" else None


def sign_up(request):
    """Answers the same whether or not the address has an account (its owner is emailed instead);
    only someone who came by an invitation to that very address is signed in at once."""
    if request.user.is_authenticated:
        return redirect("edit-profile")
    form = forms.SignUpForm(
        request.POST or None, initial={"email": request.GET.get("email", "")[:254]}
    )
    next_url = safe_next(request, "")
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        invited = membership.invitation_for_address(_invitation_token_in(next_url), email)
        user = accounts.do_sign_up(
            email=email,
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
            requester=client_address(request),
            base_url=_base_url(request),
        )
        if user is not None and invited is not None:
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(
                request, f"Welcome. You can now accept the invitation to {invited.community.title}."
            )
            return redirect(next_url or reverse("edit-profile"))
        return render(request, "registration/signup_sent.html")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


def confirm_email(request, token: str):
    try:
        user = accounts.do_confirm_email(token)
    except Refusal as exc:
        return render(
            request,
            "registration/confirm_email_failed.html",
            {"reason": str(exc)},
            status=exc.status,
        )
    messages.success(
        request, f"Thank you: {user.email} is confirmed. You can now post in your communities."
    )
    return redirect("my-memberships" if request.user.is_authenticated else "login")


def resend_confirmation(request):
    """A new confirmation link: for the signed-in member's own address, or for an address typed in
    (the page then says the same whether or not it has an account waiting)."""
    own = request.user.is_authenticated and not request.POST.get("email")
    if request.method == "POST" and own:
        if is_email_confirmed(request.user):
            messages.info(request, "Your email address is already confirmed.")
        else:
            accounts.do_resend_confirmation(
                request.user.email, requester=client_address(request), base_url=_base_url(request)
            )
            messages.success(
                request, f"We have sent a new confirmation link to {request.user.email}."
            )
        return redirect("my-memberships")
    form = forms.ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.do_resend_confirmation(
            form.cleaned_data["email"],
            requester=client_address(request),
            base_url=_base_url(request),
        )
        return render(request, "registration/resend_confirmation_sent.html")
    return render(request, "registration/resend_confirmation.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, limited per address and per client; over a limit it answers as usual, sending nothing."""

    extra_email_context = {"site_name": settings.SITE_NAME}
    form_class = forms.QueuedPasswordResetForm

    def form_valid(self, form):
        if do_allow_account_email(
            AccountEmail.Kind.PASSWORD_RESET,
            form.cleaned_data["email"],
            client_address(self.request),
        ):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; the new password also revokes the member's API tokens and feed links, and lifts a
    lock on the account's sign-in."""

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.do_revoke_credentials(form.user)
        signin.do_clear_account_lock(form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's (this session stays signed in, every other one ends); also revokes the member's
    API tokens and feed links."""

    success_url = reverse_lazy("notification-settings")

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = accounts.do_revoke_credentials(form.user)
        messages.success(
            self.request,
            "Your password is changed and you are signed out everywhere else. "
            + (f"Your {revoked} API token{'s' if revoked != 1 else ''} and " if revoked else "")
            + "your private feed links no longer work: make new ones in your notification settings.",
        )
        return response


# -- Profiles and directories ------------------------------------------------------------------


def member_directory(request):
    query = queries.search_text(request.GET.get("q"))
    profiles = queries.member_directory(request.user, query)
    size = queries.member_directory_size(request.user, query)
    return render(
        request,
        "communities/people/directory.html",
        {"page_obj": paginate(request, profiles, size), "query": query},
    )


def member_profile(request, user_id: int):
    profile = (
        Profile.objects.select_related("council", "user")
        .filter(user_id=user_id, user__is_active=True)
        .first()
    )
    if profile is None or not can_see_profile(request.user, profile):
        raise Http404
    communities = (
        readable_communities(request.user)  # who belongs is members-only content
        .filter(memberships__user_id=user_id, memberships__status=Membership.Status.ACTIVE)
        .order_by("title")
    )
    return render(
        request,
        "communities/people/profile.html",
        {
            "profile": profile,
            "communities": communities,
            "is_me": request.user.pk == user_id,
        },
    )


@login_required
def my_profile(request):
    return redirect("member-profile", user_id=request.user.pk)


@login_required
def edit_profile(request):
    profile, _ = Profile.objects.get_or_create(  # accounts made outside sign-up may have none yet
        user=request.user,
        defaults={"display_name": request.user.get_full_name() or request.user.get_username()},
    )
    form = forms.ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profiles.do_update_profile(profile, by=request.user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("member-profile", user_id=request.user.pk)
    return render(request, "communities/people/edit_profile.html", {"form": form})


@login_required
def my_memberships(request):
    memberships = (
        Membership.objects.filter(user=request.user, community__live=True)
        .exclude(status=Membership.Status.LEFT)
        .select_related("community")
        .order_by("community__title")
    )
    return render(
        request,
        "communities/people/my_memberships.html",
        {
            "memberships": memberships,
            "join_requests": JoinRequest.objects.filter(user=request.user).select_related(
                "community"
            )[:20],
            "proposals": CommunityProposal.objects.filter(proposer=request.user).select_related(
                "community"
            )[:20],
            "email_confirmed": is_email_confirmed(request.user),
            "proposals_waiting": CommunityProposal.objects.filter(
                status=CommunityProposal.Status.PENDING
            ).count()
            if is_site_staff(request.user)
            else None,
        },
    )


def community_members(request, slug: str):
    community = access_community(request.user, slug, "read")  # who belongs is members-only content
    facilitating = can_facilitate(request.user, community)
    query = queries.search_text(request.GET.get("q"))
    memberships = queries.community_members(
        request.user, community, facilitating=facilitating, query=query
    )
    context = {
        "community": community,
        "page_obj": paginate(request, memberships),
        "query": query,
        "can_facilitate": facilitating,
        "can_manage": can_manage(request.user, community),
        "role_choices": Membership.Role.choices,
    }
    if facilitating:
        context["banned"] = Membership.objects.filter(
            community=community, status=Membership.Status.BANNED
        ).select_related("user__profile")
    return render(request, "communities/people/community_members.html", context)


# -- Joining, requesting, leaving ---------------------------------------------------------------


@require_POST
def join_community(request, slug: str):
    community = access_community(request.user, slug)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={community.url}")
    try:
        membership.do_join(request.user, community)
    except Refusal as exc:
        return _refused(request, community, exc)
    messages.success(request, f"You have joined {community.title}.")
    return redirect(community.url)


@login_required
def request_to_join(request, slug: str):
    community = access_community(request.user, slug)
    form = forms.JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership.do_request_to_join(request.user, community, form.cleaned_data["message"])
        except Refusal as exc:
            return _refused(request, community, exc)
        messages.success(
            request, "Your request has been sent. You will hear when a facilitator decides."
        )
        return redirect("my-memberships")
    return render(
        request, "communities/people/request_to_join.html", {"community": community, "form": form}
    )


@login_required
@require_POST
def leave_community(request, slug: str):
    community = access_community(request.user, slug)
    try:
        membership.do_leave(request.user, community)
    except Refusal as exc:
        return _refused(request, community, exc)
    messages.success(request, f"You have left {community.title}.")
    return redirect("my-memberships")


# -- Facilitators: requests, invitations, members -----------------------------------------------


@facilitators_only
def join_requests(request, community: CommunityPage):
    pending = JoinRequest.objects.filter(
        community=community, status=JoinRequest.Status.PENDING
    ).select_related("user__profile")
    decided = (
        JoinRequest.objects.filter(community=community)
        .exclude(status=JoinRequest.Status.PENDING)
        .select_related("user__profile", "decided_by__profile")[:20]
    )
    return render(
        request,
        "communities/people/join_requests.html",
        {
            "community": community,
            "pending": pending,
            "decided": decided,
            "form": forms.DecisionForm(),
        },
    )


@require_POST
@facilitators_only
def decide_join_request(request, community: CommunityPage, request_id: int):
    try:
        join_request = get_object_or_404(JoinRequest, pk=request_id, community=community)
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            raise Invalid("Choose approve or decline.")
        approve = form.cleaned_data["decision"] == "approve"
        membership.do_decide_request(
            join_request, by=request.user, approve=approve, response=form.cleaned_data["response"]
        )
    except Refusal as exc:
        return _refused(request, community, exc)
    name = display_name_of(join_request.user)
    messages.success(
        request, f"{name} is now a member." if approve else f"You declined {name}'s request."
    )
    return redirect("community-requests", slug=community.slug)


@facilitators_only
def invite(request, community: CommunityPage):
    form = forms.InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership.do_invite(
                community,
                email=form.cleaned_data["email"],
                by=request.user,
                base_url=_base_url(request),
            )
        except Refusal as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request, f"We have emailed an invitation to {form.cleaned_data['email']}."
            )
            return redirect("community-invite", slug=community.slug)
    invitations = Invitation.objects.filter(community=community)
    return render(
        request,
        "communities/people/invite.html",
        {
            "community": community,
            "form": form,
            "pending": invitations.pending().select_related("invited_by__profile"),
            "past": invitations.past().select_related("withdrawn_by__profile")[:30],
        },
    )


@require_POST
@facilitators_only
def withdraw_invitation(request, community: CommunityPage, invitation_id: int):
    invitation = get_object_or_404(
        Invitation, pk=invitation_id, community=community
    )  # never another community's
    try:
        withdrawn = membership.do_withdraw_invitation(invitation, by=request.user)
    except Refusal as exc:
        return _refused(request, community, exc)
    if withdrawn:
        messages.success(
            request, f"The invitation to {invitation.email} is withdrawn: its link no longer works."
        )
    else:
        messages.info(request, f"The invitation to {invitation.email} was already withdrawn.")
    return redirect("community-invite", slug=community.slug)


def accept_invitation(request, token: str):
    try:
        invitation = membership.load_invitation(token)
    except Refusal as exc:
        return _refused(request, None, exc)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership.do_accept_invitation(token, request.user)
        except Refusal as exc:
            return _refused(request, None, exc)
        messages.success(request, f"Welcome to {invitation.community.title}.")
        return redirect(invitation.community.url)
    has_account = get_user_model().objects.filter(username__iexact=invitation.email).exists()
    return render(
        request,
        "communities/people/accept_invitation.html",
        {
            "invitation": invitation,
            "community": invitation.community,
            "has_account": has_account,
            "here": request.get_full_path(),
        },
    )


MEMBER_ACTIONS = {"remove", "ban", "unban", "role"}


@login_required
@require_POST
def member_action(request, slug: str, user_id: int, action: str):
    if action not in MEMBER_ACTIONS:
        raise Http404
    community = access_community(request.user, slug)
    try:
        # Who may act is settled before the target is looked up: the same answer for anyone.
        membership.check_can_act_on_members(community, request.user, action)
    except Refusal as exc:
        return _refused(request, community, exc)
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
                raise Invalid("Choose member, facilitator or owner.")
            changed = membership.do_change_role(
                community, target, role=form.cleaned_data["role"], by=request.user
            )
            done = f"{display_name_of(target)} is now {changed.get_role_display().lower()}."
    except Membership.DoesNotExist:
        raise Http404 from None
    except Refusal as exc:
        return _refused(request, community, exc)
    messages.success(request, done)
    return redirect("community-members", slug=slug)


@login_required
def community_settings(request, slug: str):
    community = access_community(request.user, slug, "manage")
    initial = {
        "description": community.description,
        "tags": list(community.tags.all()),
        "visibility": community.visibility,
    }
    form = forms.CommunitySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        membership.do_update_community_settings(
            community,
            by=request.user,
            description=form.cleaned_data["description"],
            tags=form.cleaned_data["tags"],
            visibility=form.cleaned_data["visibility"],
        )
        messages.success(request, "The community's settings are saved.")
        return redirect(community.url)
    return render(
        request,
        "communities/people/community_settings.html",
        {"community": community, "form": form},
    )


# -- Proposals ----------------------------------------------------------------------------------


@login_required
def propose_community(request):
    form = forms.ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.do_propose_community(by=request.user, **form.cleaned_data)
        except Refusal as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Thank you: site staff will review your proposal. You will hear by email."
            )
            return redirect("my-memberships")
    return render(request, "communities/people/propose_community.html", {"form": form})


@login_required
def proposal_queue(request):
    if not is_site_staff(request.user):
        return _refused(request, None, Refusal("Only site staff review community proposals."))
    return render(
        request,
        "communities/people/proposal_queue.html",
        {
            "pending": CommunityProposal.objects.filter(
                status=CommunityProposal.Status.PENDING
            ).select_related("proposer__profile"),
            "decided": CommunityProposal.objects.exclude(
                status=CommunityProposal.Status.PENDING
            ).select_related("proposer__profile", "community")[:20],
        },
    )


@login_required
@require_POST
def decide_proposal(request, proposal_id: int):
    if not is_site_staff(request.user):
        return _refused(request, None, Refusal("Only site staff review community proposals."))
    proposal = get_object_or_404(CommunityProposal, pk=proposal_id)
    form = forms.DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid("Choose approve or decline.")
        approve = form.cleaned_data["decision"] == "approve"
        proposals.do_decide_proposal(
            proposal, by=request.user, approve=approve, response=form.cleaned_data["response"]
        )
    except Refusal as exc:
        return _refused(request, None, exc)
    messages.success(
        request,
        f"“{proposal.title}” is approved and created."
        if approve
        else f"“{proposal.title}” is declined.",
    )
    return redirect("proposal-queue")
