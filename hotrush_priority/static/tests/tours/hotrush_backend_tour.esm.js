/** @odoo-module **/
// Backend tours of HotRush (HR-14, HR-15, HR-22, HR-60), run by
// tests/test_backend_tour.py in headless Chromium with the data it creates.
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const FORM = ".o_form_view";
const SLA_STATUS = `${FORM} .o_field_widget[name='hotrush_sla_status']`;

tours.add("hotrush_backend_agent_reply", {
    url: "/odoo/my-hotrush-queue",
    steps: () => [
        {
            content: "The queue shows the closest deadline first",
            trigger:
                ".o_list_view .o_data_row:first-child .o_data_cell[name='name']:contains('Payment gateway down')",
        },
        {
            content: "The next deadline follows",
            trigger:
                ".o_list_view .o_data_row:nth-child(2) .o_data_cell[name='name']:contains('Invoices show wrong totals')",
        },
        {
            content: "Open the most urgent ticket",
            trigger: ".o_list_view .o_data_row:first-child .o_data_cell[name='name']",
            run: "click",
        },
        {content: "The ticket is HotRush", trigger: `${FORM} .ribbon:contains('HotRush')`},
        {content: "Its SLA is running", trigger: `${SLA_STATUS}:contains('Running')`},
        {
            content: "The countdown shows the time left",
            trigger: `${FORM} .o_field_widget[name='hotrush_deadline']:contains('left')`,
        },
        {
            content: "Reply to the customer",
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            content: "Write the answer",
            trigger: ".o-mail-Composer-input",
            run: "edit The payment provider had an outage; payments work again.",
        },
        {content: "Send it", trigger: ".o-mail-Composer-send:enabled", run: "click"},
        {
            content: "The answer is in the chatter",
            trigger: ".o-mail-Message-body:contains('payments work again')",
        },
        {content: "The SLA is met", trigger: `${SLA_STATUS}:contains('Met')`},
        {
            content: "The countdown stops",
            trigger: `${FORM} .o_field_widget[name='hotrush_deadline']:contains('Answered in time')`,
        },
    ],
});

tours.add("hotrush_backend_manager_remove", {
    steps: () => [
        {content: "The ticket is HotRush", trigger: `${FORM} .ribbon:contains('HotRush')`},
        {
            content: "Remove HotRush",
            trigger: `${FORM} button[name='action_hotrush_open_remove_wizard']`,
            run: "click",
        },
        {
            content: "Reason: a bug that needs extra time",
            trigger: ".modal .o_field_widget[name='reason'] input[data-value='bug']",
            run: "click",
        },
        {
            content: "Explain it",
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit The fix needs a patch release.",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button[name='action_remove']",
            run: "click",
        },
        {content: "The SLA is cancelled", trigger: `${SLA_STATUS}:contains('Cancelled')`},
        {
            content: "The ticket is no longer HotRush",
            trigger: `${FORM}:not(:has(.ribbon:contains('HotRush'))):not(:has(button[name='action_hotrush_open_remove_wizard']))`,
        },
        {
            content: "HotRush can be requested again",
            trigger: `${FORM} button[name='action_hotrush_request']`,
        },
        {
            content: "The chatter records the removal with its reason",
            trigger: ".o-mail-Message-body:contains('Reason: Bug in the default software')",
        },
    ],
});
