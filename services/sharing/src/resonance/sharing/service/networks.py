"""The connectors a process talks to the networks with, built once per process (start hook)
and kept in `runtime.extensions`."""

from dataclasses import dataclass

import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

from resonance.common.domain_errors import Invalid
from resonance.common.secrets_box import SecretBox
from resonance.common.service import Runtime
from resonance.sharing.connectors.base import Connector
from resonance.sharing.connectors.registry import build_connectors, http_client
from resonance.sharing.domain.networks import ShareMode, parse_network, profile
from resonance.sharing.settings import SharingSettings

_KEY = "networks"


@dataclass
class Networks:
    """The network connectors (one HTTP pool) and the box sealing their tokens."""

    connectors: dict[str, Connector]
    http: httpx.AsyncClient
    secrets: SecretBox

    def connector(self, network: str) -> Connector:
        """The connector of an API network; Invalid for share-intent or unknown networks."""
        known = parse_network(network)
        if known is None:
            raise Invalid(f"unknown network {network[:40]!r}", slug="unknown-network")
        if profile(known).mode is not ShareMode.API or known.value not in self.connectors:
            raise Invalid(
                f"{known.value} is shared through its share page and needs no connection",
                slug="network-needs-no-connection",
            )
        return self.connectors[known.value]


async def open_networks(runtime: Runtime[SharingSettings]) -> None:
    client = http_client(runtime.settings)
    # A CLIENT span per network call, with traceparent sent: one trace from the share
    # request to the network and on to every consumer of share.made.
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=runtime.tracer_provider)
    runtime.extensions[_KEY] = Networks(
        build_connectors(runtime.settings, client), client, runtime.secrets
    )


async def close_networks(runtime: Runtime[SharingSettings]) -> None:
    networks = runtime.extensions.pop(_KEY, None)
    if isinstance(networks, Networks):
        await networks.http.aclose()


def networks_of(runtime: Runtime[SharingSettings]) -> Networks:
    networks = runtime.extensions.get(_KEY)
    if not isinstance(networks, Networks):
        raise RuntimeError("the networks were not opened (open_networks start hook)")
    return networks
