"""Regression tests from the security review: a posting the office took down pauses its conversations."""

import pytest

from exchange import services
from exchange.models import Moderation, PostingKind
from exchange.services import ExchangeError


@pytest.mark.parametrize("moderation", [Moderation.hidden, Moderation.removed])
def test_no_new_messages_while_the_posting_is_taken_down(db, world, make_posting, moderation):
    posting = make_posting(world.rep_a, kind=PostingKind.request)
    conversation, _message = services.reply(world.rep_b, posting, "Wir haben einen Raum.")
    db.session.commit()
    posting.moderation = moderation
    db.session.commit()
    with pytest.raises(ExchangeError):
        services.add_message(world.rep_a, conversation, "Noch da?")
    posting.moderation = Moderation.visible
    db.session.commit()
    assert services.add_message(world.rep_a, conversation, "Wieder da.").body == "Wieder da."
