"""All models, imported here so metadata and Alembic see every table."""

from summit.models import search_index  # noqa: F401  (creates the search indexes)
from summit.models.base import Base, UTCDateTime, utcnow
from summit.models.job import Job, JobStatus
from summit.models.lightning import LightningSlot, LightningTalk
from summit.models.outbox import AuditEntry, MailStatus, OutboxEmail
from summit.models.people import ClaimStatus, PriorityClass, User, new_token
from summit.models.registration import LIVE_STATUSES, Registration, RegistrationStatus
from summit.models.release import PublishedSession, PublishedStatus, ScheduleRelease
from summit.models.session import (
    Blueprint,
    BlueprintStatus,
    DesignSession,
    Interest,
    LeadAway,
    SessionStatus,
)
from summit.models.summit import (
    Day,
    Event,
    EventKind,
    GridSlot,
    ProgramItem,
    Room,
    RoomLayout,
    SeatPolicy,
    SocialEvent,
    Summit,
    Track,
    WindowPart,
)

__all__ = [
    "LIVE_STATUSES",
    "AuditEntry",
    "Base",
    "Blueprint",
    "BlueprintStatus",
    "ClaimStatus",
    "Day",
    "DesignSession",
    "Event",
    "EventKind",
    "GridSlot",
    "Interest",
    "Job",
    "JobStatus",
    "LeadAway",
    "LightningSlot",
    "LightningTalk",
    "MailStatus",
    "OutboxEmail",
    "PriorityClass",
    "ProgramItem",
    "PublishedSession",
    "PublishedStatus",
    "Registration",
    "RegistrationStatus",
    "Room",
    "RoomLayout",
    "ScheduleRelease",
    "SeatPolicy",
    "SessionStatus",
    "SocialEvent",
    "Summit",
    "Track",
    "UTCDateTime",
    "User",
    "WindowPart",
    "new_token",
    "utcnow",
]
