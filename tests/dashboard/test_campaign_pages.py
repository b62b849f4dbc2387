import datetime as dt

import pytest
from django.urls import reverse

from campaigns.models import Campaign, CampaignContact, CampaignDay
from campaigns.services import campaign_pause, campaign_start
from tests.dashboard.helpers import htmx
from tests.factories import make_campaign, make_channel, make_contact, make_list


@pytest.fixture
def campaign(alice):
    return make_campaign(alice, size=6)


def _form(channel, contact_list, **overrides):
    data = {
        "name": "Autumn offer",
        "channel": channel.pk,
        "timezone": "UTC",
        "lists": [contact_list.pk],
        "message_type": ["text", "image"],
        "message_content": ["Hello {{name}}", "https://example.com/a.jpg"],
        "message_caption": ["", "Our menu"],
        "message_filename": ["", ""],
    }
    data.update(overrides)
    return data


# --- list ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_filters_by_status_tab_and_search(web, alice, campaign):
    other = make_campaign(alice, name="Winter sale", channel=campaign.channel)
    campaign_start(campaign=other)
    running = web.get(reverse("dashboard:campaigns") + "?status=running").content.decode()
    assert "Winter sale" in running and "Spring promo" not in running
    found = web.get(reverse("dashboard:campaigns") + "?search=spring").content.decode()
    assert "Spring promo" in found and "Winter sale" not in found


@pytest.mark.django_db
def test_the_list_polls_only_while_a_campaign_runs(web, campaign):
    url = reverse("dashboard:campaigns")
    idle = htmx(web, "get", url).content.decode()
    assert "<html" not in idle and 'id="campaign-table"' in idle
    assert "hx-trigger" not in idle
    campaign_start(campaign=campaign)
    live = htmx(web, "get", url).content.decode()
    assert 'hx-trigger="every 5s"' in live
    assert "0 / 2" in live  # today's sends / limit: ceil(6 / 3)


@pytest.mark.django_db
def test_the_list_shows_progress(web, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(sent_count=3, pending_count=3)
    page = web.get(reverse("dashboard:campaigns")).content.decode()
    assert 'aria-valuenow="50"' in page


# --- create and edit -------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_a_campaign_keeps_the_message_order(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice), make_contact(alice)])
    response = web.post(reverse("dashboard:campaign_new"), _form(channel, contact_list))
    campaign = Campaign.objects.get(account=alice, name="Autumn offer")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:campaign_detail", args=[campaign.pk])
    messages = list(campaign.messages.values_list("type", "content", "caption"))
    assert messages == [
        ("text", "Hello {{name}}", ""),
        ("image", "https://example.com/a.jpg", "Our menu"),
    ]
    assert campaign.total_contacts == 2 and campaign.status == "draft"


@pytest.mark.django_db
def test_send_window_and_new_number_are_saved(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice)])
    data = _form(
        channel, contact_list, window_start="09:00", window_end="20:00", is_new_number="on"
    )
    web.post(reverse("dashboard:campaign_new"), data)
    campaign = Campaign.objects.get(account=alice)
    assert campaign.send_window_start == dt.time(9) and campaign.send_window_end == dt.time(20)
    assert campaign.is_new_number is True


@pytest.mark.django_db
def test_message_errors_are_shown_on_their_row(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice)])
    data = _form(channel, contact_list, message_content=["Hello", "not a url"])
    response = web.post(reverse("dashboard:campaign_new"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "An image message needs an http(s) URL as content." in page
    assert "not a url" in page  # the row is shown again as typed
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_a_campaign_needs_a_source_and_a_valid_window(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice)])
    data = _form(channel, contact_list, lists=[], window_start="20:00", window_end="20:00")
    page = web.post(reverse("dashboard:campaign_new"), data).content.decode()
    assert "The window must not start and end at the same time." in page
    data = _form(channel, contact_list, lists=[])
    page = web.post(reverse("dashboard:campaign_new"), data).content.decode()
    assert "Pick at least one list, segment or contact." in page
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_enrolling_nobody_is_an_inline_error(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice, opted_out=True)])
    page = web.post(reverse("dashboard:campaign_new"), _form(channel, contact_list)).content
    assert "No contact can be enrolled" in page.decode()
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_quota_exhaustion_is_shown_on_the_form(web, alice):
    alice.subscription.outreach_campaigns_used = alice.subscription.plan.outreach_campaigns
    alice.subscription.save()
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice)])
    page = web.post(reverse("dashboard:campaign_new"), _form(channel, contact_list)).content
    assert "outreach campaigns per period" in page.decode()


