"""The Admin key dialog: what the key is, a masked input, a check against the API, and saving."""

from __future__ import annotations

import os
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from costtui.core.admin_key import AdminKey
from costtui.data.api_errors import ApiError, AuthenticationError, PermissionDeniedError
from costtui.data.config import ConfigError
from costtui.data.secrets import (
    ADMIN_KEY_ENV,
    KeyringUnavailable,
    keyring_available,
    keyring_name,
    store_key,
)
from costtui.data.source_options import SourceFactory

KEY_CHECK_GROUP = "key-check"
KEY_STORE_GROUP = "key-store"
KEYRING_CHECK_GROUP = "keyring-check"

WHAT_IS_AN_ADMIN_KEY = (
    "costtui reads costs through the Admin API, which needs an Admin key. Only organisation "
    "admins can create one: Console → Settings → Admin keys. It starts sk-ant-admin01-; a "
    "normal sk-ant-api… key is refused (403)."
)
AVOID_RETYPING = (
    f"To avoid retyping it, set {ADMIN_KEY_ENV}, or install a keyring backend (the Secret "
    "Service, e.g. GNOME Keyring or KWallet, or `pip install keyrings.alt`)."
)


class KeyringChecked(Message):
    """Whether a keyring backend can keep the key, found off the UI thread."""

    def __init__(self, available: bool, note: str | None) -> None:
        super().__init__()
        self.available = available
        self.note = note


class KeyChecked(Message):
    """The API accepted the key: it opens this organisation."""

    def __init__(self, attempt: int, key: AdminKey, organization_name: str) -> None:
        super().__init__()
        self.attempt = attempt
        self.key = key
        self.organization_name = organization_name


class KeyCheckFailed(Message):
    """The key could not be confirmed: refused by the API, or the API could not be asked."""

    def __init__(self, attempt: int, text: str, *, refused: bool) -> None:
        super().__init__()
        self.attempt = attempt
        """The check this answers (older ones are dropped)."""
        self.text = text
        self.refused = refused
        """True when the API said no (401/403): the typed key is wrong, not the network."""


class KeySaved(Message):
    """The key was written to the keyring."""

    def __init__(self, backend: str) -> None:
        super().__init__()
        self.backend = backend


class KeySaveFailed(Message):
    """The keyring refused the key; the note names ANTHROPIC_ADMIN_KEY and never the key."""

    def __init__(self, note: str) -> None:
        super().__init__()
        self.note = note


def refusal_text(error: ApiError) -> str:
    """Return what the API said about a key, on a few short lines."""
    lines = [error.hint[:1].upper() + error.hint[1:] + "."]
    if error.api_message:
        lines.append(f"The API said: {error.api_message}")
    status = f"HTTP {error.status}" if error.status else ""
    if error.error_type:
        status += f" ({error.error_type})"
    if error.request_id:
        status += f" · request-id {error.request_id}"
    if status:
        lines.append(status.strip(" ·"))
    return "\n".join(lines)


