"""Form helpers shared by the admin and the services that validate like a model form."""

from django.db import models


def https_formfield(model_field, **kwargs):
    """A model field's form field; URL fields take "https://" when a scheme is left out."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


# For ModelAdmin.formfield_overrides: the admin builds its forms field by field.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}
