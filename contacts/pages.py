"""Dashboard pages for contacts, lists, segments and CSV import (writes go to the services)."""

import csv
import io
import json

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contacts import services
from contacts.exports import contacts_csv
from contacts.filters import ContactFilter
from contacts.forms import (
    OPERATOR_LABELS,
    SEGMENT_FIELDS,
    ContactForm,
    ImportForm,
    ImportMappingForm,
    ListForm,
    SegmentForm,
    operators_by_field,
    rows_from_rules,
    rules_from_post,
)
from contacts.import_stash import stash_discard, stash_open, stash_options, stash_store
from contacts.importing import audit_import, import_contacts_csv, preview_csv
from contacts.models import ChannelType, Contact, ContactList, ListMembership, Segment, Tag
from contacts.phones import InvalidPhone, normalize_phone
from contacts.segment_errors import place_errors
from contacts.segments import contacts_matching, segment_queryset
from contacts.selectors import contacts_for_listing, lists_with_counts
from skylight.counting import Total, total_of
from skylight.domain import Invalid
from skylight.page_utils import (
    account_page,
    add_service_errors,
    delete_through_service,
    paginate_newest_first,
    render_page,
    service_error_messages,
)
from skylight.uploads import upload_limit_text, upload_too_large

# --- contacts ---------------------------------------------------------------------


def contacts_filtered(account, params):
    """The account's contacts narrowed by the API's ContactFilter (same parameters)."""
    data = {key: params.get(key) for key in ContactFilter.Meta.fields if params.get(key)}
    queryset = contacts_for_listing().filter(account=account)
    filterset = ContactFilter(data, queryset=queryset)
    return filterset.qs if filterset.is_valid() else queryset.none()


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@account_page
def contacts_export(request):
    """The contacts the page's filters select, as a CSV download."""
    return contacts_csv(contacts_filtered(request.account, request.GET))


@account_page
def contacts(request):
    account = request.account
    found = contacts_filtered(account, request.GET)
    context = {
        "page_obj": paginate_newest_first(request, found, total_of(found)),
        "query": _query_string(request),
        "filters": request.GET,
        "types": ChannelType.choices,
        "tags": Tag.objects.filter(account=account),
        "lists": ContactList.objects.filter(account=account),
    }
    return render_page(request, "contacts/contacts.html", context, "results")


def _same_phone(request, form, contact=None):
    """The other contact that already has the typed phone and type (to link to it)."""
    if not form.is_bound or "phone" not in form.errors:
        return None
    try:
        phone = normalize_phone(form.data.get("phone", ""), request.account.default_country)
    except InvalidPhone:
        return None
    others = Contact.objects.filter(
        account=request.account, type=form.data.get("type", ""), phone=phone
    )
    return others.exclude(pk=contact.pk if contact else None).first()


def _contact_form_page(request, form, contact=None):
    context = {"form": form, "contact": contact, "same_phone": _same_phone(request, form, contact)}
    return render_page(request, "contacts/contact_form.html", context, "contact-form")


@account_page
def contact_new(request):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(account=request.account, **form.cleaned_data)
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added {contact.name or contact.phone}.")
            return redirect("dashboard:contacts")
    return _contact_form_page(request, form)


@account_page
def contact_edit(request, pk):
    contact = get_object_or_404(Contact, pk=pk, account=request.account)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_from(contact))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, **form.cleaned_data)
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {contact.name or contact.phone}.")
            return redirect("dashboard:contacts")
    return _contact_form_page(request, form, contact)


@account_page
@require_POST
def contact_delete(request, pk):
    contact = get_object_or_404(Contact, pk=pk, account=request.account)
    return delete_through_service(  # refused while a send to the contact is in flight
        request,
        lambda: services.contact_delete(contact=contact),
        label=contact.name or contact.phone,
        success_url="dashboard:contacts",
        error_url=reverse("dashboard:contact_edit", args=[contact.pk]),
    )