class KeyEntryScreen(ModalScreen[AdminKey | None]):
    """Ask for an Admin key, check it with GET /v1/organizations/me, then save it or not."""

    HELP = """\
## Admin key

Paste an Admin key (it is never shown) and press **Enter** to check it against the API.
Once the organisation name appears, **Save** keeps it in the OS keyring for this profile;
**This session only** keeps it in memory until costtui quits. **Escape** cancels.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", tooltip="Keep the current key (if any)",
                id="close-key"),
    ]

    def __init__(self, profile: str, reason: str | None, make_source: SourceFactory) -> None:
        super().__init__()
        self.profile = profile
        """The profile the key is for (its keyring user name)."""
        self.reason = reason
        """Why the dialog opened (no key yet, a 401, a profile switch), or None."""
        self.make_source = make_source
        self.attempt = 0
        """Stamp of the newest check; results of older checks are dropped."""
        self.verified_key: AdminKey | None = None
        """The key the API accepted, until the input changes."""
        self.keyring_ok: bool | None = None
        """Whether a keyring backend exists; None until the check in a thread returns."""

    def compose(self) -> ComposeResult:
        """Yield the explanation, the masked input, the check result and the choices."""
        with Vertical(id="key-dialog", classes="dialog"):
            yield Label(Text(f"Admin key for profile '{self.profile}'"), classes="dialog-title")
            if self.reason:
                yield Label(Text(self.reason), id="key-reason")
            yield Static(Text(WHAT_IS_AN_ADMIN_KEY), id="key-help")
            with Horizontal(id="key-row"):
                yield Label("Admin key:", classes="field-label")
                yield Input(placeholder="paste it here (it stays hidden), then Enter",
                            password=True, compact=True, id="key-input")
            yield Label(id="key-status", markup=False)
            yield Label(id="keyring-note", markup=False)
            with Horizontal(id="key-buttons"):
                yield Button("Save in keyring", id="save-key", variant="primary", compact=True)
                yield Button("This session only", id="session-key", compact=True)
            yield Label("Enter: check the key · Esc: cancel", id="key-keys",
                        classes="dialog-keys")

    def on_mount(self) -> None:
        """Focus the input and find out, in a thread, whether a keyring can keep the key."""
        self.query_one("#key-status", Label).display = False
        self.query_one("#key-input", Input).focus()
        self.check_keyring()

    # The keyring -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group=KEYRING_CHECK_GROUP, exit_on_error=False,
          description="check keyring")
    def check_keyring(self) -> None:
        """Ask the keyring whether it works (it may block on D-Bus); post the answer."""
        available, note = keyring_available()
        self.post_message(KeyringChecked(available, note))

    @on(KeyringChecked)
    def _keyring_checked(self, message: KeyringChecked) -> None:
        self.keyring_ok = message.available
        self.set_class(not message.available, "-no-keyring")
        if message.available:
            note = f"Save keeps it in the OS keyring under profile '{self.profile}'."
            if os.environ.get(ADMIN_KEY_ENV, "").strip():
                note += f" {ADMIN_KEY_ENV} is set: at the next start it wins over the keyring."
        else:
            problem = (message.note or "").rpartition(": ")[0] or message.note
            note = (f"No usable keyring: {problem}. The key will be kept in memory for this "
                    f"session only. {AVOID_RETYPING}")
            self.query_one("#session-key", Button).label = "Use for this session"
        self.query_one("#keyring-note", Label).update(Text(note))

    @work(thread=True, exclusive=True, group=KEY_STORE_GROUP, exit_on_error=False,
          description="save Admin key")
    def save_key(self, key: AdminKey) -> None:
        """Write the key to the keyring (blocking) and post the outcome, never the key."""
        try:
            store_key(self.profile, key)
            backend = keyring_name()
        except KeyringUnavailable as error:
            self.post_message(KeySaveFailed(str(error)))
            return
        except Exception as error:  # A backend failure must never end the app.
            self.post_message(KeySaveFailed(
                f"the keyring failed ({type(error).__name__}): set {ADMIN_KEY_ENV}, or repair "
                "the keyring backend"))
            return
        self.post_message(KeySaved(backend))

    @on(KeySaved)
    def _key_saved(self, message: KeySaved) -> None:
        self.app.notify(f"Saved the Admin key for profile '{self.profile}' in the keyring "
                        f"({message.backend}).", title="Admin key saved", markup=False)
        self.dismiss(self.verified_key)

    @on(KeySaveFailed)
    def _key_save_failed(self, message: KeySaveFailed) -> None:
        self.app.notify(f"The key was not saved: {message.note}. It is kept in memory for this "
                        f"session only. {AVOID_RETYPING}", title="Admin key not saved",
                        severity="warning", markup=False, timeout=15)
        self.dismiss(self.verified_key)

    # Checking the key ------------------------------------------------------------------------

    @on(Input.Submitted, "#key-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.verified_key is not None and event.value.strip() == self.verified_key.reveal():
            self._accept(save=self.keyring_ok is not False)
            return
        if not event.value.strip():
            self._show_status("Paste the Admin key first.", "-refused")
            return
        try:
            key = AdminKey(event.value)
        except ValueError as error:
            text = str(error)
            self._show_status(text[:1].upper() + text[1:] + ".", "-refused")
            return
        self.attempt += 1
        hint = "" if key.looks_like_admin_key else (
            " (it does not start with sk-ant-admin: a normal API key will be refused)")
        self._show_status(f"Checking the key with the Admin API…{hint}", "-busy")
        self.check_key(key, self.attempt)

    @on(Input.Changed, "#key-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.verified_key is not None and event.value.strip() != self.verified_key.reveal():
            self.verified_key = None
            self.remove_class("-verified")
            self._show_status("", "")
            self.query_one("#key-keys", Label).update("Enter: check the key · Esc: cancel")

    @work(exclusive=True, group=KEY_CHECK_GROUP, exit_on_error=False, description="check key")
    async def check_key(self, key: AdminKey, attempt: int) -> None:
        """Ask the API which organisation the key opens, through the app's source factory."""
        try:
            source = self.make_source(key, self.profile)
        except (ConfigError, ValueError) as error:
            self.post_message(KeyCheckFailed(attempt, str(error), refused=False))
            return
        try:
            organization = await source.organization()
        except (AuthenticationError, PermissionDeniedError) as error:
            text = refusal_text(error)
            if not key.looks_like_admin_key:
                text = f"It does not start with sk-ant-admin: is it a normal API key?\n{text}"
            self.post_message(KeyCheckFailed(attempt, text, refused=True))
        except ApiError as error:
            self.post_message(KeyCheckFailed(attempt, refusal_text(error), refused=False))
        else:
            self.post_message(KeyChecked(attempt, key, organization.name))
        finally:
            await source.aclose()

    @on(KeyChecked)
    def _key_checked(self, message: KeyChecked) -> None:
        if message.attempt != self.attempt:
            return
        self.verified_key = message.key
        self._show_status(f"✓ The key works: organisation {message.organization_name}", "-ok")
        self.add_class("-verified")
        save = self.keyring_ok is not False
        self.query_one("#save-key" if save else "#session-key", Button).focus()
        choice = "save it · Tab: other choice" if save else "use it for this session"
        self.query_one("#key-keys", Label).update(f"Enter: {choice} · Esc: cancel")

    @on(KeyCheckFailed)
    def _key_check_failed(self, message: KeyCheckFailed) -> None:
        if message.attempt != self.attempt:
            return
        self.verified_key = None
        self.remove_class("-verified")
        if message.refused:
            self._show_status(f"✗ The API refused this key.\n{message.text}", "-refused")
            key_input = self.query_one("#key-input", Input)
            key_input.clear()
            key_input.focus()
        else:
            self._show_status(f"✗ Could not check the key (press Enter to retry).\n"
                              f"{message.text}", "-refused")

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Show an unexpected failure of a check or save inline; the app keeps running."""
        if event.state != WorkerState.ERROR or event.worker.node is not self:
            return
        error = event.worker.error
        what = type(error).__name__ if error is not None else "unknown error"
        if event.worker.group == KEY_CHECK_GROUP:
            self._show_status(f"✗ Could not check the key ({what}). Press Enter to retry.",
                              "-refused")
        elif event.worker.group == KEYRING_CHECK_GROUP:
            self._keyring_checked(KeyringChecked(False, f"the keyring failed ({what})"))

    # Choices ---------------------------------------------------------------------------------

    @on(Button.Pressed, "#save-key")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._accept(save=True)

    @on(Button.Pressed, "#session-key")
    def _session_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._accept(save=False)

    def _accept(self, *, save: bool) -> None:
        """Save the verified key in a thread, or use it for this session only."""
        key = self.verified_key
        if key is None:
            return
        if save:
            self._show_status("Saving the key in the keyring…", "-busy")
            self.save_key(key)
            return
        advice = AVOID_RETYPING if self.keyring_ok is False else (
            f"Run `costtui key set --profile {self.profile}` to save it for good.")
        self.app.notify(f"Using the Admin key for this session only; it was not saved. {advice}",
                        title="Admin key in memory", markup=False, timeout=10)
        self.dismiss(key)

    def action_close(self) -> None:
        """Close without a new key; the app keeps what it had."""
        self.dismiss(None)

    def _show_status(self, text: str, state: str) -> None:
        """Show the check's state under the input."""
        status = self.query_one("#key-status", Label)
        status.update(Text(text))
        status.set_classes(state)
        status.display = bool(text)
