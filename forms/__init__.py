"""Form definitions as data, compiled to WTForms (HTML) and marshmallow (API), with shared validators."""

from .errors import DefinitionError, FieldError
from .html import form_to_data
from .model import Choice, Condition, FieldDefinition, FormDefinition, Text
from .readonly import ReadonlyField, render_readonly
from .registry import FormRegistry, load_registry

__all__ = [
    "Choice",
    "Condition",
    "DefinitionError",
    "FieldDefinition",
    "FieldError",
    "FormDefinition",
    "FormRegistry",
    "ReadonlyField",
    "Text",
    "form_to_data",
    "load_registry",
    "render_readonly",
]
