"""Pages of the clarification phase: steps."""

urlpatterns = []
