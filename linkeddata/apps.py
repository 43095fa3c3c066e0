from django.apps import AppConfig


class LinkedDataConfig(AppConfig):
    name = "linkeddata"
    verbose_name = "Benchmarking data"
