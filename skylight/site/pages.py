"""The dashboard's home page: an overview across every app of the account."""

from campaigns.models import Campaign, CampaignStatus
from campaigns.progress import current_daily_limit, messages_sent_today, progress_percentage
from channels.models import Channel
from contacts.models import Contact, ContactList
from skylight.page_utils import account_page, render_page
from skylight.services import subscription_get


@account_page
def home(request):
    account = request.account
    campaigns = list(
        Campaign.objects.filter(account=account).select_related("channel").order_by("-id")[:5]
    )
    for campaign in campaigns:
        campaign.progress = progress_percentage(campaign)
        campaign.sent_today = messages_sent_today(campaign)
        campaign.limit_today = current_daily_limit(campaign)
    context = {
        "campaigns": campaigns,
        "running_count": Campaign.objects.filter(
            account=account, status=CampaignStatus.RUNNING
        ).count(),
        "contacts_count": Contact.objects.filter(account=account).count(),
        "lists_count": ContactList.objects.filter(account=account).count(),
        "channels_count": Channel.objects.filter(account=account).count(),
        "subscription": subscription_get(account=account),
    }
    return render_page(request, "dashboard/home.html", context)
