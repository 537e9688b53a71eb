"""The costtui Textual app: owns the source and the load worker; hands reports to the screen.

Dialogs, export and the cache are imported when first used: the first paint waits for none.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from costtui.core.admin_key import AdminKey
from costtui.core.dates import DateRange, DateRangeError, matching_preset, preset_range
from costtui.core.freshness import missing_days_text
from costtui.core.key_names import KEY_DIMENSION
from costtui.core.models import LoadedReport
from costtui.core.periods import step_range
from costtui.core.text import safe_line
from costtui.core.view_state import ViewState
from costtui.data.api_errors import ApiError, AuthenticationError
from costtui.data.progress import FetchProgress
from costtui.data.source import CostSource, PreparesReport, load_report
from costtui.data.source_options import SourceFactory
from costtui.data.state import UserState, save_state
from costtui.tui.cached_paint import FULL_API_GROUPING, CachedPaint
from costtui.tui.commands import CostCommands
from costtui.tui.insights import InsightsLoader
from costtui.tui.keys import KeysAndProfiles
from costtui.tui.messages import (
    CostViewReady,
    ExportRequested,
    FirstLevel,
    LoadProgressed,
    RangeChosen,
    ReportFailed,
    ReportLoaded,
    ViewChanged,
)
from costtui.tui.screens.cost_view import CostScreen
from costtui.tui.settings import DEFAULT_PRESET, AppSettings
from costtui.tui.tokens import TokenLoader
from costtui.tui.widgets.level_table import LevelRows

LOAD_GROUP = "cost-report"
EXPORT_GROUP = "export"
STATE_GROUP = "state"
PROFILE_KEY_GROUP = "profile-key"
PROFILES_GROUP = "profiles"


def _styles_path() -> Path:
    """Return styles.tcss inside the package (wheel) or at the top of a checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "styles.tcss"
    return packaged if packaged.exists() else package.parent / "styles.tcss"


