from django.urls import path

from simpul.catalog import staff_views, views

app_name = "catalog"
urlpatterns = [
    path("catalogue/", views.search, name="search"),
    path("catalogue/suggest/", views.suggest, name="suggest"),
    path("catalogue/imports/", staff_views.import_list, name="imports"),
    path("catalogue/imports/<int:pk>/", staff_views.import_detail, name="import"),
    path(
        "catalogue/imports/<int:pk>/problems.csv",
        staff_views.import_problems,
        name="import_problems",
    ),
    path(
        "catalogue/imports/<int:pk>/repairs.csv",
        staff_views.import_repairs,
        name="import_repairs",
    ),
    path(
        "catalogue/records/<int:record_pk>/split/",
        staff_views.split_record,
        name="split_record",
    ),
    path(
        "catalogue/records/<int:record_pk>/merge/",
        staff_views.merge_record,
        name="merge_record",
    ),
    path("catalogue/<int:pk>/", views.record, name="record"),
    path("catalogue/<int:pk>/export/<slug:fmt>/", views.export, name="export"),
    # Local identifiers may hold slashes and colons (OAI identifiers), hence <path:>.
    path("catalogue/records/<str:code>/<path:local_id>", views.member_record, name="member_record"),
]
