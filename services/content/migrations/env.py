from resonance.common.migrations import run_env
from resonance.content.settings import ContentSettings
from resonance.content.store.tables import metadata

run_env(metadata, default_url=ContentSettings().database_url)
