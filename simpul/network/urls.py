from django.urls import path

from simpul.network import views

app_name = "network"
urlpatterns = [
    path("network/", views.network_page, name="network"),
    path("libraries/", views.directory, name="directory"),
    path("libraries/<str:code>/", views.library_detail, name="library"),
    path("libraries/<str:code>/edit/", views.library_edit, name="library_edit"),
    path("libraries/<str:code>/staff/", views.library_staff_page, name="library_staff"),
]
