"""The domain: tables and the operations on them. No Flask, no HTTP."""

from .access import Actor
from .audit import AuditEntry
from .base import Base
from .childcare import CareSession, Child, Program, Registration
from .digests import Article, Digest, Suggestion
from .enterprises import Enterprise
from .errors import AccountLocked, AuthFailed, Conflict, DomainError, Forbidden, Invalid, NotFound
from .grievance_deadlines import DeadlineRule
from .grievance_routing import RoutingRule
from .grievances import CaseAttachment, CaseDocument, CaseEvent, GrievanceCase
from .images import Image
from .inbound import InboundMessage
from .knowledge import KnowledgeEntry
from .notifications import Notification, SubscriptionGrant
from .official_notices import OfficialNotice
from .officials import ApiToken, Official, Role
from .pushes import Delivery, MassQuota, Push, WorkerTag
from .surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTarget
from .tickets import Ticket, TicketMessage
from .training import ClassQuota, Enrolment, Topic, TopicOrder, TopicRequest, TrainingClass
from .unions import TradeUnion, UnionIndustry, UnionKind
from .worker_sessions import WorkerToken
from .workers import Worker

__all__ = [
    "AccountLocked",
    "Actor",
    "ApiToken",
    "Article",
    "AuditEntry",
    "AuthFailed",
    "Base",
    "CareSession",
    "CaseAttachment",
    "CaseDocument",
    "CaseEvent",
    "Child",
    "ClassQuota",
    "Conflict",
    "DeadlineRule",
    "Delivery",
    "Digest",
    "DomainError",
    "Enrolment",
    "Enterprise",
    "Forbidden",
    "GrievanceCase",
    "Image",
    "InboundMessage",
    "Invalid",
    "KnowledgeEntry",
    "MassQuota",
    "NotFound",
    "Notification",
    "Official",
    "OfficialNotice",
    "Program",
    "Push",
    "Registration",
    "Role",
    "RoutingRule",
    "SubscriptionGrant",
    "Suggestion",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyTarget",
    "Ticket",
    "TicketMessage",
    "Topic",
    "TopicOrder",
    "TopicRequest",
    "TradeUnion",
    "TrainingClass",
    "UnionIndustry",
    "UnionKind",
    "Worker",
    "WorkerTag",
    "WorkerToken",
]
