"""Models of the seminars app, split by subject; import them from here."""

from .action_learning import (
    ActionLearningProject,
    CyclePhase,
    LearningCycle,
    LearningLogEntry,
    ProjectMembership,
    ProjectStatus,
)
from .calendar import CalendarFeedToken
from .chefgruppe import ChefgroupMeeting
from .coaching import (
    CoachingNote,
    CoachingPolicy,
    CoachingSession,
    CoachingSessionEvent,
    CoachingSlot,
    NoteAuthor,
    NoteRead,
    ReadPurpose,
    SessionStatus,
)
from .evaluation import (
    SCALE_QUESTIONS,
    TEXT_QUESTIONS,
    EvaluationAnswer,
    EvaluationReceipt,
)
from .kickoff import ProposalRank, ThemeProposal
from .seminars import (
    AgendaBlock,
    Attendance,
    AttendanceEvent,
    AttendanceStatus,
    BlockKind,
    ExpertEngagement,
    MeetingFormat,
    Seminar,
    SeminarKind,
    SeminarMaterial,
)

__all__ = [
    "ActionLearningProject",
    "CyclePhase",
    "LearningCycle",
    "LearningLogEntry",
    "ProjectMembership",
    "ProjectStatus",
    "AgendaBlock",
    "Attendance",
    "AttendanceEvent",
    "AttendanceStatus",
    "BlockKind",
    "CalendarFeedToken",
    "ChefgroupMeeting",
    "CoachingNote",
    "CoachingPolicy",
    "CoachingSession",
    "CoachingSessionEvent",
    "CoachingSlot",
    "EvaluationAnswer",
    "EvaluationReceipt",
    "ExpertEngagement",
    "MeetingFormat",
    "NoteAuthor",
    "NoteRead",
    "ProposalRank",
    "ReadPurpose",
    "SCALE_QUESTIONS",
    "Seminar",
    "SeminarKind",
    "SeminarMaterial",
    "SessionStatus",
    "TEXT_QUESTIONS",
    "ThemeProposal",
]
