"""Fixtures for the core tests."""

import pytest

from core.extensions import babel


def forget_catalogues():
    """Flask-Babel caches catalogues process-wide: neither see the real ones nor leave ours behind."""
    domain = babel.__dict__.get("domain_instance")  # created on first use, then cached
    if domain is not None:
        domain.cache.clear()


@pytest.fixture
def own_catalogue(tmp_path):
    """`own_catalogue({"msgid": "German text"})` → a translations folder with just these strings,
    so a language test does not depend on the state of translations/ (checked elsewhere)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    def build(german):
        catalog = Catalog(locale="de")
        for msgid, msgstr in german.items():
            catalog.add(msgid, msgstr)
        target = tmp_path / "translations" / "de" / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        with open(target / "messages.mo", "wb") as handle:
            write_mo(handle, catalog)
        forget_catalogues()
        return tmp_path / "translations"

    yield build
    forget_catalogues()