@account_page
@require_POST
def contact_opt_out(request, pk):
    contact = get_object_or_404(Contact, pk=pk, account=request.account)
    opted_out = request.POST.get("opted_out", "1" if not contact.opted_out else "0") == "1"
    # The reason comes from the confirmation prompt (htmx's HX-Prompt) or the form field.
    reason = (request.headers.get("HX-Prompt") or request.POST.get("reason", "")).strip()
    if not reason:
        messages.error(request, "Give a reason to change whether this contact gets messages.")
        if request.htmx:
            response = render_page(request, "contacts/contacts.html", {"contact": contact}, "row")
            response["HX-Reswap"] = "none"
            return response
        return redirect(request.META.get("HTTP_REFERER") or reverse("dashboard:contacts"))
    services.contact_set_opted_out(
        contact=contact, opted_out=opted_out, reason=reason, changed_by=request.user
    )
    if not request.htmx:
        return redirect(request.META.get("HTTP_REFERER") or reverse("dashboard:contacts"))
    contact = contacts_filtered(request.account, {}).get(pk=pk)
    return render_page(request, "contacts/contacts.html", {"contact": contact}, "row")


@account_page
def contact_import(request):
    """Step 1 uploads the file (kept aside, see contacts/import_stash.py) and shows its
    first rows with a target per column; step 2 imports it with the chosen mapping."""
    if request.method == "POST" and "stash" in request.POST:
        return _import_mapped(request)
    form = ImportForm(request.POST or None, request.FILES or None, account=request.account)
    context = {"form": form}
    if request.method == "POST" and upload_too_large(request):
        # The upload handler stored none of it (see skylight/uploads.py).
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", f"The file is larger than {upload_limit_text()}; split it up.")
    elif request.method == "POST" and form.is_valid():
        try:
            preview = preview_csv(form.cleaned_data["file"])
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            data = form.cleaned_data
            options = {
                "type": data["type"],
                "contact_list": getattr(data["contact_list"], "pk", None),
                "new_list": data["new_list"],
            }
            token = stash_store(account=request.account, upload=data["file"], options=options)
            initial = {"stash": token, "default_country": data["default_country"]}
            initial |= {f"column_{i}": target for i, target in enumerate(preview.targets)}
            mapping = ImportMappingForm(header=preview.header, initial=initial)
            context = _mapping_context(request, mapping, preview, options)
    return render_page(request, "contacts/import.html", context, "import-panel")


def _mapping_context(request, mapping, preview, options) -> dict:
    contact_list = ContactList.objects.filter(
        account=request.account, pk=options.get("contact_list")
    ).first()
    columns = [
        (field, [row[index] for row in preview.rows])
        for index, field in enumerate(mapping.column_fields())
    ]
    return {
        "no_phone_guess": "phone" not in preview.targets,
        "mapping": mapping,
        "columns": columns,
        "preview_rows": len(preview.rows),
        "options": {**options, "list": contact_list},
        "type_label": ChannelType(options["type"]).label,
    }


def _import_mapped(request):
    token = request.POST.get("stash", "")
    options = stash_options(account=request.account, token=token)
    if options is None:
        context = {
            "form": ImportForm(account=request.account),
            "upload_problem": "That upload is no longer available; choose the file again.",
        }
        return render_page(request, "contacts/import.html", context, "import-panel")
    with stash_open(account=request.account, token=token) as file:
        preview = preview_csv(file)
    mapping = ImportMappingForm(request.POST, header=preview.header)
    if mapping.is_valid():
        try:
            with stash_open(account=request.account, token=token) as file:
                result = _run_import(request.account, file, mapping, options)
        except Invalid as exc:
            add_service_errors(mapping, exc, {"mapping": None, "name": None})
        else:
            stash_discard(account=request.account, token=token)
            context = {"form": ImportForm(account=request.account), **result}
            return render_page(request, "contacts/import.html", context, "import-panel")
    context = _mapping_context(request, mapping, preview, options)
    return render_page(request, "contacts/import.html", context, "import-panel")


def _run_import(account, file, mapping, options) -> dict:
    with transaction.atomic():
        contact_list = ContactList.objects.filter(
            account=account, pk=options.get("contact_list")
        ).first()
        if options.get("new_list"):
            contact_list = services.list_create(account=account, name=options["new_list"])
        result = import_contacts_csv(
            account=account,
            file=file,
            type=options["type"],
            contact_list=contact_list,
            mapping=mapping.mapping(),
            default_country=mapping.cleaned_data["default_country"],
        )
        audit_import(account=account, result=result, contact_list=contact_list)
    return {
        "result": result,
        "imported_list": contact_list,
        "rejected_csv": _rejected_csv(result.errors),
    }


