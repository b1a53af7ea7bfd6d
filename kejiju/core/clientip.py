"""The client's IP address: one resolution for every record that keeps one (security events, auditlog's
change entries, django-axes' attempts, the bulk audit entries of imports, report jobs).

`X-Forwarded-For` is believed only when the connection comes from a proxy named in TRUSTED_PROXIES (IP
addresses or CIDR networks; empty by default, so that REMOTE_ADDR is the client). Then the header is read
from the right, each trusted proxy vouching for the hop before it, and the first address that is not a
trusted proxy is the client: entries to its left are whatever the client sent and are never used.

ClientIPMiddleware resolves the address once per request and keeps it for the duration of the request in
a context variable, so that code without the request (services writing audit events, bulk audit entries)
records the same address. A background job runs with the address of the request that queued it
(`client_ip_context`)."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

_current: ContextVar[str | None] = ContextVar("kejiju_client_ip", default=None)
_REQUEST_ATTRIBUTE = "_kejiju_client_ip"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(str(entry) for entry in getattr(settings, "TRUSTED_PROXIES", ()) if entry))


def parse_address(text: str | None) -> str | None:
    """The address in `text` (an entry of X-Forwarded-For or REMOTE_ADDR, maybe with a port: `1.2.3.4:5`,
    `[::1]:5`), normalised; None when it is not an IP address."""
    text = (text or "").strip().strip('"')
    if not text:
        return None
    if text.startswith("["):  # [IPv6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def is_trusted_proxy(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip.version == network.version and ip in network for network in trusted_networks())


def resolve_client_ip(request) -> str | None:
    """The client's address for `request` (see the module's docstring)."""
    address = parse_address(request.META.get("REMOTE_ADDR"))
    if address is None or not is_trusted_proxy(address):
        return address
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(header.split(",")):
        hop = parse_address(entry)
        if hop is None:  # garbage where a trusted proxy's entry should be: go no further
            break
        address = hop
        if not is_trusted_proxy(hop):
            break
    return address


def client_ip(request=None) -> str | None:
    """The client's address: of `request` when given (resolved once per request), else of the request or
    job being served in this context (None outside one: a beat task, a management command).

    This is also django-axes' AXES_CLIENT_IP_CALLABLE."""
    if request is None:
        return _current.get()
    try:
        return getattr(request, _REQUEST_ATTRIBUTE)
    except AttributeError:
        pass
    address = resolve_client_ip(request) if hasattr(request, "META") else None
    with contextlib.suppress(AttributeError):
        setattr(request, _REQUEST_ATTRIBUTE, address)
    return address


def current_client_ip() -> str | None:
    return _current.get()


@contextlib.contextmanager
def client_ip_context(address: str | None) -> Iterator[None]:
    token = _current.set(address)
    try:
        yield
    finally:
        _current.reset(token)


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        trusted_networks()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="kejiju.E101")]
    return []
