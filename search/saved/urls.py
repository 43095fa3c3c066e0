from django.urls import path

from search.saved import views

urlpatterns = [
    path("", views.saved_searches, name="saved-searches"),
    path("<id:saved_id>/", views.change_saved_search, name="saved-search-change"),
    path("<id:saved_id>/delete/", views.delete_saved_search, name="saved-search-delete"),
]
