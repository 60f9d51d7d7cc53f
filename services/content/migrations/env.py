from resonance.common.migrations import run_env
from resonance.content.store.tables import metadata

run_env(metadata)
