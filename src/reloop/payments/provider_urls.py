"""The test provider's hosted pages, mounted at ``/_provider/test/`` (they stand for the provider's own domain)."""

from django.urls import path

from reloop.payments import testprovider_views as views

urlpatterns = [
    path("pay/<slug:reference>/", views.pay, name="test_provider_pay"),
    path("pay/<slug:reference>/3ds/", views.challenge, name="test_provider_3ds"),
    path("pay/<slug:reference>/leave/", views.leave, name="test_provider_leave"),
]
