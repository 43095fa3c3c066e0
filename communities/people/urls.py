"""Accounts, profiles, member directories, membership and community proposals."""

from django.contrib.auth import views as auth_views
from django.urls import path

from communities.people import views

urlpatterns = [
    # Accounts (sign in and out are in hub/urls.py as ``login`` and ``logout``)
    path("accounts/signup/", views.sign_up, name="signup"),
    path("accounts/confirm/resend/", views.resend_confirmation, name="resend-confirmation"),
    path("accounts/confirm/<str:token>/", views.confirm_email, name="confirm-email"),
    path(
        "accounts/password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password-change/", views.PasswordChangeView.as_view(), name="password_change"),
    # Profiles and the directory
    path("members/", views.member_directory, name="member-directory"),
    path("members/me/", views.my_profile, name="my-profile"),
    path("members/me/edit/", views.edit_profile, name="edit-profile"),
    path("members/me/communities/", views.my_memberships, name="my-memberships"),
    path("members/<id:user_id>/", views.member_profile, name="member-profile"),
    # Invitations and proposals
    path("invitations/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("community-proposals/", views.proposal_queue, name="proposal-queue"),
    path("community-proposals/new/", views.propose_community, name="propose-community"),
    path(
        "community-proposals/<id:proposal_id>/decide/",
        views.decide_proposal,
        name="decide-proposal",
    ),
    # A community's people
    path("communities/<slug:slug>/members/", views.community_members, name="community-members"),
    path(
        "communities/<slug:slug>/members/<id:user_id>/<slug:action>/",
        views.member_action,
        name="member-action",
    ),
    path("communities/<slug:slug>/join/", views.join_community, name="join-community"),
    path("communities/<slug:slug>/request/", views.request_to_join, name="request-to-join"),
    path("communities/<slug:slug>/leave/", views.leave_community, name="leave-community"),
    path("communities/<slug:slug>/requests/", views.join_requests, name="community-requests"),
    path(
        "communities/<slug:slug>/requests/<id:request_id>/",
        views.decide_join_request,
        name="decide-join-request",
    ),
    path("communities/<slug:slug>/invite/", views.invite, name="community-invite"),
    path(
        "communities/<slug:slug>/invitations/<id:invitation_id>/withdraw/",
        views.withdraw_invitation,
        name="withdraw-invitation",
    ),
    path("communities/<slug:slug>/settings/", views.community_settings, name="community-settings"),
]
