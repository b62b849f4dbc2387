"""`GET /campaigns/{id}/report`: shape, empty campaigns, tenancy and the OpenAPI entry."""

from campaigns.models import CampaignContact

EMPTY = {
    "sent": 0,
    "delivered": 0,
    "read": 0,
    "replied": 0,
    "failed": 0,
    "skipped": 0,
    "opted_out": 0,
}


def test_a_draft_has_an_empty_report_with_one_step_per_message(api, create_campaign):
    campaign = create_campaign(
        messages=[{"type": "text", "content": "One"}, {"type": "text", "content": "Two"}]
    )
    response = api.get(f"/api/v1/campaigns/{campaign['id']}/report")

    assert response.status_code == 200
    assert response.json()["data"] == {
        "days": [],
        "totals": EMPTY,
        "rates": {"delivered": 0.0, "read": 0.0, "replied": 0.0, "failed": 0.0, "opted_out": 0.0},
        "failures": [],
        "steps": [
            {"index": 1, "sent": 0, "delivered": 0, "read": 0},
            {"index": 2, "sent": 0, "delivered": 0, "read": 0},
        ],
    }


def test_failures_are_grouped_by_reason_and_code_most_frequent_first(api, create_campaign):
    campaign = create_campaign()
    rows = list(CampaignContact.objects.filter(campaign_id=campaign["id"]).order_by("id"))
    errors = [
        "rejected: HTTP 400: unknown recipient",
        "rejected: HTTP 400: another wording",
        "outcome unknown: read timeout after the request was sent",
        "outcome unknown: the worker stopped while sending (claimed at x); not retried.",
        "not accepted after 3 attempts: HTTP 503: busy",
    ]
    for row, error in zip(rows, errors, strict=True):
        row.status, row.error = "failed", error
        row.save(update_fields=["status", "error"])

    failures = api.get(f"/api/v1/campaigns/{campaign['id']}/report").json()["data"]["failures"]

    assert failures == [
        {"reason": "rejected", "code": "400", "count": 2},
        {"reason": "not_accepted", "code": "503", "count": 1},
        {"reason": "outcome_unknown", "code": "", "count": 1},
        {"reason": "worker_stopped", "code": "", "count": 1},
    ]


def test_another_accounts_campaign_report_is_404(bob_api, create_campaign):
    campaign = create_campaign()
    assert bob_api.get(f"/api/v1/campaigns/{campaign['id']}/report").status_code == 404


def test_the_report_is_in_the_openapi_document_with_an_example(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/campaigns/{id}/report"]["get"]
    content = operation["responses"]["200"]["content"]["application/json"]
    assert content["examples"]
    assert "CampaignReport" in schema["components"]["schemas"]
