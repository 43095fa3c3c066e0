"""Front-end routes of the communities app, assembled from its wings (pages themselves are Wagtail
pages): people (accounts, profiles, directory, membership, proposals), discussions (threads,
posts, flags and moderation, notifications, dashboard, feeds) and good practice."""

from django.urls import include, path

urlpatterns = [
    path("", include("communities.people.urls")),
    path("", include("communities.discussions.urls")),
    path("", include("communities.good_practice.urls")),
    path("", include("communities.data_alerts.urls")),
]