@pytest.mark.django_db
def test_another_accounts_channel_or_list_cannot_be_picked(web, alice, bob):
    channel = make_channel(bob)
    contact_list = make_list(bob, [make_contact(bob)])
    page = web.post(reverse("dashboard:campaign_new"), _form(channel, contact_list)).content
    assert page.decode().count("<li>Select a valid choice") == 2
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_individual_contacts_are_picked_by_phone(web, alice):
    channel = make_channel(alice)
    contact = make_contact(alice, phone="+966501112233")
    data = _form(channel, make_list(alice), lists=[], phones="+966501112233")
    web.post(reverse("dashboard:campaign_new"), data)
    row = CampaignContact.objects.get()
    assert row.contact == contact
    page = web.post(
        reverse("dashboard:campaign_new"),
        _form(channel, make_list(alice, name="Other"), lists=[], phones="+966509999999"),
    ).content.decode()
    assert "No contact with phone +966509999999." in page


@pytest.mark.django_db
def test_the_enrollment_preview_counts_and_explains_exclusions(web, alice):
    channel = make_channel(alice)
    members = [
        make_contact(alice),
        make_contact(alice, opted_out=True),
        make_contact(alice, type="telegram"),
    ]
    first, second = make_list(alice, members, "A"), make_list(alice, members[:1], "B")
    data = {"channel": channel.pk, "lists": [first.pk, second.pk]}
    response = htmx(web, "post", reverse("dashboard:campaign_preview"), data)
    page = response.content.decode()
    assert "<html" not in page and 'id="enrollment-preview"' in page
    assert "data-enroll-count>1<" in page
    assert "1 duplicates" in page and "1 opted out" in page and "1 not on WhatsApp" in page
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_the_preview_asks_for_a_channel_first(web, alice):
    contact_list = make_list(alice, [make_contact(alice)])
    page = htmx(web, "post", reverse("dashboard:campaign_preview"), {"lists": [contact_list.pk]})
    assert "Pick a channel" in page.content.decode()


@pytest.mark.django_db
def test_editing_a_draft_replaces_its_messages(web, campaign):
    url = reverse("dashboard:campaign_edit", args=[campaign.pk])
    assert "Hi {{name}}" in web.get(url).content.decode()
    data = {
        "name": "Renamed",
        "timezone": "UTC",
        "message_type": ["text", "text"],
        "message_content": ["Second", "First"],
        "message_caption": ["", ""],
        "message_filename": ["", ""],
    }
    assert web.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert list(campaign.messages.values_list("content", flat=True)) == ["Second", "First"]


@pytest.mark.django_db
def test_a_running_campaign_cannot_be_edited(web, campaign):
    campaign_start(campaign=campaign)
    url = reverse("dashboard:campaign_edit", args=[campaign.pk])
    response = web.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:campaign_detail", args=[campaign.pk])


# --- detail and actions ------------------------------------------------------------------


def _buttons(page: str) -> set[str]:
    return {
        label
        for label in ("Start", "Pause", "Resume", "Cancel campaign", "Delete", "Edit")
        if f">{label}</" in page
    }


@pytest.mark.django_db
def test_only_allowed_actions_are_offered(web, campaign):
    url = reverse("dashboard:campaign_detail", args=[campaign.pk])
    assert _buttons(web.get(url).content.decode()) == {"Start", "Delete", "Edit"}
    campaign_start(campaign=campaign)
    assert _buttons(web.get(url).content.decode()) == {"Pause", "Cancel campaign"}
    campaign_pause(campaign=campaign)
    assert _buttons(web.get(url).content.decode()) == {"Resume", "Cancel campaign"}
    assert "hx-confirm=" in web.get(url).content.decode()


@pytest.mark.django_db
def test_the_lifecycle_through_the_buttons(web, campaign):
    def act(action):
        return web.post(reverse("dashboard:campaign_action", args=[campaign.pk, action]))

    for action, status in [
        ("start", "running"),
        ("pause", "paused"),
        ("resume", "running"),
        ("cancel", "cancelled"),
    ]:
        assert act(action).status_code == 302
        campaign.refresh_from_db()
        assert campaign.status == status
    response = web.post(reverse("dashboard:campaign_delete", args=[campaign.pk]))
    assert response["Location"] == reverse("dashboard:campaigns")
    assert not Campaign.objects.filter(pk=campaign.pk).exists()


