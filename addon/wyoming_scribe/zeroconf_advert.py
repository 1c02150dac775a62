"""mDNS advertisement of the Wyoming port, with an address other machines can reach."""

from __future__ import annotations

import ipaddress
import logging
import socket

from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

_LOGGER = logging.getLogger(__name__)
_MDNS_GROUP = "224.0.0.251"


def reachable_address(bind_host: str) -> str:
    """The address to advertise: the bound one, unless it is a wildcard or loopback.

    For 0.0.0.0 the address of the interface that routes to the mDNS group is used; that is the
    one a Home Assistant on the same network can connect to.
    """
    with_wildcard = bind_host in ("", "0.0.0.0", "::")  # noqa: S104
    if not with_wildcard and not ipaddress.ip_address(bind_host).is_loopback:
        return bind_host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((_MDNS_GROUP, 1))  # UDP connect sends nothing; it only picks a route
        address: str = probe.getsockname()[0]
    if address == "0.0.0.0":  # noqa: S104
        raise OSError("No network interface to advertise on")
    return address


class ZeroconfAdvert:
    def __init__(self, name: str, port: int, host: str) -> None:
        self.address = reachable_address(host)
        self._zeroconf = AsyncZeroconf()
        self._info = AsyncServiceInfo(
            "_wyoming._tcp.local.",
            f"{name}._wyoming._tcp.local.",
            addresses=[socket.inet_aton(self.address)],
            port=port,
        )

    async def register(self) -> None:
        await self._zeroconf.async_register_service(self._info)
        _LOGGER.info("Advertised on mDNS at %s:%s", self.address, self._info.port)

    async def unregister(self) -> None:
        await self._zeroconf.async_unregister_service(self._info)
        await self._zeroconf.async_close()
