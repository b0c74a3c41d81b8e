from pathlib import Path

from programme.imports.columns import columns_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_documents_the_import_headers_the_import_page_accepts():
    text = README.read_text(encoding="utf-8")
    documented = text.split("<!-- import-columns:start -->")[1].split(
        "<!-- import-columns:end -->"
    )[0]

    assert documented.strip() == columns_markdown().strip()
