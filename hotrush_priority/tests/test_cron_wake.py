# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA action woken at once through a kept connection (HR-5)."""

import select
import time
from unittest.mock import patch

import psycopg2

from odoo import sql_db
from odoo.tests import tagged

from ..const import SLA_CRON
from ..models.ir_cron import NOTIFIER, WAKE_KEY, CronWorkersNotifier
from .common import HotrushCase


def _listener():
    """A connection to ``postgres`` listening as Odoo's cron workers listen."""
    _dbname, info = sql_db.connection_info_for("postgres")
    connection = psycopg2.connect(**info)
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute("LISTEN cron_trigger")
    return connection


def _received(connection, timeout=5.0):
    """The payloads of the notifications that reach ``connection`` in ``timeout``."""
    payloads, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([connection], [], [], 0.1)[0]:
            connection.poll()
            payloads += [notify.payload for notify in connection.notifies]
            connection.notifies.clear()
            if payloads:
                break
    return payloads


@tagged("post_install", "-at_install")
class TestCronWake(HotrushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref(SLA_CRON)

    def setUp(self):
        super().setUp()
        self.listener = _listener()
        self.addCleanup(self.listener.close)

    def test_notify_reaches_the_workers_through_one_kept_connection(self):
        notifier = CronWorkersNotifier()
        self.addCleanup(notifier._discard)
        self.assertTrue(notifier.notify(self.env.cr.dbname))
        self.assertEqual(_received(self.listener), [self.env.cr.dbname])
        first = notifier.backend_pid()
        self.assertTrue(first)
        self.assertTrue(notifier.notify(self.env.cr.dbname))
        self.assertEqual(_received(self.listener), [self.env.cr.dbname])
        self.assertEqual(notifier.backend_pid(), first, "the same connection")

    def test_a_broken_connection_is_replaced(self):
        notifier = CronWorkersNotifier()
        self.addCleanup(notifier._discard)
        notifier.notify(self.env.cr.dbname)
        _received(self.listener)
        first = notifier.backend_pid()
        # the server ends it (a restart, an idle timeout)
        with self.listener.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(%s)", [first])
        self.assertTrue(notifier.notify(self.env.cr.dbname))
        self.assertEqual(_received(self.listener), [self.env.cr.dbname])
        self.assertNotEqual(notifier.backend_pid(), first)

    def test_a_forked_worker_opens_its_own(self):
        notifier = CronWorkersNotifier()
        self.addCleanup(notifier._discard)
        notifier.notify(self.env.cr.dbname)
        _received(self.listener)
        parent = notifier._connection
        with patch("os.getpid", return_value=notifier._pid + 1):
            self.assertTrue(notifier.notify(self.env.cr.dbname))
            self.assertIsNot(notifier._connection, parent)
        self.assertFalse(parent.closed, "the parent's connection is left alone")
        parent.close()
        self.assertEqual(_received(self.listener), [self.env.cr.dbname])

    def test_wake_now_triggers_and_notifies_once_per_transaction(self):
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", self.cron.id)])
        postcommit = self.env.cr.postcommit
        postcommit.clear()
        self.cron.with_user(self.portal)._hotrush_wake_now()
        self.cron._hotrush_wake_now()
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", self.cron.id)]), before + 2
        )
        self.assertTrue(postcommit.data.get(WAKE_KEY))
        self.assertEqual(len(postcommit), 1, "one wake-up per transaction")
        # what runs after the commit
        postcommit.run()
        self.assertFalse(postcommit.data.get(WAKE_KEY), "the next one wakes again")
        self.assertEqual(_received(self.listener), [self.env.cr.dbname])
        self.assertTrue(NOTIFIER.backend_pid())

    def test_falls_back_to_odoo_when_the_kept_connection_fails(self):
        with (
            patch.object(CronWorkersNotifier, "notify", return_value=False),
            patch.object(type(self.cron), "_notifydb", autospec=True) as notifydb,
        ):
            self.cron._hotrush_notify_workers(self.env.cr.dbname)
        notifydb.assert_called_once()

    def test_inactive_action_is_not_woken(self):
        self.cron.active = False
        self.assertFalse(self.cron._hotrush_wake_now())
        self.assertFalse(self.env.cr.postcommit.data.get(WAKE_KEY))

    def test_a_request_wakes_the_action(self):
        self.env.cr.postcommit.clear()
        self._create_ticket(hotrush=True)
        self.assertTrue(self.env.cr.postcommit.data.get(WAKE_KEY))
