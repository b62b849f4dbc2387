"""The benchmarks' hand-written SQL baselines still fit the schema: `make bench` ran into a
NOT NULL column added after its raw enrollment INSERT was written, and stopped there."""

from types import SimpleNamespace

from benchmarks import bench_enrollment
from campaigns.models import CampaignContact
from tests.factories import make_channel, make_contacts, make_list


def test_the_raw_enrollment_baseline_enrolls_what_a_campaign_would(alice):
    people = make_contacts(alice, 4)
    lists = [make_list(alice, people[:3], name="a"), make_list(alice, people[2:], name="b")]
    data = SimpleNamespace(
        account=alice, channel=make_channel(alice), list_ids=[lst.pk for lst in lists]
    )

    assert bench_enrollment._raw_enrollment(data) == 4  # one row per person, not per list
    rows = CampaignContact.objects.filter(contact__in=people)
    assert {(row.status, row.skip_reason) for row in rows} == {("pending", "")}
