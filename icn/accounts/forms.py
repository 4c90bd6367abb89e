from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from icn.accounts.models import OrganisationRole
from icn.core.forms import StyledFormMixin
from icn.directory.models import Cluster, Organisation


class EmailAuthenticationForm(StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.error_messages["invalid_login"] = "That e-mail and password do not match an account."


class StyledPasswordResetForm(StyledFormMixin, PasswordResetForm):
    pass


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class InvitationAcceptForm(StyledFormMixin, SetPasswordForm):
    full_name = forms.CharField(max_length=200, label="Your name")

    field_order = ["full_name", "new_password1", "new_password2"]


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'CRM sync'.")


class InvitationForm(StyledFormMixin, forms.Form):
    email = forms.EmailField()
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    role = forms.ChoiceField(choices=OrganisationRole.choices, initial=OrganisationRole.MEMBER)
    cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.none(),
        required=False,
        help_text="Or invite the person to manage a cluster.",
    )

    def __init__(
        self, *args: Any, organisations: Any = None, clusters: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("organisation")) == bool(data.get("cluster")):
            raise forms.ValidationError("Choose either an organisation or a cluster.")
        return data
