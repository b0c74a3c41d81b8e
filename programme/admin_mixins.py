"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """For records nobody may add, change or delete in the admin: logs and histories."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
