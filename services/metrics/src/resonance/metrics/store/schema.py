"""Every table of the service on one metadata (Alembic and the app read it from here)."""

from resonance.metrics.store import tables_activity, tables_gamification, tables_reports
from resonance.metrics.store.tables import metadata, plumbing

# Imported for their side effect: declaring their tables on MetricsModel.metadata.
TABLE_MODULES = (tables_activity, tables_gamification, tables_reports)

__all__ = ["TABLE_MODULES", "metadata", "plumbing"]
