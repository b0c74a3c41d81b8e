"""Role × URL rows contributed by each area of the app, merged by tests/test_url_matrix.py.

Each module here defines:

    PUBLIC: dict[str, Row]                  # URLs an anonymous visitor may use
    MATRIX: dict[str, Row]                  # what every role gets from each URL
    def url_kwargs(name, ctx) -> dict       # kwargs to reverse `name` for one role

`ctx` holds `role`, `user`, `workplace` (the role's own workplace), `programme`, `org`
and `users` (the fixtures of tests/conftest.py). A module may also define
`prepare(ctx) -> None` to create what its URLs need (it runs before url_kwargs).
"""

import importlib
import pkgutil

AREAS = [
    importlib.import_module(f"{__name__}.{module.name}")
    for module in pkgutil.iter_modules(__path__)
    if not module.name.startswith("_")
]
