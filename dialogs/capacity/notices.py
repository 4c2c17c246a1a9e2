"""The weekly over-booking notice: Monday morning in each person's zone, through the outbox, once per conflict until
it changes; and the managers' digest section with their people's over-booked weeks."""

from __future__ import annotations
