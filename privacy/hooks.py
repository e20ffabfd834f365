"""The features' own privacy hooks (`<feature>/privacy.py`), found by trying to import them.

A hook module may define `export_association(association)`, `export_user(user)` (each returning
{section name: [JSON-serialisable rows]}), `erase_association(association, actor)` and
`erase_user(user, actor)` (delete or anonymise that feature's personal data; flush only).
"""

import importlib

FEATURES = ("surveys", "exchange", "matching", "fireside", "office")


def modules():
    """(feature name, hook module) for every feature that has one."""
    found = []
    for feature in FEATURES:
        name = f"{feature}.privacy"
        try:
            found.append((feature, importlib.import_module(name)))
        except ModuleNotFoundError as error:
            # Only a missing hook module is fine; a hook that fails to import its own dependencies is a bug.
            if error.name not in (name, feature):
                raise
    return found


def call(function, *args):
    """Call `function` of every hook module that has it: {feature: result}."""
    return {
        feature: getattr(module, function)(*args)
        for feature, module in modules()
        if callable(getattr(module, function, None))
    }
