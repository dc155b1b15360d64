from django.urls import path
from django.utils.translation import pgettext_lazy

from reloop.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(pgettext_lazy("url", "search/"), views.search, name="search"),
    path(pgettext_lazy("url", "impact/methodology/"), views.methodology, name="methodology"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<slug:model_slug>/", views.product, name="product_default"),
    path("p/<slug:model_slug>/<slug:variant_slug>/", views.product, name="product"),
]