def _rejected_csv(errors) -> str:
    """The rejected rows as CSV text (row, phone, reason), for a download link."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "phone", "reason"])
    writer.writerows([error["row"], error["phone"], error["reason"]] for error in errors)
    return out.getvalue()


# --- lists ----------------------------------------------------------------------


def _lists_context(request, form=None):
    lists = lists_with_counts().filter(account=request.account)
    return {"lists": lists, "form": form or ListForm()}


@account_page
def lists(request):
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_list = services.list_create(account=request.account, **form.cleaned_data)
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Created list {contact_list.name}.")
            return redirect("dashboard:list_detail", contact_list.pk)
    return render_page(request, "contacts/lists.html", _lists_context(request, form), "list-form")


def _members_page(request, contact_list, search: str):
    """A page of the list's members, newest contact first.

    Without a search it walks the membership index (list, contact) and takes the total
    from the list's counter, so its cost does not grow with the list.
    """
    if search:
        params = {"search": search, "list_id": str(contact_list.pk)}
        found = contacts_filtered(request.account, params)
        return paginate_newest_first(request, found, total_of(found))
    members = ListMembership.objects.filter(contact_list=contact_list).order_by("-contact_id")
    return paginate_newest_first(
        request,
        contacts_for_listing(),
        Total(contact_list.members_count, True),
        ids=members.values_list("contact_id", flat=True),
    )


def _list_context(request, contact_list, **extra):
    search = request.GET.get("search", "")
    page = _members_page(request, contact_list, search)
    total = contact_list.members_count
    return {
        "contact_list": contact_list,
        "page_obj": page,
        "query": _query_string(request),
        "search": search,
        "members_count": total,
        **extra,
    }


@account_page
def list_detail(request, pk):
    contact_list = get_object_or_404(ContactList, pk=pk, account=request.account)
    return render_page(
        request, "contacts/list_detail.html", _list_context(request, contact_list), "members"
    )


@account_page
def list_edit(request, pk):
    contact_list = get_object_or_404(ContactList, pk=pk, account=request.account)
    initial = {"name": contact_list.name, "description": contact_list.description}
    form = ListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.list_update(contact_list=contact_list, **form.cleaned_data)
        except Invalid as exc:
            contact_list.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, "List saved.")
            return redirect("dashboard:list_detail", contact_list.pk)
    context = {"form": form, "contact_list": contact_list}
    return render_page(request, "contacts/list_form.html", context, "list-form")


@account_page
@require_POST
def list_delete(request, pk):
    contact_list = get_object_or_404(ContactList, pk=pk, account=request.account)
    services.list_delete(contact_list=contact_list)
    messages.success(request, f"Deleted list {contact_list.name}; its contacts stay.")
    return redirect("dashboard:lists")


def _posted_ids(request) -> list[int]:
    return [int(value) for value in request.POST.getlist("contact_ids") if value.isdigit()]


@account_page
def list_candidates(request, pk):
    """Contacts not yet in the list, matching a search, for the "add members" box."""
    contact_list = get_object_or_404(ContactList, pk=pk, account=request.account)
    search = request.GET.get("find", "").strip()
    candidates = []
    if search:
        candidates = (
            contacts_filtered(request.account, {"search": search})
            .exclude(lists=contact_list)
            .order_by("name")[:20]
        )
    context = {"contact_list": contact_list, "candidates": candidates, "find": search}
    return render_page(request, "contacts/list_detail.html", context, "candidates")


@account_page
@require_POST
def list_add(request, pk):
    contact_list = get_object_or_404(ContactList, pk=pk, account=request.account)
    added = services.list_add_contacts(contact_list=contact_list, contact_ids=_posted_ids(request))
    messages.success(request, f"Added {added} contact{'s' if added != 1 else ''}.")
    return redirect("dashboard:list_detail", contact_list.pk)


@account_page
@require_POST
def list_remove(request, pk):
    contact_list = get_object_or_404(ContactList, pk=pk, account=request.account)
    ids = _posted_ids(request)
    removed = services.list_remove_contacts(contact_list=contact_list, contact_ids=ids)
    messages.success(request, f"Removed {removed} contact{'s' if removed != 1 else ''}.")
    return redirect("dashboard:list_detail", contact_list.pk)


# --- segments -------------------------------------------------------------------


@account_page
def segments(request):
    items = Segment.objects.filter(account=request.account)
    return render_page(request, "contacts/segments.html", {"segments": items})


@account_page
def segment_count(request, pk):
    """A segment's member count, fetched lazily by its row (each count is its own query)."""
    segment = get_object_or_404(Segment, pk=pk, account=request.account)
    try:
        count = segment_queryset(segment).count()
    except Invalid:
        count = None
    return render(request, "contacts/segments.html#count", {"count": count})


