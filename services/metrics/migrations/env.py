from resonance.common.migrations import run_env
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store.schema import metadata

run_env(metadata, default_url=MetricsSettings().database_url)
