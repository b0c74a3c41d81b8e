"""Role × URL rows for the cascade pages and the personal calendar.

The pipeline is for HR, direktionen and fagchefer (their own administration's row). The
release page is HR's; every role asks to release tier 2 in administration B, so a fagchef,
leader or employee of administration A gets 404 before the role is even looked at. The
calendar pages are everyone's own; the feed answers its token alone.
"""

from seminars.calendar import rotate_feed_token
from tests.url_matrices._rows import LOGIN, Row, every_role

PUBLIC = {
    # A valid token (made in url_kwargs); unknown and revoked tokens: tests/seminars/.
    "calendar:feed": Row({"anonymous": 200}),
}

MATRIX = {
    "programme:cascade": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 403,
            "leder": 403,
            "fagchef": 200,
            "direktion": 200,
            "hr": 200,
            "coach": 403,
        }
    ),
    "programme:cascade-release": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 404,
            "leder": 404,
            "fagchef": 404,
            "direktion": 403,
            "hr": 200,
            "coach": 404,
        }
    ),
    # Everyone who can log in has a calendar page; HR and coaches included.
    "calendar:mine": Row(every_role(LOGIN, 200)),
    "calendar:rotate": Row(every_role(LOGIN, 302), method="post"),
    "calendar:revoke": Row(every_role(LOGIN, 302), method="post"),
}


def url_kwargs(name, ctx):
    if name == "programme:cascade-release":
        return {"code": ctx["org"]["admin_b"].code, "tier": 2}
    if name == "calendar:feed":
        return {"token": rotate_feed_token(user=ctx["users"]["medarbejder"])}
    return {}
