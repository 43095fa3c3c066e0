from django.urls import path, re_path

from linkeddata import views

app_name = "linkeddata"

EXT = r"(?:\.(?P<ext>[a-z]+))?"
PERIOD = r"\d{4}(?:-\d{2})?"  # a period as a URL segment: 2023 or 2023-24

urlpatterns = [
    re_path(
        r"^id/(?P<rest>(?:area|dataset|measure|observation|slice|structure|unit|practice|community|thread|service-area)/.+|service-areas)$",
        views.see_other,
        name="id",
    ),
    path("graph/<slug:name>", views.named_graph, name="graph"),
    re_path(rf"^doc/area/(?P<gss>[A-Za-z0-9]+){EXT}$", views.area_document, name="area"),
    re_path(rf"^doc/measure/(?P<slug>[-a-z0-9]+){EXT}$", views.measure_document, name="measure"),
    re_path(rf"^doc/dataset/(?P<slug>[-a-z0-9]+){EXT}$", views.dataset_document, name="dataset"),
    re_path(
        rf"^doc/observation/(?P<slug>[-a-z0-9]+)/(?P<gss>[A-Za-z0-9]+)/(?P<period>{PERIOD}){EXT}$",
        views.observation_document,
        name="observation",
    ),
    re_path(
        rf"^doc/slice/(?P<slug>[-a-z0-9]+)/(?P<period>{PERIOD}){EXT}$",
        views.period_slice_document,
        name="period-slice",
    ),
    re_path(
        rf"^doc/slice/(?P<slug>[-a-z0-9]+)/area/(?P<gss>[A-Za-z0-9]+){EXT}$",
        views.area_slice_document,
        name="area-slice",
    ),
    re_path(
        rf"^doc/structure/(?P<slug>[-a-z0-9]+){EXT}$", views.structure_document, name="structure"
    ),
    re_path(
        rf"^doc/structure/(?P<slug>[-a-z0-9]+)/(?P<key>period-slice|area-slice){EXT}$",
        views.slice_key_document,
        name="slice-key",
    ),
    re_path(
        rf"^doc/(?P<kind>practice|community|thread|service-area)/(?P<key>[-\w]+?){EXT}$",
        views.content_document,
        name="content",
    ),
    re_path(
        rf"^doc/(?P<kind>service-areas){EXT}$",
        views.content_document,
        {"key": ""},
        name="service-areas",
    ),
    re_path(rf"^doc/unit/(?P<slug>[-\w]+){EXT}$", views.unit_document, name="unit"),
    path("data/", views.catalogue_document, name="catalogue"),
    re_path(
        r"^data/catalogue\.(?P<ext>[a-z]+)$", views.catalogue_document, name="catalogue-format"
    ),
    path("data/areas/", views.area_search, name="areas"),
    path("data/compare/<str:gss>/", views.compare, name="compare"),
    re_path(
        r"^data/(?P<slug>[-a-z0-9]+)\.(?P<extension>csv|nt\.gz)$", views.download, name="download"
    ),
    path("data/<slug:slug>.csv-metadata.json", views.csv_metadata, name="csv-metadata"),
    path("sparql", views.sparql, name="sparql"),
]
