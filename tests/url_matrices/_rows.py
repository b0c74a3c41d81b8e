"""The shapes shared by the URL matrix and its areas."""

from dataclasses import dataclass, field

ROLES = ("anonymous", "medarbejder", "leder", "fagchef", "direktion", "hr", "coach")

# Expected outcomes other than a plain status code.
LOGIN = "302 → login"  # sent to the login page, with ?next= back to the page
LOGGED_OUT = "302 → login, signed out"  # LOGOUT_REDIRECT_URL, no ?next=


@dataclass(frozen=True)
class Row:
    """What each role gets from one URL, and how the request is made."""

    expected: dict[str, int | str]
    method: str = "get"
    data: dict = field(default_factory=dict)


def every_role(anonymous, others):
    return {"anonymous": anonymous} | dict.fromkeys(ROLES[1:], others)
