"""Form fields for text people type, checked by the same rule the services store it with."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from workshop.limits import Limit
from workshop.text import normalise


class LimitedTextField(forms.CharField):
    """Text as `limit` stores it: normalised (control characters, NUL included, removed), then
    "required" when nothing is left, or the limit's own words when it is too long.

    The length is checked on the server only, without a `maxlength` attribute for multi-line
    text: a browser would silently cut a long paste, and the server keeps the words instead.
    """

    def __init__(self, limit: Limit, **kwargs):
        self.limit = limit
        kwargs.setdefault("required", limit.required)
        super().__init__(**kwargs)
        # normalise() removes what this validator refuses, with a message nobody understands.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value):
        return normalise(super().to_python(value), multiline=self.limit.multiline)

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        try:
            self.limit.clean(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="limit") from error

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not self.limit.multiline and not widget.is_hidden:
            attrs["maxlength"] = str(self.limit.max_length)
        if not widget.is_hidden:
            # Typed in any script: an Arabic title is typed, and its caret moves, right to left.
            attrs["dir"] = "auto"
        return attrs
