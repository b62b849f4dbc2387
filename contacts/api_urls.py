from contacts.api_views import ContactListViewSet, ContactViewSet, SegmentViewSet
from contacts.suppression_api import SuppressionViewSet
from skylight.api.routers import ApiRouter

router = ApiRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("lists", ContactListViewSet, basename="list")
router.register("segments", SegmentViewSet, basename="segment")
router.register("suppressions", SuppressionViewSet, basename="suppression")

urlpatterns = router.urls
