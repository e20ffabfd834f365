"""`flask users …`, `flask municipalities create`, `flask topics sync` and `flask demo load`."""

from sqlalchemy import delete, func, select

from core.demo import ASSOCIATIONS, DEMO_PASSWORD
from core.models import Association, Municipality, Role, Topic, User
from core.topics import STARTER_TOPICS
from tests.conftest import Auth

STRONG = "lange genug und selten"


def invoke(runner, *args, password=None, **kwargs):
    env = {"VEREINSNETZ_PASSWORD": password} if password else {}
    return runner.invoke(args=list(args), env=env, **kwargs)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def signs_in(app, email, password):
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


# --------------------------------------------------------------------------- users


def test_create_admin_with_password_from_environment(app, db, runner):
    result = invoke(runner, "users", "create-admin", "  Chefin@Example.ORG ", password=STRONG)

    assert result.exit_code == 0, result.output
    assert "chefin@example.org created" in result.output
    user = User.by_email("chefin@example.org")
    assert user.role is Role.admin and user.is_active
    assert user.password_hash != STRONG
    assert signs_in(app, "CHEFIN@example.org", STRONG)


def test_weak_passwords_are_refused(db, runner):
    reasons = {
        "kurz": "at least 8 characters",
        "password123": "too common",
        "aaaaaaaaaaaa": "too common",
        "chefin-vereinsnetz": "must not contain your e-mail address",
    }
    for weak, reason in reasons.items():
        result = invoke(runner, "users", "create-admin", "chefin@example.org", password=weak)
        assert result.exit_code != 0, weak
        assert reason in result.output, (weak, result.output)
    assert count(db, User) == 0


def test_password_is_prompted_until_it_is_good_enough(app, db, runner):
    result = invoke(runner, "users", "create-admin", "chefin@example.org", input=f"kurz\nkurz\n{STRONG}\n{STRONG}\n")

    assert result.exit_code == 0, result.output
    assert "at least 8 characters" in result.output
    assert signs_in(app, "chefin@example.org", STRONG)


def test_duplicate_account_is_refused_whatever_the_case(db, runner, factory):
    factory.admin(email="chefin@example.org")
    result = invoke(runner, "users", "create-admin", "Chefin@Example.org", password=STRONG)
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert count(db, User) == 1


def test_create_coordinator_for_several_municipalities(app, db, runner, factory):
    factory.municipality("Ehingen")
    factory.municipality("Laichingen")
    factory.municipality("Blaubeuren")

    result = invoke(
        runner,
        "users",
        "create-coordinator",
        "integration@alb-donau.example",
        "--municipality",
        "Ehingen",
        "--municipality",
        "Laichingen",
        "--name",
        "Kreis-Koordination",
        password=STRONG,
    )

    assert result.exit_code == 0, result.output
    user = User.by_email("integration@alb-donau.example")
    assert user.role is Role.coordinator
    assert user.name == "Kreis-Koordination"
    assert sorted(m.name for m in user.municipalities) == ["Ehingen", "Laichingen"]
    assert signs_in(app, "integration@alb-donau.example", STRONG)


def test_coordinator_for_unknown_municipality_is_refused(db, runner, factory):
    factory.municipality("Ehingen")
    result = invoke(
        runner,
        "users",
        "create-coordinator",
        "k@example.org",
        "--municipality",
        "Ehingen",
        "--municipality",
        "Atlantis",
        password=STRONG,
    )
    assert result.exit_code != 0
    assert "Unknown municipality: Atlantis" in result.output
    assert count(db, User) == 0


def test_coordinator_needs_a_municipality(db, runner):
    result = invoke(runner, "users", "create-coordinator", "k@example.org", password=STRONG)
    assert result.exit_code != 0
    assert count(db, User) == 0


# --------------------------------------------------------------------------- municipalities


def test_create_municipality_once(db, runner):
    result = invoke(
        runner, "municipalities", "create", "Ludwigsburg", "--office-email", "integration@ludwigsburg.example"
    )
    assert result.exit_code == 0, result.output
    town = db.session.scalar(select(Municipality).where(Municipality.name == "Ludwigsburg"))
    assert town.office_email == "integration@ludwigsburg.example"

    again = invoke(runner, "municipalities", "create", " Ludwigsburg ")
    assert again.exit_code != 0
    assert "exists already" in again.output
    assert count(db, Municipality) == 1
    assert invoke(runner, "municipalities", "create", "  ").exit_code != 0
    assert count(db, Municipality) == 1


