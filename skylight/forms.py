"""Dashboard forms of the account pages."""

from django import forms

from skylight.models import country_choices


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        initial="API key",
        help_text="A label to recognise the key by, e.g. where it is used.",
    )


class DefaultCountryForm(forms.Form):
    default_country = forms.ChoiceField(
        required=False,
        label="Default country for local numbers",
        help_text="Phone numbers written without a country code (0551112234) are read as "
        "numbers of this country when contacts are added or imported.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_country"].choices = [("", "— none: international numbers only —")]
        self.fields["default_country"].choices += country_choices()


class SwitchAccountForm(forms.Form):
    account = forms.IntegerField()


class BreakerForm(forms.Form):
    """The account's circuit breaker thresholds (skylight.services.account_breaker_update)."""

    breaker_failure_percent = forms.IntegerField(
        label="Permanent failures (%)",
        min_value=1,
        max_value=100,
        help_text="Pause a number's campaigns when at least this share of its recent sends "
        "failed permanently…",
    )
    breaker_min_attempts = forms.IntegerField(
        label="Over at least (sends)",
        min_value=1,
        max_value=50,
        help_text="…counted over at least this many sends.",
    )
    breaker_opt_out_limit = forms.IntegerField(
        label="Opt-outs and blocks",
        min_value=1,
        max_value=50,
        help_text="Pause a number's campaigns when this many people opt out or block it "
        "among its last 50 sends.",
    )
    contact_cooldown_days = forms.IntegerField(
        label="Contact cooldown (days)",
        min_value=0,
        max_value=365,
        help_text="A contact reached by one campaign is not started by another for this many "
        "days (0: off).",
    )

    @classmethod
    def for_account(cls, account, data=None) -> "BreakerForm":
        initial = {name: getattr(account, name) for name in cls.base_fields}
        return cls(data, initial=initial)
