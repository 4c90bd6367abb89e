"""Form helpers: Bootstrap classes on every widget, errors marked on the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class StyledFormMixin:
    """Adds the CSS library's classes to widgets, and `is-invalid` to fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for field in fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = ""
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        errors: dict[str, Any] = getattr(self, "_errors", None) or {}
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name in errors:
            if name in fields:
                widget = fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


def apply_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's validation errors next to the form's fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
