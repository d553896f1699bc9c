import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import { advanceTime, expect, mockDate, test } from "@odoo/hoot";
import { queryAllTexts, queryOne } from "@odoo/hoot-dom";
import { defineModels, fields, models, mountView } from "@web/../tests/web_test_helpers";

// Europe/Moscow (UTC+3, no DST since 2014), the demo support calendar's zone.
const MSK = +3;
// Thu 2026-11-26 11:18:00 in Moscow
const NOW = "2026-11-26 08:18:00";

class HelpdeskTicket extends models.Model {
    _name = "helpdesk.ticket";

    name = fields.Char();
    hotrush = fields.Boolean();
    hotrush_deadline = fields.Datetime();
    hotrush_queued_until = fields.Datetime();
    hotrush_first_response_at = fields.Datetime();
    hotrush_sla_status = fields.Selection({
        selection: [
            ["queued", "Queued"],
            ["running", "Running"],
            ["met", "Met"],
            ["breached", "Breached"],
            ["cancelled", "Cancelled"],
        ],
    });

    _records = [
        {
            id: 1,
            name: "running",
            hotrush: true,
            hotrush_sla_status: "running",
            hotrush_deadline: "2026-11-26 09:00:00", // 12:00 MSK
        },
        {
            id: 2,
            name: "due soon",
            hotrush: true,
            hotrush_sla_status: "running",
            hotrush_deadline: "2026-11-26 08:38:00", // 11:38 MSK
        },
        {
            id: 3,
            name: "overdue",
            hotrush: true,
            hotrush_sla_status: "breached",
            hotrush_deadline: "2026-11-26 08:06:00", // 11:06 MSK
        },
        {
            id: 4,
            name: "queued",
            hotrush: true,
            hotrush_sla_status: "queued",
            hotrush_queued_until: "2026-11-30 07:00:00", // Mon 10:00 MSK
            hotrush_deadline: "2026-11-30 08:00:00",
        },
        {
            id: 5,
            name: "met",
            hotrush: true,
            hotrush_sla_status: "met",
            hotrush_deadline: "2026-11-26 07:00:00",
            hotrush_first_response_at: "2026-11-26 06:40:00",
        },
        {
            id: 6,
            name: "cancelled",
            hotrush: false,
            hotrush_sla_status: "cancelled",
            hotrush_deadline: "2026-11-26 09:30:00",
        },
        {
            id: 7,
            name: "not hotrush",
            hotrush: false,
        },
    ];
}

defineModels([HelpdeskTicket]);
defineMailModels();

const LIST_ARCH = /* xml */ `
    <list>
        <field name="name"/>
        <field name="hotrush_deadline" widget="hotrush_countdown"/>
    </list>`;

function countdownOf(row) {
    return queryOne(`.o_data_row:eq(${row}) .o_hotrush_countdown`);
}

test("list view: running, due soon, overdue, queued and decided tickets", async () => {
    mockDate(NOW, MSK);
    await mountView({ type: "list", resModel: "helpdesk.ticket", arch: LIST_ARCH });

    expect(queryAllTexts(".o_data_row .o_field_hotrush_countdown")).toEqual([
        "42 min left",
        "20 min left",
        "overdue 12 min",
        "queued until Mon 10:00",
        "Answered in time",
        "Urgency ended",
        "",
    ]);
    expect(countdownOf(0)).toHaveClass("text-success");
    expect(countdownOf(0)).toHaveAttribute("data-hotrush-state", "running");
    expect(countdownOf(1)).toHaveClass("text-warning");
    expect(countdownOf(1)).toHaveAttribute("data-hotrush-state", "due_soon");
    expect(countdownOf(2)).toHaveClass("text-danger");
    expect(countdownOf(2)).toHaveAttribute("data-hotrush-state", "overdue");
    expect(countdownOf(3)).toHaveClass("text-info");
    expect(countdownOf(3)).toHaveAttribute("data-hotrush-state", "queued");
    expect(countdownOf(4)).toHaveClass("text-success");
    expect(countdownOf(5)).toHaveClass("text-muted");
    expect(".o_hotrush_countdown .fa-clock-o").toHaveCount(4);
    expect(countdownOf(0)).toHaveAttribute(
        "title",
        "Response deadline: 11/26/2026 12:00:00"
    );
});

test("the countdown ticks live and turns orange, then red", async () => {
    mockDate(NOW, MSK);
    await mountView({ type: "list", resModel: "helpdesk.ticket", arch: LIST_ARCH });

    // 11:19:30: half-minute marks keep the once-a-second tick off the boundaries
    await advanceTime(90 * 1000);
    expect(countdownOf(0)).toHaveText("41 min left");
    expect(countdownOf(1)).toHaveText("19 min left");
    expect(countdownOf(2)).toHaveText("overdue 13 min");

    // 11:49:30: 10.5 minutes before the first deadline
    await advanceTime(30 * 60 * 1000);
    expect(countdownOf(0)).toHaveText("11 min left");
    expect(countdownOf(0)).toHaveClass("text-warning");
    expect(countdownOf(1)).toHaveText("overdue 11 min");
    expect(countdownOf(1)).toHaveClass("text-danger");
    // decided tickets do not change
    expect(countdownOf(4)).toHaveText("Answered in time");
});

test("form view: a queued ticket starts counting down at the opening", async () => {
    // Mon 2026-11-30 09:59:30 in Moscow, 30 seconds before the support opens
    mockDate("2026-11-30 06:59:30", MSK);
    await mountView({
        type: "form",
        resModel: "helpdesk.ticket",
        resId: 4,
        arch: /* xml */ `
            <form>
                <field name="hotrush"/>
                <field name="hotrush_deadline" widget="hotrush_countdown"/>
            </form>`,
    });

    expect(".o_hotrush_countdown").toHaveText("queued until Mon 10:00");
    await advanceTime(60 * 1000);
    // 10:00:30, deadline 11:00: 59.5 minutes left, shown rounded up
    expect(".o_hotrush_countdown").toHaveText("1 h left");
    expect(".o_hotrush_countdown").toHaveClass("text-success");
    await advanceTime(2 * 60 * 60 * 1000);
    expect(".o_hotrush_countdown").toHaveText("overdue 1 h");
});

test("kanban card shows the countdown with a warning threshold option", async () => {
    mockDate(NOW, MSK);
    await mountView({
        type: "kanban",
        resModel: "helpdesk.ticket",
        domain: [["id", "in", [1, 4]]],
        arch: /* xml */ `
            <kanban>
                <templates>
                    <t t-name="card">
                        <field name="name"/>
                        <field name="hotrush_deadline" widget="hotrush_countdown"
                            options="{'warning_minutes': 45}"/>
                    </t>
                </templates>
            </kanban>`,
    });

    expect(queryAllTexts(".o_kanban_record .o_hotrush_countdown")).toEqual([
        "42 min left",
        "queued until Mon 10:00",
    ]);
    expect(".o_kanban_record:eq(0) .o_hotrush_countdown").toHaveClass("text-warning");
});
