from django.urls import path

from simpul.lists import feeds, views

app_name = "lists"
urlpatterns = [
    path("new/", views.new_titles_page, name="new"),
    path("new/print/", views.new_titles_print, name="new_print"),
    path("new/export.csv", views.new_titles_csv, name="new_csv"),
    path("new/feed/", feeds.NewTitlesFeed(), name="new_feed"),
    path("serials/", views.serials_page, name="serials"),
    path("serials/export.csv", views.serials_csv, name="serials_csv"),
    path("serials/upload/", views.serials_upload, name="serials_upload"),
    path("serials/template.csv", views.serials_template, name="serials_template"),
    path("catalogue/export/<slug:fmt>/", views.export_results, name="export_results"),
]
