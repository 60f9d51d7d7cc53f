from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.tables import metadata
from resonance.common.migrations import run_env

run_env(metadata, default_url=AmbassadorsSettings().database_url)
