"""Pages of the clarification phase: anonymous."""

urlpatterns = []
