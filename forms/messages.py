"""The message catalogue of the forms package: Norwegian bokmål (default) and English, keyed by id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Protocol

LOCALES = ("nb", "en")
DEFAULT_LOCALE = "nb"


class Localized(Protocol):
    """Anything that can give its text in a locale (labels, composed phrases)."""

    def get(self, locale: str) -> str: ...


CATALOGUE: dict[str, dict[str, str]] = {
    # Field-level checks
    "required": {"nb": "Feltet må fylles ut.", "en": "This field is required."},
    "invalid_text": {"nb": "Skriv inn tekst.", "en": "Enter text."},
    "too_long": {
        "nb": "Teksten kan ikke være lengre enn {max} tegn.",
        "en": "The text cannot be longer than {max} characters.",
    },
    "invalid_integer": {"nb": "Skriv inn et helt tall.", "en": "Enter a whole number."},
    "invalid_decimal": {"nb": "Skriv inn et tall.", "en": "Enter a number."},
    "min_value": {"nb": "Verdien må være minst {min}.", "en": "The value must be at least {min}."},
    "max_value": {
        "nb": "Verdien kan ikke være høyere enn {max}.",
        "en": "The value cannot be more than {max}.",
    },
    "invalid_date": {
        "nb": "Skriv inn en gyldig dato (dd.mm.åååå).",
        "en": "Enter a valid date (YYYY-MM-DD).",
    },
    "date_min": {"nb": "Datoen kan ikke være før {min}.", "en": "The date cannot be before {min}."},
    "date_max": {"nb": "Datoen kan ikke være etter {max}.", "en": "The date cannot be after {max}."},
    "date_in_future": {"nb": "Datoen kan ikke være fram i tid.", "en": "The date cannot be in the future."},
    "invalid_boolean": {"nb": "Velg ja eller nei.", "en": "Choose yes or no."},
    "must_be_true": {"nb": "Dette må bekreftes.", "en": "This must be confirmed."},
    "invalid_choice": {
        "nb": "Velg et av alternativene i listen.",
        "en": "Choose one of the options in the list.",
    },
    "invalid_choices": {
        "nb": "Velg ett eller flere av alternativene i listen.",
        "en": "Choose one or more of the options in the list.",
    },
    "invalid_email": {"nb": "Skriv inn en gyldig e-postadresse.", "en": "Enter a valid e-mail address."},
    "invalid_phone": {
        "nb": "Skriv inn et gyldig telefonnummer (8 siffer, eller med landskode).",
        "en": "Enter a valid phone number (8 digits, or with a country code).",
    },
    # Identity numbers
    "fnr_length": {
        "nb": "Fødselsnummeret må ha 11 siffer.",
        "en": "The national identity number must have 11 digits.",
    },
    "fnr_format": {
        "nb": "Fødselsnummeret kan bare inneholde siffer.",
        "en": "The national identity number can only contain digits.",
    },
    "fnr_checksum": {
        "nb": "Fødselsnummeret er ugyldig (kontrollsifrene stemmer ikke).",
        "en": "The national identity number is not valid (the check digits do not match).",
    },
    "fnr_h_number": {
        "nb": "H-nummer kan ikke brukes. Oppgi fødselsnummer eller D-nummer.",
        "en": "H-numbers cannot be used. Enter a national identity number or a D-number.",
    },
    "fnr_fh_number": {
        "nb": "FH-nummer kan ikke brukes. Oppgi fødselsnummer eller D-nummer.",
        "en": "FH-numbers cannot be used. Enter a national identity number or a D-number.",
    },
    "fnr_synthetic": {
        "nb": "Syntetiske testnumre (Tenor) er ikke tillatt her.",
        "en": "Synthetic test numbers (Tenor) are not allowed here.",
    },
    "fnr_birth_date": {
        "nb": "Fødselsnummeret inneholder ikke en gyldig fødselsdato.",
        "en": "The national identity number does not contain a valid date of birth.",
    },
    "fnr_future": {
        "nb": "Fødselsdatoen i fødselsnummeret er fram i tid.",
        "en": "The date of birth in the national identity number is in the future.",
    },
    "orgnr_length": {
        "nb": "Organisasjonsnummeret må ha 9 siffer.",
        "en": "The organisation number must have 9 digits.",
    },
    "orgnr_format": {
        "nb": "Organisasjonsnummeret kan bare inneholde siffer.",
        "en": "The organisation number can only contain digits.",
    },
    "orgnr_checksum": {
        "nb": "Organisasjonsnummeret er ugyldig (kontrollsifferet stemmer ikke).",
        "en": "The organisation number is not valid (the check digit does not match).",
    },
    # Cross-field rules
    "date_after": {
        "nb": "Datoen må være etter {ref} ({limit}).",
        "en": "The date must be after {ref} ({limit}).",
    },
    "date_not_after": {
        "nb": "Datoen kan ikke være senere enn {ref} ({limit}).",
        "en": "The date cannot be later than {ref} ({limit}).",
    },
    "date_not_before": {
        "nb": "Datoen kan ikke være tidligere enn {ref} ({limit}).",
        "en": "The date cannot be earlier than {ref} ({limit}).",
    },
    "registration_deadline": {
        "nb": "Kandidaten må meldes opp senest to måneder før kontrakten slutter ({limit}).",
        "en": "The candidate must be registered no later than two months before the contract ends ({limit}).",
    },
    "test_window": {
        "nb": "Prøven kan tidligst avlegges tre måneder før læretiden slutter ({limit}).",
        "en": "The test can be taken no earlier than three months before the training period ends ({limit}).",
    },
    "appeal_deadline": {
        "nb": "Klagefristen er tre uker etter at resultatet forelå ({limit}).",
        "en": "The deadline for an appeal is three weeks after the result ({limit}).",
    },
    "required_minor": {
        "nb": "Må fylles ut fordi lærlingen er under {age} år per {date}.",
        "en": "Required because the apprentice is under {age} on {date}.",
    },
    "sum_max": {
        "nb": "Summen av {fields} kan ikke være mer enn {max}.",
        "en": "The sum of {fields} cannot be more than {max}.",
    },
    "sum_min": {
        "nb": "Summen av {fields} må være minst {min}.",
        "en": "The sum of {fields} must be at least {min}.",
    },
    "required_for_ready": {
        "nb": "Må være oppfylt før kandidaten kan meldes klar til prøve.",
        "en": "Must be met before the candidate can be marked ready for the test.",
    },
    "appeal_not_allowed": {
        "nb": "Det kan bare klages når resultatet er «Ikke bestått».",
        "en": "An appeal is only possible when the result is “Not passed”.",
    },
    "grounds_apprentice_only": {
        "nb": "Bare lærlingen kan søke heving fordi det er en urimelig belastning å fortsette.",
        "en": "Only the apprentice can apply on the grounds that continuing is an unreasonable burden.",
    },
    # API envelope
    "unknown_field": {"nb": "Ukjent felt.", "en": "Unknown field."},
    "invalid_input": {
        "nb": "Ugyldige data: forventet et objekt.",
        "en": "Invalid input: expected an object.",
    },
    # Read-only rendering and widgets
    "yes": {"nb": "Ja", "en": "Yes"},
    "no": {"nb": "Nei", "en": "No"},
    "empty": {"nb": "–", "en": "–"},
    "masked": {"nb": "*****", "en": "*****"},
    "choose": {"nb": "– Velg –", "en": "– Choose –"},
    "and": {"nb": "og", "en": "and"},
}

_UNITS = {
    "nb": {"months": ("måned", "måneder"), "weeks": ("uke", "uker"), "days": ("dag", "dager")},
    "en": {"months": ("month", "months"), "weeks": ("week", "weeks"), "days": ("day", "days")},
}
_DIRECTION = {"nb": ("før", "etter"), "en": ("before", "after")}


def normalize_locale(locale: str | None) -> str:
    """Map a locale such as 'en_GB', 'nb-NO' or 'no' to 'en' or 'nb' (the default)."""
    if locale and locale.replace("-", "_").split("_")[0].lower() == "en":
        return "en"
    return DEFAULT_LOCALE


def format_date(day: dt.date, locale: str) -> str:
    """Format a date as dd.mm.yyyy for Norwegian and ISO 8601 for English."""
    return day.strftime("%d.%m.%Y") if normalize_locale(locale) == "nb" else day.isoformat()


def format_number(value: int | Decimal | float, locale: str) -> str:
    """Format a number with a decimal comma for Norwegian."""
    text = str(value)
    return text.replace(".", ",") if normalize_locale(locale) == "nb" else text


def format_param(value: Any, locale: str) -> str:
    """Render one message parameter: dates, numbers and localized labels in the locale."""
    if isinstance(value, dt.date):
        return format_date(value, locale)
    if isinstance(value, bool):
        return CATALOGUE["yes" if value else "no"][locale]
    if isinstance(value, int | Decimal | float):
        return format_number(value, locale)
    if hasattr(value, "get") and not isinstance(value, dict):
        return str(value.get(locale))
    return str(value)


def render(code: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    """Return the message `code` in `locale`, with its parameters formatted for that locale."""
    locale = normalize_locale(locale)
    try:
        template = CATALOGUE[code][locale]
    except KeyError:
        raise KeyError(f"no message {code!r} in the forms catalogue") from None
    return template.format(**{name: format_param(value, locale) for name, value in params.items()})


def offset_phrase(months: int, weeks: int, days: int, locale: str) -> str:
    """Describe an offset such as '2 måneder før' / '3 weeks after' ('' for no offset)."""
    locale = normalize_locale(locale)
    parts = []
    for unit, amount in (("months", months), ("weeks", weeks), ("days", days)):
        if amount:
            singular, plural = _UNITS[locale][unit]
            parts.append(f"{abs(amount)} {singular if abs(amount) == 1 else plural}")
    if not parts:
        return ""
    before, after = _DIRECTION[locale]
    sign = months or weeks or days
    return f"{' '.join(parts)} {before if sign < 0 else after} "
