from django.urls import include, path

from search import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/autocomplete/", views.autocomplete, name="search-autocomplete"),
    path("search/go/", views.result_click, name="search-click"),
    path("search/analytics/", views.analytics, name="search-analytics"),
    path("search/saved/", include("search.saved.urls")),
]
