from django.urls import path

from simpul.catalog import views

app_name = "catalog"
urlpatterns = [
    path("catalogue/", views.search, name="search"),
    path("catalogue/suggest/", views.suggest, name="suggest"),
    path("catalogue/<int:pk>/", views.record, name="record"),
    path("catalogue/<int:pk>/export/<slug:fmt>/", views.export, name="export"),
    # Local identifiers may hold slashes and colons (OAI identifiers), hence <path:>.
    path("catalogue/records/<str:code>/<path:local_id>", views.member_record, name="member_record"),
]
