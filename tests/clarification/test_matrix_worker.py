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
