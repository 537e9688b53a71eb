"""The Admin key in the TUI: first run, refusal, saving, no keyring, a later 401, profiles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import keyring
import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from costtui.core.admin_key import AdminKey
from costtui.data.demo import DemoApi, DemoOrganization, DemoTransport
from costtui.data.open import SourceOptions, open_source
from costtui.data.secrets import KEYRING_SERVICE
from costtui.data.source import CostSource
from costtui.tui.app import CostApp
from costtui.tui.screens.key_entry import KeyEntryScreen
from costtui.tui.settings import AppSettings
from tests.conftest import SENTINEL_KEY, MemoryKeyring
from tests.tui_support import (
    cell,
    cursor_key,
    frozen_clock,
    label_text,
    notifications,
    paste,
    run_command,
    screen_text,
    wait_loaded,
    wait_until,
    workspace_names,
)

WRONG_KEY = "sk-ant-admin01-wrong-key-0000000000"
WORK_KEY = "sk-ant-admin01-work-profile-key-1111"
DEFAULT_ORG = "Acme Robotics (demo)"
WORK_ORG = "Globex Works (demo)"


class KeyCheckingTransport(DemoTransport):
    """The demo API behind an x-api-key check: only `accepted` keys get past it (401 otherwise)."""

    def __init__(self, api: DemoApi, accepted: set[str]) -> None:
        super().__init__(api)
        self.accepted = accepted
        """Keys the API accepts; remove one to revoke it."""
        self.refused_on_workspaces: set[str] = set()
        """Keys that /workspaces alone answers with 401 (a key revoked half-way)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer 401 like the real API for unknown keys, else serve the demo organisation."""
        key = request.headers.get("x-api-key")
        names_refused = key in self.refused_on_workspaces
        if key not in self.accepted or (names_refused and request.url.path.endswith("/workspaces")):
            body = {"type": "error", "request_id": "req_test_401",
                    "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
            return httpx.Response(401, json=body, request=request,
                                  headers={"request-id": "req_test_401"})
        return await super().handle_async_request(request)


class Organisations:
    """A source factory over one demo organisation per profile, counting what it builds."""

    def __init__(self) -> None:
        self.transports = {
            "default": KeyCheckingTransport(DemoApi(check_key=False), {SENTINEL_KEY}),
            "work": KeyCheckingTransport(
                DemoApi(DemoOrganization(seed=11, name=WORK_ORG), check_key=False), {WORK_KEY}),
        }
        self.built: list[str] = []
        self.clock = frozen_clock()
        """The one clock of the app and of every cache it builds."""

    def __call__(self, admin_key: AdminKey | None, profile: str) -> CostSource:
        """Build the cached live source of a profile, as the real factory does."""
        assert admin_key is not None
        self.built.append(profile)
        return open_source(SourceOptions(profile=profile), admin_key, self.clock,
                           transport=self.transports[profile])


def key_app(organisations: Organisations, key: str | None = None) -> CostApp:
    """Return the app on the default profile, with a source when `key` is given."""
    source = organisations(AdminKey(key), "default") if key else None
    return CostApp(source, AppSettings(clock=organisations.clock), make_source=organisations)


class Screens:
    """Collects an export of every screen a flow shows, to search them for the key."""

    def __init__(self, app: CostApp) -> None:
        self.app = app
        self.svgs: list[str] = []
        self.texts: list[str] = []
        self.kinds: set[str] = set()

    def take(self) -> None:
        """Export the current screen as SVG and as plain text."""
        self.kinds.add(type(self.app.screen).__name__)
        self.svgs.append(self.app.export_screenshot())
        self.texts.append(screen_text(self.app))


async def wait_key_screen(pilot: Pilot[None]) -> KeyEntryScreen:
    """Wait until the key dialog is on top and its keyring check is done."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen)
                     and app.screen.keyring_ok is not None)
    assert isinstance(app.screen, KeyEntryScreen)
    return app.screen


def status(app: CostApp) -> str:
    """Return the text under the key input."""
    return label_text(app, "#key-status")


