"""Use cases: what the API, the jobs and the event handlers ask the service to do.

Each function takes a unit of work (one transaction with its outbox, clock and settings),
loads through store/, decides through domain/, writes, emits events and returns values or
raises domain errors. The jobs that wait on SMTP take the Runtime instead and open short units
of work around the wait, so no transaction stays open while a mail server answers.
"""

from typing import TypeAlias

from resonance.common.unit_of_work import UnitOfWork
from resonance.metrics.settings import MetricsSettings

# The unit of work every metrics use case runs in.
Uow: TypeAlias = UnitOfWork[MetricsSettings]
