"""Pages of the clarification phase: submissions."""

urlpatterns = []
