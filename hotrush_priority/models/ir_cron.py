# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Waking the SLA scheduled action at once, cheaply (HR-5).

Odoo wakes its cron workers with a NOTIFY on the ``postgres`` database, which it sends
through a new connection each time: connections to ``postgres`` are never kept in
Odoo's pool. A HotRush request wakes the SLA action at once so that the team hears of
it within seconds; a new connection per request was the largest part of what a request
costs. The wake-ups of the SLA action go through one kept connection per process
instead (reopened after a fork or when it broke), with Odoo's own way as the fallback.
"""

import logging
import os
import threading
from functools import partial

import psycopg2
from psycopg2 import sql

from odoo import fields, models, sql_db

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)

# where a transaction notes that it wakes the cron workers when it commits
WAKE_KEY = "hotrush_priority.wake_cron_workers"


class CronWorkersNotifier:
    """One autocommit connection to ``postgres``, kept for the NOTIFY that wakes the
    cron workers; one per process, used by one thread at a time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._connection = None

    def notify(self, dbname):
        """Wake the cron workers for ``dbname``, as Odoo's ``ir.cron._notifydb``.

        :return: whether the NOTIFY was sent (else the caller falls back)
        """
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._open().cursor() as cr:
                        cr.execute(
                            sql.SQL("SELECT {}('cron_trigger', %s)").format(
                                sql.Identifier(ODOO_NOTIFY_FUNCTION)
                            ),
                            [dbname],
                        )
                    # counted as Odoo counts the statements of its cursors
                    sql_db.sql_counter += 1
                    return True
                except psycopg2.Error as error:
                    # a connection the server closed (a restart, an idle timeout):
                    # once more on a new one
                    self._discard()
                    if attempt == 2:
                        _logger.info("cron workers not woken: %s", error)
            return False

    def _open(self):
        if self._pid != os.getpid():
            # a connection of the parent process is the parent's: never used
            # (nor closed) in a forked worker
            self._connection, self._pid = None, os.getpid()
        if self._connection is None or self._connection.closed:
            _dbname, info = sql_db.connection_info_for("postgres")
            connection = psycopg2.connect(**info)
            connection.autocommit = True
            self._connection = connection
        return self._connection

    def _discard(self):
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            try:
                connection.close()
            except psycopg2.Error as error:
                _logger.debug("kept connection not closed: %s", error)

    def backend_pid(self):
        """The server process of the kept connection, or None (for checks)."""
        with self._lock:
            connection = self._connection
            if self._pid != os.getpid() or connection is None or connection.closed:
                return None
            return connection.get_backend_pid()


NOTIFIER = CronWorkersNotifier()


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _hotrush_wake_now(self):
        """Run this scheduled action as soon as this transaction commits, as
        ``_trigger()`` does, the cron workers woken through the kept connection
        (once per transaction, however many wake-ups it asks for).

        :return: the trigger (none when the action is inactive)
        """
        self.ensure_one()
        # sudo: only the action's state and a wake-up of it, whoever asks
        cron = self.sudo()
        if not cron.active:
            return self.env["ir.cron.trigger"]
        trigger = (
            self.env["ir.cron.trigger"]
            .sudo()
            .create({"cron_id": cron.id, "call_at": fields.Datetime.now()})
        )
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get(WAKE_KEY):
            postcommit.data[WAKE_KEY] = True
            postcommit.add(partial(self._hotrush_notify_workers, self.env.cr.dbname))
        return trigger

    def _hotrush_notify_workers(self, dbname):
        if not NOTIFIER.notify(dbname):
            self._notifydb()
