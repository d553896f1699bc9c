# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An e-mail about a ticket is tried again when the mail server could not be reached.

Odoo marks every e-mail of a batch as failed when it cannot connect to the outgoing
mail server, and its queue never tries a failed e-mail again: a few seconds of a mail
server's restart would lose the customer's HotRush notices. Nothing was sent then, so
trying again cannot deliver an e-mail twice: the e-mails of helpdesk tickets go back to
the queue, due after a growing pause (``MAIL_CONNECT_RETRY_MINUTES``), and fail as
Odoo's do only when the last try could not connect either. Their notifications stay
pending meanwhile, so the conversation shows no failure for an e-mail still on its way.

Two senders may hold the same e-mail: Odoo's queue (which commits after each e-mail
and so reads each batch of a run in a new snapshot) and the request that made it,
which sends it right after its commit, on the same server or on another one. Each
e-mail is taken right before it is sent: its row locked, if it is still there and
still to send. One the other sender holds, has sent or has deleted is left to it,
instead of being sent twice or failing the queue's whole run on a record that no
longer exists (the queue commits after each e-mail, which frees the lock).
"""

from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import fields, models
from odoo.tools import SQL

from ..const import MAIL_CONNECT_RETRY_MINUTES

TICKET_MODEL = "helpdesk.ticket"
# Odoo's failure type of a batch whose mail server could not be reached
CONNECT_FAILURE = "mail_smtp"
QUEUE_CRON = "mail.ir_cron_mail_scheduler_action"


class MailMail(models.Model):
    _inherit = "mail.mail"

    hotrush_connect_tries = fields.Integer(
        string="Connection Retries",
        default=0,
        copy=False,
        readonly=True,
        help="How many times this e-mail went back to the queue because the "
        "outgoing mail server could not be reached.",
    )

    def send(self, *args, **kwargs):
        # the batch taken first: when its mail server cannot be reached, Odoo marks
        # the whole batch failed at once, before _send takes each e-mail
        return super(MailMail, self.filtered(MailMail._hotrush_take)).send(
            *args, **kwargs
        )

    def _send(self, *args, **kwargs):
        # one e-mail at a time, each taken right before it is sent (see the module's
        # docstring); the mail server's session is the batch's, passed through
        for mail in self:
            if mail._hotrush_take():
                super(MailMail, mail)._send(*args, **kwargs)
        return True

    def _hotrush_take(self):
        """Lock this e-mail for its sending: False when another sender holds it, or
        it is no longer to send (sent, failed or deleted meanwhile)."""
        self.ensure_one()
        self.flush_recordset()
        query = SQL(
            "SELECT id FROM mail_mail WHERE id = %s AND state = 'outgoing' "
            "FOR UPDATE SKIP LOCKED",
            self.id,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                # another sender changed it after this transaction began: it is
                # that sender's (an expected race, not a bad query to log)
                self.env.cr.execute(query, log_exceptions=False)
                taken = bool(self.env.cr.fetchone())
        except SerializationFailure:
            taken = False
        if taken:
            self.invalidate_recordset()  # read as locked, not as first cached
        return taken

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        again = self.browse()
        if failure_type == CONNECT_FAILURE:
            again = self._hotrush_to_try_again()
            again._hotrush_queue_again()
        return super(MailMail, self - again)._postprocess_sent_message(
            success_pids,
            success_emails,
            failure_reason=failure_reason,
            failure_type=failure_type,
        )

    def _hotrush_to_try_again(self):
        """The e-mails of ``self`` (their server unreachable) to queue again."""
        return self.filtered(
            lambda mail: (
                mail.model == TICKET_MODEL
                and mail.state == "exception"
                and mail.hotrush_connect_tries < len(MAIL_CONNECT_RETRY_MINUTES)
            )
        )

    def _hotrush_queue_again(self):
        """Back to the queue, each due after its next pause; the queue is woken then."""
        if not self:
            return
        now = fields.Datetime.now()
        due = []
        for tries, mails in self.grouped("hotrush_connect_tries").items():
            at = now + timedelta(minutes=MAIL_CONNECT_RETRY_MINUTES[tries])
            mails.write(
                {
                    "state": "outgoing",
                    "scheduled_date": at,
                    "hotrush_connect_tries": tries + 1,
                }
            )
            due.append(at)
        # sudo: the queue's scheduled action is the system's, whoever posted
        self.env.ref(QUEUE_CRON).sudo()._trigger(sorted(due))
