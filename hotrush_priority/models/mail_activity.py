# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A HotRush activity serves the request of the ticket it was made for (HR-88).

Moved to another record (OCA ``helpdesk_mgmt_merge`` moves a merged ticket's
activities to the destination before it archives the ticket), it remembers that
ticket, so that archiving the ticket cancels what it left behind elsewhere
(``helpdesk_ticket_sla.py``). Only support staff mark them done.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..const import CHAT_ACTIVITY, RESPONSE_ACTIVITY, SUPPORT_GROUP

TICKET_MODEL = "helpdesk.ticket"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    # set on the move only: activities that stay on their ticket never pay for it
    hotrush_moved_from_id = fields.Many2one(
        comodel_name=TICKET_MODEL,
        string="HotRush Request Of",
        index="btree_not_null",
        ondelete="cascade",
        copy=False,
        readonly=True,
        help="The ticket whose HotRush request this activity serves, when the "
        "activity was moved to another record; cancelled when that ticket is "
        "archived.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        if {"res_id", "res_model_id", "res_model"}.intersection(vals):
            self._hotrush_remember_ticket(vals)
        return super().write(vals)

    def _action_done(self, feedback=False, attachment_ids=None):
        self._hotrush_check_done_allowed()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def _hotrush_check_done_allowed(self):
        """A ticket's HotRush activities (answer it, hold the live chat) are done by
        support staff only: a salesperson following the ticket cannot tick off
        what support has to do."""
        if self.env.su or self.env.user.has_group(SUPPORT_GROUP):
            return
        type_ids = self._hotrush_activity_type_ids()
        if any(
            a.activity_type_id.id in type_ids and a.res_model == TICKET_MODEL
            for a in self
        ):
            raise AccessError(
                self.env._("Only support staff can mark the HotRush activities done.")
            )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _hotrush_activity_type_ids(self):
        """The activity types of HotRush (the 'Respond by' and live chat ones)."""
        Data = self.env["ir.model.data"]
        return {
            Data._xmlid_to_res_id(xmlid, raise_if_not_found=False)
            for xmlid in (RESPONSE_ACTIVITY, CHAT_ACTIVITY)
        } - {False}

    def _hotrush_remember_ticket(self, vals):
        """Before HotRush activities of a ticket move to another record: remember
        the ticket they were made for; moved back to it, they are its own again."""
        type_ids = self._hotrush_activity_type_ids()
        hotrush = self.filtered(
            lambda a: (
                a.activity_type_id.id in type_ids
                and (a.hotrush_moved_from_id or a.res_model == TICKET_MODEL)
            )
        )
        if not hotrush:
            return
        if "res_model_id" in vals:
            # sudo: only the name of the model the activities move to
            model = self.env["ir.model"].sudo().browse(vals["res_model_id"]).model
        else:
            model = vals.get("res_model")
        per_ticket = defaultdict(self.browse)
        for activity in hotrush:
            target = (model or activity.res_model, vals.get("res_id", activity.res_id))
            origin = activity.hotrush_moved_from_id.id or activity.res_id
            remembered = origin if target != (TICKET_MODEL, origin) else False
            if remembered != activity.hotrush_moved_from_id.id:
                per_ticket[remembered] |= activity
        for ticket_id, activities in per_ticket.items():
            super(MailActivity, activities).write({"hotrush_moved_from_id": ticket_id})