def _segment_page(request, form, rows, segment=None, preview=None):
    preview = preview or _preview(request.account, _rules_of(segment), rows)
    rows = rows or [{"field": "tags", "key": "", "op": "eq", "value": ""}]
    for row, error in zip(rows, preview.get("row_errors", ()), strict=False):
        row["error"] = error
    context = {
        "form": form,
        "segment": segment,
        "rows": rows,
        "fields": SEGMENT_FIELDS,
        "operator_labels": OPERATOR_LABELS,
        "operators_json": json.dumps(operators_by_field()),
        "lists": ContactList.objects.filter(account=request.account),
        "preview": preview,
    }
    return render_page(request, "contacts/segment_form.html", context, "segment-form")


def _rules_of(segment):
    return segment.rules if segment else {"match": "all", "conditions": []}


def _preview(account, rules, rows=()) -> dict:
    """How many contacts the rules match now, a few of them, or why the rules are invalid.

    Errors about one condition go to its row (`row_errors`, in words); the rest to `errors`.
    """
    try:
        members = contacts_matching(account, rules)
        return {"count": members.count(), "sample": list(members.order_by("-id")[:5])}
    except Invalid as exc:
        row_errors, general = place_errors(exc.errors, list(rows))
        if not general and not any(row_errors):
            general = service_error_messages(exc)
        return {"errors": general, "row_errors": row_errors, "invalid": True}


def _save_segment(request, segment=None):
    form = SegmentForm(request.POST)
    rules, rows = rules_from_post(request.POST, request.account)
    if form.is_valid():
        try:
            if segment is None:
                segment = services.segment_create(
                    account=request.account, name=form.cleaned_data["name"], rules=rules
                )
            else:
                services.segment_update(
                    segment=segment, name=form.cleaned_data["name"], rules=rules
                )
        except Invalid as exc:
            row_errors, general = place_errors(exc.errors, rows)
            for message in general:
                form.add_error(None, message)
            if any(row_errors):
                form.add_error(None, "Some conditions need fixing: see the notes under them.")
        else:
            messages.success(request, f"Saved segment {segment.name}.")
            return redirect("dashboard:segments")
    return _segment_page(request, form, rows, segment, _preview(request.account, rules, rows))


@account_page
def segment_new(request):
    if request.method == "POST":
        return _save_segment(request)
    return _segment_page(request, SegmentForm(), [])


@account_page
def segment_edit(request, pk):
    segment = get_object_or_404(Segment, pk=pk, account=request.account)
    if request.method == "POST":
        return _save_segment(request, segment)
    form = SegmentForm(initial={"name": segment.name, "match": segment.rules.get("match", "all")})
    return _segment_page(request, form, rows_from_rules(segment.rules, request.account), segment)


@account_page
@require_POST
def segment_delete(request, pk):
    segment = get_object_or_404(Segment, pk=pk, account=request.account)
    services.segment_delete(segment=segment)
    messages.success(request, f"Deleted segment {segment.name}.")
    return redirect("dashboard:segments")


@account_page
@require_POST
def segment_preview(request):
    rules, rows = rules_from_post(request.POST, request.account)
    context = {"preview": _preview(request.account, rules, rows)}
    return render(request, "contacts/segment_form.html#preview", context)
