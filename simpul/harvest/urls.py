from django.urls import path

from simpul.harvest import views

app_name = "harvest"
urlpatterns = [
    path("harvesting/", views.source_list, name="sources"),
    path("harvesting/test/", views.test_endpoint, name="test"),
    path("harvesting/<int:pk>/", views.source_detail, name="source"),
    path("harvesting/<int:pk>/harvest/", views.harvest_now, name="harvest_now"),
    path("harvesting/ucs-nodes/", views.add_node, name="add_node"),
    path("harvesting/ucs-nodes/<int:pk>/password/", views.renew_node_password, name="renew_node"),
    path("harvesting/ucs-nodes/<int:pk>/remove/", views.remove_node, name="remove_node"),
    # SLiMS posts to {server address}/ucs.php, or with server version 2 (its default) to
    # /ucpoll.php and /uc-ops.php; an address ending in /ucs is common too.
    *(
        path(f"{prefix}{name}", views.ucs_endpoint, name=f"ucs_{prefix}{name}")
        for prefix in ("", "ucs/")
        for name in ("ucs.php", "ucpoll.php", "uc-ops.php")
    ),
]
