"""Event contract: the envelope, the catalogue of event types and the AsyncAPI document."""

from resonance.common.events.envelope import Envelope, EventData, new_envelope

__all__ = ["Envelope", "EventData", "new_envelope"]
