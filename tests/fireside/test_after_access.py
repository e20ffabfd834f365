"""The after-chat part of the access matrix on its own (the shared matrix runs it too, through
tests/fireside/access_spec.py): every after-chat route for every role."""

import pytest

from tests.core.test_access_matrix import Case, World, run_case
from tests.fireside import access_spec_after


def cases(entry):
    return [Case(**item) for item in (entry if isinstance(entry, list) else [entry])]


@pytest.mark.parametrize("endpoint", sorted(access_spec_after.SPEC))
def test_after_chat_access(endpoint, app, db, factory):
    world = World(app, db, factory)
    access_spec_after.build(world)
    db.session.commit()
    for case in cases(access_spec_after.SPEC[endpoint]):
        run_case(world, endpoint, case)
