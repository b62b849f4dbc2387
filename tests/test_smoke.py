def test_account_endpoint_answers_the_envelope(api, alice):
    response = api.get("/api/v1/account")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "id": alice.id,
            "name": "Alice Co",
            "timezone": "UTC",
            "default_country": "",
            "contact_cooldown_days": 0,
        },
    }
