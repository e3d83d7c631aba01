"""The training office's domain records: real tables beside the engine's, on the same metadata.

Import this package (not only one module) before configuring mappers, so every relationship target is
known. The tables subclass `engine.models.EngineBase`, so a contract can point at `engine_case.id` and
one `EngineBase.metadata` describes the whole schema (the web layer's migrations create it).

| module | tables |
|---|---|
| `reference.py` | county, trade |
| `companies.py` | training_office, office_approval, member_company, trade_approval |
| `people.py` | person, company_contact, guardian |
| `contracts.py` | contract, evaluation, follow_up_meeting, conflict_case, test_registration |
| `accounts.py` | user_account, saved_queue_filter |
| `mail.py` | mail_outbox |
| `base.py` | the value sets (StrEnum) behind the CHECK constraints, `upsert` |
"""

from __future__ import annotations

from .accounts import SavedQueueFilter, UserAccount, UserRole
from .base import (
    AppealOutcome,
    ApprovalStatus,
    CommonSubject,
    ConcernCategory,
    ConflictOutcome,
    ConflictPath,
    ContactRole,
    ContractStatus,
    ContractType,
    Curriculum,
    EvaluationPeriod,
    GuardianRelation,
    MeetingKind,
    MembershipStatus,
    Sector,
    TestKind,
    TestResult,
    TrainingModel,
    upsert,
)
from .companies import MemberCompany, OfficeApproval, TradeApproval, TrainingOffice
from .contracts import DEFAULT_LEGAL_BASIS, ConflictCase, Contract, Evaluation, FollowUpMeeting, TestRegistration
from .mail import OutboxMail
from .people import CompanyContact, Guardian, Person
from .reference import County, Trade

RECORD_TABLES = (
    "county", "trade", "training_office", "office_approval", "member_company", "trade_approval",
    "person", "company_contact", "guardian",
    "contract", "evaluation", "follow_up_meeting", "conflict_case", "test_registration",
    "user_account", "saved_queue_filter", "mail_outbox",
)

__all__ = [
    "DEFAULT_LEGAL_BASIS",
    "RECORD_TABLES",
    "AppealOutcome",
    "ApprovalStatus",
    "CommonSubject",
    "CompanyContact",
    "ConcernCategory",
    "ConflictCase",
    "ConflictOutcome",
    "ConflictPath",
    "ContactRole",
    "Contract",
    "ContractStatus",
    "ContractType",
    "County",
    "Curriculum",
    "Evaluation",
    "EvaluationPeriod",
    "FollowUpMeeting",
    "Guardian",
    "GuardianRelation",
    "MeetingKind",
    "MemberCompany",
    "MembershipStatus",
    "OfficeApproval",
    "OutboxMail",
    "Person",
    "Sector",
    "TestKind",
    "TestRegistration",
    "TestResult",
    "Trade",
    "TradeApproval",
    "TrainingModel",
    "TrainingOffice",
    "SavedQueueFilter",
    "UserAccount",
    "UserRole",
    "upsert",
]
