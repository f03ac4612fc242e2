from django.urls import path

from simpul.cards import views

app_name = "cards"
urlpatterns = [
    path("card/", views.my_card, name="mine"),
    path("card/card.pdf", views.card_pdf, name="pdf"),
    path("card/photo/<int:pk>/", views.photo, name="photo"),
    path("cards/", views.library_cards, name="library"),
    path("cards/<int:pk>/", views.manage_card, name="manage"),
    path("visits/", views.my_visits, name="visits"),
    path("visits/<int:pk>/cancel/", views.cancel_visit, name="cancel"),
    path("visitors/", views.expected, name="expected"),
    path("visitors/<int:pk>/answer/", views.answer_visit, name="answer"),
    path("visitors/rules/", views.visit_rules, name="rules"),
    path("visitors/desk/", views.desk, name="desk"),
    path("visitors/desk/sync.json", views.desk_sync, name="desk_sync"),
    path("visitors/statistics/", views.statistics, name="statistics"),
]
