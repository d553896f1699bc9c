"""A real SMTP server for the reliability suite: Odoo's outgoing mail server.

It listens on a free port of the loopback (aiosmtpd), accepts every message and keeps
it: the envelope's recipients and the headers the invariants read (``Message-Id``,
``Subject``, ``To``). As one of the suite's faults it refuses connections for a few
seconds: its listening socket is closed, so a new connection is refused as by a
server that is down or full, while the sessions already open finish their messages;
then it listens again on the same port.
"""

import asyncio
import threading
import time
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from infra import free_port


@dataclass
class Delivered:
    """One message as the sink received it."""

    at: float
    mail_from: str
    rcpt_tos: list
    message_id: str
    subject: str
    to: str


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        # the headers only, with the plain parser: the sink must stay cheap, it
        # shares the machine with the servers it measures
        message = BytesParser().parsebytes(
            envelope.original_content or envelope.content, headersonly=True
        )
        self.sink.keep(
            Delivered(
                at=time.time(),
                mail_from=envelope.mail_from,
                rcpt_tos=[address.lower() for address in envelope.rcpt_tos],
                message_id=str(message.get("Message-Id", "")).strip(),
                subject=str(make_header(decode_header(message.get("Subject", "")))),
                to=str(message.get("To", "")),
            )
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """aiosmtpd on 127.0.0.1:<free port>, keeping every message it receives."""

    host = "127.0.0.1"

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.refusals = []  # (start, end) of each time it refused connections
        self._lock = threading.Lock()
        self._controller = None

    @property
    def description(self):
        return f"SMTP sink (aiosmtpd) on {self.host}:{self.port}"

    def keep(self, delivered):
        with self._lock:
            self.messages.append(delivered)

    def snapshot(self):
        with self._lock:
            return list(self.messages)

    def start(self):
        self._controller = Controller(
            _Handler(self),
            hostname=self.host,
            port=self.port,
            # Odoo's messages may be large (attachments of the notices' templates)
            data_size_limit=50 * 1024 * 1024,
            ready_timeout=10,
        )
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _in_loop(self, coroutine):
        """Run a coroutine in the server's event loop (its own thread)."""
        return asyncio.run_coroutine_threadsafe(
            coroutine, self._controller.loop
        ).result(10)

    def refuse(self, seconds):
        """Refuse connections for ``seconds``; returns (start, end) of the refusal."""
        controller = self._controller

        async def close():
            controller.server.close()

        async def reopen():
            controller.server = await controller._create_server()

        start = time.time()
        self._in_loop(close())
        try:
            time.sleep(seconds)
        finally:
            self._in_loop(reopen())
        end = time.time()
        self.refusals.append((start, end))
        return start, end
