from campaigns.api_views import CampaignViewSet
from skylight.api.routers import ApiRouter

router = ApiRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")

urlpatterns = router.urls
