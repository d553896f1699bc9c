# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HotrushChatHeldWizard(models.TransientModel):
    """Support records a live chat held with the customer (HR-84)."""

    _name = "hotrush.chat.held.wizard"
    _description = "Live Chat Held"

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        ondelete="cascade",
    )
    start = fields.Datetime(
        string="Started On",
        required=True,
        default=fields.Datetime.now,
        help="When the chat started: on a HotRush ticket not answered yet, the first "
        "response at this time.",
    )
    note = fields.Text(help="What was said or agreed. The customer reads it.")

    def action_record(self):
        self.ensure_one()
        self.ticket_id.action_hotrush_chat_held(self.start, note=self.note)
        return {"type": "ir.actions.act_window_close"}
