"""Pages of the clarification phase, one module per subject; each has its urlpatterns."""
