from resonance.ambassadors.store.tables import metadata
from resonance.common.migrations import run_env

run_env(metadata)