@pytest.mark.django_db
def test_a_refused_action_is_a_flash_message(web, campaign):
    url = reverse("dashboard:campaign_action", args=[campaign.pk, "pause"])
    page = web.post(url, follow=True).content.decode()
    assert "Campaign is draft; only running campaigns can be paused." in page
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    web.post(reverse("dashboard:campaign_action", args=[campaign.pk, "start"]))
    page = web.post(reverse("dashboard:campaign_delete", args=[campaign.pk]), follow=True)
    assert "only draft or cancelled campaigns can be deleted" in page.content.decode()


@pytest.mark.django_db
def test_unknown_actions_are_not_found(web, campaign):
    url = reverse("dashboard:campaign_action", args=[campaign.pk, "explode"])
    assert web.post(url).status_code == 404


@pytest.mark.django_db
def test_the_live_region_polls_only_while_running(web, campaign):
    url = reverse("dashboard:campaign_detail", args=[campaign.pk])
    idle = htmx(web, "get", url).content.decode()
    assert "<html" not in idle and 'id="campaign-live"' in idle and "hx-trigger" not in idle
    campaign_start(campaign=campaign)
    live = htmx(web, "get", url).content.decode()
    assert 'hx-trigger="every 5s"' in live
    campaign_pause(campaign=campaign)
    assert "hx-trigger" not in htmx(web, "get", url).content.decode()


@pytest.mark.django_db
def test_the_chart_has_a_bar_per_day_and_the_schedule_runs_to_completion(web, alice):
    campaign = make_campaign(alice, size=90)
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    # 90 contacts, limit min(35, 30) = 30 a day: three days.
    assert page.count('<td class="num">30</td>') == 3
    assert "Nothing sent yet: the bars show the plan." in page
    assert page.count('class="bar-planned"') == 3
    for number in (1, 2):
        CampaignDay.objects.create(
            campaign=campaign,
            date=dt.date(2026, 3, number),
            day_number=number,
            daily_limit=30,
            attempted=30,
            sent=28,
            failed=2,
        )
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert page.count('class="bar-sent"') == 2 and page.count('class="bar-failed"') == 2
    assert "Day 2 (Mar 2): 28 sent, 2 failed, limit 30" in page


@pytest.mark.django_db
def test_the_contacts_table_filters_by_status_as_a_partial(web, campaign):
    rows = list(CampaignContact.objects.filter(campaign=campaign).order_by("id"))
    CampaignContact.objects.filter(pk=rows[0].pk).update(status="sent")
    CampaignContact.objects.filter(pk=rows[1].pk).update(status="failed", error="Invalid number")
    Campaign.objects.filter(pk=campaign.pk).update(sent_count=1, failed_count=1, pending_count=4)
    url = reverse("dashboard:campaign_detail", args=[campaign.pk]) + "?status=failed"
    page = htmx(web, "get", url).content.decode()
    assert "<html" not in page and 'id="campaign-contacts"' in page
    assert page.count("<tr>") == 2  # header + one row
    assert "Invalid number" in page


@pytest.mark.django_db
def test_the_contacts_table_pages_by_id(web, alice):
    campaign = make_campaign(alice, size=30)
    ids = list(campaign.contacts.order_by("id").values_list("id", flat=True))
    url = reverse("dashboard:campaign_detail", args=[campaign.pk])
    page = web.get(url).content.decode()
    assert "30 contacts" in page and f"after={ids[24]}" in page and "First page" not in page
    second = htmx(web, "get", url + f"?after={ids[24]}").content.decode()
    assert "<html" not in second and second.count("<tr>") == 6  # header + 5 rows
    assert "First page" in second and "Next" not in second
    first = htmx(web, "get", url + "?after=0").content.decode()
    assert "First page" not in first and f"after={ids[24]}" in first


@pytest.mark.django_db
def test_after_sixty_days_the_chart_shows_the_latest_days(web, alice):
    campaign = make_campaign(alice, size=90)
    start = dt.date(2026, 1, 1)
    CampaignDay.objects.bulk_create(
        CampaignDay(
            campaign=campaign,
            date=start + dt.timedelta(days=offset),
            day_number=offset + 1,
            daily_limit=30,
            attempted=1,
            sent=1,
        )
        for offset in range(70)
    )
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "Day 70 (" in page
    assert "Day 1 (" not in page


