"""`/account` endpoints: the key's account and its subscription.

`/account/channels` is the channels app's (`channels.api_views.AccountChannelsView`).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from skylight.audit import audit_record
from skylight.serializers import AccountSerializer, AccountUpdateSerializer, SubscriptionSerializer
from skylight.services import account_set_default_country, subscription_get


class AccountView(GenericAPIView):
    serializer_class = AccountSerializer

    def get(self, request):
        return Response(self.get_serializer(request.user.account).data)

    @extend_schema(
        request=AccountUpdateSerializer,
        responses=AccountSerializer,
        summary="Change the account's settings (its default country for local numbers)",
    )
    def patch(self, request):
        account = request.user.account
        serializer = AccountUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        before = account.default_country
        account_set_default_country(
            account=account, country=serializer.validated_data["default_country"]
        )
        audit_record(
            account=account,
            action="account.updated",
            target=account,
            changes={"default_country": [before, account.default_country]},
        )
        return Response(self.get_serializer(account).data)


class SubscriptionView(GenericAPIView):
    serializer_class = SubscriptionSerializer

    @extend_schema(summary="Plan and outreach campaign quota for the current period")
    def get(self, request):
        subscription = subscription_get(account=request.user.account)
        return Response(self.get_serializer(subscription).data)
