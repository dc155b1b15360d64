"""The payment providers' pages, mounted at ``/_provider/``: the test provider's hosted card form and 3-D Secure
page (they stand for the provider's own domain), and the page holding Stripe's own card fields (Stripe.js)."""

from django.urls import path

from reloop.payments import stripe_views
from reloop.payments import testprovider_views as views

urlpatterns = [
    path("test/pay/<slug:reference>/", views.pay, name="test_provider_pay"),
    path("test/pay/<slug:reference>/3ds/", views.challenge, name="test_provider_3ds"),
    path("test/pay/<slug:reference>/leave/", views.leave, name="test_provider_leave"),
    path("stripe/pay/<slug:reference>/", stripe_views.pay, name="stripe_pay"),
]
