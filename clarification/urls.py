from .views import (
    anonymous,
    coverage,
    decisions,
    feedback,
    matrix,
    plans,
    processing,
    steps,
    submissions,
)

app_name = "clarification"

# Each page module lists its own URLs; they are classified in tests/url_matrices/.
urlpatterns = [
    *steps.urlpatterns,
    *plans.urlpatterns,
    *submissions.urlpatterns,
    *coverage.urlpatterns,
    *anonymous.urlpatterns,
    *processing.urlpatterns,
    *matrix.urlpatterns,
    *decisions.urlpatterns,
    *feedback.urlpatterns,
]
