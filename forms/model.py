"""The in-memory shape of a form definition: texts, choices, conditions, fields and the form itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .messages import normalize_locale

if TYPE_CHECKING:
    import marshmallow
    import wtforms

    from .rules import Rule

ChoicesProvider = Callable[[str], list[tuple[str, str]]]

FIELD_TYPES = (
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "boolean",
    "choice",
    "multichoice",
    "email",
    "phone",
    "fnr",
    "orgnr",
    "trade",
    "county",
    "company",
)
PROVIDER_TYPES = ("trade", "county", "company")
CONDITION_OPS = ("equals", "not_equals", "in", "not_in", "is_true", "not_empty", "gt", "ge", "lt", "le")


@dataclass(frozen=True)
class Text:
    """A text in Norwegian bokmål and English."""

    nb: str
    en: str

    def get(self, locale: str) -> str:
        """Return the text in `locale` ('nb' unless the locale is English)."""
        return self.en if normalize_locale(locale) == "en" else self.nb


@dataclass(frozen=True)
class Choice:
    """One option of a choice field: an ASCII identifier and its labels."""

    value: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """`field <op> value`, read from the form's cleaned data or, failing that, from the context."""

    field: str
    op: str
    value: Any

    def matches(self, value: Any) -> bool:
        """Whether a (cleaned) value meets the condition; a missing value only meets `not_empty = false`."""
        empty = value is None or value == [] or value == ""
        if self.op == "not_empty":
            return empty is not bool(self.value)
        if empty:
            return False
        if isinstance(value, list):
            wanted = self.value if self.op in ("in", "not_in") else [self.value]
            hit = any(item in wanted for item in value)
            if self.op in ("equals", "in"):
                return hit
            if self.op in ("not_equals", "not_in"):
                return not hit
            return False
        ops: dict[str, Callable[[], bool]] = {
            "equals": lambda: value == self.value,
            "not_equals": lambda: value != self.value,
            "in": lambda: value in self.value,
            "not_in": lambda: value not in self.value,
            "is_true": lambda: bool(value) is bool(self.value),
            "gt": lambda: value > self.value,
            "ge": lambda: value >= self.value,
            "lt": lambda: value < self.value,
            "le": lambda: value <= self.value,
        }
        try:
            return ops[self.op]()
        except TypeError:
            return False

    def as_json(self) -> dict[str, Any]:
        """A JSON-safe description for client-side show/hide (`data-visible-when`)."""
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return {"field": self.field, "op": self.op, "value": value}


@dataclass(frozen=True)
class FieldDefinition:
    """One field of a form; its name becomes a task-data variable."""

    name: str
    type: str
    label: Text
    help: Text | None = None
    required: bool = False
    choices: tuple[Choice, ...] = ()
    min: Any = None
    max: Any = None
    max_length: int | None = None
    default: Any = None
    visible_when: Condition | None = None
    required_when: Condition | None = None
    must_be_true: bool = False
    sensitive: bool = False
    multiple: bool = False
    display: str | None = None

    @property
    def is_multi(self) -> bool:
        """Whether the cleaned value is a list."""
        return self.type == "multichoice" or self.multiple

    @property
    def source(self) -> str | None:
        """The choices-provider source name for trade/county/company fields."""
        return self.type if self.type in PROVIDER_TYPES else None

    def choice_label(self, value: str, locale: str) -> str | None:
        """The label of a static choice value, or None if it is not one."""
        for choice in self.choices:
            if choice.value == value:
                return choice.label.get(locale)
        return None


@dataclass(frozen=True)
class FormDefinition:
    """A form: metadata, ordered fields and cross-field rules, compiled to HTML and API on demand."""

    key: str
    title: Text
    fields: tuple[FieldDefinition, ...]
    rules: tuple[Rule, ...] = ()
    intro: Text | None = None
    help: Text | None = None
    roles: tuple[str, ...] = ()
    source: str = ""
    _by_name: dict[str, FieldDefinition] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})

    def field(self, name: str) -> FieldDefinition:
        """Return the field called `name` (KeyError if there is none)."""
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        """Whether the form has a field called `name`."""
        return name in self._by_name

    @property
    def field_names(self) -> list[str]:
        """Field names in form order."""
        return [f.name for f in self.fields]

    def wtforms_class(
        self,
        locale: str = "nb",
        base: type[wtforms.Form] | None = None,
        choices_provider: ChoicesProvider | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> type[wtforms.Form]:
        """Compile to a WTForms form class (labels, help, choices and messages in `locale`)."""
        from .html import build_form_class

        return build_form_class(self, locale, base, choices_provider, context)

    def schema(
        self,
        locale: str = "nb",
        choices_provider: ChoicesProvider | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> marshmallow.Schema:
        """Compile to a marshmallow schema that loads JSON into the same cleaned data as the HTML form."""
        from .api import build_schema

        return build_schema(self, locale, choices_provider, context)

    def validate(
        self,
        data: Mapping[str, Any],
        locale: str = "nb",
        choices_provider: ChoicesProvider | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Return (cleaned data, errors by field) for JSON-like input; data is {} if there are errors."""
        from .api import validate_with_schema

        return validate_with_schema(self, data, locale, choices_provider, context)
