import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { expect, test } from "@odoo/hoot";
import { queryAllTexts } from "@odoo/hoot-dom";
import { defineModels, fields, models, mountView } from "@web/../tests/web_test_helpers";

const SLA_STATUSES = [
    ["queued", "Queued"],
    ["running", "Running"],
    ["met", "Met"],
    ["breached", "Breached"],
    ["cancelled", "Cancelled"],
];

class HelpdeskTicket extends models.Model {
    _name = "helpdesk.ticket";

    name = fields.Char();
    hotrush_sla_status = fields.Selection({ selection: SLA_STATUSES });

    _records = [
        { id: 1, name: "queued", hotrush_sla_status: "queued" },
        { id: 2, name: "running", hotrush_sla_status: "running" },
        { id: 3, name: "met", hotrush_sla_status: "met" },
        { id: 4, name: "breached", hotrush_sla_status: "breached" },
        { id: 5, name: "cancelled", hotrush_sla_status: "cancelled" },
        { id: 6, name: "not hotrush" },
    ];
}

class HotrushSlaReport extends models.Model {
    _name = "hotrush.sla.report";

    sla_status = fields.Selection({ selection: SLA_STATUSES });

    _records = [
        { id: 1, sla_status: "breached" },
        { id: 2, sla_status: "met" },
    ];
}

defineModels([HelpdeskTicket, HotrushSlaReport]);
defineMailModels();

/**
 * Mounts a list, or kanban cards, showing ``fieldName`` with the SLA badge widget.
 */
async function mountBadges(resModel, fieldName, type = "list") {
    const field = `<field name="${fieldName}" widget="hotrush_sla_badge"/>`;
    const arch =
        type === "list"
            ? `<list>${field}</list>`
            : `<kanban><templates><t t-name="card">${field}</t></templates></kanban>`;
    await mountView({ type, resModel, arch });
}

function badgeOf(row) {
    return `.o_data_row:eq(${row}) .o_field_hotrush_sla_badge .badge`;
}

test("list view: each SLA status has its colour without decorations", async () => {
    await mountBadges("helpdesk.ticket", "hotrush_sla_status");

    expect(queryAllTexts(".o_data_row .o_field_hotrush_sla_badge")).toEqual([
        "Queued",
        "Running",
        "Met",
        "Breached",
        "Cancelled",
        "",
    ]);
    expect(badgeOf(0)).toHaveClass("text-bg-info");
    expect(badgeOf(1)).toHaveClass("text-bg-warning");
    expect(badgeOf(2)).toHaveClass("text-bg-success");
    expect(badgeOf(3)).toHaveClass("text-bg-danger");
    // cancelled keeps the neutral badge
    expect(badgeOf(4)).toHaveClass("text-bg-300");
    expect(badgeOf(5)).toHaveCount(0);
});

test("kanban card: the same colours", async () => {
    await mountBadges("helpdesk.ticket", "hotrush_sla_status", "kanban");

    expect(".o_kanban_record:eq(1) .badge").toHaveClass("text-bg-warning");
    expect(".o_kanban_record:eq(3) .badge").toHaveClass("text-bg-danger");
});

test("the SLA analysis colours its own status field", async () => {
    await mountBadges("hotrush.sla.report", "sla_status");

    expect(badgeOf(0)).toHaveClass("text-bg-danger");
    expect(badgeOf(1)).toHaveClass("text-bg-success");
});
