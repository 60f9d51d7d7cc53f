"""What routes depend on: the typed runtime, and callers named by who may call.

Admin always passes (require_roles adds it).
"""

from typing import Annotated

from fastapi import Depends, Request

from resonance.ambassadors.api.scim_support import scim_principal
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.common.auth import Principal, Role, require_roles
from resonance.common.service import Runtime


async def runtime(request: Request) -> Runtime[AmbassadorsSettings]:
    rt: Runtime[AmbassadorsSettings] = request.app.state.runtime
    return rt


Rt = Annotated[Runtime[AmbassadorsSettings], Depends(runtime)]

# Runs programmes, cohorts and the consent audit.
ProgrammeManager = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER))]
# A person acting on their own record (`me`), or a programme manager on anyone's.
AmbassadorOrManager = Annotated[
    Principal, Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER))
]
# Organises activities, nominates for cohorts, reads segments.
ManagerOrCommunicator = Annotated[
    Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.COMMUNICATOR))
]
# Anyone taking part in advocacy: ambassadors, communicators, programme managers.
AnyMember = Annotated[
    Principal,
    Depends(require_roles(Role.AMBASSADOR, Role.PROGRAM_MANAGER, Role.COMMUNICATOR)),
]
AdminOnly = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
# An HR system or identity provider provisioning over SCIM (refusals as SCIM error bodies).
HrIntegration = Annotated[Principal, Depends(scim_principal)]
