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
