"""Reading Odoo's server log: entries, and which ERROR entries fail the suite.

An entry is a log line with its continuation lines (a traceback, the rest of a
multi-line message). Each ERROR or CRITICAL entry is classified from its whole text,
not its first line:

- ``retried``: a statement Odoo logged and then retried as a whole request (a
  serialization failure, a deadlock, a row a concurrent request inserted first);
- ``fault``: it belongs to a deliberate fault: it was logged inside a fault's window
  (or in the seconds after it, while the processes recover), or it is a lost database
  connection (``OperationalError`` / ``InterfaceError``: the server closed the
  connection, the connection or its cursor is already closed, the server terminated
  it) logged after
  a database outage began: a pooled connection the outage broke fails on its first
  use, which may come long after the outage (a job that runs once a minute);
- ``failure``: anything else, a ``ProgrammingError`` or any other exception, and a lost
  connection when no database outage had begun.

Pure functions over text and numbers, so that the classifier is tested on its own.
"""

import re
import time

LOG_LINE_RE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
)
# The exception a traceback ends with: ``module.Name: message`` at the line's start
EXCEPTION_RE = re.compile(
    r"^((?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Shutdown|Failure)\w*)"
    r"(?::\s?(.*))?$"
)
# sql_db's own entry for a failed statement: "bad query: <sql>\nERROR: <message>"
BAD_QUERY_RE = re.compile(r"^ERROR: (.*)$")

# ERROR entries of a statement Odoo then retries (odoo.service.model.retrying)
RETRIED = (
    "could not serialize access",
    "deadlock detected",
    "could not obtain lock",
    # rows a concurrent request inserted first: the portal's actions run again
    # (the same form submitted twice at once; a follower an agent's assignment
    # subscribed while the customer's chat did)
    "helpdesk_ticket_hotrush_form_key_uniq",
    "mail_followers_res_partner_res_model_id_uniq",
)
# psycopg2's exception types of a lost connection (AdminShutdown is the
# OperationalError of "terminating connection due to administrator command")
CONNECTION_TYPES = ("OperationalError", "InterfaceError", "AdminShutdown")
# ... and their messages when the connection itself is gone
CONNECTION_LOST = (
    "server closed the connection unexpectedly",
    "connection already closed",
    "terminating connection due to administrator command",
    "no connection to the server",
    # what a cursor of such a connection answers once psycopg2 closed it
    "cursor already closed",
    "SSL SYSCALL error",
    "could not receive data from server",
)
# Seconds after a fault's window whose errors still belong to it (processes recovering)
FAULT_AFTERMATH = 10.0


def log_entries(lines):
    """(epoch seconds, level, text with continuation lines) of Odoo log lines."""
    entry = None
    for line in lines:
        match = LOG_LINE_RE.match(line)
        if match:
            if entry:
                yield tuple(entry)
            stamp = time.mktime(time.strptime(match.group(1), "%Y-%m-%d %H:%M:%S"))
            entry = [stamp + int(match.group(2)) / 1000, match.group(4), line]
        elif entry:
            entry[2] += line
    if entry:
        yield tuple(entry)


def exceptions(text):
    """(type, message) of each exception an entry names: the last line of each
    traceback, and sql_db's "bad query ... ERROR: <message>" (type unknown: None);
    for an entry without either, its message (type unknown)."""
    found = []
    lines = text.splitlines()
    # sql_db names the statement on the entry's first line
    bad_query_entry = bool(lines) and "bad query:" in lines[0]
    for number, line in enumerate(lines):
        bad_query = BAD_QUERY_RE.match(line)
        if bad_query and number and bad_query_entry:
            # the message goes on over the following tab-indented lines
            message = [bad_query.group(1)]
            for more in lines[number + 1 :]:
                if not more.startswith("\t"):
                    break
                message.append(more.strip())
            found.append((None, " ".join(message)))
            continue
        match = EXCEPTION_RE.match(line)
        if match and not line.startswith((" ", "\t")):
            found.append((match.group(1).rsplit(".", 1)[-1], match.group(2) or ""))
    if not found and lines:
        # a one-line entry names no type: its message is what follows the logger
        found.append((None, lines[0].split(": ", 1)[-1]))
    return found


def connection_lost(text):
    """True when the entry's exceptions are all a lost database connection."""
    named = exceptions(text)
    if not named:
        return False
    for kind, message in named:
        if kind is not None and kind not in CONNECTION_TYPES:
            return False
        if not any(pattern in message for pattern in CONNECTION_LOST):
            return False
    return True


def classify(stamp, text, windows, outages):
    """``retried``, ``fault`` or ``failure`` for one ERROR/CRITICAL entry.

    :param windows: (start, end) epoch seconds of every fault
    :param outages: start epoch seconds of each database outage
    """
    if any(pattern in text for pattern in RETRIED):
        return "retried"
    if any(start - 1 <= stamp <= end + FAULT_AFTERMATH for start, end in windows):
        return "fault"
    if connection_lost(text) and any(start - 1 <= stamp for start in outages):
        return "fault"
    return "failure"
