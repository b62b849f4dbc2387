from contacts.api_views import ContactListViewSet, ContactViewSet, SegmentViewSet
from skylight.api.routers import ApiRouter

router = ApiRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("lists", ContactListViewSet, basename="list")
router.register("segments", SegmentViewSet, basename="segment")

urlpatterns = router.urls
