"""The send engine's current state for /metrics (registered with skylight.metrics)."""

from prometheus_client.core import GaugeMetricFamily

from skylight import metrics

from .models import CampaignContact, ContactStatus


@metrics.state_source
def claims_in_flight():
    """Contacts claimed and not yet recorded (the partial index on `sending` rows)."""
    gauge = GaugeMetricFamily(
        "skylight_claims_in_flight", "Contacts claimed by a worker and not yet recorded"
    )
    gauge.add_metric([], CampaignContact.objects.filter(status=ContactStatus.SENDING).count())
    yield gauge