async def test_first_run_rejects_a_wrong_key_then_verifies_saves_and_loads(
    memory_keyring: MemoryKeyring,
) -> None:
    app = key_app(Organisations())
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await wait_key_screen(pilot)
        text = screen_text(app)
        assert "Console → Settings → Admin keys" in text and "sk-ant-admin01-" in text
        assert "No Admin key for profile 'default' yet." in label_text(app, "#key-reason")
        await paste(pilot, "#key-input", WRONG_KEY)
        assert "wrong-key" not in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "refused" in status(app))
        assert "The API said: invalid x-api-key" in status(app)
        assert "HTTP 401 (authentication_error) · request-id req_test_401" in status(app)
        assert dialog.query_one("#key-input", Input).value == ""
        await paste(pilot, "#key-input", SENTINEL_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in status(app))
        assert f"organisation {DEFAULT_ORG}" in status(app)
        assert memory_keyring.passwords == {}
        await pilot.press("enter")  # Save (focused)
        await wait_loaded(pilot, app)
        assert memory_keyring.passwords == {(KEYRING_SERVICE, "default"): SENTINEL_KEY}
        assert isinstance(app.screen, type(app.cost_screen))
        assert app.report is not None and app.report.organization_name == DEFAULT_ORG
        assert any("Saved the Admin key for profile 'default'" in note
                   for note in notifications(app))


async def test_without_a_keyring_the_key_is_kept_for_the_session_and_env_var_named(
    no_keyring: keyring.backends.fail.Keyring,
) -> None:
    app = key_app(Organisations())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_key_screen(pilot)
        note = label_text(app, "#keyring-note")
        assert "no keyring backend" in note and "ANTHROPIC_ADMIN_KEY" in note
        assert "memory for this session only" in note and "keyrings.alt" in note
        await paste(pilot, "#key-input", SENTINEL_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in status(app))
        assert "Save in keyring" not in screen_text(app)
        await pilot.press("enter")  # Use for this session (focused)
        await wait_loaded(pilot, app)
        assert app.report is not None and app.report.organization_name == DEFAULT_ORG
        assert app.session_keys["default"] == AdminKey(SENTINEL_KEY)
        assert any("this session only" in note and "ANTHROPIC_ADMIN_KEY" in note
                   for note in notifications(app))


class FailingKeyring(MemoryKeyring):
    """A keyring that looks usable but fails to store, echoing the secret in its error."""

    def set_password(self, service: str, username: str, password: str) -> None:
        """Fail like a broken D-Bus backend would, with the password in the message."""
        raise RuntimeError(f"D-Bus said no to {password}")


async def test_a_keyring_failing_on_save_keeps_the_key_in_memory_and_names_the_env_var() -> None:
    keyring.set_keyring(FailingKeyring())
    app = key_app(Organisations())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_key_screen(pilot)
        await paste(pilot, "#key-input", SENTINEL_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in status(app))
        await pilot.press("enter")
        await wait_loaded(pilot, app)
        assert app.report is not None
        failure = next(note for note in notifications(app) if "not saved" in note)
        assert "ANTHROPIC_ADMIN_KEY" in failure and "RuntimeError" in failure
        assert SENTINEL_KEY not in failure


