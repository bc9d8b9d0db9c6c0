"""Credentials follow the URL: a connection cannot be re-pointed without its password.

Whoever may edit a connection must not be able to send the stored password or the cached
token to a server of their choosing. A second, recording HTTP server stands in for such
a server: it must receive nothing until someone who knows the password types it in, and
then only the new password, never the old one or the old token.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_plus

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from tests.api.conftest import client_for
from twizzit.admin.forms import TwizzitConfigForm
from twizzit.models import TwizzitConfig
from twizzit.services.verify import verify_config

NEW_PASSWORD = "Brand-New-Pa55word!"


class Recorder:
    """A tiny HTTP server that records every request and refuses it (401)."""

    def __init__(self):
        self.requests: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                recorder.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": unquote_plus(self.rfile.read(length).decode(errors="replace")),
                    }
                )
                body = json.dumps({"error": "who are you?"}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = handle_one

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def everything_received(self) -> str:
        return json.dumps(self.requests)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture
def logged_in(sandbox_config):
    """A connection to the sandbox with a cached token, as after any sync."""
    assert verify_config(sandbox_config).ok
    sandbox_config.refresh_from_db()
    assert sandbox_config.api_token_encrypted
    return sandbox_config


def form_data(config: TwizzitConfig, **changes) -> dict:
    data = {k: v for k, v in model_to_dict(config).items() if v is not None}
    data["role_overrides"] = json.dumps(config.role_overrides)
    data["event_type_overrides"] = json.dumps(config.event_type_overrides)
    data.update(changes)
    return data


def test_a_re_pointed_url_receives_nothing_from_the_api_the_admin_or_the_cli(
    logged_in, sandbox, recorder, admin_api
):
    config = logged_in
    url = f"/api/twizzit/connections/{config.pk}/"

    refused = admin_api.patch(url, {"api_base_url": recorder.url}, format="json")
    assert refused.status_code == 400
    [why] = refused.json()["errors"]["api_password"]
    assert "Enter the Twizzit password again to change the base url" in why
    assert admin_api.patch(url, {"api_username": "someone-else"}, format="json").status_code == 400

    form = TwizzitConfigForm(data=form_data(config, api_base_url=recorder.url), instance=config)
    assert not form.is_valid()
    assert "Enter the Twizzit password again" in form.errors["api_password"][0]

    with pytest.raises(CommandError, match="Enter the Twizzit password again"):
        call_command("twizzit_config", "update", "--org", str(config.organization_id),
                     "--url", recorder.url)  # fmt: skip

    config = TwizzitConfig.objects.get(pk=config.pk)
    assert config.api_base_url == sandbox.url
    assert verify_config(config).ok  # still works, still at the sandbox
    assert recorder.requests == []


def test_after_a_change_with_a_new_password_the_new_url_gets_only_the_new_password(
    logged_in, sandbox, recorder, admin_api
):
    config = logged_in
    old_token = config.get_token()

    changed = admin_api.patch(
        f"/api/twizzit/connections/{config.pk}/",
        {"api_base_url": recorder.url, "api_password": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 200
    config = TwizzitConfig.objects.get(pk=config.pk)
    assert config.api_token_encrypted == ""  # the old token went with the old URL

    report = verify_config(config)

    assert not report.ok
    received = recorder.everything_received()
    assert recorder.requests, "the check went to the new URL"
    assert NEW_PASSWORD in received
    assert sandbox.password not in received
    assert old_token not in received


def test_the_admin_form_accepts_a_new_url_together_with_the_password(logged_in, recorder):
    form = TwizzitConfigForm(
        data=form_data(logged_in, api_base_url=recorder.url, api_password=NEW_PASSWORD),
        instance=logged_in,
    )
    assert form.is_valid(), form.errors
    form.save()

    saved = TwizzitConfig.objects.get(pk=logged_in.pk)
    assert (saved.api_base_url, saved.get_password()) == (recorder.url, NEW_PASSWORD)
    assert saved.api_token_encrypted == ""


def test_settings_other_than_url_and_username_change_without_the_password(logged_in, admin_api):
    response = admin_api.patch(
        f"/api/twizzit/connections/{logged_in.pk}/",
        {"organization_name": "KC Renamed", "sync_enabled": False},
        format="json",
    )
    assert response.status_code == 200
    saved = TwizzitConfig.objects.get(pk=logged_in.pk)
    assert saved.organization_name == "KC Renamed"
    assert saved.api_token_encrypted  # nothing about the credentials changed


def test_staff_without_the_twizzit_admin_role_cannot_change_a_connection(
    logged_in, recorder, make_user
):
    staff = client_for(make_user("stan-staff", staff=True))
    response = staff.patch(
        f"/api/twizzit/connections/{logged_in.pk}/",
        {"api_base_url": recorder.url, "api_password": "guessed"},
        format="json",
    )
    assert response.status_code == 403
    assert TwizzitConfig.objects.get(pk=logged_in.pk).api_base_url != recorder.url
