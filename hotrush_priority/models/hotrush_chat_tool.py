# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotrushChatTool(models.Model):
    """A communication tool customers may ask a live chat on (HR-40)."""

    _name = "hotrush.chat.tool"
    _description = "HotRush Live Chat Tool"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    id_label = fields.Char(
        string="ID Label",
        required=True,
        translate=True,
        help="What the customer's ID on this tool is called, e.g. 'E-mail address'.",
    )
    id_pattern = fields.Char(
        string="ID Pattern",
        required=True,
        default=r"[^<>\s][^<>]{1,99}",
        help="Regular expression the whole ID must match.",
    )
    id_example = fields.Char(string="ID Example", translate=True)

    @api.constrains("id_pattern")
    def _check_id_pattern(self):
        for tool in self:
            try:
                re.compile(tool.id_pattern)
            except re.error as error:
                raise ValidationError(
                    self.env._(
                        "The ID pattern of %(tool)s is not a valid regular expression: "
                        "%(error)s",
                        tool=tool.name,
                        error=error,
                    )
                ) from error

    def _matches(self, contact):
        self.ensure_one()
        return bool(re.fullmatch(self.id_pattern, contact or ""))
