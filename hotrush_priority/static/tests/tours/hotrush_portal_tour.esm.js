/** @odoo-module **/
// Portal tours of HotRush, run by tests/test_portal_tour.py in headless Chromium.
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("hotrush_portal_new_urgent_with_chat", {
    url: "/new/ticket",
    steps: () => [
        {
            content: "The urgent checkbox explains the offer",
            trigger: "#hotrush_explanation:contains('times')",
        },
        {
            content: "Pick the team with its own calendar",
            trigger: "select[name='team']",
            run: "selectByLabel Hosting Support",
        },
        {
            content: "Its promise: its own hours and target",
            trigger: ".o_hotrush_promise:visible:contains('09:00-18:00'):contains('2 hours')",
        },
        {
            content: "The other team's promise is hidden",
            trigger: "#hotrush_explanation:not(:has(.o_hotrush_promise:visible:contains('09:00-24:00')))",
        },
        {
            content: "Pick a team without HotRush",
            trigger: "select[name='team']",
            run: "selectByLabel Development",
        },
        {
            content: "The checkbox is disabled; the promise says why and who offers it",
            trigger: ".o_hotrush_promise:visible:contains('not offered by Development'):contains('Hosting Support')",
        },
        {content: "Disabled", trigger: "input[name='hotrush']:disabled"},
        {
            content: "Pick the team offering HotRush",
            trigger: "select[name='team']",
            run: "selectByLabel Technical Support",
        },
        {
            content: "Pick a category excluded from HotRush",
            trigger: "select[name='category']",
            run: "selectByLabel Sales and licensing",
        },
        {
            content: "The category is the reason now",
            trigger: "#hotrush_unavailable:visible:contains('Sales and licensing questions')",
        },
        {
            content: "Pick an eligible category",
            trigger: "select[name='category']",
            run: "selectByLabel Store errors",
        },
        {
            content: "The promise of the support team: its hours and the price",
            trigger: ".o_hotrush_promise:visible:contains('09:00-24:00'):contains('times the normal rate')",
        },
        {content: "No reason left", trigger: "#hotrush_unavailable:hidden"},
        {content: "No live chat before urgency", trigger: "#hotrush_chat:hidden"},
        {content: "Subject", trigger: "input[name='subject']", run: "edit Shop is down"},
        {
            content: "Description",
            trigger: "textarea[name='description']",
            run: "edit Nothing loads since this morning.",
        },
        {content: "Mark as urgent", trigger: "input[name='hotrush']:enabled", run: "click"},
        {
            content: "Live chat tool",
            trigger: "#hotrush_chat:visible select[name='chat_tool']",
            run: "selectByLabel Zoom",
        },
        {
            content: "The chat ID is asked the way Zoom names it",
            trigger: "input[name='chat_contact'][placeholder='E-mail address (name@example.com)']",
        },
        {
            content: "Its label and example follow the tool",
            trigger: "#chat_contact_label:contains('E-mail address') ~ #chat_contact_hint:contains('name@example.com')",
        },
        {
            content: "The chat's time names the zone and the allowed hours",
            trigger: "label[for='chat_time']:contains('Europe/Moscow')",
        },
        {
            content: "The allowed hours of the chosen team",
            trigger: "#chat_time_hint .o_hotrush_promise:visible:contains('09:00-24:00')",
        },
        {
            content: "Chat ID",
            trigger: "input[name='chat_contact']",
            run: "edit rita@rushmore.example.com",
        },
        {
            // tomorrow 12:00 in the customer's (and the support's) zone: open every day
            content: "Preferred time",
            trigger: "input[name='chat_time']",
            run() {
                const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
                const day = new Intl.DateTimeFormat("en-CA", {
                    timeZone: "Europe/Moscow",
                    year: "numeric",
                    month: "2-digit",
                    day: "2-digit",
                }).format(tomorrow);
                this.anchor.value = `${day}T12:00`;
            },
        },
        {
            content: "Submit",
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ticket page shows HotRush and the planned chat",
            trigger: "#hotrush_card .o_hotrush_status:contains('answer by')",
        },
        {content: "Chat planned", trigger: "#hotrush_chat_planned:contains('Zoom')"},
    ],
});

tours.add("hotrush_portal_uncheck", {
    steps: () => [
        {
            content: "Uncheck before assignment",
            trigger: "button[name='hotrush_uncheck']",
            run: "click",
            expectUnloadPage: true,
        },
        {content: "Confirmation", trigger: "#hotrush_message:contains('unchecked')"},
        {content: "Ended", trigger: "#hotrush_card:contains('HotRush ended')"},
    ],
});

tours.add("hotrush_portal_withdraw", {
    steps: () => [
        {content: "No uncheck once assigned", trigger: "#hotrush_card:not(:has(button[name='hotrush_uncheck']))"},
        {content: "Reason", trigger: "form input[name='note']", run: "edit Found it ourselves"},
        {
            content: "Withdraw",
            trigger: "button[name='hotrush_withdraw']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation states the amount",
            trigger: "#hotrush_confirm:contains('billed at')",
        },
        {
            content: "Confirm",
            trigger: "button[name='hotrush_confirm']",
            run: "click",
            expectUnloadPage: true,
        },
        {content: "Confirmation", trigger: "#hotrush_message:contains('withdrawn')"},
    ],
});

tours.add("hotrush_portal_no_balance", {
    url: "/new/ticket",
    steps: () => [
        {content: "Checkbox disabled", trigger: "input[name='hotrush']:disabled"},
        {
            content: "The reason is shown",
            trigger: "#hotrush_unavailable:visible:contains('prepaid support')",
        },
    ],
});
