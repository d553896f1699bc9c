# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An e-mail about a ticket whose mail server could not be reached is tried again
later, each pause longer, then fails as Odoo's e-mails do; nothing else changes: an
e-mail of another document, or one the server refused, fails at once."""

import smtplib
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import MockSmtplibCase

from ..const import MAIL_CONNECT_RETRY_MINUTES
from .common import HotrushCase

QUEUE_CRON = "mail.ir_cron_mail_scheduler_action"
NOW = fields.Datetime.from_string("2026-11-26 08:00:00")


@tagged("post_install", "-at_install")
class TestMailRetry(HotrushCase, MockSmtplibCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.portal.partner_id
        cls.customer.email = "rita@rushmore-retail.com"
        cls.ticket = cls._create_ticket()

    def _mail(self, record=None, **vals):
        """A notification e-mail to the customer about ``record`` (the ticket)."""
        record = record or self.ticket
        message = record.message_post(
            body="We are on it.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.customer.ids,
        )
        mail = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        self.assertEqual(len(mail), 1, "one e-mail to the customer")
        mail.write(vals)
        return mail

    def _notification(self, mail):
        return (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_mail_id", "=", mail.id),
                    ("res_partner_id", "=", self.customer.id),
                ]
            )
        )

    def _send(self, mails, reachable=False):
        """Send as the queue does, through smtplib; the server refuses the
        connection unless ``reachable``. What it received is in ``self.emails``."""
        with self.mock_smtplib_connection():
            if reachable:
                mails.send()
            else:
                refused = ConnectionRefusedError(111, "Connection refused")
                with patch("smtplib.SMTP", side_effect=refused):
                    mails.send()

    def _queue_triggers(self):
        cron = self.env.ref(QUEUE_CRON)
        return self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])

    def test_unreachable_server_queues_the_mail_again(self):
        mail = self._mail()
        triggers_before = self._queue_triggers()
        with freeze_time(NOW):
            self._send(mail)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.hotrush_connect_tries, 1)
        first = NOW + timedelta(minutes=MAIL_CONNECT_RETRY_MINUTES[0])
        self.assertEqual(mail.scheduled_date, first)
        self.assertIn("Connection refused", mail.failure_reason)
        # the conversation shows it pending, not failed
        self.assertEqual(self._notification(mail).notification_status, "ready")
        new_triggers = self._queue_triggers() - triggers_before
        self.assertEqual(new_triggers.mapped("call_at"), [first])

        # not due before its pause has passed
        with freeze_time(first - timedelta(seconds=1)):
            self.env["mail.mail"].sudo().process_email_queue()
        self.assertEqual(mail.state, "outgoing")

        # the server answers again: sent once, the notification too
        with freeze_time(first), self.mock_smtplib_connection():
            self.env["mail.mail"].sudo().process_email_queue(email_ids=mail.ids)
        self.assertEqual(
            [sent["smtp_to_list"] for sent in self.emails], [[self.customer.email]]
        )
        self.assertFalse(mail.exists(), "sent, and deleted as notifications are")
        notification = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "=", self.ticket.message_ids[:1].id),
                    ("res_partner_id", "=", self.customer.id),
                ]
            )
        )
        self.assertEqual(notification.notification_status, "sent")

    def test_each_pause_longer_then_it_fails(self):
        mail = self._mail(auto_delete=False)
        at = NOW
        for tries, minutes in enumerate(MAIL_CONNECT_RETRY_MINUTES, 1):
            with freeze_time(at):
                self._send(mail)
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(mail.hotrush_connect_tries, tries)
            self.assertEqual(mail.scheduled_date, at + timedelta(minutes=minutes))
            at = mail.scheduled_date
        # the last try could not connect either: failed, as Odoo's own e-mails
        with freeze_time(at):
            self._send(mail)
        self.assertEqual(mail.state, "exception")
        self.assertEqual(mail.hotrush_connect_tries, len(MAIL_CONNECT_RETRY_MINUTES))
        notification = self._notification(mail)
        self.assertEqual(notification.notification_status, "exception")
        self.assertEqual(notification.failure_type, "mail_smtp")

    def test_mail_of_another_document_fails_at_once(self):
        mail = self._mail(record=self.customer)
        with freeze_time(NOW):
            self._send(mail)
        self.assertEqual(mail.state, "exception")
        self.assertEqual(mail.hotrush_connect_tries, 0)
        self.assertEqual(self._notification(mail).notification_status, "exception")

    def test_refused_by_the_server_is_not_tried_again(self):
        """Connected, but the server refused the message: it may have been taken in
        part, so trying again could deliver it twice; it fails at once."""
        mail = self._mail(auto_delete=False)

        refused = smtplib.SMTPDataError(452, b"4.3.1 Insufficient system storage")
        with (
            freeze_time(NOW),
            self.mock_smtplib_connection(),
            patch.object(
                self.testing_smtp_session, "send_message", side_effect=refused
            ),
            mute_logger(
                "odoo.addons.mail.models.mail_mail",
                "odoo.addons.base.models.ir_mail_server",
            ),
        ):
            mail.send()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(mail.hotrush_connect_tries, 0)

    def test_two_failures_of_a_batch_keep_their_own_tries(self):
        first = self._mail(auto_delete=False)
        with freeze_time(NOW):
            self._send(first)
        second = self._mail(auto_delete=False)
        with freeze_time(NOW + timedelta(minutes=1)):
            self._send(first | second)
        self.assertEqual((first | second).mapped("state"), ["outgoing", "outgoing"])
        self.assertEqual(first.hotrush_connect_tries, 2)
        self.assertEqual(second.hotrush_connect_tries, 1)
        later = NOW + timedelta(minutes=1)
        self.assertEqual(
            first.scheduled_date,
            later + timedelta(minutes=MAIL_CONNECT_RETRY_MINUTES[1]),
        )
        self.assertEqual(
            second.scheduled_date,
            later + timedelta(minutes=MAIL_CONNECT_RETRY_MINUTES[0]),
        )

    def test_mail_another_sender_deleted_is_left_out(self):
        """The request sent and deleted one e-mail of the queue's batch meanwhile:
        the others are sent, the run does not fail on the missing record."""
        gone = self._mail()
        kept = self._mail()
        batch = gone | kept
        self.env.cr.execute("DELETE FROM mail_mail WHERE id = %s", (gone.id,))
        self.env.invalidate_all()
        with self.mock_smtplib_connection():
            batch._send()
        self.assertEqual(
            [sent["smtp_to_list"] for sent in self.emails], [[self.customer.email]]
        )
        self.assertFalse(kept.exists(), "sent, and deleted as notifications are")

    def test_mail_another_sender_sent_is_not_sent_again(self):
        """The request sent one e-mail of the queue's batch and keeps it (its
        state is no longer outgoing): the queue leaves it, sends the others."""
        done = self._mail(auto_delete=False)
        kept = self._mail()
        self.env.cr.execute(
            "UPDATE mail_mail SET state = 'sent' WHERE id = %s", (done.id,)
        )
        self.env.invalidate_all()
        with self.mock_smtplib_connection():
            (done | kept)._send()
        self.assertEqual(len(self.emails), 1, "the other e-mail only")
        self.assertEqual(done.state, "sent")
        self.assertFalse(kept.exists(), "sent, and deleted as notifications are")

    def test_unreachable_server_leaves_what_another_sender_sent(self):
        """The server cannot be reached: Odoo marks the batch failed at once. An
        e-mail of the batch that the request already sent keeps its state; the
        other goes back to the queue."""
        done = self._mail(auto_delete=False)
        kept = self._mail()
        self.env.cr.execute(
            "UPDATE mail_mail SET state = 'sent' WHERE id = %s", (done.id,)
        )
        self.env.invalidate_all()
        with freeze_time(NOW):
            self._send(done | kept)
        self.assertEqual(done.state, "sent")
        self.assertEqual(kept.state, "outgoing")
        self.assertEqual(kept.hotrush_connect_tries, 1)

    def test_no_helpdesk_user_reaches_the_queue(self):
        """The counter lives on Odoo's e-mail queue, which only administrators
        read: agents and customers can neither read it nor make a mail due."""
        mail = self._mail(auto_delete=False)
        for user in (self.agent, self.leader, self.portal):
            Mail = self.env["mail.mail"].with_user(user)
            self.assertFalse(Mail.has_access("read"), user.login)
            self.assertFalse(Mail.has_access("write"), user.login)
        self.assertEqual(mail.hotrush_connect_tries, 0)
