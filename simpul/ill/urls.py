from django.urls import path

from simpul.ill import views

app_name = "ill"
urlpatterns = [
    path("ill/", views.dashboard, name="dashboard"),
    path("ill/new/", views.new_request, name="new"),
    path("ill/mine/", views.my_requests, name="mine"),
    path("ill/policy/", views.policy, name="policy"),
    path("ill/statistics/", views.statistics, name="stats"),
    path("ill/<int:pk>/", views.detail, name="detail"),
    path("ill/<int:pk>/step/", views.step, name="step"),
    path("ill/copy/<str:token>/", views.download_copy, name="copy"),
    path("iso18626", views.iso18626_endpoint, name="iso18626"),
]
