"""The demo office and its members as seed 004 (OK stat's report after its first year) describes them.

Names are the agencies' names in 2014. Each active member's number is the apprentices it has in training
(domain.md §4); KA (kontor- og administrasjonsfaget) and IKT (IKT-servicefaget) are mapped to today's
trades, service- og administrasjonsfaget (SOA03-01) and IT-driftsfaget (ITD03-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .names import BAERUM, LILLESTROM, OSLO, Place

SOA = "SOA03-01"
ITD = "ITD03-01"
SIK = "SIK03-01"
HEA = "HEA03-01"

OFFICE_NAME = "OK stat – Opplæringskontoret for statlige virksomheter i Oslo og Akershus"
OFFICE_COUNTIES = ("03", "32")
OFFICE_TRADES = (SOA, ITD, SIK)
# Demo assumption: the office is also approved in Oslo for helsearbeiderfaget, so the training-candidate
# persona (domain.md §4) can have a contract with a member company approved in that trade.
OFFICE_EXTRA_APPROVALS = (("03", HEA),)
STATE_AGREEMENT = "Hovedtariffavtalen i staten"


class Group(StrEnum):
    """The demo status of a seed-004 company (the rows of the table in domain.md §4)."""

    KA = "active_ka"
    IKT = "active_ikt"
    SHARED = "shared_ka"
    NO_APPRENTICES = "no_apprentices"
    DECLINED = "declined"


GROUP_TRADE = {Group.KA: SOA, Group.SHARED: SOA, Group.NO_APPRENTICES: SOA, Group.IKT: ITD}


@dataclass(frozen=True)
class SeedCompany:
    """A member company of the demo: a stable key, its name, its group and apprentices in training."""

    key: str
    name: str
    group: Group
    in_training: int
    place: Place = OSLO


SEED_COMPANIES: tuple[SeedCompany, ...] = (
    SeedCompany("asd", "Arbeids- og sosialdepartementet", Group.KA, 1),
    SeedCompany("hod", "Helse- og omsorgsdepartementet", Group.KA, 1),
    SeedCompany("kmd", "Kommunal- og moderniseringsdepartementet", Group.KA, 2),
    SeedCompany("kd", "Kunnskapsdepartementet", Group.KA, 3),
    SeedCompany("nfd", "Nærings- og fiskeridepartementet", Group.KA, 1),
    SeedCompany("difi", "Direktoratet for forvaltning og IKT", Group.KA, 1),
    SeedCompany("hioa", "Høgskolen i Oslo og Akershus", Group.KA, 2),
    SeedCompany("kulturradet", "Kulturrådet", Group.KA, 1),
    SeedCompany("skatt_ost", "Skatt øst", Group.KA, 1, LILLESTROM),
    SeedCompany("jd", "Justis- og beredskapsdepartementet", Group.IKT, 1),
    SeedCompany("dss", "Departementenes sikkerhets- og serviceorganisasjon", Group.IKT, 1),
    SeedCompany("navdir", "Arbeids- og velferdsdirektoratet", Group.IKT, 2),
    SeedCompany("sits", "Skatteetatens IT- og servicepartner", Group.IKT, 2, BAERUM),
    SeedCompany("statsbygg", "Statsbygg", Group.IKT, 2),
    SeedCompany("lanekassen", "Lånekassen", Group.SHARED, 0),
    SeedCompany("met", "Meteorologisk institutt", Group.SHARED, 0),
    SeedCompany("nupi", "NUPI", Group.SHARED, 0),
    SeedCompany("vox", "Vox", Group.SHARED, 0),
    SeedCompany("lmd", "Landbruks- og matdepartementet", Group.NO_APPRENTICES, 0),
    SeedCompany("udir", "Utdanningsdirektoratet", Group.DECLINED, 0),
    SeedCompany("okokrim", "Økokrim", Group.DECLINED, 0),
    SeedCompany("spk", "Statens pensjonskasse", Group.DECLINED, 0),
    SeedCompany("fmoa", "Fylkesmannen i Oslo og Akershus", Group.DECLINED, 0),
)

# DSS beyond IT-driftsfaget: KA places it tried to fill (seed 004), helsearbeiderfaget for the training
# candidate (demo assumption), and sikkerhetsfaget still under application (the seed's plan with DSS's
# security department).
EXTRA_APPROVED = {"dss": (SOA, HEA)}
EXTRA_APPLIED = {"dss": (SIK,)}

# The two shared KA apprentices (multi-site test case): contract with the first, training at both.
SHARED_SITES = (("lanekassen", "met"), ("nupi", "vox"))


@dataclass(frozen=True)
class PlannedApprentice:
    """One apprentice of the demo plan, before identities are drawn."""

    company: str
    trade: str
    persona: str | None = None
    age_at_start: int | None = None
    sites: tuple[str, ...] = ()
    move_to: str | None = None


# Personas of domain.md §4 among the apprentices in training (started one intake ago) ...
IN_TRAINING_PERSONAS = {
    ("kd", 0): PlannedApprentice("kd", SOA, "missing_common_subject"),
    ("kulturradet", 0): PlannedApprentice("kulturradet", SOA, "heving_by_agreement"),
    ("kmd", 1): PlannedApprentice("kmd", SOA, "move_company", move_to="nfd"),
}

# ... and the new intake, who start at the coming (or current) August intake: 17 more, ~40 in all.
NEW_INTAKE: tuple[PlannedApprentice, ...] = (
    PlannedApprentice("hod", SOA, "minor_with_guardian", age_at_start=16),
    PlannedApprentice("jd", ITD, "adult_with_probation", age_at_start=22),
    PlannedApprentice("dss", HEA, "training_candidate", age_at_start=19),
    PlannedApprentice("asd", SOA),
    PlannedApprentice("kmd", SOA),
    PlannedApprentice("kd", SOA),
    PlannedApprentice("nfd", SOA),
    PlannedApprentice("difi", SOA),
    PlannedApprentice("hioa", SOA),
    PlannedApprentice("hioa", SOA),
    PlannedApprentice("kulturradet", SOA),
    PlannedApprentice("skatt_ost", SOA),
    PlannedApprentice("met", SOA),
    PlannedApprentice("dss", ITD),
    PlannedApprentice("navdir", ITD),
    PlannedApprentice("sits", ITD),
    PlannedApprentice("statsbygg", ITD),
)

PERSONAS = (
    "minor_with_guardian", "adult_with_probation", "training_candidate", "missing_common_subject",
    "heving_by_agreement", "move_company", "shared",
)
