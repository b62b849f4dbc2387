from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from channels.api_views import AccountChannelsView
from skylight import api_views
from skylight.audit_api import AuditEventListView

# The API reference page runs Redoc from its CDN with an inline start-up script.
REDOC_SOURCES = {
    "script-src": ["https://cdn.jsdelivr.net", "'unsafe-inline'"],
    "style-src": ["https://fonts.googleapis.com", "'unsafe-inline'"],
    "font-src": ["https://fonts.gstatic.com"],
    "img-src": ["https:"],
    "worker-src": ["blob:"],
}

urlpatterns = [
    # Like every other path, these answer with or without the trailing slash.
    re_path(r"^account/?$", api_views.AccountView.as_view(), name="account"),
    re_path(r"^account/subscription/?$", api_views.SubscriptionView.as_view(), name="subscription"),
    re_path(r"^account/channels/?$", AccountChannelsView.as_view(), name="account-channels"),
    re_path(r"^audit-events/?$", AuditEventListView.as_view(), name="audit-events"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_update(REDOC_SOURCES)(SpectacularRedocView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("", include("contacts.api_urls")),
    path("", include("channels.api_urls")),
    path("", include("campaigns.api_urls")),
]
