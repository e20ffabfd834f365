"""Access matrix entries for the after-chat routes; merged into tests/fireside/access_spec.py."""

SPEC = {}


def build(world):
    """Add after-chat objects to the world (called at the end of access_spec.build)."""
