"""Signals other apps listen to, so tickets need not import them.

`ticket_stepped` is sent inside the step's transaction, after the step is recorded, with
`ticket` (the locked, saved row), `step` (workflow.Step value), `actor` and `data` (the details
written to the history). A receiver that raises rolls the step back, so receivers must only
fail on real errors (e.g. the points for a resolved ticket: gongzhi.volunteering).
"""

from django.dispatch import Signal

ticket_stepped = Signal()
