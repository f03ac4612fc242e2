from django.urls import path

from simpul.repository import views

app_name = "repository"
urlpatterns = [
    path("repository/", views.home, name="home"),
    path("repository/deposit/<str:code>/", views.deposit, name="deposit"),
    path("repository/staff/", views.queue, name="queue"),
    path("repository/staff/authors/", views.deposit_policy, name="deposit_policy"),
    path("repository/sources/", views.member_repositories, name="member_repositories"),
    path("repository/items/<int:pk>/", views.item_page, name="item"),
    path("repository/items/<int:pk>/edit/", views.edit, name="edit"),
    path("repository/items/<int:pk>/review/<str:decision>/", views.review, name="review"),
    path("repository/items/<int:pk>/publish/", views.publish, name="publish"),
    path("repository/items/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "repository/items/<int:pk>/files/<int:file_pk>/<path:name>",
        views.download,
        name="download",
    ),
    path(
        "repository/items/<int:pk>/audit.<str:fmt>",
        views.item_audit,
        name="item_audit",
    ),
    path("repository/audit.<str:fmt>", views.network_audit, name="audit"),
    path("repository/preservation/", views.preservation, name="preservation"),
    path("repository/statistics/<str:code>/", views.statistics, name="statistics"),
    path("repository/policies/<str:kind>/", views.policy_page, name="policy"),
    path("repository/policies/<str:kind>/edit/", views.policy_edit, name="policy_edit"),
]
