"""Log output: Go-style text lines (docker-gen users grep them) or one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from dockergen.errors import UsageError

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class TextFormatter(logging.Formatter):
    """``2006/01/02 15:04:05 message`` like Go's log package; levels other than info are named."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = "" if record.levelno == logging.INFO else f"{record.levelname}: "
        text = f"{self.formatTime(record, '%Y/%m/%d %H:%M:%S')} {prefix}{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level_name: str = "info", format_name: str = "text") -> None:
    level = LEVELS.get((level_name or "info").lower())
    if level is None:
        raise UsageError(f'invalid value "{level_name}" for flag -log-level: use debug, info, warning or error')
    formatters = {"text": TextFormatter, "json": JSONFormatter}
    if (format_name or "text") not in formatters:
        raise UsageError(f'invalid value "{format_name}" for flag -log-format: use text or json')
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatters[format_name or "text"]())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("watchfiles").setLevel(max(level, logging.WARNING))  # it logs every change at info
