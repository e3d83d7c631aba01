"""User accounts: argon2 password hashing, sign-in checks with lockout, and creating/updating accounts.

Trusted code used by the web layer (sign-in) and by the CLI and demo data (creating users). The roles
a user may hold are `UserRole`; a supervisor (faglig leder, instruktør) is tied to one member company.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .records import UserAccount, UserRole

SUPERVISOR_ROLES = frozenset({UserRole.SUPERVISOR, UserRole.INSTRUCTOR})
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("fagflyt-no-such-user")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; parameters from argon2-cffi's current defaults)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: the account on success, else why not (`wrong` or `locked`)."""

    account: UserAccount | None
    problem: str | None = None
    locked_until: datetime | None = None


def check_sign_in(session: Session, username: str, password: str, now: datetime) -> SignIn:
    """Check a username and password; count failures and lock the account for a while after too many.

    The caller commits (failure counts must be kept even when sign-in fails).
    """
    account = session.scalar(select(UserAccount).where(UserAccount.username == username.strip().lower()))
    if account is None or not account.active:
        _verify(_DUMMY_HASH, password)
        return SignIn(None, "wrong")
    if account.locked_until is not None and _aware(account.locked_until) > now:
        return SignIn(None, "locked", _aware(account.locked_until))
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILED_LOGINS:
            account.locked_until = now + LOCKOUT
            account.failed_logins = 0
            return SignIn(None, "locked", account.locked_until)
        return SignIn(None, "wrong")
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    return SignIn(account)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def save_account(session: Session, username: str, *, display_name: str, roles: Iterable[str],
                 password: str | None = None, email: str | None = None, company_orgnr: str | None = None,
                 locale: str = "nb") -> UserAccount:
    """Create the account or update it in place (by username); supervisors must name their company."""
    username = username.strip().lower()
    roles = sorted(set(roles))
    unknown = set(roles) - {r.value for r in UserRole}
    if unknown:
        raise AccountError(f"unknown role(s): {', '.join(sorted(unknown))}")
    if not roles:
        raise AccountError("an account needs at least one role")
    if SUPERVISOR_ROLES & set(roles) and not company_orgnr:
        raise AccountError("a supervisor account must name its member company (orgnr)")
    account = session.scalar(select(UserAccount).where(UserAccount.username == username))
    if account is None:
        if password is None:
            raise AccountError("a new account needs a password")
        account = UserAccount(username=username, password_hash=hash_password(password))
        session.add(account)
    elif password is not None:
        account.password_hash = hash_password(password)
    account.display_name = display_name
    account.roles = roles
    account.email = email
    account.company_orgnr = company_orgnr
    account.locale = locale
    return account
