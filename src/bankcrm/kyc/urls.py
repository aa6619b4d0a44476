from django.urls import path

from bankcrm.kyc import views

app_name = "kyc"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.new_onboarding, name="new"),
    path("model/", views.risk_model, name="risk_model"),
    path("model/decide/", views.risk_model_decide, name="risk_model_decide"),
    path("<uuid:onboarding_id>/", views.detail, name="detail"),
    path("<uuid:onboarding_id>/evidence/", views.add_evidence, name="evidence"),
    path("<uuid:onboarding_id>/transition/", views.transition, name="transition"),
    path("parties/<uuid:party_id>/", views.party_risk, name="party_risk"),
    path("parties/<uuid:party_id>/cdd/", views.update_cdd, name="update_cdd"),
    path("parties/<uuid:party_id>/rate/", views.rate, name="rate"),
    path("edd/<uuid:review_id>/item/", views.edd_item, name="edd_item"),
    path("edd/<uuid:review_id>/submit/", views.edd_submit, name="edd_submit"),
    path("edd/<uuid:review_id>/decide/", views.edd_decide, name="edd_decide"),
    path("reviews/<uuid:review_id>/complete/", views.review_complete, name="review_complete"),
]
