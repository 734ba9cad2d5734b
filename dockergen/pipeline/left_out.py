"""What a render left out, and why, in words short enough for its one log line.

Three parts of the pipeline may leave a container out: the job's quarantine
(it broke the render or the check), the health filter (``-only-healthy``) and
the template itself, which says so with a ``# left out ...`` comment line
(templates/nginx.tmpl writes one for each container or entry it cannot serve).
An operator reading the log should see all three without opening the file.
"""

from __future__ import annotations

from typing import NamedTuple

LEFT_OUT_MARK = "# left out"


def count_invalid(text: str) -> int:
    """The template's own ``# left out`` comment lines (leading blanks allowed)."""
    if LEFT_OUT_MARK not in text:  # most renders: one scan instead of a walk over every line
        return 0
    return sum(1 for line in text.splitlines() if line.lstrip().startswith(LEFT_OUT_MARK))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class LeftOut(NamedTuple):
    """Counts by reason, for one render."""

    quarantined: int = 0
    unhealthy: int = 0
    invalid: int = 0

    @property
    def total(self) -> int:
        return self.quarantined + self.unhealthy + self.invalid

    def __str__(self) -> str:
        """``1 container left out: 1 unhealthy``; empty when nothing was left out."""
        if not self.total:
            return ""
        reasons = [
            f"{count} {why}"
            for why, count in (("quarantined", self.quarantined), ("unhealthy", self.unhealthy), ("invalid", self.invalid))
            if count
        ]
        return f"{plural(self.total, 'container')} left out: {', '.join(reasons)}"
