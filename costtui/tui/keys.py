"""The app's Admin keys and profiles: the key dialog, a 401, and switching organisation.

The key dialog and the key lookup are imported when first needed, not on the way to the
first paint.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from textual import on, work
from textual.app import App
from textual.command import SimpleCommand

from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange
from costtui.core.models import DEFAULT_PROFILE, LoadedReport
from costtui.data.config import ConfigError, load_config
from costtui.data.source import CostSource
from costtui.data.source_options import SourceFactory
from costtui.tui.messages import ProfileKeyResolved, ProfilesListed
from costtui.tui.screens.cost_view import CostScreen
from costtui.tui.settings import AppSettings

PROFILE_KEY_GROUP = "profile-key"
PROFILES_GROUP = "profiles"


class KeysAndProfiles(App[None]):
    """Admin key entry and profile switching, a base of CostApp (which loads the data)."""

    source: CostSource | None
    settings: AppSettings
    make_source: SourceFactory | None
    session_keys: dict[str, AdminKey]
    declined_source: CostSource | None
    report: LoadedReport | None
    date_range: DateRange
    cost_screen: CostScreen

    def load(self, date_range: DateRange, *, full_refresh: bool = False) -> None:
        raise NotImplementedError

    # Admin key -------------------------------------------------------------------------------

    def switch_source(self, profile: str, admin_key: AdminKey | None) -> None:
        """Use a profile's source built from its key (None offline) and load the range."""
        if self.make_source is None:
            self.notify("The demo organisation needs no key and has no profiles.",
                        markup=False)
            return
        try:
            new_source = self.make_source(admin_key, profile)
        except (ConfigError, ValueError) as error:
            self.notify(str(error), title="Cannot use this profile", severity="error",
                        markup=False, timeout=10)
            return
        if admin_key is not None:
            self.session_keys[profile] = admin_key
        if profile != self.settings.profile:
            self.settings = replace(self.settings, profile=profile, key_note=None)
            self.report = None
            self.cost_screen.show_profile(self.settings)
        old_source, self.source = self.source, new_source
        if old_source is not None:
            self.run_worker(old_source.aclose(), group="close-source")
        self.load(self.date_range)

    def request_admin_key(self, reason: str | None = None, profile: str | None = None) -> None:
        """Open the key dialog for a profile (default: the current one), once at a time."""
        if self.make_source is None:
            self.notify(f"{reason or ''} This session (the demo) cannot switch keys.".strip(),
                        severity="warning" if reason else "information", markup=False)
            return
        if self.settings.offline:
            self.notify("Offline: no key is used. Start costtui without --offline to use the "
                        "API.", severity="warning", markup=False)
            return
        from costtui.tui.screens.key_entry import KeyEntryScreen

        if any(isinstance(screen, KeyEntryScreen) for screen in self.screen_stack):
            return
        profile = profile or self.settings.profile
        self.push_screen(KeyEntryScreen(profile, reason, self.make_source),
                         partial(self._key_entered, profile, self.source))

    def _key_entered(
        self, profile: str, source_when_asked: CostSource | None, admin_key: AdminKey | None
    ) -> None:
        """Use the key the dialog returned, or remember that the user declined."""
        if admin_key is not None:
            self.switch_source(profile, admin_key)
            return
        self.declined_source = source_when_asked
        if profile != self.settings.profile:
            self.notify(f"Still on profile '{self.settings.profile}'.", markup=False)
        elif self.source is None:
            self.cost_screen.show_no_key(self.settings.profile, self.settings.key_note)

    def action_enter_key(self) -> None:
        """Enter a new Admin key."""
        self.request_admin_key()

    # Profiles --------------------------------------------------------------------------------

    def action_switch_profile(self) -> None:
        """Pick another profile (organisation) from the config file, and reload for it."""
        if self.make_source is None:
            self.notify("The demo organisation has no profiles.", markup=False)
            return
        self.list_profiles()

    @work(thread=True, exclusive=True, group=PROFILES_GROUP, exit_on_error=False,
          description="list profiles")
    def list_profiles(self) -> None:
        """Read the profile names from config.toml off the UI thread (file IO)."""
        try:
            names = set(load_config().profiles)
        except ConfigError as error:
            self.post_message(ProfilesListed((DEFAULT_PROFILE,), str(error)))
            return
        names.discard(DEFAULT_PROFILE)
        self.post_message(ProfilesListed((DEFAULT_PROFILE, *sorted(names)), None))

    @on(ProfilesListed)
    def _pick_profile(self, message: ProfilesListed) -> None:
        if message.problem:
            self.notify(message.problem, title="Config file", severity="warning", markup=False)
        current = self.settings.profile
        commands = [
            SimpleCommand(
                f"{name} (current)" if name == current else name,
                partial(self.switch_profile, name),
                "Reload for this profile's organisation",
            )
            for name in message.profiles
        ]
        self.search_commands(commands, placeholder="Switch to profile…")

    def switch_profile(self, profile: str) -> None:
        """Resolve the profile's key off the UI thread, then reload (or ask for a key)."""
        if profile == self.settings.profile and self.source is not None:
            self.notify(f"Already on profile '{profile}'.", markup=False)
            return
        if self.settings.offline:
            self.switch_source(profile, None)
            return
        self.resolve_profile_key(profile)

    @work(thread=True, exclusive=True, group=PROFILE_KEY_GROUP, exit_on_error=False,
          description="resolve profile key")
    def resolve_profile_key(self, profile: str) -> None:
        """Look the key up ($ANTHROPIC_ADMIN_KEY, then the keyring: it may block)."""
        from costtui.data.secrets import ADMIN_KEY_ENV, resolve_key

        try:
            resolved = resolve_key(profile)
        except Exception as error:  # A keyring failure must never end the app.
            note = (f"the keyring failed ({type(error).__name__}): set {ADMIN_KEY_ENV}, or "
                    "repair the keyring backend")
            self.post_message(ProfileKeyResolved(profile, None, None, note))
            return
        self.post_message(
            ProfileKeyResolved(profile, resolved.key, resolved.source, resolved.note))

    @on(ProfileKeyResolved)
    def _profile_key_resolved(self, message: ProfileKeyResolved) -> None:
        key = message.key or self.session_keys.get(message.profile)
        if key is None:
            # A keyring problem (message.note) is explained by the dialog itself.
            self.request_admin_key(f"No Admin key for profile '{message.profile}' yet.",
                                   profile=message.profile)
            return
        if message.key_source == "environment":
            from costtui.data.secrets import ADMIN_KEY_ENV

            self.notify(f"{ADMIN_KEY_ENV} is set, so it is used for every profile.",
                        severity="warning", markup=False)
        self.switch_source(message.profile, key)
