from django.urls import re_path

from campaigns.api_views import CampaignViewSet
from campaigns.usage_api import ChannelUsageView
from skylight.api.routers import ApiRouter

router = ApiRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")

urlpatterns = [
    # Under the channels path, but campaigns' figures (channels never imports campaigns).
    re_path(r"^channels/(?P<id>[^/.]+)/usage/?$", ChannelUsageView.as_view(), name="channel-usage"),
    *router.urls,
]