# --------------------------------------------------------------------------- topics


def test_topics_sync_is_idempotent_and_keeps_keys_stable(db, runner):
    db.session.execute(delete(Topic))
    db.session.commit()

    first = invoke(runner, "topics", "sync")
    assert first.exit_code == 0, first.output
    assert f"{len(STARTER_TOPICS)} topics added" in first.output
    ids = dict(db.session.execute(select(Topic.key, Topic.id)).all())

    second = invoke(runner, "topics", "sync")
    assert second.exit_code == 0, second.output
    assert "0 topics added" in second.output
    db.session.expire_all()
    assert dict(db.session.execute(select(Topic.key, Topic.id)).all()) == ids
    assert count(db, Topic) == len(STARTER_TOPICS)
    hsu_tr = db.session.scalar(select(Topic).where(Topic.key == "hsu-tr"))
    assert hsu_tr.parent.key == "hsu"
    assert {"rooms", "funding", "volunteers", "hsu", "hsu-ar", "youth", "women"} <= set(ids)


def test_topics_sync_adds_only_what_is_missing(db, runner):
    db.session.execute(delete(Topic).where(Topic.key.in_(["rooms", "hsu-tr"])))
    db.session.commit()
    result = invoke(runner, "topics", "sync")
    assert "2 topics added" in result.output
    assert db.session.scalar(select(Topic).where(Topic.key == "hsu-tr")).parent.key == "hsu"


# --------------------------------------------------------------------------- demo


def test_demo_load_builds_the_demo_town(app, db, runner):
    result = invoke(runner, "demo", "load")

    assert result.exit_code == 0, result.output
    assert "koordination@example.org" in result.output and DEMO_PASSWORD in result.output
    assert count(db, Association) == len(ASSOCIATIONS) == 45
    emails = set(db.session.scalars(select(User.email).where(User.role == Role.representative)))
    assert emails == {f"verein{n:02d}@example.org" for n in range(1, 46)}
    coordinator = User.by_email("koordination@example.org")
    assert coordinator.role is Role.coordinator
    assert [m.name for m in coordinator.municipalities] == ["Ludwigsburg (Demo)"]
    for email in ("koordination@example.org", "admin@example.org", "verein01@example.org", "verein45@example.org"):
        assert signs_in(app, email, DEMO_PASSWORD), email
    hsu = db.session.scalar(select(Topic).where(Topic.key == "hsu"))
    teaching = db.session.scalar(
        select(func.count(func.distinct(Association.id))).join(Association.topics).where(Topic.parent_id == hsu.id)
    )
    rooms = db.session.scalar(
        select(func.count()).select_from(Association).join(Association.topics).where(Topic.key == "rooms")
    )
    assert teaching >= 5 and rooms >= 5


def test_demo_representative_sees_own_association(app, db, runner):
    invoke(runner, "demo", "load")
    client = app.test_client()
    rep = User.by_email("verein01@example.org")
    Auth(client).login_as(rep, password=DEMO_PASSWORD)
    assert rep.association.name in client.get(f"/associations/{rep.association_id}").get_data(as_text=True)


def test_demo_refuses_a_database_with_data(db, runner, factory):
    factory.municipality("Echte Stadt")
    result = invoke(runner, "demo", "load")
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert count(db, Association) == 0
    assert User.by_email("koordination@example.org") is None


def test_demo_refuses_a_database_with_only_staff_accounts(db, runner, factory):
    """A real deployment that has only created its administrator must never get demo accounts."""
    factory.admin(email="it@stadt.example")
    assert invoke(runner, "demo", "load").exit_code != 0
    assert User.by_email("koordination@example.org") is None


def test_demo_if_empty_succeeds_without_touching_data(db, runner, factory):
    factory.municipality("Echte Stadt")
    result = invoke(runner, "demo", "load", "--if-empty")
    assert result.exit_code == 0, result.output
    assert count(db, Municipality) == 1
    assert User.by_email("koordination@example.org") is None


def test_demo_if_empty_loads_into_an_empty_database(db, runner):
    result = invoke(runner, "demo", "load", "--if-empty")
    assert result.exit_code == 0, result.output
    assert count(db, Association) == 45


def test_invalid_email_is_refused(db, runner):
    result = invoke(runner, "users", "create-admin", "not-an-address", password=STRONG)
    assert result.exit_code != 0
    assert "not a valid e-mail address" in result.output
    assert count(db, User) == 0
