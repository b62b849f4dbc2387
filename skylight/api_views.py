"""`/account` endpoints: the key's account and its subscription.

`/account/channels` is the channels app's (`channels.api_views.AccountChannelsView`).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from skylight.serializers import AccountSerializer, SubscriptionSerializer
from skylight.services import subscription_get


class AccountView(GenericAPIView):
    serializer_class = AccountSerializer

    def get(self, request):
        return Response(self.get_serializer(request.user.account).data)


class SubscriptionView(GenericAPIView):
    serializer_class = SubscriptionSerializer

    @extend_schema(summary="Plan and outreach campaign quota for the current period")
    def get(self, request):
        subscription = subscription_get(account=request.user.account)
        return Response(self.get_serializer(subscription).data)
