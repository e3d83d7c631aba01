"""The demo data set as plain values (built by `plan.build_demo`), and the identity builder it uses.

`build_demo(today)` is pure and deterministic: the same seed and the same intake year give the same
companies, people and numbers every time. Every entity draws from its own random stream, named after the
entity, so adding a company does not change anyone else. The day only decides the intake year: the new
intake starts on the coming 1 August (or the current one until 30 September), the apprentices in
training started one year before.

`DemoData.placements` say which apprentice goes to which company in which trade. They are not stored
here: contracts are created by the contract process through the engine, which can read them.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .identity import generated_orgnr, synthetic_fnr
from .names import (
    FEMALE_FIRST_NAMES,
    HOME_PLACES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    Address,
    address_in,
    email_local_part,
    mobile_number,
)

DEFAULT_SEED = 4  # after seed 004
EMAIL_DOMAIN = "example.no"
OFFICE_APPROVED_ON = date(2022, 6, 20)  # demo: approvals renewed for the LK20 trades before August 2022


@dataclass(frozen=True)
class ApprovalSpec:
    """A county approval (of the office or a member company) in one trade."""

    county_number: str
    trade_code: str
    status: str
    applied_on: date | None
    approved_on: date | None
    decision_ref: str | None


@dataclass(frozen=True)
class OfficeSpec:
    """The training office."""

    orgnr: str
    name: str
    manager_name: str
    manager_email: str
    subsidy_share_percent: Decimal
    fte: Decimal
    approvals: tuple[ApprovalSpec, ...]


@dataclass(frozen=True)
class CompanySpec:
    """A member company with its approvals."""

    key: str
    group: str
    orgnr: str
    subunit_orgnr: str
    name: str
    address: Address
    sector: str
    collective_agreement: str
    membership_status: str
    agreement_signed_on: date | None
    approvals: tuple[ApprovalSpec, ...]


@dataclass(frozen=True)
class PersonSpec:
    """A person; `kind` says why the demo has them (apprentice, faglig_leder, instructor, guardian)."""

    national_id: str
    first_name: str
    middle_name: str | None
    last_name: str
    birth_date: date
    female: bool
    mobile: str
    email: str
    address: Address
    kind: str

    def age_on(self, day: date) -> int:
        """Age in completed years on `day`."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class ContactSpec:
    """A faglig leder or instructor at a member company."""

    national_id: str
    company_key: str
    role: str
    trades: tuple[str, ...]
    email: str
    phone: str
    course_completed_on: date | None


@dataclass(frozen=True)
class GuardianSpec:
    """A guardian of an apprentice under 18."""

    apprentice_national_id: str
    guardian_national_id: str
    relation: str


@dataclass(frozen=True)
class DemoPlacement:
    """Who will train where: the facts a contract draft needs (contracts come later, via the engine)."""

    apprentice_national_id: str
    company_key: str
    company_orgnr: str
    county_number: str
    trade_code: str
    contract_type: str
    faglig_leder_national_id: str
    start_date: date
    end_date: date
    training_model: str
    probation_months: int
    credit_months: int
    missing_common_subjects: tuple[str, ...]
    extra_terms: str | None
    cohort: str  # "in_training" or "new_intake"
    persona: str | None
    site_orgnrs: tuple[str, ...]  # where the training happens (more than one for shared apprentices)
    move_to_orgnr: str | None


@dataclass(frozen=True)
class DemoData:
    """Everything the demo loader stores, plus the placements for the processes."""

    intake: date
    office: OfficeSpec
    companies: tuple[CompanySpec, ...]
    people: tuple[PersonSpec, ...]
    contacts: tuple[ContactSpec, ...]
    guardians: tuple[GuardianSpec, ...]
    placements: tuple[DemoPlacement, ...]

    def person(self, national_id: str) -> PersonSpec:
        """The person with this national id."""
        return next(p for p in self.people if p.national_id == national_id)

    def company(self, key: str) -> CompanySpec:
        """The company with this key (see seed004.SEED_COMPANIES)."""
        return next(c for c in self.companies if c.key == key)


def intake_date(today: date) -> date:
    """The August intake the new apprentices start at: this year's until 30 September, else next year's."""
    return date(today.year, 8, 1) if today <= date(today.year, 9, 30) else date(today.year + 1, 8, 1)


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def birth_date_for_age(age: int, on: date, rng: random.Random) -> date:
    """A birth date that makes someone exactly `age` on `on`."""
    latest = add_months(on, -12 * age)
    earliest = add_months(on, -12 * (age + 1)) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


class _Builder:
    """Draws identities from named random streams and keeps numbers and e-mails unique."""

    def __init__(self, seed_value: int, today: date) -> None:
        # Every date is derived from the intake, never from `today` itself, so the data set stays the
        # same all through an intake year (and reloading on another day changes nothing).
        self.seed = seed_value
        self.intake = intake_date(today)
        self.in_training_start = add_months(self.intake, -12)
        self.fnrs: set[str] = set()
        self.orgnrs: set[str] = set()
        self.emails: set[str] = set()
        self.people: list[PersonSpec] = []

    def rng(self, *parts: object) -> random.Random:
        """A random stream of its own for one entity (string seeds are hashed stably by `random`)."""
        return random.Random("/".join(str(p) for p in (self.seed, *parts)))

    def orgnr(self, rng: random.Random) -> str:
        """A generated organisation number not used before in this data set."""
        number = generated_orgnr(rng)
        while number in self.orgnrs:
            number = generated_orgnr(rng)
        self.orgnrs.add(number)
        return number

    def email(self, *names: str) -> str:
        """first.last@example.no, numbered when taken."""
        local = email_local_part(*names)
        candidate, n = f"{local}@{EMAIL_DOMAIN}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{EMAIL_DOMAIN}"
        self.emails.add(candidate)
        return candidate

    def person(self, kind: str, key: str, birth_date: date, *, female: bool | None = None,
               last_name: str | None = None, address: Address | None = None) -> PersonSpec:
        """A new person with a synthetic fødselsnummer, drawn from the stream named (kind, key)."""
        rng = self.rng("person", kind, key)
        female = rng.random() < 0.5 if female is None else female
        first = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
        last = last_name or rng.choice(LAST_NAMES)
        middle = rng.choice(LAST_NAMES) if rng.random() < 0.15 else None
        middle = None if middle == last else middle
        fnr = synthetic_fnr(birth_date, rng, female=female)
        while fnr in self.fnrs:
            fnr = synthetic_fnr(birth_date, rng, female=female)
        self.fnrs.add(fnr)
        spec = PersonSpec(
            national_id=fnr, first_name=first, middle_name=middle, last_name=last, birth_date=birth_date,
            female=female, mobile=mobile_number(rng), email=self.email(first, last),
            address=address or address_in(rng.choice(HOME_PLACES), rng), kind=kind)
        self.people.append(spec)
        return spec

