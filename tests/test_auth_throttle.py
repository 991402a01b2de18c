"""Aimed sign-in throttling: guesses lock the guesser's address, not the account's owner.

Failures count per (email, client address) and per client address; only very many failures
for one email from anywhere lock the account itself, and then its owner is mailed a one-time
sign-in link that works despite the lock.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.extensions import db
from careteam.testing import (
    TEST_PASSWORD,
    CareClient,
    links_in,
    login,
    make_app,
    message_text,
    outbox_rows,
)

WRONG = "not the right password at all"
ATTACKER = "203.0.113.66"
OWNER_HOME = "198.51.100.7"


@pytest.fixture
def another_worker(app, tmp_path):
    """Return a factory for a second app on the same database, like another gunicorn worker."""
    made = []

    def make(**settings):
        worker = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **settings)
        worker.test_client_class = CareClient
        made.append(worker)
        return worker

    yield make
    for worker in made:
        with worker.app_context():
            db.engine.dispose()


def client_from(new_client, address: str):
    """Return a separate browser whose requests come from ``address``."""
    browser = new_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def form_error(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('class="alert alert-error"')
    return page[start : page.index("</div>", start)]


def audit_actions(app, prefix: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.startswith(prefix))
                .order_by(AuditEvent.id)
            )
        )


def test_attacker_address_is_locked_while_the_owner_signs_in_elsewhere(app, new_client, make_user):
    owner = make_user()
    attacker = client_from(new_client, ATTACKER)
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        assert login(attacker, owner.email, WRONG).status_code == 401
    locked = login(attacker, owner.email, TEST_PASSWORD)
    assert locked.status_code == 401, "the guesser's address is locked even with the password"
    assert "Please wait" in form_error(locked)

    home = client_from(new_client, OWNER_HOME)
    assert login(home, owner.email).status_code == 302
    assert home.get("/home").status_code == 200


def test_behind_a_proxy_the_forwarded_client_address_is_what_counts(app, make_user, another_worker):
    proxied = another_worker(PROXY_COUNT=1)
    owner = make_user()

    def browser(forwarded_for: str) -> CareClient:
        visitor = proxied.test_client()
        visitor.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
        return visitor

    attacker = browser(ATTACKER)
    for _ in range(proxied.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        login(attacker, owner.email, WRONG)
    assert login(attacker, owner.email).status_code == 401
    # Both came through the same proxy (127.0.0.1); the owner's own address is clean.
    assert login(browser(OWNER_HOME), owner.email).status_code == 302


def test_the_right_password_from_the_guessing_address_waits_then_works(
    app, new_client, make_user, clock
):
    owner = make_user()
    typist = client_from(new_client, OWNER_HOME)
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        login(typist, owner.email, WRONG)
    assert "Please wait 1 minute" in form_error(login(typist, owner.email))
    clock.advance(minutes=1, seconds=1)
    assert login(typist, owner.email).status_code == 302


def test_one_address_guessing_across_many_accounts_is_locked(app, new_client, make_user):
    victim = make_user()
    sprayer = client_from(new_client, ATTACKER)
    token = sprayer.csrf_token("/login")
    # One guess per address keeps under every per-account count.
    for n in range(app.config["LOGIN_ADDRESS_FAILURES_BEFORE_DELAY"]):
        response = sprayer.post(
            "/login",
            data={"csrf_token": token, "email": f"guess{n}@example.org", "password": WRONG},
        )
        assert response.status_code == 401
    refused = login(sprayer, victim.email)
    assert refused.status_code == 401
    assert "from your network" in form_error(refused)
    assert login(client_from(new_client, OWNER_HOME), victim.email).status_code == 302


def test_a_success_forgets_only_that_address(app, new_client, make_user):
    """Signing in to an account of one's own must not reset the sprayer's count."""
    sprayer_account = make_user()
    sprayer = client_from(new_client, ATTACKER)
    allowance = app.config["LOGIN_ADDRESS_FAILURES_BEFORE_DELAY"]
    token = sprayer.csrf_token("/login")
    for n in range(allowance - 1):
        sprayer.post(
            "/login",
            data={"csrf_token": token, "email": f"guess{n}@example.org", "password": WRONG},
        )
    assert login(sprayer, sprayer_account.email).status_code == 302
    fresh = client_from(new_client, ATTACKER)
    login(fresh, "one-more@example.org", WRONG)
    assert "from your network" in form_error(login(fresh, "another@example.org", WRONG))


def _spray(app, new_client, email: str, count: int):
    """Send ``count`` wrong passwords for ``email``, each from a different address."""
    answers = []
    for n in range(count):
        guesser = client_from(new_client, f"10.{n // 65536}.{n // 256 % 256}.{n % 256 + 1}")
        answers.append(login(guesser, email, WRONG))
    return answers


def test_account_wide_lock_at_the_high_count_mails_a_one_time_link(
    app, new_client, make_user, mail, clock
):
    owner = make_user(display_name="Ruth")
    limit = app.config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"]
    assert limit == 100, "the default stays far above what a typing person reaches"

    answers = _spray(app, new_client, owner.email, limit - 1)
    assert all("do not match an account" in form_error(a) for a in answers)
    assert mail.messages == []
    # Under the account-wide count, the owner with the right password still gets in.
    assert login(client_from(new_client, OWNER_HOME), owner.email).status_code == 302

    tripping = _spray(app, new_client, owner.email, 1)[0]
    assert "one-time sign-in link" in form_error(tripping)
    # Now even the right password from a clean address waits...
    blocked = login(client_from(new_client, "192.0.2.10"), owner.email)
    assert blocked.status_code == 401
    assert "one-time sign-in link" in form_error(blocked)

    # ...and the owner has a link that gets in despite the lock, once.
    message = mail.last_to(owner.email)
    assert len(mail.messages) == 1
    assert message["Subject"] == "Your CareTeam sign-in link"
    assert "Hello Ruth" in message_text(message)
    links = [link for link in links_in(message) if "/sign-in/" in link]
    assert len(links) == 1 and links[0].startswith("http://careteam.test/sign-in/")
    path = urlsplit(links[0]).path

    owner_browser = client_from(new_client, "192.0.2.10")
    page = owner_browser.get(path)
    assert page.status_code == 200, "opening the link only shows a button"
    assert page.headers["Cache-Control"] == "no-store"
    assert owner_browser.get("/home").status_code == 302
    signed_in = owner_browser.post_form(path, {})
    assert signed_in.status_code == 302
    assert owner_browser.get("/home").status_code == 200

    again = client_from(new_client, "192.0.2.11")
    assert again.get(path).status_code == 404
    token = again.csrf_token("/login")
    assert again.post(path, data={"csrf_token": token}).status_code == 404
    assert again.get("/home").status_code == 302, "the link signs in only once"
    assert audit_actions(app, "auth.sign_in_link") == [
        "auth.sign_in_link_sent",
        "auth.sign_in_link_used",
    ]


def test_the_account_lock_mails_once_and_an_unknown_address_looks_the_same(
    app, new_client, make_user, mail, clock
):
    app.config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"] = 4
    owner = make_user()
    known = [form_error(a) for a in _spray(app, new_client, owner.email, 6)]
    unknown = [form_error(a) for a in _spray(app, new_client, "nobody@example.org", 6)]
    assert known == unknown
    assert "one-time sign-in link" in known[3]
    # Refused while locked, the further attempts neither count nor mail again.
    assert len(mail.wait_for(owner.email)) == 1
    assert len(mail.messages) == 1

    # Refused attempts keep the hour going: when the lock ends, a guesser still at it locks
    # the account again at once, and the owner gets a fresh link.
    clock.advance(minutes=30)
    _spray(app, new_client, owner.email, 1)
    clock.advance(minutes=app.config["LOGIN_ACCOUNT_LOCK_MINUTES"] - 30, seconds=1)
    assert "one-time sign-in link" in form_error(_spray(app, new_client, owner.email, 1)[0])
    assert len(mail.wait_for(owner.email, count=2)) == 2


def test_the_account_count_restarts_after_a_quiet_hour(app, new_client, make_user, mail, clock):
    app.config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"] = 4
    owner = make_user()
    _spray(app, new_client, owner.email, 3)
    clock.advance(hours=1, seconds=1)
    answers = _spray(app, new_client, owner.email, 3)
    assert all("do not match an account" in form_error(a) for a in answers)
    assert mail.messages == []


def test_a_sign_in_link_expires(app, new_client, make_user, mail, clock):
    app.config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"] = 2
    owner = make_user()
    _spray(app, new_client, owner.email, 2)
    path = urlsplit(links_in(mail.last_to(owner.email))[0]).path
    clock.advance(minutes=app.config["LOGIN_ACCOUNT_LOCK_MINUTES"], seconds=1)
    late = client_from(new_client, OWNER_HOME)
    assert late.get(path).status_code == 404


def test_a_deactivated_account_gets_no_link(app, new_client, make_user, mail):
    app.config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"] = 2
    owner = make_user(active=False)
    answers = _spray(app, new_client, owner.email, 2)
    assert "one-time sign-in link" in form_error(answers[-1])
    assert mail.messages == []


def test_guessing_the_current_password_locks_only_the_guessers_address(app, new_client, make_user):
    """A stolen session guessing at the password form does not lock the owner out."""
    owner = make_user()
    thief = client_from(new_client, ATTACKER)
    login(thief, owner.email)
    for n in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        thief.post_form(
            "/account/password",
            {"current_password": f"guess {n} is wrong", "new_password": "x" * 20},
        )
    assert login(client_from(new_client, ATTACKER), owner.email).status_code == 401
    assert login(client_from(new_client, OWNER_HOME), owner.email).status_code == 302


def test_a_signed_in_owner_changes_the_password_despite_the_account_lock(
    app, new_client, make_user, mail
):
    app.config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"] = 3
    owner = make_user()
    home = client_from(new_client, OWNER_HOME)
    login(home, owner.email)
    _spray(app, new_client, owner.email, 3)
    assert "one-time sign-in link" in form_error(
        login(client_from(new_client, "192.0.2.9"), owner.email)
    )
    response = home.post_form(
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": "seven amber foxes guard the ferry"},
    )
    assert response.status_code == 302
    # The new password makes every guess so far worthless: the account lock is lifted.
    fresh = client_from(new_client, "192.0.2.9")
    assert login(fresh, owner.email, "seven amber foxes guard the ferry").status_code == 302


def test_a_mail_outage_when_the_lock_starts_still_locks_and_answers_calmly(
    app, new_client, make_user, caplog
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=closed_port,
        SMTP_SECURITY="none",
        LOGIN_ACCOUNT_FAILURES_PER_HOUR=2,
    )
    owner = make_user()
    answers = _spray(app, new_client, owner.email, 2)
    assert [a.status_code for a in answers] == [401, 401]
    assert "one-time sign-in link" in form_error(answers[-1])
    # The link waits in the outbox for `careteam send-mail`; the lock holds meanwhile.
    assert "not delivered" in caplog.text
    assert [(to, sent) for to, _attempts, sent, _error in outbox_rows(app)] == [
        (owner.email, False)
    ]
    blocked = login(client_from(new_client, OWNER_HOME), owner.email)
    assert "one-time sign-in link" in form_error(blocked)


def test_every_worker_sees_the_same_counts(app, new_client, make_user, another_worker):
    """The counts live in the database, not in a worker's memory (with or without Redis)."""
    other_worker = another_worker()
    owner = make_user()
    attacker = client_from(new_client, ATTACKER)
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        login(attacker, owner.email, WRONG)
    elsewhere = other_worker.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = ATTACKER
    assert "Please wait" in form_error(login(elsewhere, owner.email))
