"""Front-end routes of the communities app (pages themselves are Wagtail pages).

Split by area so that each stays small: people (accounts, profiles, directory, membership,
moderation), discussions (threads, posts, notifications, dashboard, feeds) and good practice.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("communities.urls_people")),
    path("", include("communities.urls_discussions")),
    path("", include("communities.urls_good_practice")),
]
