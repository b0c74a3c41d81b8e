"""The matrix is recomputed by a real Celery worker on Redis soon after a change."""

import pytest

from clarification.models import AssignmentStatus, MatrixSnapshot, Theme, ThemeAssignment
from tests.clarification.factories import InputFactory
from tests.programme.factories import ProgrammeFactory
from tests.test_worker import wait_for, worker  # noqa: F401 (fixture)

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_confirmed_theme_reaches_the_matrix_through_the_worker(worker):  # noqa: F811
    programme = ProgrammeFactory()
    theme = Theme.objects.create(programme=programme, name="Social kapital", kind="tema")
    item = InputFactory(submission__programme=programme)

    ThemeAssignment.objects.create(
        input=item, theme=theme, status=AssignmentStatus.CONFIRMED, suggested=False
    )

    snapshot = wait_for(
        lambda: MatrixSnapshot.objects.filter(programme=programme, data__processed=1).first(),
        timeout=30,
        what=f"the matrix snapshot:\n{worker.log()}",
    )
    cell = snapshot.data["cells"][f"{theme.pk}:{item.workplace.administration_id}"]
    assert cell == {"inputs": 1, "workplaces": 1, "staff": 0}
    assert "clarification.tasks.update_matrix" in worker.log()


def test_a_burst_of_anonymous_input_is_suggested_by_one_worker_run(worker, client):  # noqa: F811
    import re

    from django.urls import reverse

    from clarification.models import Input, StepStatus, ThemeAssignment
    from clarification.services import anonymous
    from clarification.services.steps import ensure_steps, state_for
    from clarification.themes import seed_memo_themes
    from tests.clarification.conftest import DEADLINES
    from tests.programme.factories import WorkplaceFactory

    programme = ProgrammeFactory()
    seed_memo_themes(programme)
    workplace = WorkplaceFactory()
    execution = ensure_steps(programme=programme, deadlines=DEADLINES)[1]
    state = state_for(step=execution, administration=workplace.administration)
    state.status = StepStatus.OPEN
    state.save()
    url = reverse(
        "clarification:anonymous-input",
        kwargs={"token": anonymous.get_or_create_link(workplace=workplace).token},
    )
    log_mark = len(worker.log())
    for n in range(10):
        response = client.post(
            url,
            {
                "kind": "ide",
                "title": f"Idé {n}",
                "text": "Mere samskabelse med borgerne og tillid på tværs af teams.",
                "suggested_form": "lokalt",
            },
            REMOTE_ADDR=f"10.2.0.{n}",
        )
        assert response.status_code == 302

    wait_for(
        lambda: not Input.objects.filter(suggestions_pending=True).exists(),
        timeout=30,
        what=f"the suggestions:\n{worker.log()}",
    )
    assert ThemeAssignment.objects.values("input").distinct().count() == 10
    runs = re.findall(
        r"clarification\.tasks\.suggest_pending\[[0-9a-f-]+\] received", worker.log()[log_mark:]
    )
    assert len(runs) == 1
    # That run also counts the burst into the matrix (the form itself leaves it alone).
    wait_for(
        lambda: MatrixSnapshot.objects.filter(programme=programme, data__inputs=10).exists(),
        timeout=30,
        what=f"the matrix snapshot:\n{worker.log()}",
    )
