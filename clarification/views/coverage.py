"""Pages of the clarification phase: coverage."""

urlpatterns = []
