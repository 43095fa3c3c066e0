"""Following figures and a community's linked measures."""

from django.urls import path

from communities.data_alerts import views

urlpatterns = [
    path("data/follow/", views.follow, name="data-follow"),
    path("data/follows/<id:follow_id>/remove/", views.unfollow, name="data-unfollow"),
    path("data/follows/own-council/", views.own_council, name="data-own-council"),
    path(
        "communities/<slug:slug>/linked-measures/",
        views.community_linked_measures,
        name="community-linked-measures",
    ),
]
