"""What the routes depend on: the typed runtime, the network connectors, and who may call.

Role dependencies are named after who may call (an admin always may, see require_roles)."""

from typing import Annotated

from fastapi import Depends, Request

from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime
from resonance.sharing.service.networks import Networks, networks_of
from resonance.sharing.settings import SharingSettings


# async so FastAPI calls these inline instead of hopping to its thread pool per request.
async def runtime(request: Request) -> Runtime[SharingSettings]:
    rt: Runtime[SharingSettings] = request.app.state.runtime
    return rt


Rt = Annotated[Runtime[SharingSettings], Depends(runtime)]


async def networks(rt: Rt) -> Networks:
    return networks_of(rt)


Nets = Annotated[Networks, Depends(networks)]

# Ambassadors acting for themselves: connect accounts, share, list and cancel their shares.
Ambassador = Annotated[Principal, Depends(require_roles(Role.AMBASSADOR))]
# Communicators and programme managers: tenant-wide views of sharing.
Editor = Annotated[Principal, Depends(require_roles(Role.COMMUNICATOR, Role.PROGRAM_MANAGER))]
# Programme managers only: the tenant's sharing policy (caps, blocked terms, reach rate).
ProgrammeManager = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER))]
# Careers sites, ATS and CRM reporting conversions (machine clients).
Integration = Annotated[Principal, Depends(require_roles(Role.INTEGRATION))]
