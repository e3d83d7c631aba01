"""Trusted expression helpers that read the business records: facts a process must see as they are now,
not as they were when its data was copied (e.g. the company after a move)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.context import current_call

from .records import Contract, MemberCompany


def current_company(case_facts: Any) -> str | None:
    """The orgnr of the company the case's contract is with now (falls back to the case facts)."""
    facts = case_facts if isinstance(case_facts, dict) else {}
    ctx = current_call()
    contract_id = facts.get("contract_id")
    if ctx is not None and ctx.session is not None and contract_id:
        orgnr = ctx.session.scalar(select(MemberCompany.orgnr).join(Contract, Contract.company_id == MemberCompany.id)
                                   .where(Contract.id == contract_id))
        if orgnr:
            return orgnr
    return facts.get("company_orgnr")


HELPERS = {"current_company": current_company}
