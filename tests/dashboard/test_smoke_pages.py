import pytest

from tests.factories import make_campaign, make_contact, make_list, make_segment


@pytest.mark.django_db
def test_every_page_renders(web, alice):
    campaign = make_campaign(alice)
    contact = make_contact(alice)
    contact_list = make_list(alice, [contact])
    segment = make_segment(alice)
    urls = [
        "/",
        "/account/",
        "/campaigns/",
        "/campaigns/new/",
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/edit/",
        "/contacts/",
        "/contacts/new/",
        "/contacts/import/",
        f"/contacts/{contact.pk}/",
        "/lists/",
        f"/lists/{contact_list.pk}/",
        f"/lists/{contact_list.pk}/edit/",
        "/segments/",
        "/segments/new/",
        f"/segments/{segment.pk}/",
        "/channels/",
        "/channels/new/",
        "/channels/new/?provider=twilio",
        f"/channels/{campaign.channel.pk}/",
    ]
    for url in urls:
        response = web.get(url)
        assert response.status_code == 200, url
