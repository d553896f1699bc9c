"""The reliability suite's classifier of server-log errors (tests/e2e/logscan.py).

A lost database connection is forgiven only after a database outage began; the same
text before it, and any other error (a ProgrammingError), fail the suite.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "e2e"))

import logscan

OUTAGE = 1_000_000.0  # the database outage began here (epoch seconds)
WINDOWS = [(OUTAGE, OUTAGE + 6.0)]

STALE_TRACEBACK = """\
2026-12-07 10:00:00,000 4242 ERROR hotrush_e2e odoo.addons.base.models.ir_cron: \
Job 'Mail: Email Queue Manager' (3) server action #7 failed
Traceback (most recent call last):
  File "/odoo/odoo/sql_db.py", line 433, in execute
    self._obj.execute(query, params)
psycopg2.OperationalError: server closed the connection unexpectedly
\tThis probably means the server terminated abnormally
\tbefore or while processing the request.
"""

STALE_BAD_QUERY = """\
2026-12-07 10:00:00,000 4242 ERROR hotrush_e2e odoo.sql_db: bad query: \
UPDATE "mail_mail" SET "failure_reason" = '[Errno 111] Connection refused'
WHERE id IN (12, 13)
ERROR: server closed the connection unexpectedly
\tThis probably means the server terminated abnormally
\tbefore or while processing the request.
"""

CLOSED_AFTER_ROLLBACK = """\
2026-12-07 10:00:00,000 4242 ERROR hotrush_e2e odoo.http: Exception during request
Traceback (most recent call last):
  File "/odoo/odoo/sql_db.py", line 433, in execute
psycopg2.errors.AdminShutdown: terminating connection due to administrator command

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/odoo/odoo/sql_db.py", line 520, in rollback
psycopg2.InterfaceError: connection already closed
"""

PROGRAMMING_ERROR = """\
2026-12-07 10:00:00,000 4242 ERROR hotrush_e2e odoo.sql_db: bad query: \
SELECT hotrush_nope FROM helpdesk_ticket
ERROR: column "hotrush_nope" does not exist
LINE 1: SELECT hotrush_nope FROM helpdesk_ticket
"""

PROGRAMMING_TRACEBACK = """\
2026-12-07 10:00:00,000 4242 ERROR hotrush_e2e odoo.http: Exception during request
Traceback (most recent call last):
  File "/odoo/odoo/sql_db.py", line 433, in execute
psycopg2.errors.UndefinedColumn: column "hotrush_nope" does not exist
"""

# a real error whose message quotes a lost connection: the type decides
QUOTING_VALUE_ERROR = """\
2026-12-07 10:00:00,000 4242 ERROR hotrush_e2e odoo.http: Exception during request
Traceback (most recent call last):
  File "/odoo/addons/x.py", line 1, in f
ValueError: server closed the connection unexpectedly
"""


def test_entries_keep_their_traceback():
    entries = list(
        logscan.log_entries((STALE_TRACEBACK + PROGRAMMING_ERROR).splitlines(True))
    )
    assert [level for _stamp, level, _text in entries] == ["ERROR", "ERROR"]
    assert "psycopg2.OperationalError" in entries[0][2]
    assert entries[0][2].count("\n") == 7
    assert logscan.exceptions(entries[0][2]) == [
        ("OperationalError", "server closed the connection unexpectedly")
    ]


@pytest.mark.parametrize(
    "text", [STALE_TRACEBACK, STALE_BAD_QUERY, CLOSED_AFTER_ROLLBACK]
)
def test_stale_connection_after_the_outage_is_forgiven(text):
    # a minute after the outage's window and its aftermath: only the type tells
    late = OUTAGE + 60.0
    assert logscan.connection_lost(text)
    assert logscan.classify(late, text, WINDOWS, [OUTAGE]) == "fault"


@pytest.mark.parametrize(
    "text", [STALE_TRACEBACK, STALE_BAD_QUERY, CLOSED_AFTER_ROLLBACK]
)
def test_stale_connection_before_any_outage_fails(text):
    assert logscan.classify(OUTAGE - 30.0, text, WINDOWS, [OUTAGE]) == "failure"
    assert logscan.classify(OUTAGE + 60.0, text, [], []) == "failure"


@pytest.mark.parametrize(
    "text", [PROGRAMMING_ERROR, PROGRAMMING_TRACEBACK, QUOTING_VALUE_ERROR]
)
def test_other_errors_after_the_outage_fail(text):
    assert not logscan.connection_lost(text)
    assert logscan.classify(OUTAGE + 60.0, text, WINDOWS, [OUTAGE]) == "failure"


def test_errors_inside_a_fault_window_belong_to_it():
    inside = OUTAGE + 3.0
    aftermath = OUTAGE + 6.0 + logscan.FAULT_AFTERMATH - 0.5
    for stamp in (inside, aftermath):
        assert logscan.classify(stamp, PROGRAMMING_ERROR, WINDOWS, [OUTAGE]) == "fault"
    after = OUTAGE + 6.0 + logscan.FAULT_AFTERMATH + 0.5
    assert logscan.classify(after, PROGRAMMING_ERROR, WINDOWS, [OUTAGE]) == "failure"


def test_retried_statements_are_counted_apart():
    text = (
        "2026-12-07 10:00:00,000 4242 ERROR hotrush_e2e odoo.sql_db: bad query: "
        "UPDATE helpdesk_ticket SET x = 1\n"
        "ERROR: could not serialize access due to concurrent update\n"
    )
    assert logscan.classify(OUTAGE - 30.0, text, WINDOWS, [OUTAGE]) == "retried"
