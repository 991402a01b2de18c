"""Nothing secret reaches the application log: not passwords, not the tokens in emailed links,
not message bodies, not note text; the development outbox logs the file, not the mail."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from careteam.testing import links_in, login, message_text

PASSWORD = "violet harbour lanterns drift past copper otters"
NEW_PASSWORD = "seven quiet herons fold maps under amber rain"
NOTE = "Secret symptom text: numbness in the left hand since Tuesday"


def _tokens(messages) -> list[str]:
    found = []
    for message in messages:
        for link in links_in(message):
            found += [part for part in urlsplit(link).path.split("/") if len(part) >= 32]
    return found


def test_account_flows_log_no_password_token_or_body(app, new_client, mail, caplog, make_user):
    from careteam.circles.testing import build_circle, people_for_every_role

    caplog.set_level(logging.DEBUG)
    client = new_client()
    client.post_form(
        "/register",
        {"email": "nadia@example.org", "display_name": "Nadia", "password": PASSWORD},
    )
    verify = [link for link in links_in(mail.last_to("nadia@example.org")) if "/verify/" in link]
    client.get(urlsplit(verify[0]).path)
    client.post_form("/forgot-password", {"email": "nadia@example.org"})
    reset = next(
        link for link in links_in(mail.last_to("nadia@example.org")) if "/reset-password/" in link
    )
    client.post_form(urlsplit(reset).path, {"password": NEW_PASSWORD})
    login(client, "nadia@example.org", NEW_PASSWORD)
    client.post_form(
        "/account/email", {"new_email": "nadia.new@example.org", "current_password": NEW_PASSWORD}
    )
    people = people_for_every_role(make_user)
    setup = build_circle(app, people)
    writer = new_client()
    login(writer, people["caregiver"].email)
    writer.post_form(
        setup.url("/notes/new"),
        {"title": "", "body": NOTE, "category": "symptoms", "audience": "care_team"},
    )
    tokens = _tokens(mail.messages)
    assert len(tokens) >= 3  # verification, reset, email change
    # The test's own SMTP server (aiosmtpd, logger "mail.log") logs what it receives; that is
    # the mail server's log, not CareTeam's.
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours
    log = " ".join(f"{r.getMessage()} {r.args}" for r in ours)
    for secret in (PASSWORD, NEW_PASSWORD, NOTE, *tokens):
        assert secret not in log
    for message in mail.messages:
        body = message_text(message).strip().splitlines()
        longest = max(body, key=len)
        assert longest not in log  # no mail body in the log


def test_the_outbox_logs_where_the_mail_is_not_what_it_says(app, client, caplog):
    caplog.set_level(logging.INFO, logger="careteam.mail")
    client.post_form(
        "/register", {"email": "outbox@example.org", "display_name": "O", "password": PASSWORD}
    )
    [record] = [r for r in caplog.records if "Saved email to" in r.getMessage()]
    path = Path(re.search(r"Saved email to (\S+)", record.getMessage()).group(1))
    assert path.is_file() and path.suffix == ".eml"
    mail_text = path.read_text()
    assert "/verify/" in mail_text
    token = re.search(r"/verify/([A-Za-z0-9_-]{32,})", mail_text).group(1)
    assert token not in caplog.text and "/verify/" not in caplog.text
