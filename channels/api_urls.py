from skylight.api.routers import ApiRouter

from .api_views import ChannelViewSet
from .event_hooks.api import WebhookEndpointViewSet

router = ApiRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")

urlpatterns = router.urls
