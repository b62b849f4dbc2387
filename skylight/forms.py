"""Dashboard forms of the account pages."""

from django import forms


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        initial="API key",
        help_text="A label to recognise the key by, e.g. where it is used.",
    )


class SwitchAccountForm(forms.Form):
    account = forms.IntegerField()
