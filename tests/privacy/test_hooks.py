"""Every feature package's privacy hook module is found, so a new one is picked up without touching privacy/."""

from pathlib import Path

from privacy import hooks

ROOT = Path(__file__).resolve().parents[2]


def test_every_feature_with_a_privacy_module_is_called():
    present = {feature for feature in hooks.FEATURES if (ROOT / feature / "privacy.py").exists()}
    assert {"surveys", "exchange", "matching"} <= present
    assert {feature for feature, _ in hooks.modules()} == present


def test_each_hook_module_offers_export_and_erasure(app):
    for feature, module in hooks.modules():
        offered = {
            name
            for name in ("export_association", "export_user", "erase_association", "erase_user")
            if callable(getattr(module, name, None))
        }
        assert {"export_association", "erase_association"} <= offered, feature