class CostApp(KeysAndProfiles, InsightsLoader, TokenLoader, CachedPaint):
    """Browse an organisation's Anthropic API costs by range, grouping and drill-down."""

    TITLE = "costtui"
    CSS_PATH = _styles_path()
    COMMANDS = App.COMMANDS | {CostCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit costtui", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, tooltip="Quit costtui", id="quit-ctrl-c"),
        Binding("f1,question_mark", "show_help", "Help", key_display="?",
                tooltip="List every key", id="help"),
    ]

    is_loading: reactive[bool] = reactive(False, bindings=True, init=False)
    """Whether a cost report load is running (shows the progress bar and the Cancel key)."""

    def __init__(
        self,
        source: CostSource | None,
        settings: AppSettings,
        make_source: SourceFactory | None = None,
    ) -> None:
        super().__init__()
        gc.freeze()  # what start-up imported lives on: the collector's pass while the view is
        # composed would walk it all (a 20 ms freeze on the first frame)
        self.source = source
        """Where costs come from; None until an Admin key is known."""
        self.settings = settings
        """Start-up choices; the profile changes when another one is chosen."""
        self.make_source = make_source
        """Builds a profile's source from its key (key entry, profile switch); None: demo."""
        self.session_keys: dict[str, AdminKey] = {}
        """Keys entered in this session by profile, kept in memory only."""
        self.declined_source: CostSource | None = None
        """The source whose 401 the user already answered with Escape: no second prompt."""
        self.warnings_shown: set[str] = set()
        """Cache warnings already notified (each is shown once)."""
        self.today = settings.clock.today()
        """The UTC day presets were last resolved on (a refresh moves presets to a new day)."""
        self.date_range = settings.date_range or preset_range(DEFAULT_PRESET, self.today)
        """The range shown (or being loaded)."""
        self.report: LoadedReport | None = None
        """The last report that loaded in full; kept on screen through refreshes and errors."""
        self.load_generation = 0
        """Stamp of the newest load; results of older loads are dropped."""
        self.last_error: ApiError | BaseException | None = None
        self.load_cancel_requested = False
        self._load_worker: Worker[None] | None = None
        self.first_report_frozen = False
        """Whether the first fresh report was frozen once drawn (gc.freeze): a full collection
        then walked it while insights were drawn (70-100 ms at a year). Once only: whatever in it
        later dies in a cycle is never collected, so later loads leave it to the collector."""
        self.report_painted = asyncio.Event()
        """Set once the last report posted (the cache's copy or the fresh one) has been drawn."""
        self.view_state = ViewState(drill_path=settings.drill_path,
                                    sort_column=settings.sort_column,
                                    sort_descending=settings.sort_descending)
        """The drill path and sort last shown (remembered for next time)."""
        first_report = (source.take_report(self.date_range, FULL_API_GROUPING)
                        if isinstance(source, PreparesReport) else None)
        self.cost_screen = CostScreen(self.view_state, settings, self.date_range, first_report)

    def get_default_screen(self) -> CostScreen:
        """Return the cost view, the screen under every dialog."""
        return self.cost_screen

    async def on_mount(self) -> None:
        """Wait for the cost view to mount, so that it has composed (and shown the demo's
        first report in) its widgets before the app is ready and draws its first frame, as an
        app composing its widgets itself has."""
        await self.cost_screen._mounted_event.wait()  # set even if the view failed to mount

    @on(CostViewReady)
    def start(self, message: CostViewReady) -> None:
        """Start the first load once the cost view is up (unless it showed the demo's first
        report as it mounted: that is the load), or ask for a key if there is none."""
        # The widgets and styles just mounted live as long as the app (like what the launch
        # froze): keep the collector's full passes (tens of ms, a UI freeze each) off them. The
        # launch paused the collector until now: start-up makes little garbage.
        gc.freeze()
        gc.enable()
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.source is None:
            self.cost_screen.show_no_key(self.settings.profile, self.settings.key_note)
            # A keyring problem (settings.key_note) is explained by the dialog itself.
            self.request_admin_key(f"No Admin key for profile '{self.settings.profile}' yet.")
        elif message.shown is not None:
            self._first_report_shown(message.shown)
        else:
            self.load(self.date_range)

    def _first_report_shown(self, shown: FirstLevel) -> None:
        """Take the report the view showed as it mounted as the first load's (its pivots are
        grouped when asked: a millisecond for the demo's, less than a thread would take)."""
        self.remember_view()
        self.load_generation += 1
        self.report = shown.selection.report
        self.first_report_frozen = True  # start() froze it with the view it is shown in
        self.call_after_refresh(self.report_painted.set)
        self._report_shown(self.report)

    async def on_unmount(self) -> None:
        """Stop loading and close the source's connections."""
        self.workers.cancel_group(self, LOAD_GROUP)
        if self.source is not None:
            await self.source.aclose()

    # Loading ---------------------------------------------------------------------------------

    def load(self, date_range: DateRange, *, full_refresh: bool = False) -> None:
        """Fetch a range (and the period before it) in the background; a new load replaces one."""
        self.date_range = date_range
        self.remember_view()
        if self.source is None:
            self.cost_screen.show_no_key(self.settings.profile, self.settings.key_note)
            return
        self.load_generation += 1
        self.stop_insights()
        self.load_cancel_requested = False
        self.is_loading = True
        self.cost_screen.show_loading(date_range)
        self._load_worker = self.load_cost_report(
            self.source, date_range, self.load_generation, full_refresh)

    @on(RangeChosen)
    def _range_chosen(self, message: RangeChosen) -> None:
        self.load(message.date_range)

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False, description="cost report")
    async def load_cost_report(
        self, source: CostSource, date_range: DateRange, generation: int, full_refresh: bool
    ) -> None:
        """Fetch the report and post it (or the API error) as a message; touch no widget."""
        def report_progress(progress: FetchProgress) -> None:
            self.post_message(LoadProgressed(generation, progress))

        # Paint the cached copy first, then fetch the incomplete days, /me and names. Not at
        # once: both read the cache behind one lock, and the copy would wait for the refresh.
        cached_org_id = None if full_refresh else await self.paint_cached(
            source, date_range, generation)
        if cached_org_id is not None:  # drawn first: a thread reading the cache meanwhile
            await self.report_painted.wait()  # would stretch that frame into a visible freeze
        try:
            report = await load_report(
                source, date_range, FULL_API_GROUPING, clock=self.settings.clock,
                with_previous=True, on_progress=report_progress, full_refresh=full_refresh,
            )
            organization_id = (await source.organization()).id if cached_org_id else None
            first_level = await self.group_first_level(report)
        except ApiError as error:
            self.post_message(ReportFailed(generation, error))
            return
        changed = cached_org_id is not None and organization_id != cached_org_id
        self.report_painted.clear()
        self.post_message(ReportLoaded(generation, report, organization_changed=changed,
                                       first_level=first_level))
        await self.report_painted.wait()  # a thread now would stretch the data's frame
        if not self.first_report_frozen:  # like start-up's objects: see first_report_frozen
            self.first_report_frozen = True
            gc.freeze()
        await asyncio.to_thread(first_level.selection.prepare_pivots)  # while the user reads

    @on(LoadProgressed)
    def _show_progress(self, message: LoadProgressed) -> None:
        if message.generation == self.load_generation:
            self.cost_screen.loading_progressed(message.progress)

    @on(ReportLoaded)
    def _show_report(self, message: ReportLoaded) -> None:
        if message.generation != self.load_generation:
            return
        self.report = message.report
        self.last_error = None
        self._notify_cache_warnings(message.report.warnings)
        if message.stale:
            self.call_after_refresh(self.report_painted.set)
            self.cost_screen.show_report(message.report, stale=True,
                                         first_level=message.first_level)
            return
        # The progress bar hides once the data is drawn (a layout frame of its own): threads
        # started before that frame would share the GIL with it and stretch it.
        self.call_after_refresh(self.call_after_refresh, self.report_painted.set)
        self.is_loading = False
        if message.organization_changed:
            self.cost_screen.show_other_organization()
            self.notify(f"The Admin key opens {message.report.organization_name}, not the "
                        "organisation cached for this profile: its costs are shown now.",
                        title="Organisation changed", severity="warning", markup=False)
        self.cost_screen.show_report(message.report, first_level=message.first_level)
        self._report_shown(message.report)

    def _report_shown(self, report: LoadedReport) -> None:
        """Start a fresh report's insights and say which of its days are missing."""
        self.load_insights(report)
        missing = report.missing_days
        if missing:
            where = "the cache" if report.offline else "the source"
            self.notify(f"{len(missing)} day(s) missing from {where}: "
                        f"{missing_days_text(missing, limit=12)}.",
                        title="Days missing", severity="warning", markup=False, timeout=10)

    def _notify_cache_warnings(self, warnings: tuple[str, ...]) -> None:
        """Notify each cache warning once (a damaged file moved aside, a locked file, …)."""
        for warning in warnings:
            if warning not in self.warnings_shown:
                self.warnings_shown.add(warning)
                self.notify(warning, title="Cache", severity="warning", markup=False,
                            timeout=10)

    @on(ReportFailed)
    def _show_failure(self, message: ReportFailed) -> None:
        if message.generation != self.load_generation:
            return
        self.is_loading = False
        self.show_load_error(message.error)

    def show_load_error(self, error: ApiError | BaseException) -> None:
        """Tell the user a load failed, what to do, and keep the data already shown."""
        self.last_error = error
        kept = " Still showing the data loaded before." if self.report is not None else ""
        if isinstance(error, ApiError):
            self.notify(f"{error.hint}.{kept} Press r to retry.", title="Could not load costs",
                        severity="error", markup=False, timeout=10)
        else:
            self.notify(f"Unexpected error: {safe_line(str(error))}.{kept} Press r to retry.",
                        title="Could not load costs", severity="error", markup=False, timeout=10)
        self.cost_screen.show_load_error(error)
        if isinstance(error, AuthenticationError) and self.source is not self.declined_source:
            self.request_admin_key("The Admin key was rejected (401): it may have been revoked "
                                   "or expired. Enter a new one.")

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn cancelled and crashed loads into clear UI; the one place workers end up."""
        worker = event.worker
        if worker.group == EXPORT_GROUP:
            self._export_finished(event.state, worker.result, worker.error)
            return
        if worker.group != LOAD_GROUP or worker is not self._load_worker:
            return
        if event.state == WorkerState.CANCELLED:
            self.is_loading = False
            self.cost_screen.show_loading_stopped()
            if self.load_cancel_requested and self.report is None:
                self.cost_screen.show_nothing_loaded()
            if self.load_cancel_requested:
                what = ("showing the data already loaded for " + str(self.report.date_range)
                        if self.report is not None else "nothing was loaded yet: press r to load")
                self.notify(f"Load cancelled: {what}.", title="Cancelled", severity="warning",
                            markup=False)
        elif event.state == WorkerState.ERROR and worker.error is not None:
            self.is_loading = False
            self.show_load_error(worker.error)
        elif event.state == WorkerState.SUCCESS:
            self.is_loading = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer Cancel only while loading, and a full refresh only with a live cache."""
        if action == "cancel_load":
            return self.is_loading
        if action == "full_refresh":
            return self.can_full_refresh
        if action in ("switch_profile", "enter_key"):
            return self.make_source is not None and (
                action == "switch_profile" or not self.settings.offline)
        return True

    def action_cancel_load(self) -> None:
        """Stop the running load; the data already shown stays."""
        if self.is_loading:
            self.load_cancel_requested = True
            self.workers.cancel_group(self, LOAD_GROUP)

    def action_refresh(self, full_refresh: bool = False) -> None:
        """Fetch the shown range again (presets move with the UTC day), or retry after an error."""
        preset = matching_preset(self.date_range, self.today)
        self.today = self.settings.clock.today()
        self.load(preset_range(preset, self.today) if preset else self.date_range,
                  full_refresh=full_refresh)

    @property
    def can_full_refresh(self) -> bool:
        """Tell whether a cache sits in front of the live API (what a full refresh bypasses)."""
        return self.source is not None and self.source.uses_cache and not self.source.offline

    def action_full_refresh(self) -> None:
        """Fetch every day of the range again, ignoring (and then refilling) the cache."""
        if self.can_full_refresh:
            self.action_refresh(full_refresh=True)
        elif self.settings.offline:
            self.notify("Offline: nothing can be fetched. Start costtui without --offline.",
                        severity="warning", markup=False)
        else:
            self.notify("No cache is in use: r already fetches everything.", markup=False)

    def action_use_preset(self, preset: str) -> None:
        """Load a preset range (number keys and the command palette)."""
        self.load(preset_range(preset, self.today))

    def action_step_range(self, steps: int) -> None:
        """Move the range back or forward by its own length (last month → the month before)."""
        try:
            self.load(step_range(self.date_range, steps, self.settings.clock.today()))
        except DateRangeError as error:
            self.notify(str(error), severity="warning", markup=False)

    # Remembering the view ----------------------------------------------------------------------

    @on(ViewChanged)
    def _view_changed(self, message: ViewChanged) -> None:
        self.view_state = message.state
        self.remember_view()

    def watch_theme(self, theme: str) -> None:
        """Remember a theme chosen from the palette."""
        self.remember_view()

    def remember_view(self) -> None:
        """Save theme, range, drill path and sort for the next start (never a secret)."""
        if not self.settings.remember_view or not self.is_running:
            return
        preset = matching_preset(self.date_range, self.today)
        self.save_view(UserState(
            theme=self.theme, preset=preset,
            custom_range=None if preset else self.date_range,
            drill_path=self.view_state.drill_path, sort_column=self.view_state.sort_column,
            sort_descending=self.view_state.sort_descending,
        ))

    @work(thread=True, exclusive=True, group=STATE_GROUP, exit_on_error=False,
          description="remember the view")
    def save_view(self, state: UserState) -> None:
        """Write the state file off the UI thread; a failure is told once, never fatal."""
        try:
            save_state(state)
        except OSError as error:
            self.call_from_thread(self._state_not_saved, error.strerror or str(error))

    def _state_not_saved(self, reason: str) -> None:
        if "state" not in self.warnings_shown:
            self.warnings_shown.add("state")
            self.notify(f"Could not remember the view for next time: {reason}",
                        severity="warning", markup=False)

    # Export ----------------------------------------------------------------------------------

    @on(ExportRequested)
    def _export_requested(self, message: ExportRequested) -> None:
        """Write a view of a report to a new CSV or JSON file in the background."""
        from costtui.core.key_allocation import mark_allocated
        from costtui.core.view_export import export_file_name, export_text

        directory = self.settings.export_directory or Path.cwd()
        if message.export_format == "focus":
            self.export_focus(message.report, directory)
            return
        text = export_text(message.report, message.state, message.export_format)
        if KEY_DIMENSION in (*message.state.filter_dimensions, message.state.dimension):
            text = mark_allocated(text, message.export_format)
        name = export_file_name(message.report.date_range, message.state, message.export_format)
        self.write_export(directory, name, text)

    @work(thread=True, group=EXPORT_GROUP, exit_on_error=False, description="export")
    def write_export(self, directory: Path, name: str, text: str) -> Path:
        """Write the file off the UI thread (a slow disk must not freeze keys)."""
        from costtui.core.view_export import write_new_file

        try:
            return write_new_file(directory, name, text)
        except OSError as error:
            raise OSError(f"Could not write {directory / name}: "
                          f"{error.strerror or error}") from None

    def _export_finished(self, state: WorkerState, path: object, error: object) -> None:
        """Say where the export went, or why it failed (the worker's result or error)."""
        if state == WorkerState.SUCCESS:
            self.notify(f"Exported the view to {path}", title="Exported", markup=False,
                        timeout=10)
        elif state == WorkerState.ERROR:
            self.notify(str(error), title="Export failed", severity="error", markup=False,
                        timeout=10)

    # Help ------------------------------------------------------------------------------------

    def action_show_help(self) -> None:
        """Open the list of every key."""
        from costtui.tui.screens.help import HelpScreen, binding_rows

        if not isinstance(self.screen, HelpScreen):
            groups = (LevelRows.BINDINGS, CostScreen.BINDINGS, self.BINDINGS)
            self.push_screen(HelpScreen([row for bindings in groups
                                         for row in binding_rows(self, bindings)]))
