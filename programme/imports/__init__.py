"""HR file import and export: header table, file formats, bulk resource base, admin pages."""
