from skylight.models import Subscription


def test_account_shows_only_the_keys_account(api, bob_api, alice, bob):
    assert api.get("/api/v1/account").json()["data"]["id"] == alice.id
    assert bob_api.get("/api/v1/account").json()["data"] == {
        "id": bob.id,
        "name": "Bob Ltd",
        "timezone": "Asia/Riyadh",
        "default_country": "",
        "contact_cooldown_days": 0,
    }


def test_the_default_country_is_set_with_patch_and_audited(api, alice):
    from skylight.models import AuditEvent

    response = api.patch("/api/v1/account", {"default_country": "SA"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["default_country"] == "SA"
    alice.refresh_from_db()
    assert alice.default_country == "SA"
    event = AuditEvent.objects.get(account=alice, action="account.updated")
    assert event.changes == {"default_country": ["", "SA"]}
    assert api.patch("/api/v1/account", {"default_country": ""}, format="json").status_code == 200
    alice.refresh_from_db()
    assert alice.default_country == ""


def test_an_unknown_default_country_is_422(api, alice):
    for value in ("XX", "sa", 966, None):
        response = api.patch("/api/v1/account", {"default_country": value}, format="json")
        assert response.status_code == 422, (value, response.json())
        assert "default_country" in response.json()["errors"]
    alice.refresh_from_db()
    assert alice.default_country == ""


def test_subscription_shows_the_default_plan_and_quota(api, settings):
    body = api.get("/api/v1/account/subscription").json()["data"]
    limit = settings.SKYLIGHT_DEFAULT_PLAN["outreach_campaigns"]
    assert body["plan"] == settings.SKYLIGHT_DEFAULT_PLAN["name"]
    assert body["outreach_campaigns"] == {"limit": limit, "used": 0, "remaining": limit}
    assert body["period_start"] <= body["period_end"]


def test_subscription_rolls_over_to_a_new_period(api, alice):
    Subscription.objects.filter(account=alice).update(
        period_start="2020-01-01", period_end="2020-01-31", outreach_campaigns_used=7
    )
    body = api.get("/api/v1/account/subscription").json()["data"]
    assert body["outreach_campaigns"]["used"] == 0
    assert body["period_start"] > "2020-01-31"


def test_an_account_without_a_default_country_matches_its_documented_shape(api, client):
    """Found by make fuzz: "" was answered while the schema listed only country codes."""
    schema = client.get("/api/v1/schema/?format=json").json()
    field = schema["components"]["schemas"]["Account"]["properties"]["default_country"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in field["oneOf"]
    assert api.get("/api/v1/account").json()["data"]["default_country"] == ""


def test_copies_of_the_country_field_share_its_choices_and_still_validate():
    """Each serializer instance deep-copies its fields; the ~250 countries are shared."""
    from skylight.serializers import AccountSerializer, AccountUpdateSerializer

    first = AccountSerializer().fields["default_country"]
    second = AccountSerializer().fields["default_country"]
    assert first is not second
    assert first._kwargs["choices"] is second._kwargs["choices"]
    assert AccountUpdateSerializer(data={"default_country": "SA"}).is_valid()
    refused = AccountUpdateSerializer(data={"default_country": "XX"})
    assert not refused.is_valid() and "default_country" in refused.errors
