"""Dashboard URLs (mounted at "/")."""

from django.urls import path

from campaigns import pages as campaign_pages
from campaigns import usage_pages
from channels import pages as channel_pages
from channels.event_hooks import pages as webhook_pages
from contacts import pages as contact_pages
from contacts import suppression_pages
from skylight import pages
from skylight.site import pages as site_pages

app_name = "dashboard"

urlpatterns = [
    path("", site_pages.home, name="home"),
    path("account/", pages.account, name="account"),
    path("account/keys/", pages.api_key_new, name="account_key_new"),
    path("account/keys/<int:pk>/revoke/", pages.api_key_revoke_view, name="account_key_revoke"),
    path("account/switch/", pages.switch_account, name="account_switch"),
    path("account/safety/", pages.account_safety, name="account_safety"),
    path("account/language/", pages.choose_language, name="account_language"),
    path("account/country/", pages.default_country, name="account_country"),
    path("activity/", pages.activity, name="activity"),
    # event webhooks out
    path("event-webhooks/", webhook_pages.webhooks, name="webhooks"),
    path("event-webhooks/<int:pk>/", webhook_pages.webhook_detail, name="webhook_detail"),
    path("event-webhooks/<int:pk>/toggle/", webhook_pages.webhook_toggle, name="webhook_toggle"),
    path(
        "event-webhooks/<int:pk>/roll/",
        webhook_pages.webhook_roll_secret,
        name="webhook_roll_secret",
    ),
    path("event-webhooks/<int:pk>/delete/", webhook_pages.webhook_delete, name="webhook_delete"),
    path(
        "event-webhooks/<int:pk>/deliveries/<int:delivery_id>/resend/",
        webhook_pages.webhook_resend,
        name="webhook_resend",
    ),
    # campaigns
    path("campaigns/", campaign_pages.campaigns, name="campaigns"),
    path("campaigns/new/", campaign_pages.campaign_new, name="campaign_new"),
    path("campaigns/preview/", campaign_pages.campaign_preview, name="campaign_preview"),
    path(
        "campaigns/template-picker/",
        campaign_pages.campaign_template_picker,
        name="campaign_template_picker",
    ),
    path(
        "campaigns/message-preview/",
        campaign_pages.campaign_message_preview,
        name="campaign_message_preview",
    ),
    path("campaigns/test-send/", campaign_pages.campaign_test_send, name="campaign_test_send"),
    path(
        "campaigns/<int:pk>/message-preview/",
        campaign_pages.campaign_message_preview,
        name="campaign_message_preview",
    ),
    path(
        "campaigns/<int:pk>/test-send/",
        campaign_pages.campaign_test_send,
        name="campaign_test_send",
    ),
    path("campaigns/<int:pk>/", campaign_pages.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_pages.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/delete/", campaign_pages.campaign_delete, name="campaign_delete"),
    path(
        "campaigns/<int:pk>/schedule/", campaign_pages.campaign_schedule, name="campaign_schedule"
    ),
    path("campaigns/<int:pk>/report/", campaign_pages.campaign_report, name="campaign_report"),
    path("campaigns/<int:pk>/export/", campaign_pages.campaign_export, name="campaign_export"),
    path(
        "campaigns/<int:pk>/<str:action>/", campaign_pages.campaign_action, name="campaign_action"
    ),
    # contacts
    path("contacts/", contact_pages.contacts, name="contacts"),
    path("contacts/export/", contact_pages.contacts_export, name="contacts_export"),
    path("contacts/new/", contact_pages.contact_new, name="contact_new"),
    path("contacts/import/", contact_pages.contact_import, name="contact_import"),
    path("contacts/<int:pk>/", contact_pages.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", contact_pages.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/opt-out/", contact_pages.contact_opt_out, name="contact_opt_out"),
    path("lists/", contact_pages.lists, name="lists"),
    path("lists/<int:pk>/", contact_pages.list_detail, name="list_detail"),
    path("lists/<int:pk>/edit/", contact_pages.list_edit, name="list_edit"),
    path("lists/<int:pk>/delete/", contact_pages.list_delete, name="list_delete"),
    path("lists/<int:pk>/candidates/", contact_pages.list_candidates, name="list_candidates"),
    path("lists/<int:pk>/add/", contact_pages.list_add, name="list_add"),
    path("lists/<int:pk>/remove/", contact_pages.list_remove, name="list_remove"),
    path("segments/", contact_pages.segments, name="segments"),
    path("segments/new/", contact_pages.segment_new, name="segment_new"),
    path("segments/preview/", contact_pages.segment_preview, name="segment_preview"),
    path("segments/<int:pk>/", contact_pages.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", contact_pages.segment_delete, name="segment_delete"),
    path("segments/<int:pk>/count/", contact_pages.segment_count, name="segment_count"),
    path("suppressions/", suppression_pages.suppressions, name="suppressions"),
    path(
        "suppressions/import/",
        suppression_pages.suppressions_import,
        name="suppressions_import",
    ),
    path(
        "suppressions/<int:pk>/lift/", suppression_pages.suppression_lift, name="suppression_lift"
    ),
    # channels
    path("channels/", channel_pages.channels, name="channels"),
    path("channels/new/", channel_pages.channel_new, name="channel_new"),
    path("channels/<int:pk>/", channel_pages.channel_detail, name="channel_detail"),
    path("channels/<int:pk>/test/", channel_pages.channel_test, name="channel_test"),
    path("channels/<int:pk>/delete/", channel_pages.channel_delete, name="channel_delete"),
    path(
        "channels/<int:pk>/connection/", channel_pages.channel_connection, name="channel_connection"
    ),
    path("channels/<int:pk>/webhook/", channel_pages.channel_webhook, name="channel_webhook"),
    path("channels/<int:pk>/usage/", usage_pages.channel_usage_panel, name="channel_usage"),
]
