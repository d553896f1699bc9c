# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A mail template's QWeb body compiled once per batch of notices.

Odoo renders a template's body record by record, and compiles the body's QWeb source
again for each record (a source given as markup, unlike a view, is not cached): the
compilation is most of what a notice costs. Under ``CompileOnce`` (see
``helpdesk.ticket._hotrush_render_notices``), a source is compiled once and its code
reused for the other records of the batch; the compiled code does not depend on the
record (the values are given at rendering).
"""

from lxml import etree

from odoo import models

# the context key of the batch's compilations
COMPILE_ONCE = "hotrush_compile_once"


class CompileOnce:
    """The compilations of one batch of renderings: source -> compiled code. Equal
    only to itself (it travels in the context)."""

    __slots__ = ("compiled",)

    def __init__(self):
        self.compiled = {}


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        batch = self.env.context.get(COMPILE_ONCE)
        if not isinstance(batch, CompileOnce) or not isinstance(
            template, etree._Element
        ):
            return super()._compile(template)
        source = etree.tostring(template)
        if source not in batch.compiled:
            batch.compiled[source] = super()._compile(template)
        return batch.compiled[source]
