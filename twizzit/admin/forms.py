"""Admin forms: the write-only connection password (the review screen's are in review.py)."""

from django import forms

from shotspot.forms import https_formfield
from twizzit.models import TwizzitConfig
from twizzit.services.connections import (
    CREDENTIAL_TARGET_FIELDS,
    password_again_error,
    retargeted_fields,
)


class TwizzitConfigForm(forms.ModelForm):
    """A connection form whose password field is write-only."""

    api_password = forms.CharField(
        label="Twizzit password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Leave empty to keep the current password.",
    )

    class Meta:
        model = TwizzitConfig
        fields = "__all__"  # noqa: DJ007 (the admin narrows them with fieldsets)
        formfield_callback = https_formfield

    def clean(self):
        cleaned = super().clean()
        if not self.instance.has_password and not cleaned.get("api_password"):
            self.add_error("api_password", "A new connection needs the Twizzit password.")
        elif not cleaned.get("api_password"):
            # The same rule as the API and the CLI (twizzit.services.connections).
            wanted = {name: cleaned[name] for name in CREDENTIAL_TARGET_FIELDS if name in cleaned}
            changed = retargeted_fields(self.instance, wanted)
            if changed:
                self.add_error(None, password_again_error(changed))
        return cleaned

    def save(self, commit=True):
        password = self.cleaned_data.get("api_password")
        if password:
            self.instance.set_password(password)
        return super().save(commit=commit)
