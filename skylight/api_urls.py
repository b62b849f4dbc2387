from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from skylight import api_views

urlpatterns = [
    re_path(r"^account/?$", api_views.AccountView.as_view(), name="account"),
    re_path(r"^account/subscription/?$", api_views.SubscriptionView.as_view(), name="subscription"),
    re_path(
        r"^account/channels/?$", api_views.AccountChannelsView.as_view(), name="account-channels"
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("", include("contacts.api_urls")),
    path("", include("channels.api_urls")),
    path("", include("campaigns.api_urls")),
]
