from django.urls import path

from bankcrm.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("check/", views.check, name="check"),
    path("lists/", views.lists_page, name="lists"),
    path("lists/rescreen/", views.rescreen, name="rescreen"),
    path("hits/<int:hit_id>/", views.hit, name="hit"),
]
