"""The plain validators: identity numbers, dates, contact details — valid and invalid, both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from forms import FieldError
from forms.validators import (
    add_months,
    age_on,
    birth_date_from_fnr,
    mask_fnr,
    validate_email,
    validate_fnr,
    validate_orgnr,
    validate_phone,
)

TODAY = dt.date(2025, 6, 2)
VALID_FNR = "31129956715"  # domain.md worked example
D_NUMBER = "71129956709"  # day + 40
H_NUMBER = "31529956021"  # month + 40
FH_NUMBER = "81019010023"  # first digit 8
SYNTHETIC = "15830699829"  # Tenor: month + 80


def error_of(func, *args, **kwargs) -> FieldError:
    """Call and return the FieldError it raises."""
    with pytest.raises(FieldError) as caught:
        func(*args, **kwargs)
    return caught.value


def test_valid_fnr_is_returned_compact() -> None:
    assert validate_fnr(VALID_FNR, today=TODAY) == VALID_FNR
    assert validate_fnr("311299 56715", today=TODAY) == VALID_FNR


def test_wrong_check_digits_are_rejected_in_both_languages() -> None:
    error = error_of(validate_fnr, "31129956716", today=TODAY)
    assert error.code == "fnr_checksum"
    assert "kontrollsifrene" in error.message("nb")
    assert "check digits" in error.message("en")
    assert str(error) == error.message("nb")


def test_d_number_is_accepted() -> None:
    assert validate_fnr(D_NUMBER, today=TODAY) == D_NUMBER


def test_h_number_is_always_rejected() -> None:
    assert error_of(validate_fnr, H_NUMBER, today=TODAY).code == "fnr_h_number"
    error = error_of(validate_fnr, H_NUMBER, allow_synthetic=True, today=TODAY)
    assert error.code == "fnr_h_number"
    assert "H-nummer" in error.message("nb") and "H-numbers" in error.message("en")


def test_fh_number_is_rejected() -> None:
    assert error_of(validate_fnr, FH_NUMBER, today=TODAY).code == "fnr_fh_number"


def test_synthetic_number_is_rejected_by_default_and_accepted_when_allowed() -> None:
    error = error_of(validate_fnr, SYNTHETIC, today=TODAY)
    assert error.code == "fnr_synthetic"
    assert "Tenor" in error.message("nb") and "not allowed" in error.message("en")
    assert validate_fnr(SYNTHETIC, allow_synthetic=True, today=TODAY) == SYNTHETIC


@pytest.mark.parametrize(
    ("value", "code", "nb", "en"),
    [
        ("3112995671", "fnr_length", "11 siffer", "11 digits"),
        ("311299567150", "fnr_length", "11 siffer", "11 digits"),
        ("3112995671x", "fnr_format", "bare inneholde siffer", "only contain digits"),
        (31129956715, "fnr_format", "bare inneholde siffer", "only contain digits"),
        ("15033050035", "fnr_future", "fram i tid", "in the future"),
        ("32129956720", "fnr_checksum", "kontrollsifrene", "check digits"),
    ],
)
def test_malformed_fnr(value: object, code: str, nb: str, en: str) -> None:
    error = error_of(validate_fnr, value, today=TODAY)
    assert error.code == code
    assert nb in error.message("nb") and en in error.message("en")


def test_impossible_birth_date_is_rejected() -> None:
    impossible = "31029950078"  # 31 February, with correct check digits
    error = error_of(validate_fnr, impossible, today=TODAY)
    assert error.code == "fnr_birth_date"
    assert "fødselsdato" in error.message("nb") and "date of birth" in error.message("en")
    assert error_of(birth_date_from_fnr, impossible).code == "fnr_birth_date"


def test_2032_scheme_accepts_k1_remainders_up_to_three() -> None:
    new_number = "31129956723"  # K1 leaves remainder 1: invalid before 2032, valid after
    assert error_of(validate_fnr, new_number, today=TODAY).code == "fnr_checksum"
    assert validate_fnr(new_number, scheme="2032", today=TODAY) == new_number
    assert validate_fnr(VALID_FNR, scheme="2032", today=TODAY) == VALID_FNR


def test_birth_date_from_fnr_handles_d_and_synthetic_numbers() -> None:
    # individual number 567 with year 99 means the 1800s (domain.md §3)
    assert birth_date_from_fnr(VALID_FNR) == dt.date(1899, 12, 31)
    assert birth_date_from_fnr(D_NUMBER) == dt.date(1899, 12, 31)
    assert birth_date_from_fnr("15030350003") == dt.date(2003, 3, 15)
    assert birth_date_from_fnr(SYNTHETIC) == dt.date(2006, 3, 15)
    assert birth_date_from_fnr("15030851215") == dt.date(2008, 3, 15)
    assert error_of(birth_date_from_fnr, H_NUMBER).code == "fnr_h_number"


def test_age_on_counts_completed_years() -> None:
    born = dt.date(2007, 8, 15)
    assert age_on(born, dt.date(2025, 8, 14)) == 17
    assert age_on(born, dt.date(2025, 8, 15)) == 18
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


def test_mask_fnr_keeps_only_the_birth_date_part() -> None:
    assert mask_fnr("31129956715") == "311299*****"
    assert mask_fnr("311299 56715") == "311299*****"
    assert mask_fnr("1234") == "****"
    assert mask_fnr(None) == ""


def test_valid_orgnr() -> None:
    assert validate_orgnr("123456785") == "123456785"
    assert validate_orgnr("123 456 785") == "123456785"


@pytest.mark.parametrize(
    ("value", "code", "nb", "en"),
    [
        ("123456784", "orgnr_checksum", "kontrollsifferet", "check digit"),
        ("12345678", "orgnr_length", "9 siffer", "9 digits"),
        ("1234567890", "orgnr_length", "9 siffer", "9 digits"),
        ("12345678x", "orgnr_format", "bare inneholde siffer", "only contain digits"),
        (123456785, "orgnr_format", "bare inneholde siffer", "only contain digits"),
    ],
)
def test_invalid_orgnr(value: object, code: str, nb: str, en: str) -> None:
    error = error_of(validate_orgnr, value)
    assert error.code == code
    assert nb in error.message("nb") and en in error.message("en")


def test_no_orgnr_can_start_with_91234567() -> None:
    for last in "0123456789":
        assert error_of(validate_orgnr, "91234567" + last).code == "orgnr_checksum"


def test_email() -> None:
    assert validate_email(" kari@example.no ") == "kari@example.no"
    for bad in ("kari", "kari@", "kari@example", "ka ri@example.no", "a@b@c.no"):
        error = error_of(validate_email, bad)
        assert "e-postadresse" in error.message("nb") and "e-mail" in error.message("en")


def test_phone_is_normalised_to_an_international_number() -> None:
    assert validate_phone("912 34 567") == "+4791234567"
    assert validate_phone("0047 91234567") == "+4791234567"
    assert validate_phone("+46 70 123 45 67") == "+46701234567"
    for bad in ("1234", "91234567x", "++4791234567"):
        assert error_of(validate_phone, bad).code == "invalid_phone"


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(dt.date(2025, 8, 31), -2) == dt.date(2025, 6, 30)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 1, 15), -1) == dt.date(2024, 12, 15)
