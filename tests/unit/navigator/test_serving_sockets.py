"""Several workers' shared socket: connections accepted on it get TCP_NODELAY, as with one worker."""

from __future__ import annotations

import asyncio
import socket

from navigator.serving import tcp_listener


def _nodelay_of_accepted(listener: socket.socket) -> int:
    """TCP_NODELAY of the server side of a connection accepted by asyncio on ``listener``."""

    async def run() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
            value = await asyncio.wait_for(accepted, 5)
            writer.close()
            return value

    return asyncio.run(run())


def _bound_as_uvicorn_does() -> socket.socket:
    sock = socket.socket(family=socket.AF_INET)  # proto 0, as uvicorn's Config.bind_socket() makes it
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def test_connections_on_the_fixed_socket_get_tcp_nodelay() -> None:
    # uvicorn's own socket leaves it off on Python 3.11 (Kludex/uvicorn#3149); not asserted, as Pythons may differ
    fixed = tcp_listener(_bound_as_uvicorn_does())
    assert fixed.proto == socket.IPPROTO_TCP and fixed.get_inheritable()
    assert _nodelay_of_accepted(fixed) != 0


def test_a_socket_that_is_already_tcp_or_not_inet_is_left_alone() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as tcp:
        assert tcp_listener(tcp) is tcp
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
        assert tcp_listener(unix) is unix
