from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from channels.api_views import AccountChannelsView
from skylight import api_views

urlpatterns = [
    path("account", api_views.AccountView.as_view(), name="account"),
    path("account/subscription", api_views.SubscriptionView.as_view(), name="subscription"),
    path("account/channels", AccountChannelsView.as_view(), name="account-channels"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("", include("contacts.api_urls")),
    path("", include("channels.api_urls")),
    path("", include("campaigns.api_urls")),
]
