from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from skylight import api_views
from skylight.audit_api import AuditEventListView

urlpatterns = [
    path("account", api_views.AccountView.as_view(), name="account"),
    path("account/subscription", api_views.SubscriptionView.as_view(), name="subscription"),
    path("account/channels", api_views.AccountChannelsView.as_view(), name="account-channels"),
    path("audit-events", AuditEventListView.as_view(), name="audit-events"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("", include("contacts.api_urls")),
    path("", include("channels.api_urls")),
    path("", include("campaigns.api_urls")),
]
