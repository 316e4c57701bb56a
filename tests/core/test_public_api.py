"""The curated public API: what plugin authors may import."""

import balcao
import balcao.testing


def test_all_is_sorted_and_importable() -> None:
    names = balcao.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n)), "keep __all__ sorted"
    for name in names:
        assert getattr(balcao, name) is not None


def test_private_modules_are_not_exported() -> None:
    assert not [n for n in balcao.__all__ if n.startswith("_")]
    assert {"Desk", "hookimpl", "ChannelSpec", "NewManifestation"} <= set(balcao.__all__)


def test_testing_kit_exports() -> None:
    assert {"Balcao", "FakeClock", "RecordingChannel"} <= set(balcao.testing.__all__)
