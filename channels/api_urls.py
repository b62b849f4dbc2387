from skylight.api.routers import ApiRouter

from .api_views import ChannelViewSet

router = ApiRouter()
router.register("channels", ChannelViewSet, basename="channel")

urlpatterns = router.urls
