"""Hot template reload: recompile a config's template when one of its files changes on disk.

A template that no longer compiles is reported with its file and line and the
previous compiled version stays in use, so a half-saved edit never breaks the
running output.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence

from dockergen.errors import RenderError
from dockergen.pipeline.job import Job

log = logging.getLogger(__name__)


class TemplateWatcher:
    """Watches the directories of every template file; runs in its own thread."""

    def __init__(self, jobs: Sequence[Job], on_reloaded: Callable[[Job], None], stop: threading.Event) -> None:
        import watchfiles  # noqa: F401 - fail early (ImportError) when it is missing

        self.jobs = list(jobs)
        self.on_reloaded = on_reloaded
        self.stop = stop
        self._thread = threading.Thread(target=self._run, name="template-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _directories(self) -> set[str]:
        return {os.path.dirname(path) for job in self.jobs for path in job.template.files}

    def _run(self) -> None:
        import watchfiles

        while not self.stop.is_set():
            directories = self._directories()
            existing = sorted(d for d in directories if os.path.isdir(d))
            if not existing:
                return
            for changes in watchfiles.watch(
                *existing, stop_event=self.stop, debounce=50, step=200, recursive=False, raise_interrupt=False
            ):
                self.reload_changed({os.path.abspath(path) for _, path in changes})
                if self._directories() != directories:
                    break  # an include moved to another directory: watch the new set

    def reload_changed(self, changed: set[str]) -> None:
        for job in self.jobs:
            if not changed & job.template.files:
                continue
            try:
                job.template.reload()
            except RenderError as exc:
                log.error("Template error: %s (still rendering the previous version)", exc)
                continue
            log.info("Reloaded template %s", job.config.template)
            self.on_reloaded(job)
