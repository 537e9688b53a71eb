"""The costtui Textual app: owns the data source, the load worker and the loaded report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from costtui.admin_key import AdminKey
from costtui.api import ApiError, AuthenticationError, FetchProgress
from costtui.app_settings import DEFAULT_PRESET, AppSettings
from costtui.commands import CostCommands
from costtui.dates import PRESET_LABELS, DateRange, preset_range, utc_today
from costtui.messages import (
    ExportFailed,
    ExportWritten,
    LoadProgressed,
    ReportFailed,
    ReportLoaded,
)
from costtui.report import api_group_by_for
from costtui.screens.cost_view import CostScreen
from costtui.screens.help import HelpScreen
from costtui.source import CostSource, LoadedReport, load_report
from costtui.view_export import export_file_name, export_text, write_new_file
from costtui.view_state import ViewState

LOAD_GROUP = "cost-report"
EXPORT_GROUP = "export"
FULL_API_GROUPING = ("workspace_id", "description")
"""Loaded up front so that every dimension can be drilled or pivoted without a new request."""


def _styles_path() -> Path:
    """Return styles.tcss inside the package (wheel) or at the top of a checkout."""
    packaged = Path(__file__).with_name("styles.tcss")
    return packaged if packaged.exists() else Path(__file__).resolve().parent.parent / "styles.tcss"


def matching_preset(date_range: DateRange, today: date) -> str | None:
    """Return the first preset id whose range equals `date_range` today, else None."""
    for preset in PRESET_LABELS:
        if preset_range(preset, today) == date_range:
            return preset
    return None


class CostApp(App[None]):
    """Browse an organisation's Anthropic API costs by range, grouping and drill-down."""

    TITLE = "costtui"
    CSS_PATH = _styles_path()
    COMMANDS = App.COMMANDS | {CostCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit costtui", id="quit"),
        Binding("f1,question_mark", "show_help", "Help", key_display="?",
                tooltip="List every key", id="help"),
    ]

    is_loading: reactive[bool] = reactive(False, bindings=True, init=False)
    """Whether a cost report load is running (shows the progress bar and the Cancel key)."""

    def __init__(
        self,
        source: CostSource | None,
        settings: AppSettings,
        make_source: Callable[[AdminKey], CostSource] | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        """Where costs come from; None until an Admin key is known."""
        self.settings = settings
        self.make_source = make_source
        """Builds a source from an Admin key (the key-entry screen's way in)."""
        self.today = settings.today or utc_today()
        """The UTC day presets are relative to."""
        self.date_range = settings.date_range or preset_range(DEFAULT_PRESET, self.today)
        """The range shown (or being loaded)."""
        self.report: LoadedReport | None = None
        """The last report that loaded in full; kept on screen through refreshes and errors."""
        self.load_generation = 0
        """Stamp of the newest load; results of older loads are dropped."""
        self.last_error: ApiError | BaseException | None = None
        self.load_cancel_requested = False
        self._load_worker: Worker[None] | None = None
        self.cost_screen = CostScreen(ViewState(drill_path=settings.drill_path))

    def get_default_screen(self) -> CostScreen:
        """Return the cost view, the screen under every dialog."""
        return self.cost_screen

    def start(self) -> None:
        """Start the first load once the cost view is up, or explain that there is no key."""
        if self.source is None:
            self.cost_screen.show_no_key(self.settings.profile, self.settings.key_note)
        else:
            self.load(self.date_range)

    async def on_unmount(self) -> None:
        """Stop loading and close the source's connections."""
        self.workers.cancel_group(self, LOAD_GROUP)
        if self.source is not None:
            await self.source.aclose()

    # Loading ---------------------------------------------------------------------------------

    def load(self, date_range: DateRange) -> None:
        """Fetch a range (and the period before it) in the background; a new load replaces one."""
        self.date_range = date_range
        if self.source is None:
            self.cost_screen.show_no_key(self.settings.profile, self.settings.key_note)
            return
        self.load_generation += 1
        self.load_cancel_requested = False
        self.is_loading = True
        self.cost_screen.loading_started(date_range)
        self._load_worker = self.load_cost_report(self.source, date_range, self.load_generation)

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False, description="cost report")
    async def load_cost_report(
        self, source: CostSource, date_range: DateRange, generation: int
    ) -> None:
        """Fetch the report and post it (or the API error) as a message; touch no widget."""
        def report_progress(progress: FetchProgress) -> None:
            self.post_message(LoadProgressed(generation, progress))

        try:
            report = await load_report(
                source, date_range, FULL_API_GROUPING, with_previous=True,
                on_progress=report_progress,
            )
        except ApiError as error:
            self.post_message(ReportFailed(generation, error))
            return
        self.post_message(ReportLoaded(generation, report))

    def ensure_grouping(self, dimensions: tuple[str, ...]) -> bool:
        """Reload if the loaded data cannot answer these dimensions; tell whether it can."""
        if self.report is None:
            return False
        if set(api_group_by_for(dimensions)) <= set(self.report.api_group_by):
            return True
        self.load(self.date_range)
        return False

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
        self.is_loading = False
        self.cost_screen.report_arrived(message.report)

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
            self.notify(f"Unexpected error: {error}.{kept} Press r to retry.",
                        title="Could not load costs", severity="error", markup=False,
                        timeout=10)
        self.cost_screen.show_load_error(error)
        if isinstance(error, AuthenticationError):
            self.request_admin_key("The Admin key was rejected (401).")

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn cancelled and crashed loads into clear UI; the one place workers end up."""
        worker = event.worker
        if worker.group == EXPORT_GROUP and event.state == WorkerState.ERROR:
            self.notify(f"Export failed: {worker.error}", severity="error", markup=False)
            return
        if worker.group != LOAD_GROUP or worker is not self._load_worker:
            return
        if event.state == WorkerState.CANCELLED:
            self.is_loading = False
            self.cost_screen.loading_stopped()
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

    def watch_is_loading(self, loading: bool) -> None:
        """Show or hide the progress line."""
        self.cost_screen.set_class(loading, "-loading")
        if not loading:
            self.cost_screen.loading_stopped()
        self.cost_screen.refresh_bindings()

    def action_cancel_load(self) -> None:
        """Stop the running load; the data already shown stays."""
        if self.is_loading:
            self.load_cancel_requested = True
            self.workers.cancel_group(self, LOAD_GROUP)

    def action_refresh(self) -> None:
        """Fetch the shown range again (presets move with the UTC day), or retry after an error."""
        preset = matching_preset(self.date_range, self.today)
        self.today = self.settings.today or utc_today()
        self.load(preset_range(preset, self.today) if preset else self.date_range)

    def action_use_preset(self, preset: str) -> None:
        """Load a preset range (used by the command palette)."""
        self.load(preset_range(preset, self.today))

    # Admin key seam --------------------------------------------------------------------------

    def use_admin_key(self, admin_key: AdminKey) -> None:
        """Switch to a source built from a new Admin key and load the range again."""
        if self.make_source is None:
            self.notify("This session cannot switch keys.", severity="error")
            return
        old_source, self.source = self.source, self.make_source(admin_key)
        if old_source is not None:
            self.run_worker(old_source.aclose(), group="close-source")
        self.load(self.date_range)

    def request_admin_key(self, reason: str) -> None:
        """Ask the user for an Admin key; the single seam a key-entry screen plugs into."""
        self.notify(
            f"{reason} Quit (q), then run `costtui key set --profile {self.settings.profile}` "
            "or set ANTHROPIC_ADMIN_KEY, and start costtui again.",
            title="Admin key needed",
            severity="warning",
            markup=False,
            timeout=15,
        )

    def action_enter_key(self) -> None:
        """Enter a new Admin key."""
        self.request_admin_key("Entering a key inside the app is not available yet.")

    # Export ----------------------------------------------------------------------------------

    def export_view(self, state: ViewState, export_format: str) -> None:
        """Write the current view to a new CSV or JSON file in the background."""
        if self.report is None:
            self.notify("Nothing to export yet: wait for the data to load.", severity="warning")
            return
        directory = self.settings.export_directory or Path.cwd()
        text = export_text(self.report, state, export_format)
        name = export_file_name(self.report.date_range, state, export_format)
        self.write_export(directory, name, text)

    @work(thread=True, group=EXPORT_GROUP, exit_on_error=False, description="export")
    def write_export(self, directory: Path, name: str, text: str) -> None:
        """Write the file off the UI thread (a slow disk must not freeze keys)."""
        try:
            path = write_new_file(directory, name, text)
        except OSError as error:
            self.post_message(ExportFailed(directory / name, error.strerror or str(error)))
            return
        self.post_message(ExportWritten(path))

    @on(ExportWritten)
    def _export_written(self, message: ExportWritten) -> None:
        self.notify(f"Exported the view to {message.path}", title="Exported", markup=False,
                    timeout=10)

    @on(ExportFailed)
    def _export_failed(self, message: ExportFailed) -> None:
        self.notify(f"Could not write {message.path}: {message.reason}", title="Export failed",
                    severity="error", markup=False, timeout=10)

    # Help ------------------------------------------------------------------------------------

    def action_show_help(self) -> None:
        """Open the list of every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
