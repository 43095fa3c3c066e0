from django.urls import path

from communities.good_practice import feeds, views

urlpatterns = [
    path("good-practice/submit/", views.submit_good_practice, name="good-practice-submit"),
    path("good-practice/submissions/", views.my_submissions, name="good-practice-submissions"),
    path("good-practice/submissions/<id:pk>/", views.draft_preview, name="good-practice-draft"),
    path(
        "good-practice/submissions/<id:pk>/edit/",
        views.edit_good_practice,
        name="good-practice-edit",
    ),
    path(
        "good-practice/submissions/<id:pk>/send/", views.send_for_review, name="good-practice-send"
    ),
    path("good-practice/review/", views.review_queue, name="good-practice-review-queue"),
    path("good-practice/review/<id:pk>/", views.review_good_practice, name="good-practice-review"),
    path("good-practice/<id:pk>/helped/", views.mark_helped, name="good-practice-helped"),
    path("good-practice/<id:pk>/adopted/", views.record_adoption, name="good-practice-adopted"),
    path("good-practice/<id:pk>/questions/", views.ask_question, name="good-practice-question"),
    path("good-practice/feed/", feeds.GoodPracticeFeed(), name="good-practice-feed"),
    path("good-practice/feed/atom/", feeds.GoodPracticeAtomFeed(), name="good-practice-feed-atom"),
]
