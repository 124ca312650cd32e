"""Structured logs: one JSON object per line on stderr, for log collectors and for EdgeStack.

Extra fields go through ``logging``'s ``extra=``: ``log.info('serving', extra={'port': p})``
gives ``{"ts": ..., "level": "INFO", "logger": ..., "event": "serving", "port": 50051}``.
"""
import json
import logging
import sys
import time

# Attributes every LogRecord has; anything else was passed through extra= and is logged.
_STANDARD = set(vars(logging.LogRecord('', 0, '', 0, '', None, None))) | {'message', 'asctime'}


class JsonLinesFormatter(logging.Formatter):
    """Formats a record as one JSON object: ts, level, logger, event, extra fields, error."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: A003 (logging's API)
        """Return the record as a single line of JSON."""
        entry = {'ts': round(time.time(), 6), 'level': record.levelname,
                 'logger': record.name, 'event': record.getMessage()}
        entry.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if record.exc_info:
            entry['error'] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    """Send every log record to stderr as JSON lines, at ``level`` (DEBUG, INFO, ...)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
