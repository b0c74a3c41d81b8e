"""Pages of the clarification phase: plans."""

urlpatterns = []
