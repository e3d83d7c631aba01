"""Demo sign-ins: one account per office role, and one per faglig leder / instruktør of the demo companies.

Development and test installations only (the CLI refuses demo data in production). Every demo account
has the same password, printed by `flask setup --demo` and listed in the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.accounts import save_account
from workflows.records import CompanyContact, ContactRole, UserAccount, UserRole

DEMO_PASSWORD = "fagflyt-demo"  # noqa: S105 - a documented demo password, refused in production

OFFICE_USERS = (
    ("sara.saksbehandler", "Sara Saksbehandler", (UserRole.CASE_HANDLER,)),
    ("kari.konsulent", "Kari Konsulent", (UserRole.CONSULTANT,)),
    ("per.prosesseier", "Per Prosesseier", (UserRole.PROCESS_OWNER,)),
    ("anne.admin", "Anne Administrator", (UserRole.ADMINISTRATOR, UserRole.CASE_HANDLER, UserRole.CONSULTANT)),
)


@dataclass(frozen=True)
class DemoUsers:
    """What was loaded: the office users and the number of supervisor accounts."""

    office: tuple[str, ...]
    supervisors: int


def load_demo_users(session: Session) -> DemoUsers:
    """Create or refresh the demo accounts; supervisors sign in with their e-mail address. Caller commits."""
    existing = set(session.scalars(select(UserAccount.username)))
    for username, name, roles in OFFICE_USERS:
        save_account(session, username, display_name=name, roles=roles, email=f"{username}@example.no",
                     password=None if username in existing else DEMO_PASSWORD)
    supervisors = 0
    contacts = session.scalars(select(CompanyContact).where(CompanyContact.active.is_(True))
                               .order_by(CompanyContact.id))
    for contact in contacts:
        if not contact.email:
            continue
        role = UserRole.SUPERVISOR if contact.role == ContactRole.FAGLIG_LEDER else UserRole.INSTRUCTOR
        username = contact.email.lower()
        save_account(session, username, display_name=contact.person.full_name, roles=(role,), email=contact.email,
                     company_orgnr=contact.company.orgnr, password=None if username in existing else DEMO_PASSWORD)
        existing.add(username)
        supervisors += 1
    session.flush()
    return DemoUsers(tuple(u for u, _, _ in OFFICE_USERS), supervisors)