@pytest.mark.django_db
def test_an_overnight_window_is_accepted(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice)])
    data = _form(channel, contact_list, window_start="22:00", window_end="08:00")
    assert web.post(reverse("dashboard:campaign_new"), data).status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.send_window_start, campaign.send_window_end) == (dt.time(22), dt.time(8))
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "sends 22:00–08:00" in page


@pytest.mark.django_db
def test_a_draft_offers_delete_not_cancel(web, campaign):
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    actions = page.split('id="campaign-actions"')[1].split("</div>")[0]
    assert ">Delete</button>" in actions and "Cancel campaign" not in actions


@pytest.mark.django_db
def test_the_preview_counts_typed_phones_and_names_the_bad_ones(web, alice):
    channel = make_channel(alice)
    make_contact(alice, phone="+966501112233")
    make_contact(alice, phone="+966501112244")
    data = {"channel": channel.pk, "phones": "+966501112233\n0096650 111 2244\n+966509999999\nabc"}
    page = htmx(web, "post", reverse("dashboard:campaign_preview"), data).content.decode()
    assert "data-enroll-count>2<" in page
    assert "Not phone numbers: abc" in page
    assert "No contact has +966509999999" in page


@pytest.mark.django_db
def test_the_schedule_explains_the_small_campaign_cap_and_the_chart_is_labelled(web, campaign):
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "data-small-cap" in page and "at most 2 a day" in page  # ceil(6 / 3)
    chart = page.split('id="chart-title"')[1].split("</svg>")[0]
    assert chart.count("data-bar-value>2<") == 3  # three planned days of two
    assert chart.count('class="limit"') == 3  # the limit is marked on planned days too
    assert chart.count('class="grid"') == 3


@pytest.mark.django_db
def test_a_large_campaign_has_no_small_cap_note(web, alice):
    campaign = make_campaign(alice, size=150)  # 50 a day is above day 1's tier (35)
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "data-small-cap" not in page


@pytest.mark.django_db
def test_the_campaign_page_says_what_happens_next(web, campaign):
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "data-next-step" in page and "press Start" in page


@pytest.mark.django_db
def test_the_detail_page_shows_the_messages_rendered_for_a_contact(web, alice):
    from campaigns.services import campaign_create

    channel = make_channel(alice)
    noura = make_contact(alice, name="Noura Saleh", attributes={"city": "Riyadh"})
    campaign = campaign_create(
        account=alice,
        name="Rendered",
        channel=channel,
        messages=[
            {"type": "text", "content": "{Hi|Hello} {{first_name|there}} in {{attributes.city}}"}
        ],
        contact_ids=[noura.pk],
    )
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    example = page.split("data-example>")[1].split("<")[0]
    assert example in ("Hi Noura in Riyadh", "Hello Noura in Riyadh")
    assert "As Noura Saleh gets them" in page


@pytest.mark.django_db
def test_a_follow_up_delay_is_saved_and_shown(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice)])
    data = _form(channel, contact_list, message_delay_hours=["0", "20"])
    web.post(reverse("dashboard:campaign_new"), data)
    campaign = Campaign.objects.get(account=alice)
    assert list(campaign.messages.values_list("delay_hours", flat=True)) == [0, 20]
    page = web.get(reverse("dashboard:campaign_detail", args=[campaign.pk])).content.decode()
    assert "Follow-up 20 hours later" in page
    edit = web.get(reverse("dashboard:campaign_edit", args=[campaign.pk])).content.decode()
    assert 'name="message_delay_hours"' in edit and 'value="20"' in edit


@pytest.mark.django_db
def test_a_delay_on_the_first_message_is_refused_on_its_row(web, alice):
    channel = make_channel(alice)
    contact_list = make_list(alice, [make_contact(alice)])
    data = _form(channel, contact_list, message_delay_hours=["5", "0"])
    page = web.post(reverse("dashboard:campaign_new"), data).content.decode()
    assert "The first message has no previous one to wait after" in page
    assert not Campaign.objects.filter(account=alice).exists()


@pytest.mark.django_db
def test_the_list_says_why_a_campaign_waits(web, campaign):
    campaign_start(campaign=campaign)
    campaign_pause(campaign=campaign)
    page = web.get(reverse("dashboard:campaigns")).content.decode()
    assert 'data-waiting="paused"' in page
