"""`/account` endpoints: the key's account, its subscription and its channels."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response

from channels.models import Channel
from channels.serializers import ChannelSerializer
from skylight.api.views import AccountScopedMixin
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


class AccountChannelsView(AccountScopedMixin, ListAPIView):
    """The account's channels (the same objects as `GET /channels`)."""

    queryset = Channel.objects.order_by("id")
    serializer_class = ChannelSerializer
