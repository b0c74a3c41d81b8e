"""Pages of the clarification phase, one module per subject; each has its urlpatterns."""

from django.shortcuts import render

from ..services.steps import StepClosed


def step_closed_response(request, error: StepClosed, *, back_url: str = ""):
    """Answer a write into a step that is not open with a clear Danish page (409)."""
    return render(
        request,
        "clarification/step_closed.html",
        {"error": error, "state": error.state, "number": error.number, "back_url": back_url},
        status=409,
    )
