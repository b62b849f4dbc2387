"""Dashboard page of the suppression list: see, add, import and lift entries."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from contacts.models import ChannelType, Suppression
from contacts.suppressions import suppression_add, suppression_delete, suppressions_import_csv
from skylight.audit import audit_record
from skylight.domain import Invalid
from skylight.page_utils import account_page, add_service_errors, paginate, render_page

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class SuppressionForm(forms.Form):
    address = forms.CharField(
        max_length=64, help_text="A phone number (+966501234567) or a Telegram chat id."
    )
    channel_type = forms.ChoiceField(choices=ChannelType.choices, label="Channel type")
    reason = forms.CharField(max_length=255, required=False)


class SuppressionImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with an address (or phone) column and an optional reason."
    )
    channel_type = forms.ChoiceField(choices=ChannelType.choices, label="Channel type")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB.")
        return upload


@account_page
def suppressions(request):
    form = SuppressionForm(request.POST or None, prefix="add")
    if request.method == "POST" and form.is_valid():
        try:
            entry, created = suppression_add(
                account=request.account, source=Suppression.Source.DASHBOARD, **form.cleaned_data
            )
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            if created:
                audit_record(
                    account=request.account,
                    action="suppression.created",
                    target=entry,
                    changes={"address": entry.address, "channel_type": entry.channel_type},
                )
            said = "Suppressed" if created else "Already suppressed:"
            messages.success(request, f"{said} {entry.address}.")
            return redirect("dashboard:suppressions")
    return render_page(request, "contacts/suppressions.html", _context(request, form=form))


@account_page
@require_POST
def suppressions_import(request):
    form = SuppressionImportForm(request.POST, request.FILES, prefix="import")
    if form.is_valid():
        try:
            result = suppressions_import_csv(
                account=request.account,
                file=form.cleaned_data["file"],
                channel_type=form.cleaned_data["channel_type"],
            )
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            audit_record(
                account=request.account,
                action="suppression.imported",
                changes={"created": result["created"], "rejected": len(result["rejected"])},
            )
            messages.success(
                request,
                f"Imported: {result['created']} new, {result['existing']} already listed, "
                f"{len(result['rejected'])} rejected.",
            )
            return redirect("dashboard:suppressions")
    return render_page(request, "contacts/suppressions.html", _context(request, import_form=form))


@account_page
@require_POST
def suppression_lift(request, pk):
    entry = get_object_or_404(Suppression, pk=pk, account=request.account)
    entry_id = entry.pk
    suppression_delete(suppression=entry)
    audit_record(
        account=request.account,
        action="suppression.deleted",
        object_id=entry_id,
        changes={"address": entry.address, "channel_type": entry.channel_type},
    )
    messages.success(request, f"{entry.address} is no longer suppressed.")
    return redirect("dashboard:suppressions")


def _context(request, form=None, import_form=None) -> dict:
    search = request.GET.get("search", "").strip()
    entries = Suppression.objects.filter(account=request.account).order_by("-id")
    if search:
        entries = entries.filter(address__icontains=search)
    return {
        "section": "suppressions",
        "page_obj": paginate(request, entries),
        "search": search,
        "form": form or SuppressionForm(prefix="add"),
        "import_form": import_form or SuppressionImportForm(prefix="import"),
    }
