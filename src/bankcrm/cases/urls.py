from django.urls import path

from bankcrm.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_case, name="new"),
    path("reports/", views.report, name="report"),
    path("reports/ccdb.csv", views.export_ccdb, name="export_ccdb"),
    path("<uuid:case_id>/", views.detail, name="detail"),
    path("<uuid:case_id>/transition/", views.transition, name="transition"),
    path("<uuid:case_id>/assign/", views.assign, name="assign"),
    path("<uuid:case_id>/classify/", views.classify, name="classify"),
    path("<uuid:case_id>/notes/", views.add_note, name="note"),
    path("<uuid:case_id>/attachments/", views.attach, name="attach"),
    path("<uuid:case_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<uuid:case_id>/approval/", views.decide, name="decide"),
]
