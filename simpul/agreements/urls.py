from django.urls import path

from simpul.agreements import views

app_name = "agreements"
urlpatterns = [
    path("agreements/", views.agreement_list, name="list"),
    path("agreements/new/", views.agreement_create, name="create"),
    path("agreements/expiring/", views.expiring, name="expiring"),
    path("agreements/network/", views.network_view, name="network"),
    path("agreements/<int:pk>/", views.agreement_detail, name="detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("agreements/<int:pk>/document/", views.signed_document, name="document"),
]
