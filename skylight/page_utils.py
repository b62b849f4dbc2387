"""Small helpers shared by the dashboard views (pages.py modules)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from skylight.domain import DomainError, Invalid, error_messages
from skylight.roles import OWNER_ONLY_MESSAGE, request_is_owner

PER_PAGE = 25


def account_page(view):
    """Sign-in required, and the user must belong to an account (request.account)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.account is None:
            return HttpResponseForbidden("Your user is not a member of any account.")
        return view(request, *args, **kwargs)

    return wrapper


def owner_page(view):
    """An `account_page` only the account's owners may open (see skylight/roles.py)."""

    @account_page
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request_is_owner(request):
            return render(request, "403.html", {"message": OWNER_ONLY_MESSAGE}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def wants_partial(request) -> bool:
    """An htmx request for a region of the page (boosted navigation wants the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(request, template, context, partial=None, status=200):
    """The whole page, or only its named partial for an htmx region request."""
    name = f"{template}#{partial}" if partial and wants_partial(request) else template
    response = render(request, name, context, status=status)
    # The same URL answers a region or the whole page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Boosted"])
    return response


def paginate(request, queryset, per_page=PER_PAGE, total=None):
    """A page of `queryset`; `total` (a counting.Total) replaces the paginator's COUNT.

    An estimated total is shown as "about N" (templates/includes/pagination.html).
    """
    paginator = Paginator(queryset, per_page)
    paginator.estimated = False
    if total is not None:
        paginator.count = total.value  # Paginator.count is a cached_property
        paginator.estimated = not total.exact
    return paginator.get_page(request.GET.get("page"))


def paginate_newest_first(request, queryset, total, ids=None, per_page=PER_PAGE):
    """A page of `queryset` by descending id, in two steps: the page's ids, then its rows.

    The ids come from an index-only scan (or from `ids`, a values_list of the same rows
    in that order, e.g. a list's memberships), so the planner never walks the primary
    key past other accounts' rows to fill the page.
    """
    if ids is None:
        # A result small enough to count exactly is sorted (`id + 0` hides the primary
        # key's order), so its rows come from the filter's own index (a search's trigram
        # index) rather than from walking the primary key hoping to meet them early.
        order = (F("id") + 0).desc() if total.exact else F("id").desc()
        ids = queryset.order_by(order).values_list("pk", flat=True)
    page = paginate(request, ids, per_page, total)
    page.object_list = list(queryset.filter(pk__in=list(page.object_list)).order_by("-id"))
    return page


def service_error_messages(exc: DomainError) -> list[str]:
    """Readable messages of a service refusal (Invalid, Conflict, QuotaExceeded...)."""
    if isinstance(exc, Invalid):
        return error_messages(exc.errors)
    return [exc.message]


def add_service_errors(form, exc: DomainError, field_map=None) -> None:
    """Shows a service refusal on the form: by field where the form has it.

    `field_map` renames a service field to the form's (None: show it above the form).
    """
    if not isinstance(exc, Invalid):
        form.add_error(None, exc.message)
        return
    field_map = field_map or {}
    for key, texts in exc.errors.items():
        top, _, rest = key.partition(".")
        field = field_map.get(key, field_map.get(top, top))
        for text in texts:
            if field is None or key in ("non_field_errors", "detail"):
                form.add_error(None, text)
            elif field in form.fields:
                form.add_error(field, f"{rest}: {text}" if rest else text)
            else:
                form.add_error(None, f"{key}: {text}")


def delete_through_service(request, delete, *, label: str, success_url, error_url):
    """Runs a delete service; a refusal (e.g. 409) becomes a flash message, not an error page."""
    try:
        delete()
    except DomainError as exc:
        messages.error(request, " ".join(service_error_messages(exc)))
        return redirect(error_url)
    messages.success(request, f"Deleted {label}.")
    return redirect(success_url)
