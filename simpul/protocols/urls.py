from django.urls import path

from simpul.protocols import views

app_name = "protocols"
urlpatterns = [
    path("oai", views.oai_pmh, name="oai"),
    path("sru", views.sru_endpoint, name="sru"),
]
