"""The WAHA and Evolution fakes speak the wire facts the transports are tested against."""

import httpx

from tests.fakes import evolution, waha


def test_waha_answers_both_engines_shapes_and_an_empty_201(fake_waha):
    headers = {"X-Api-Key": waha.API_KEY}
    body = {"session": "default", "chatId": "966501234567@c.us", "text": "Hi"}
    fake_waha.then("ok").then("ok_webjs").then("ok_empty")
    noweb, webjs, empty = (
        httpx.post(fake_waha.url + "/api/sendText", json=body, headers=headers) for _ in range(3)
    )
    assert noweb.status_code == 201 and noweb.json()["key"]["id"].startswith("3EB0")
    assert webjs.status_code == 201 and webjs.json()["id"]["id"].startswith("3EB0")
    assert webjs.json()["id"]["_serialized"].startswith("true_966501234567@c.us_")
    assert empty.status_code == 201 and empty.content == b""


def test_waha_refuses_a_bad_key_and_reports_a_stopped_session(fake_waha):
    url = fake_waha.url + "/api/sendText"
    bad = httpx.post(url, json={}, headers={"X-Api-Key": "nope"})
    assert bad.status_code == 401 and bad.json() == {"message": "Unauthorized", "statusCode": 401}
    fake_waha.then("session_stopped")
    stopped = httpx.post(url, json={"chatId": "1@c.us"}, headers={"X-Api-Key": waha.API_KEY})
    assert stopped.status_code == 422 and stopped.json()["expected"] == ["WORKING"]


def test_waha_session_state_is_outside_the_script(fake_waha):
    fake_waha.session_status = "SCAN_QR_CODE"
    fake_waha.then("server_error")
    state = httpx.get(fake_waha.url + "/api/sessions/default", headers={"X-Api-Key": waha.API_KEY})
    assert state.json()["status"] == "SCAN_QR_CODE"
    assert len(fake_waha.sends) == 0 and len(fake_waha.requests) == 1


def test_evolution_answers_201_and_exists_false(fake_evolution):
    headers = {"apikey": evolution.API_KEY}
    url = f"{fake_evolution.url}/message/sendText/{evolution.INSTANCE}"
    fake_evolution.then("ok").then("not_on_whatsapp")
    ok = httpx.post(url, json={"number": "966501234567", "text": "Hi"}, headers=headers)
    missing = httpx.post(url, json={"number": "966501234568", "text": "Hi"}, headers=headers)
    assert ok.status_code == 201 and ok.json()["key"]["id"].startswith("BAE5")
    assert missing.status_code == 400
    assert missing.json()["response"]["message"][0]["exists"] is False


def test_evolution_state_and_unknown_instance(fake_evolution):
    headers = {"apikey": evolution.API_KEY}
    fake_evolution.state = "close"
    state = httpx.get(
        f"{fake_evolution.url}/instance/connectionState/{evolution.INSTANCE}", headers=headers
    )
    assert state.json() == {"instance": {"instanceName": evolution.INSTANCE, "state": "close"}}
    other = httpx.post(f"{fake_evolution.url}/message/sendText/other", json={}, headers=headers)
    assert other.status_code == 404
