"""One config's pipeline: render → (check) → write if changed → notify, never leaving a bad file live.

``Job.run`` is the "render this config now" step that one-shot mode and the
watch loop call.  When a render fails or the check command rejects its
result, the containers to blame are found by bisection
(:mod:`dockergen.pipeline.quarantine`), left out, and the rest goes live.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from dockergen.config import Config
from dockergen.errors import RenderError
from dockergen.pipeline.health import split_by_health
from dockergen.daemon.inventory import Snapshot
from dockergen.pipeline.left_out import LeftOut, count_invalid, plural
from dockergen.metrics import Metrics
from dockergen.model import RuntimeContainer
from dockergen.pipeline.notify import notify
from dockergen.pipeline.quarantine import Attempt, find_culprits
from dockergen.pipeline.render import RenderInput, Template
from dockergen.pipeline.writer import WriteError, read_current, replace_contents, write_if_changed

log = logging.getLogger(__name__)

# A reload that a notify asked for (``nginx -s reload`` returns once it has signalled) may
# be carried out a little later: until then, a candidate put in place for a check would be
# what nginx loads.  So a check waits this long after the last notify before it places one.
NOTIFY_SETTLE = 0.5


class Outcome(NamedTuple):
    """What one run of a job did."""

    ok: bool
    changed: bool = False
    error: str = ""
    attempts: int = 1  # renders (and checks) it took
    text: str = ""  # the content now live
    containers: int = 0  # served: rendered and not left out by the template itself
    left_out: LeftOut = LeftOut()


def line_changes(old: str, new: str) -> tuple[int, int]:
    """Lines added and removed, counted as multisets (cheap, exact enough for a log line).

    The lines both start and end with are counted out first: an event changes a few lines
    of a large file, and counting all of them cost a millisecond per watch-mode render."""
    before, after = old.splitlines(), new.splitlines()
    shorter = min(len(before), len(after))
    start = 0
    while start < shorter and before[start] == after[start]:
        start += 1
    end = 0
    while end < shorter - start and before[-1 - end] == after[-1 - end]:
        end += 1
    removed = Counter(before[start:len(before) - end])
    added = Counter(after[start:len(after) - end])
    return sum((added - removed).values()), sum((removed - added).values())


def _notifies(config: Config) -> bool:
    """Whether a change notifies anything (a command, containers or services)."""
    return bool(config.notify_cmd or config.notify_containers or config.notify_containers_filter
                or config.notify_services or config.notify_exec)


class Job:
    """One config with its compiled template and its quarantine."""

    def __init__(self, config: Config, metrics: Metrics | None = None, chosen: tuple[str, str] | None = None) -> None:
        """``chosen``: the engine for the config's template and why, when the caller already chose it."""
        self.config = config
        self.metrics = metrics or Metrics()
        # memo: renders after the first reuse the template calls an event did not change.
        self.template = Template(config.template, keep_blank_lines=config.keep_blank_lines, engine=config.engine,
                                 cache=config.template_cache, memo=True, chosen=chosen)
        engine = "Go text/template" if self.template.engine == "go" else "Jinja2"
        self.engine_note = f"Template {config.template}: {engine} engine ({self.template.engine_reason})"
        self.quarantine: dict[str, str] = {}  # container ID -> why it is left out
        self._checked = False  # has the live destination passed the check since start-up?
        # What a rejected render rolls back to when the live content itself was never checked:
        # the last content that passed a check, else what the destination held at start-up.
        self._last_good: bytes | None = None
        self._last_good_known = False
        self._notified_at = float("-inf")  # when the last notify ran (monotonic)
        self.one_shot = False  # one-shot mode: a failure is one "docker-gen: ..." line, not a log line

    def _failed(self, watch_message: str, one_shot_message: str) -> None:
        """Report a failed run: a log line for a watcher, docker-gen's one error line in one-shot mode."""
        if self.one_shot:
            import sys

            print(f"docker-gen: {one_shot_message}", file=sys.stderr)
        else:
            log.error("%s", watch_message)

    def _kept(self) -> str:
        # Nothing was written to stdout, so only a destination file "keeps its previous content".
        return "; keeping the previous content" if self.config.dest else ""

    @property
    def checking(self) -> bool:
        return bool(self.config.check_cmd and self.config.dest)

    @property
    def awaiting_check(self) -> bool:
        """The live destination went out unverified (no container to check it in was running).

        The watcher then renders on any event, so the file is checked as soon
        as a selected container runs, and rolled back if it fails.
        """
        return self.checking and self._last_good_known and not self._checked

    def _check(self, previous: bytes | None, get_apis: Callable[[], Mapping[str, Any]]) -> Any:
        """Run the check command here, or in the selected containers through exec."""
        from dockergen.pipeline import check  # only configs with a check command need it

        config = self.config
        if config.exec_selected:
            result = check.run_check_in_containers(
                config.check_cmd, config.dest, config.check_timeout, get_apis(),
                config.exec_containers, config.exec_containers_filter,
            )
            if not result.ok:
                self.metrics.exec_failed(config.label, "check")
            return result
        return check.run_check(config.check_cmd, config.dest, previous, config.check_timeout)

    def release(self, container_id: str) -> None:
        """A quarantined container changed: give it another chance at the next render."""
        if self.quarantine.pop(container_id, None) is not None:
            log.info("Retrying container %s in %s (it changed)", container_id[:12], self.config.label)

    # -- the pipeline ----------------------------------------------------------------------

    def run(
        self,
        snapshot: Snapshot,
        get_api: Callable[[], Any],
        *,
        trigger: str = "startup",
        always_notify: bool = False,
        env: Mapping[str, str] | None = None,
        event_time: float | None = None,
        get_apis: Callable[[], Mapping[str, Any]] | None = None,
    ) -> Outcome:
        """Render, check, write if changed, notify if changed (or always, for interval ticks).

        A failure is logged and leaves the destination as it was.  ``get_api``
        is the primary endpoint's SDK client (signals); ``get_apis`` every
        endpoint's by name (commands run inside containers), by default the
        primary's alone.
        """
        config, metrics = self.config, self.metrics
        env = dict(os.environ) if env is None else env
        get_apis = get_apis or (lambda: {"": get_api()})
        timings = {"render": 0.0, "check": 0.0}
        try:
            previous = read_current(config.dest) if config.dest else None
            if not self._last_good_known:
                self._last_good, self._last_good_known = previous, True
            outcome = self._place(snapshot, env, previous, timings, get_apis)
        except WriteError as exc:
            self._failed(f"Unable to write to dest file: {exc}", str(exc))
            outcome, previous = Outcome(ok=False, error=str(exc)), None
        metrics.rendered(config.label, timings["render"], len(snapshot.containers))
        metrics.quarantined(config.label, len(self.quarantine))
        if not outcome.ok:
            metrics.render_failed(config.label)
            return outcome
        metrics.succeeded(config.label, event_time)
        details = f"trigger: {trigger}; render {timings['render'] * 1000:.1f} ms"
        if self.checking:
            details += f", check {timings['check'] * 1000:.1f} ms"
        if outcome.attempts > 1:
            details += f", {outcome.attempts} renders/checks"
        left_out = f", {outcome.left_out}" if outcome.left_out.total else ""
        if not outcome.changed and not always_notify:
            log.info(
                "Contents of %s did not change. Skipping notification '%s' (%s%s; %s)",
                config.label, config.notify_cmd, plural(outcome.containers, "container"), left_out, details,
            )
            return outcome
        started = time.monotonic()
        metrics.notified(config.label, notify(config, get_api, get_apis, metrics))
        self._notified_at = time.monotonic()
        if outcome.changed and config.dest:
            added, removed = line_changes((previous or b"").decode("utf-8", "replace"), outcome.text)
            if _notifies(config):
                details += f", notify {(time.monotonic() - started) * 1000:.1f} ms"
            log.info(
                "Generated '%s' from %s%s (+%d/-%d lines; %s)",
                config.dest, plural(outcome.containers, "container"), left_out, added, removed, details,
            )
        return outcome

    def _place(
        self, snapshot: Snapshot, env: Mapping[str, str], previous: bytes | None, timings: dict[str, float],
        get_apis: Callable[[], Mapping[str, Any]],
    ) -> Outcome:
        """Find content that renders (and passes the check) and make it live."""
        config = self.config
        present = {c.ID for c in snapshot.containers}
        for container_id in [cid for cid in self.quarantine if cid not in present]:
            del self.quarantine[container_id]  # gone: nothing left to retry
        routable, unhealthy = self.routable(snapshot)
        # An unhealthy container keeps its quarantine entry (its health event releases it anyway),
        # but is counted once, as unhealthy: the quarantine only judges what would be rendered.
        candidates = [c for c in routable if c.ID not in self.quarantine]
        passed: list[str] = []  # the text of the last attempt that succeeded
        unverified: list[str] = []  # why the passing attempt could not be checked

        def attempt(containers: list[RuntimeContainer]) -> Attempt:
            started = time.monotonic()
            try:
                render_input = RenderInput(
                    containers, snapshot.docker, env, snapshot.current_container,
                    swarm=snapshot.swarm if config.swarm else None,
                )
                text = self.template.render(render_input)
            except RenderError as exc:
                return Attempt(False, str(exc))
            finally:
                timings["render"] += time.monotonic() - started
            content = text.encode("utf-8", "surrogateescape")  # Go templates may write any bytes
            unverified.clear()
            if self.checking and not (content == previous and self._checked):
                from dockergen.pipeline.check import try_candidate  # only configs with a check command need it

                pending = self._notified_at + NOTIFY_SETTLE - time.monotonic()
                if pending > 0:
                    time.sleep(pending)  # see NOTIFY_SETTLE
                started = time.monotonic()
                result = try_candidate(lambda old: self._check(old, get_apis), config.dest, content, previous)
                timings["check"] += time.monotonic() - started
                if not result.ok:
                    self.metrics.check_failed(config.label)
                    return Attempt(False, f"rejected by the check command: {result.output}")
                if not result.verified:
                    unverified.append(result.output)
            passed[:] = [text]
            return Attempt(True)

        first = attempt(candidates)
        attempts = 1
        quarantined = len(routable) - len(candidates)
        if not first.ok:
            if not config.quarantine or not candidates:
                self._roll_back_unchecked()
                self._failed(f"{config.label}: {first.reason}{self._kept()}", first.reason)
                return Outcome(ok=False, error=first.reason)
            search = find_culprits(candidates, attempt, first=first)
            attempts += search.attempts
            if search.passing is None:
                self._roll_back_unchecked()
                why = f"{first.reason} (not caused by particular containers; {attempts} renders/checks)"
                self._failed(f"{config.label}: {why}{self._kept()}", why)
                return Outcome(ok=False, error=first.reason, attempts=attempts)
            for index, reason in search.culprits.items():
                container = candidates[index]
                self.quarantine[container.ID] = reason
                log.error("Quarantined container %s in %s: %s", container.Name or container.ID[:12], config.label, reason)
            log.info("%s: %d container(s) quarantined after %d renders/checks", config.label, len(search.culprits), attempts)
            quarantined += len(search.culprits)
        text = passed[0]
        data = text.encode("utf-8", "surrogateescape")
        if self.checking:
            # The passing candidate is already live: the check needed it in place.
            self._checked = not unverified
            if unverified:
                # Said once per content: while it waits, every event renders and tries again.
                log.log(
                    logging.DEBUG if data == previous else logging.WARNING,
                    "%s: %s to run '%s' in; the new content goes live unchecked and is checked "
                    "as soon as one runs", config.label, unverified[0], config.check_cmd,
                )
            else:
                self._last_good = data
            changed = data != previous
            if read_current(config.dest) != data:
                replace_contents(config.dest, data)
        else:
            changed = write_if_changed(config.dest, text).changed
        if config.backup and config.dest and not unverified and read_current(config.dest + ".bak") != data:
            replace_contents(config.dest + ".bak", data)
        invalid = count_invalid(text)
        return Outcome(
            ok=True, changed=changed, attempts=attempts, text=text,
            containers=max(0, len(routable) - quarantined - invalid),  # what the template served
            left_out=LeftOut(quarantined=quarantined, unhealthy=len(unhealthy), invalid=invalid),
        )

    def _roll_back_unchecked(self) -> None:
        """After a rejected render: live content that was never checked gives way to the last good one.

        (A checked one is already back in place: each candidate restores what it replaced.)
        """
        if self.checking and not self._checked and read_current(self.config.dest) != self._last_good:
            from dockergen.pipeline.check import restore

            log.warning("%s: rolling back to the last content that passed the check", self.config.label)
            restore(self.config.dest, self._last_good)

    def routable(self, snapshot: Snapshot) -> tuple[list[RuntimeContainer], list[RuntimeContainer]]:
        """The snapshot's containers this config may render, and those ``-only-healthy`` leaves out."""
        if not self.config.only_healthy:
            return list(snapshot.containers), []
        return split_by_health(snapshot.containers)

    # -- dry run ---------------------------------------------------------------------------

    def dry_run(self, snapshot: Snapshot, env: Mapping[str, str] | None = None) -> tuple[bool, str]:
        """Render and return a unified diff against the destination (or the whole content)."""
        routable, _ = self.routable(snapshot)
        try:
            text = self.template.render(
                RenderInput.from_snapshot(replace(snapshot, containers=routable), env, swarm=self.config.swarm)
            )
        except RenderError as exc:
            return False, f"docker-gen: {self.config.label}: {exc}\n"
        dest = self.config.dest
        if not dest:
            return True, text
        directory = os.path.dirname(os.path.abspath(dest))
        if not os.path.isdir(directory):
            return False, f"docker-gen: {dest}: destination directory {directory} does not exist\n"
        try:
            current = read_current(dest)
        except WriteError as exc:
            return False, f"docker-gen: {exc}\n"
        # Every config's part starts with a header naming its destination, even without changes.
        header = f"--- {dest}{' (does not exist yet)' if current is None else ''}\n+++ {dest} (rendered)\n"
        import difflib  # only -dry-run shows diffs

        diff = list(difflib.unified_diff(
            (current or b"").decode("utf-8", "replace").splitlines(keepends=True),
            text.splitlines(keepends=True),
            lineterm="\n",
        ))[2:]  # difflib's own two header lines are replaced by ours
        body = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff)
        return True, header + body
