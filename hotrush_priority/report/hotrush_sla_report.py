# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""HotRush SLA analysis: one row per HotRush ticket, for pivot and graph views.

Counts and rates aggregate with plain SQL functions: ``met_rate`` is 100 for a met
ticket, 0 for a breached one and NULL otherwise, so its average over any group is the
share of met tickets among the decided ones. The median and 90th percentile of the first
response time are ordered-set aggregates (``percentile_cont``) that Odoo's read_group
does not offer: ``_read_group_select`` computes them over each group, so they stay exact
whatever the pivot's rows and columns and in its totals (percentiles of sub-groups could
not be combined afterwards).
"""

from odoo import fields, models, tools
from odoo.tools import SQL, frozendict

from ..const import SLA_STATUSES

PERCENTILES = {
    "response_median_minutes:avg": 0.5,
    "response_p90_minutes:avg": 0.9,
}


class HotrushSlaReport(models.Model):
    _name = "hotrush.sla.report"
    _description = "HotRush SLA Analysis"
    _auto = False
    _rec_name = "ticket_id"
    _order = "requested_at desc, id desc"
    # flushed before the view is read
    _depends = frozendict(
        {
            "helpdesk.ticket": (
                "active",
                "category_id",
                "commercial_partner_id",
                "company_id",
                "team_id",
                "user_id",
            ),
            "hotrush.request": (
                "deadline",
                "first_response_at",
                "first_response_user_id",
                "requested_at",
                "response_working_minutes",
                "status",
                "team_id",
                "ticket_id",
            ),
        }
    )

    request_id = fields.Many2one(comodel_name="hotrush.request", readonly=True)
    ticket_id = fields.Many2one(comodel_name="helpdesk.ticket", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    request_team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team",
        string="Team",
        readonly=True,
        help="The team the request was made to: its promise and verdict are that "
        "team's, wherever the ticket went afterwards.",
    )
    # the ticket's team now: who may read the row follows it, as for the ticket
    team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team", string="Current Team", readonly=True
    )
    user_id = fields.Many2one(comodel_name="res.users", string="Agent", readonly=True)
    first_response_user_id = fields.Many2one(
        comodel_name="res.users", string="First Response By", readonly=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", readonly=True
    )
    category_id = fields.Many2one(
        comodel_name="helpdesk.ticket.category", readonly=True
    )
    requested_at = fields.Datetime(string="Requested On", readonly=True)
    deadline = fields.Datetime(string="Response Deadline", readonly=True)
    first_response_at = fields.Datetime(string="First Response On", readonly=True)
    sla_status = fields.Selection(
        selection=SLA_STATUSES,
        string="SLA Status",
        readonly=True,
    )
    ticket_count = fields.Integer(
        string="HotRush Tickets", readonly=True, aggregator="sum"
    )
    met_count = fields.Integer(string="Met", readonly=True, aggregator="sum")
    breached_count = fields.Integer(string="Breached", readonly=True, aggregator="sum")
    met_rate = fields.Float(
        string="Met Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of met tickets among the met and breached ones.",
    )
    breached_rate = fields.Float(
        string="Breached Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Share of breached tickets among the met and breached ones.",
    )
    response_minutes = fields.Float(
        string="Avg First Response (working min)",
        readonly=True,
        aggregator="avg",
        help="Working minutes of the support calendar from the request to the first "
        "response, for answered tickets.",
    )
    response_median_minutes = fields.Float(
        string="Median First Response (working min)",
        readonly=True,
        aggregator="avg",  # computed as a median by _read_group_select
    )
    response_p90_minutes = fields.Float(
        string="90th Percentile First Response (working min)",
        readonly=True,
        aggregator="avg",  # computed as a percentile by _read_group_select
    )

    # ------------------------------------------------------------------
    # View
    # ------------------------------------------------------------------

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    def _query(self):
        """One row per request: a ticket requested again has a row per request."""
        response = SQL(
            "CASE WHEN r.first_response_at IS NOT NULL "
            "THEN r.response_working_minutes END"
        )
        return SQL(
            """
            SELECT r.id AS id,
                   r.id AS request_id,
                   t.id AS ticket_id,
                   t.company_id AS company_id,
                   COALESCE(r.team_id, t.team_id) AS request_team_id,
                   t.team_id AS team_id,
                   t.user_id AS user_id,
                   r.first_response_user_id AS first_response_user_id,
                   t.commercial_partner_id AS partner_id,
                   t.category_id AS category_id,
                   r.requested_at AS requested_at,
                   r.deadline AS deadline,
                   r.first_response_at AS first_response_at,
                   r.status AS sla_status,
                   1 AS ticket_count,
                   CASE WHEN r.status = 'met' THEN 1 ELSE 0 END AS met_count,
                   CASE WHEN r.status = 'breached' THEN 1 ELSE 0 END
                       AS breached_count,
                   CASE r.status WHEN 'met' THEN 100.0 WHEN 'breached' THEN 0.0 END
                       AS met_rate,
                   CASE r.status WHEN 'met' THEN 0.0 WHEN 'breached' THEN 100.0 END
                       AS breached_rate,
                   %(response)s AS response_minutes,
                   %(response)s AS response_median_minutes,
                   %(response)s AS response_p90_minutes
              FROM hotrush_request r
              JOIN helpdesk_ticket t ON t.id = r.ticket_id
             WHERE t.active
            """,
            response=response,
        )

    # ------------------------------------------------------------------
    # Overrides
    # ------------------------------------------------------------------

    def _read_group_select(self, aggregate_spec, query):
        fraction = PERCENTILES.get(aggregate_spec)
        if fraction is None:
            return super()._read_group_select(aggregate_spec, query)
        fname = aggregate_spec.split(":")[0]
        return SQL(
            "percentile_cont(%s) WITHIN GROUP (ORDER BY %s)",
            fraction,
            self._field_to_sql(self._table, fname, query),
        )
