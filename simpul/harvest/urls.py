from django.urls import path

from simpul.harvest import views

app_name = "harvest"
urlpatterns = [
    path("harvesting/", views.source_list, name="sources"),
    path("harvesting/test/", views.test_endpoint, name="test"),
    path("harvesting/<int:pk>/", views.source_detail, name="source"),
    path("harvesting/<int:pk>/harvest/", views.harvest_now, name="harvest_now"),
]
