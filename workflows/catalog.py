"""What the training office's processes need from the engine: roles, summary fields, shipped files."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

# Lanes in the BPMN files map to these roles (lane "OK-konsulent" -> "ok_konsulent" etc. via ROLE_OF_LANE).
ROLES = {
    "saksbehandler": "Saksbehandler (OK-admin)",
    "konsulent": "Oppfølgingskonsulent (OK-konsulent)",
    "faglig_leder": "Faglig leder / instruktør (lærebedrift)",
}

ROLE_OF_LANE = {
    "ok-admin": "saksbehandler",
    "saksbehandler": "saksbehandler",
    "ok-konsulent": "konsulent",
    "konsulent": "konsulent",
    "lærebedrift": "faglig_leder",
    "company": "faglig_leder",
    "faglig leder": "faglig_leder",
}

# Case facts copied into the case summary (indexed, searchable) after every step: name -> path in task data.
SUMMARY_FIELDS = {name: f"case_facts.{name}" for name in (
    "apprentice_name", "apprentice_fnr", "company_name", "company_orgnr", "trade", "county",
    "contract_type", "start_date", "end_date", "status", "outcome",
)}


def role_of_lane(lane: str | None) -> str | None:
    """The role a lane stands for, or None for an unknown lane (refused at deploy)."""
    if not lane:
        return None
    return ROLE_OF_LANE.get(lane.strip().lower())


def shipped_files(folder: Path = HERE) -> dict[str, bytes]:
    """The BPMN and DMN files shipped with Fagflyt, by file name."""
    files = sorted([*folder.glob("*.bpmn"), *folder.glob("*.dmn")])
    return {f.name: f.read_bytes() for f in files}
