from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reloop.reviews"
    label = "reviews"
