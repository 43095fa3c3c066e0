from django.urls import path, re_path

from linkeddata import views

app_name = "linkeddata"

EXT = r"(?:\.(?P<ext>[a-z]+))?"

urlpatterns = [
    re_path(r"^id/(?P<rest>(?:area|dataset|measure|observation)/.+)$", views.see_other, name="id"),
    re_path(rf"^doc/area/(?P<gss>[A-Za-z0-9]+){EXT}$", views.area_document, name="area"),
    re_path(rf"^doc/measure/(?P<slug>[-a-z0-9]+){EXT}$", views.measure_document, name="measure"),
    re_path(rf"^doc/dataset/(?P<slug>[-a-z0-9]+){EXT}$", views.dataset_document, name="dataset"),
    re_path(rf"^doc/observation/(?P<slug>[-a-z0-9]+)/(?P<gss>[A-Za-z0-9]+)/(?P<period>\d{{4}}(?:-\d{{2}})?){EXT}$",
            views.observation_document, name="observation"),
    path("data/", views.catalogue_document, name="catalogue"),
    re_path(r"^data/catalogue\.(?P<ext>[a-z]+)$", views.catalogue_document, name="catalogue-format"),
    path("data/areas/", views.area_search, name="areas"),
    path("data/compare/<str:gss>/", views.compare, name="compare"),
    re_path(r"^data/(?P<slug>[-a-z0-9]+)\.(?P<extension>csv|nt\.gz)$", views.download, name="download"),
    path("sparql", views.sparql, name="sparql"),
]
