"""Admin forms: the write-only connection password, and deciding a conflict."""

from django import forms

from shotspot.forms import https_formfield
from twizzit.connections import CREDENTIAL_TARGET_FIELDS, password_again_error, retargeted_fields
from twizzit.models import ConflictType, Resolution, TwizzitConfig
from twizzit.sync.resolution import CHOICES


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
            # The same rule as the API and the CLI (twizzit.connections).
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


class ConflictResolutionForm(forms.Form):
    """How a person decides one conflict: the choices its type allows, and manual values."""

    resolution = forms.ChoiceField(widget=forms.RadioSelect, label="Decision")

    def __init__(self, conflict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = conflict
        self.fields["resolution"].choices = list(CHOICES[conflict.conflict_type].items())
        if conflict.conflict_type == ConflictType.DATA_MISMATCH:
            for name in conflict.fields:
                self.fields[value_field(name)] = forms.CharField(
                    required=False,
                    label=name.removesuffix("_id").replace("_", " ").capitalize(),
                    initial=conflict.shotspot_data.get(name),
                    help_text="Used with “Use the values I enter”.",
                )
        elif conflict.conflict_type == ConflictType.DUPLICATE:
            self.fields["local_id"] = forms.TypedChoiceField(
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                label="Link to",
                choices=[
                    (
                        c["id"],
                        f"{c['label']} (#{c['id']}, same {c['matched_on'].replace('_', ' ')})",
                    )
                    for c in conflict.candidates
                ],
            )

    def values(self) -> dict | None:
        """The `values` argument of resolve_conflict for the chosen resolution."""
        if self.cleaned_data["resolution"] != Resolution.MANUAL:
            return None
        if self.conflict.conflict_type == ConflictType.DUPLICATE:
            return {"local_id": self.cleaned_data.get("local_id")}
        return {name: self.cleaned_data[value_field(name)] for name in self.conflict.fields}

    def add_resolution_error(self, error) -> None:
        """Show the service's refusal on the fields it names, or above the form."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                key = value_field(name) if value_field(name) in self.fields else None
                key = key or (
                    value_field(f"{name}_id") if value_field(f"{name}_id") in self.fields else None
                )
                self.add_error(key, messages)
        else:
            self.add_error(None, error.messages)


def value_field(name: str) -> str:
    return f"value_{name}"
