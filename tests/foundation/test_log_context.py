"""`log_context`: ids on every log line inside it, nested and reused (the send engine keeps
one per lane and enters it twice per contact)."""

import logging

from skylight.observability import ContextFilter, log_context


def _ids() -> dict:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
    ContextFilter().filter(record)
    return {
        name: getattr(record, name)
        for name in ("request_id", "account_id", "campaign_id")
        if hasattr(record, name)
    }


def test_one_context_entered_again_inside_itself_unwinds_in_order():
    lane = log_context(account_id=1, campaign_id=2)
    with lane:
        with lane:
            assert _ids() == {"account_id": 1, "campaign_id": 2}
        assert _ids() == {"account_id": 1, "campaign_id": 2}
    assert _ids() == {}


def test_a_reused_context_follows_the_ids_around_it():
    lane = log_context(campaign_id=7, account_id=None)
    with log_context(request_id="first-request"):
        with lane:
            assert _ids() == {"request_id": "first-request", "campaign_id": 7}
    with log_context(request_id="second-request"):
        with lane:
            assert _ids() == {"request_id": "second-request", "campaign_id": 7}
    with lane:
        assert _ids() == {"campaign_id": 7}
