"""News that contacts announces to the apps above it (they connect receivers).

contacts never imports those apps: campaigns listens here (`campaigns/receivers.py`).
"""

from django.dispatch import Signal

# Sent with `contact_ids` inside the transaction that deletes those contacts, before
# the rows go. A receiver removes what its app keeps about them; raising a domain
# error (e.g. Conflict) refuses the whole deletion.
contacts_deleting = Signal()
