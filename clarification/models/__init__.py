"""The clarification phase's models.

- `intake`: the four steps, involvement plans (step 1), activities, input and anonymous
  links (step 2);
- `processing`: themes, theme suggestions, groups of inputs and the matrix snapshots
  (step 3);
- `decisions`: direktionen's meetings and decisions, and their publication (step 4).
"""

from .decisions import (
    Decision,
    DecisionEvent,
    DecisionKind,
    DecisionState,
    DirektionMeeting,
    Publication,
)
from .intake import (
    Activity,
    AnonymousLink,
    Attachment,
    ClarificationStep,
    Input,
    InputKind,
    InputSource,
    InvolvementPlan,
    Method,
    PlanStatus,
    PrivateFileSystemStorage,
    StepNumber,
    StepState,
    StepStatus,
    Submission,
    SubmissionStatus,
    SuggestedForm,
    _attachment_path,
    get_private_storage,
    new_token,
    private_storage,
)
from .processing import (
    AssignmentStatus,
    MatrixSnapshot,
    ProcessingAction,
    ProcessingEvent,
    Synthesis,
    Theme,
    ThemeAssignment,
    ThemeKind,
)

__all__ = [
    "Activity",
    "AnonymousLink",
    "AssignmentStatus",
    "Attachment",
    "ClarificationStep",
    "Decision",
    "DecisionEvent",
    "DecisionKind",
    "DecisionState",
    "DirektionMeeting",
    "Input",
    "InputKind",
    "InputSource",
    "InvolvementPlan",
    "MatrixSnapshot",
    "Method",
    "PlanStatus",
    "PrivateFileSystemStorage",
    "ProcessingAction",
    "ProcessingEvent",
    "Publication",
    "StepNumber",
    "StepState",
    "StepStatus",
    "Submission",
    "SubmissionStatus",
    "SuggestedForm",
    "Synthesis",
    "Theme",
    "ThemeAssignment",
    "ThemeKind",
    "_attachment_path",
    "get_private_storage",
    "new_token",
    "private_storage",
]
