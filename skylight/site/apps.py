from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer (root URLs, home page, demo data); it has no models."""

    name = "skylight.site"
    label = "skylight_site"
    verbose_name = "Site"
