# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the mail gateway keeps of an incoming e-mail's headers for the HotRush
e-mail channel (HR-83): the ``Authentication-Results`` headers, which say whether
the receiving server checked the sender (see helpdesk_ticket_mail.py)."""

from odoo import models

# the context key that carries them to ``message_new``
AUTH_RESULTS_KEY = "hotrush_mail_authentication_results"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_route_process(self, message, message_dict, routes):
        """Hand the ``Authentication-Results`` headers of ``message`` to the records
        the routes create or update.

        ``message_parse`` keeps no raw headers in ``message_dict``, and whatever is
        added to that dict is passed on to ``message_post`` of every model. This is
        the last step that still holds the ``email.message.Message`` and the first
        that reaches the record's ``message_new`` / ``message_update``: the headers
        go in the context, as the gateway's own flags do, and only the ticket's
        ``message_new`` reads them.
        """
        results = tuple(
            str(value) for value in message.get_all("Authentication-Results") or ()
        )
        return super(
            MailThread, self.with_context(**{AUTH_RESULTS_KEY: results})
        )._message_route_process(message, message_dict, routes)
