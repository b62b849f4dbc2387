"""The number's usage on the dashboard's channel page (loaded into it by htmx: the
channels app never imports campaigns), or as a page of its own without JavaScript."""

from django.shortcuts import get_object_or_404

from campaigns.charts import usage_bars
from campaigns.usage import channel_usage
from channels.models import Channel
from skylight.page_utils import account_page, render_page


@account_page
def channel_usage_panel(request, pk):
    channel = get_object_or_404(
        Channel.objects.select_related("account"), pk=pk, account=request.account
    )
    usage = channel_usage(channel=channel)
    context = {
        "channel": channel,
        "usage": usage,
        "chart": usage_bars(usage.days, usage.cap),
        "used_today": max(usage.recipients_today, usage.attempted_today),
    }
    return render_page(request, "campaigns/channel_usage.html", context, "usage-panel")
