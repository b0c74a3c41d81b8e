"""The demo: Rødovre's programme as the 2020 memo describes it, a fictional organisation
of about 3,000 people, and one login per role (`manage.py load_demo`).

`memo` holds the programme, `organisation` the organisation and how its people are
generated, `load` the writes.
"""

from .load import DEMO_PASSWORD, DemoResult, Login, load_demo

__all__ = ["DEMO_PASSWORD", "DemoResult", "Login", "load_demo"]
