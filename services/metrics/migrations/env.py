from resonance.common.migrations import run_env
from resonance.metrics.store.tables import metadata

run_env(metadata)
