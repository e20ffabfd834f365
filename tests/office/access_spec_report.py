"""Access matrix entries for the report routes; merged into tests/office/access_spec.py."""

SPEC = {}


def build(world):
    """Add report objects to the world (called at the end of access_spec.build)."""
