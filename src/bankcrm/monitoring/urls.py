from django.urls import path

from bankcrm.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("ctrs/", views.ctrs, name="ctrs"),
    path("cases/<uuid:case_id>/sar/", views.sar_start, name="sar_start"),
    path("sars/<int:sar_id>/", views.sar_update, name="sar_update"),
    path("sars/<int:sar_id>/request/", views.sar_request, name="sar_request"),
    path("sars/<int:sar_id>/file/", views.sar_file, name="sar_file"),
    path("sars/<int:sar_id>/sar.json", views.sar_json, name="sar_json"),
    path("sars/<int:sar_id>/report/", views.sar_html, name="sar_html"),
]
