"""The consent overview: what was agreed to, when, by whom; one button to withdraw."""

from sqlalchemy import select

from core.models import Association, ConsentRecord
from matching.models import NetworkingConsent


def _record(db, association, kind):
    return db.session.scalar(
        select(ConsentRecord).where(ConsentRecord.association_id == association.id, ConsentRecord.kind == kind)
    )


def test_page_lists_what_was_agreed_with_version_and_person(db, world, auth, client):
    world.zofia.locale = world.bernd.locale = "en"
    db.session.commit()
    auth.login_as(world.bernd)
    page = client.get("/privacy/").get_data(as_text=True)
    assert "Listing of the association in the public directory" in page
    assert "Name and contact shown to the other members of its sub-networks" in page
    assert "by Zofia Quellenberg-Ptak" in page and "2026-11" in page
    # Zofia's own privacy acknowledgement is hers, not Bernd's.
    assert "Privacy notice read and accepted" not in page
    assert page.count(">Withdraw</button>") == 2


def test_withdrawing_the_directory_consent_ends_the_listing(db, world, auth, client):
    record = _record(db, world.a, "directory")
    auth.login_as(world.bernd)
    response = client.post(f"/privacy/consents/{record.id}/withdraw")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Association, world.a.id).is_listed
    assert db.session.get(ConsentRecord, record.id).withdrawn_at is not None
    assert client.get(f"/directory/{world.a.id}").status_code == 404


def test_withdrawing_network_visibility_switches_it_off(db, world, auth, client):
    record = _record(db, world.a, "network-visible")
    auth.login_as(world.zofia)
    client.post(f"/privacy/consents/{record.id}/withdraw")
    db.session.expire_all()
    consent = db.session.get(NetworkingConsent, world.a.id)
    assert (consent.is_enabled, consent.is_visible) == (True, False)
    assert db.session.get(ConsentRecord, record.id).withdrawn_at is not None


def test_someone_elses_consent_is_not_found(db, world, auth, client):
    record = _record(db, world.a, "directory")
    auth.login_as(world.boris)
    assert client.post(f"/privacy/consents/{record.id}/withdraw").status_code == 404
    assert db.session.get(ConsentRecord, record.id).withdrawn_at is None


def test_privacy_acknowledgement_is_not_withdrawn_by_the_button(db, world, auth, client):
    record = db.session.scalar(select(ConsentRecord).where(ConsentRecord.kind == "privacy"))
    auth.login_as(world.zofia)
    assert client.post(f"/privacy/consents/{record.id}/withdraw").status_code == 302
    assert db.session.get(ConsentRecord, record.id).withdrawn_at is None
