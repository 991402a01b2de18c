"""Sign-in sessions are server-side: logout and password resets really end them."""

from careteam.testing import login, logout


def test_sign_in_and_out(client, make_user):
    user = make_user(display_name="Maya")
    response = login(client, user.email)
    assert response.status_code == 302
    home = client.get("/home")
    assert home.status_code == 200
    assert b"Hello, Maya" in home.data
    assert home.headers["Cache-Control"] == "no-store"
    response = logout(client)
    assert response.status_code == 302
    assert client.get("/home").status_code == 302


def test_cookie_copied_before_logout_is_refused_after_it(app, client, new_client, make_user):
    user = make_user()
    login(client, user.email)
    stolen = client.get_cookie("careteam_session")
    assert stolen is not None
    logout(client)
    thief = new_client()
    thief.set_cookie("careteam_session", stolen.value)
    response = thief.get("/home")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_remember_cookie_is_bound_to_the_session(client, new_client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    remember = client.get_cookie("careteam_remember")
    assert remember is not None
    other = new_client()
    other.set_cookie("careteam_remember", remember.value)
    assert other.get("/home").status_code == 200
    logout(client)
    again = new_client()
    again.set_cookie("careteam_remember", remember.value)
    assert again.get("/home").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    known = login(client, user.email, "wrong password entirely")
    unknown = login(client, "nobody@example.org", "wrong password entirely")
    assert known.status_code == unknown.status_code == 401
    assert b"do not match an account" in known.data
    assert b"do not match an account" in unknown.data


def test_csrf_less_post_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "x" * 20})
    assert response.status_code == 400


# --- idle timeout and absolute lifetime ------------------------------------------------------


import pytest  # noqa: E402


def test_idle_session_ends(app, client, make_user, clock):
    user = make_user()
    login(client, user.email)
    idle = app.config["SESSION_IDLE_MINUTES"]
    clock.advance(minutes=idle - 1)
    assert client.get("/home").status_code == 200
    clock.advance(minutes=idle - 1)
    assert client.get("/home").status_code == 200, "activity keeps the session alive"
    clock.advance(minutes=idle + 1)
    response = client.get("/home")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


class TestAbsoluteLifetime:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_MAX_HOURS": 2, "SESSION_IDLE_MINUTES": 30, "REMEMBER_DAYS": 3}

    def test_active_session_still_ends_after_the_maximum(self, app, client, make_user, clock):
        user = make_user()
        login(client, user.email)
        for _ in range(4):  # 100 minutes of steady use
            clock.advance(minutes=25)
            assert client.get("/home").status_code == 200
        clock.advance(minutes=21)
        assert client.get("/home").status_code == 302

    def test_remembered_session_lasts_remember_days(self, app, client, make_user, clock):
        user = make_user()
        login(client, user.email, remember=True)
        clock.advance(days=2)  # far past the idle timeout of an ordinary session
        assert client.get("/home").status_code == 200
        clock.advance(days=1, minutes=1)
        assert client.get("/home").status_code == 302