async def test_a_401_mid_session_brings_the_dialog_back_once_and_a_new_key_reloads() -> None:
    organisations = Organisations()
    app = key_app(organisations, SENTINEL_KEY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert app.report is not None
        organisations.transports["default"].accepted = {WRONG_KEY}  # revoked; a new one made
        await pilot.press("r")
        dialog = await wait_key_screen(pilot)
        assert "rejected (401)" in label_text(app, "#key-reason")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)
        assert "K to enter a new key" in label_text(app, "#error-details")
        assert app.report is not None  # the data loaded before stays
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.is_loading and app.last_error is not None)
        await pilot.pause(0.1)
        assert app.screen is app.cost_screen  # no second dialog, no loop
        await pilot.press("K")
        dialog = await wait_key_screen(pilot)
        assert dialog.reason is None
        await paste(pilot, "#key-input", WRONG_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in status(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)
        await wait_loaded(pilot, app)
        assert app.last_error is None and not app.cost_screen.has_class("-error")


async def test_a_401_from_workspaces_alone_brings_the_dialog_back_and_a_new_key_restores_names(
) -> None:
    """Complete days come from the cache: the names request may be the only one a revoked key
    fails. That is a key problem (dialog), never a silent fall-back to workspace ids."""
    organisations = Organisations()
    app = key_app(organisations, SENTINEL_KEY)
    names = workspace_names()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        top_row = cursor_key(app)
        assert cell(app, top_row, "name") == names[top_row]
        transport = organisations.transports["default"]
        transport.refused_on_workspaces = {SENTINEL_KEY}
        transport.accepted = {SENTINEL_KEY, WRONG_KEY}
        await pilot.press("r")
        await wait_key_screen(pilot)
        assert "rejected (401)" in label_text(app, "#key-reason")
        shown = app.cost_screen.query_one("#level-rows", DataTable).get_cell(top_row, "name")
        assert shown.plain == names[top_row]  # never degraded to ids
        await paste(pilot, "#key-input", WRONG_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in status(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)
        await wait_loaded(pilot, app)
        assert app.last_error is None and app.report is not None
        assert app.report.notes == ()
        assert cell(app, top_row, "name") == names[top_row]


def write_config(tmp_path: Path, text: str) -> None:
    """Write config.toml where the isolated XDG_CONFIG_HOME points."""
    directory = tmp_path / "config_home" / "costtui"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text(text, encoding="utf-8")


async def pick_profile(pilot: Pilot[None], name: str) -> None:
    """Open "Switch profile…" from the command palette and choose a profile."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await run_command(pilot, "switch profile", "Switch profile")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette)
                     and "Switch to profile" in screen_text(app))
    await run_command(pilot, name, name)


async def test_switching_profile_from_the_palette_reloads_for_that_organisation(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    write_config(tmp_path, '[profiles.work]\nbase_url = "https://api.anthropic.com"\n')
    memory_keyring.set_password(KEYRING_SERVICE, "work", WORK_KEY)
    memory_keyring.set_password(KEYRING_SERVICE, "default", SENTINEL_KEY)
    organisations = Organisations()
    app = key_app(organisations, SENTINEL_KEY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert "(profile" not in label_text(app, "#header-title")
        await pick_profile(pilot, "work")
        await wait_until(pilot, lambda: app.report is not None
                         and app.report.organization_name == WORK_ORG)
        assert app.settings.profile == "work"
        title = label_text(app, "#header-title")
        assert title.startswith(f"{WORK_ORG} (profile work) · ")
        await pick_profile(pilot, "default")
        await wait_until(pilot, lambda: app.report is not None
                         and app.report.organization_name == DEFAULT_ORG)
        assert app.settings.profile == "default"


async def test_switching_to_a_profile_without_a_key_asks_for_one(tmp_path: Path) -> None:
    write_config(tmp_path, "[profiles.work]\n")
    app = key_app(Organisations(), SENTINEL_KEY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pick_profile(pilot, "work")
        dialog = await wait_key_screen(pilot)
        assert dialog.profile == "work"
        assert "No Admin key for profile 'work' yet." in label_text(app, "#key-reason")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)
        assert app.settings.profile == "default"
        assert app.report is not None and app.report.organization_name == DEFAULT_ORG
        assert "Still on profile 'default'." in notifications(app)


async def test_the_key_never_leaks_to_screens_notifications_reprs_or_files(
    files_with_secret: Callable[[str], list[Path]], memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    organisations = Organisations()
    app = key_app(organisations)
    screens = Screens(app)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_key_screen(pilot)
        screens.take()
        await paste(pilot, "#key-input", SENTINEL_KEY)
        screens.take()
        assert "•" * 20 in screens.texts[-1]  # typed, and masked
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in status(app))
        screens.take()
        await pilot.press("enter")
        await wait_loaded(pilot, app)
        screens.take()
        organisations.transports["default"].accepted = set()
        await pilot.press("r")
        await wait_key_screen(pilot)
        screens.take()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.cost_screen)
        screens.take()
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        screens.take()
        await pilot.press("escape", "y")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ReportCommandScreen")
        screens.take()
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        screens.take()
        await pilot.press("escape")
        await pilot.pause()
        texts = [repr(app.source), str(app.session_keys), *notifications(app),
                 *(repr(message) for message in app.session_keys.values())]
    assert memory_keyring.passwords[(KEYRING_SERVICE, "default")] == SENTINEL_KEY
    secret_part = SENTINEL_KEY.removeprefix("sk-ant-admin01-")[:-3]
    for shown in [*screens.svgs, *screens.texts, *texts]:
        assert SENTINEL_KEY not in shown and secret_part not in shown
    assert screens.kinds == {"KeyEntryScreen", "CostScreen", "HelpScreen",
                             "ReportCommandScreen", "CommandPalette"}
    assert list(tmp_path.rglob("costs.sqlite3"))  # the cache was written, and searched
    assert files_with_secret(SENTINEL_KEY) == []


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_dialog_fits_and_its_input_is_masked(size: tuple[int, int]) -> None:
    app = key_app(Organisations())
    async with app.run_test(size=size) as pilot:
        dialog = await wait_key_screen(pilot)
        await paste(pilot, "#key-input", SENTINEL_KEY)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "✓" in status(app))
        text = screen_text(app)
        assert "SENTINEL" not in text
        assert "Save in keyring" in text and "This session only" in text
        assert "Esc: cancel" in text  # the last line of the dialog is on screen
        assert dialog.query_one("#key-input", Input).password
