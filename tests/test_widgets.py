"""Every registered widget builds, reacts to each control, and produces a new picture."""

import pytest

from nnbasics.viz import registry

WIDGETS = registry()


def _other_value(control):
    """A different legal value for a slider, dropdown or checkbox."""
    if hasattr(control, "options") and control.options:
        labels = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return next(v for v in labels if v != control.value)
    if isinstance(control.value, bool):
        return not control.value
    return control.max if control.value != control.max else control.min


def test_every_notebook_widget_is_registered():
    assert WIDGETS, "no widgets registered"
    assert len({w.key for w in WIDGETS}) == len(WIDGETS)


@pytest.mark.parametrize("entry", WIDGETS, ids=[w.key for w in WIDGETS])
def test_each_control_updates_data_and_image(entry):
    explorer = entry.build()
    assert explorer.n_updates == 1 and explorer.image.value, f"{entry.key}: nothing drawn at start"
    for name, control in explorer.controls.items():
        before_n, before_img = explorer.n_updates, explorer.image.value
        control.value = _other_value(control)
        assert explorer.error_html.value == "", f"{entry.key}: {name} -> {explorer.error_html.value}"
        assert explorer.n_updates == before_n + 1, f"{entry.key}: changing {name} did not update"
        assert explorer.image.value != before_img, f"{entry.key}: changing {name} left the picture unchanged"
