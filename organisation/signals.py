"""Signals other apps listen to; organisation itself imports none of them."""

from django.dispatch import Signal

# Sent after a roster import has been committed, with ``staff_ids`` of the rows it
# created or changed. Campaigns use it to bring new joiners into their audience.
roster_changed = Signal()
