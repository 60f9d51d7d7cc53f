import importlib.util

from resonance.common.migrations import run_env
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store.tables import metadata

# Every table module declares on the same metadata: import them so autogenerate sees all.
for module in ("resonance.sharing.store.share_views",):
    if importlib.util.find_spec(module) is not None:
        importlib.import_module(module)

run_env(metadata, default_url=SharingSettings().database_url)
