"""Through a real gunicorn (sync workers, production settings): the email a request queues is
delivered after the client has the whole response, so the answer never waits for the mail
server.  The SMTP server here holds every message until the test lets it go: if delivery were
part of the request, the request could not finish while it is held."""

from __future__ import annotations

import asyncio
import http.client
import re
import threading
from email import message_from_bytes, policy
from urllib.parse import urlencode

import pytest

from bench.servers import free_port, gunicorn, production_environment

pytestmark = pytest.mark.slow


class HeldSmtp:
    """aiosmtpd on a free port whose DATA step waits for :meth:`release`."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.messages: list = []
        self.arrived = threading.Event()
        self.port = free_port()

    def release(self) -> None:
        self.released.set()

    async def handle_DATA(self, _server, _session, envelope):
        await asyncio.to_thread(self.released.wait, 60)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def held_smtp():
    from aiosmtpd.controller import Controller

    held = HeldSmtp()
    controller = Controller(held, hostname="127.0.0.1", port=held.port)
    controller.start()
    yield held
    held.release()
    controller.stop()


def _post_forgot_password(port: int, email: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/forgot-password")
    page = connection.getresponse()
    body = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/forgot-password",
        body=urlencode({"csrf_token": token, "email": email}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_reset_mail_goes_after_the_response(app, database_url, make_user, held_smtp, tmp_path):
    user = make_user(email="ruth@example.org")
    port = free_port()
    env = production_environment(database_url, port)
    env.update(
        {
            "CARETEAM_SMTP_HOST": "127.0.0.1",
            "CARETEAM_SMTP_PORT": str(held_smtp.port),
            "CARETEAM_SMTP_SECURITY": "none",
        }
    )
    with gunicorn("mail-after-response", "careteam.wsgi:app", env, tmp_path / "logs") as server:
        # The mail server holds the message: a request that delivered it itself would hang here
        # (and fail on the 30-second socket timeout).
        response = _post_forgot_password(server.port, user.email)
        assert response.status == 302
        assert response.getheader("Location").endswith("/check-inbox?reason=reset")
        assert held_smtp.messages == []
        held_smtp.release()
        assert held_smtp.arrived.wait(30)
    [message] = held_smtp.messages
    assert str(message["To"]) == user.email
    assert "/reset-password/" in message.get_body(preferencelist=("plain",)).get_content()
