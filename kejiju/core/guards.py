"""Class-level state that every request shares is read-only.

A view or form class is created once per process and serves every user; anything a request writes into it
(`self.initial.update(...)` on FormMixin's class-level dict, `base_fields[...]`, a class-level widget's attrs,
a Meta dict) reaches the next request of any other user — one county's words in another county's blank form.
Views build what they need per request instead: `get_initial()` returns a fresh dict, forms change
`self.fields` (Django's deep copy per form instance), filtersets `self.filters`, tables `self.columns`.

Django's one mutable class-level default that the generic views invite writing into, `FormMixin.initial`,
is made a read-only mapping here, so that such a write fails at once (in the first test of the view) instead
of leaking silently. `tests/security/test_canary.py` compares the whole class-level state of views, forms,
filtersets and tables before and after a county's requests; `tests/security/test_class_state.py` refuses the
writes in the source."""

from __future__ import annotations

from types import MappingProxyType


def freeze_shared_defaults() -> None:
    """Called once from CoreConfig.ready()."""
    from django.views.generic.edit import FormMixin

    if not isinstance(FormMixin.initial, MappingProxyType):
        # get_initial() keeps working: `self.initial.copy()` gives a new, writable dict.
        FormMixin.initial = MappingProxyType(dict(FormMixin.initial))
