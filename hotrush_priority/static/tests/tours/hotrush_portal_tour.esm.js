/** @odoo-module **/
// Portal tours of HotRush, run by tests/test_portal_tour.py in headless Chromium.
import {registry} from "@web/core/registry";

const tours = registry.category("web_tour.tours");

// the HotRush parts of the portal's pages, and the closing buttons (closing bills)
const HOTRUSH_PARTS =
    ".o_hotrush_offer, #hotrush_card, #hotrush_chat_card, div[name='ticket_close_buttons']";
const TOUCH_TARGETS =
    "button, a.btn, input:not([type='hidden']):not([type='checkbox']), select, .form-check";
const MIN_TARGET = 44; // px, WCAG 2.5.5

/**
 * Fails the tour when the page scrolls sideways, when a control of HotRush is a
 * smaller touch target than 44 px on a phone, or when a range or time meant to stay
 * on one line (".text-nowrap") is broken across lines.
 */
function checkLayout() {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
        problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    }
    const phone = window.innerWidth < 768;
    // the ticket list: its table fits the screen, no HotRush status cut off
    for (const table of document.querySelectorAll(".table-responsive:has(th[name='th_hotrush'])")) {
        if (table.scrollWidth > table.clientWidth) {
            problems.push(`the ticket list scrolls sideways: ${table.scrollWidth} > ${table.clientWidth}`);
        }
    }
    for (const cell of document.querySelectorAll("[name='th_hotrush'], [name='td_hotrush']")) {
        if (cell.scrollWidth > cell.clientWidth) {
            problems.push(`a HotRush cell is cut off: "${cell.textContent.trim()}"`);
        }
    }
    for (const part of document.querySelectorAll(HOTRUSH_PARTS)) {
        const visible = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden";
        if (!visible(part)) {
            continue;
        }
        for (const el of part.querySelectorAll(TOUCH_TARGETS)) {
            const rect = el.getBoundingClientRect();
            if (phone && visible(el) && Math.min(rect.height, rect.width) < MIN_TARGET) {
                problems.push(
                    `${el.name || el.id || el.className} is ${Math.round(rect.width)}x${Math.round(rect.height)} px`
                );
            }
        }
        for (const el of part.querySelectorAll(".text-nowrap")) {
            if (visible(el) && el.getClientRects().length > 1) {
                problems.push(`"${el.textContent}" is broken across lines`);
            }
        }
    }
    if (problems.length) {
        throw new Error(`Layout (${window.innerWidth} px wide): ${problems.join("; ")}`);
    }
}

function layoutStep(content) {
    return {content: `Layout: ${content}`, trigger: "body", run: checkLayout};
}

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
        layoutStep("the new-ticket form"),
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
            content: "The promise of the support team: its hours and the price in money",
            trigger: ".o_hotrush_promise:visible:contains('09:00-24:00'):contains('/h instead of')",
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
            content: "The zone is named once, by the promise; the chat's time refers to it",
            trigger: "label[for='chat_time']:contains('your time zone')",
        },
        {
            content: "The form names the zone",
            trigger: "#hotrush_explanation #hotrush_tz:contains('Europe/Moscow')",
        },
        layoutStep("the new-ticket form with the live chat"),
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
        layoutStep("the ticket page"),
    ],
});

tours.add("hotrush_portal_new_urgent_own_calendar", {
    url: "/new/ticket",
    steps: () => [
        {
            content: "Pick the team with its own calendar",
            trigger: "select[name='team']",
            run: "selectByLabel Hosting Support",
        },
        {
            content: "Its promise, not the default team's: its hours and target",
            trigger: ".o_hotrush_promise:visible:contains('09:00-18:00'):contains('2 hours'):not(:contains('09:00-24:00'))",
        },
        {
            content: "When a request sent now is answered, or why it waits",
            trigger: ".o_hotrush_promise:visible strong:contains('answered by')",
        },
        {
            content: "Pick a category",
            trigger: "select[name='category']",
            run: "selectByLabel Store errors",
        },
        {content: "Subject", trigger: "input[name='subject']", run: "edit Hosting is down"},
        {
            content: "Description",
            trigger: "textarea[name='description']",
            run: "edit The server does not answer.",
        },
        {content: "Mark as urgent", trigger: "input[name='hotrush']:enabled", run: "click"},
        layoutStep("the new-ticket form, urgent"),
        {
            content: "Submit",
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ticket page tells the answer time of that team",
            trigger: "#hotrush_card .o_hotrush_status:contains('answer by')",
        },
        layoutStep("the ticket page"),
    ],
});

tours.add("hotrush_portal_uncheck", {
    steps: () => [
        layoutStep("the ticket page, before unchecking"),
        {
            content: "Uncheck before assignment",
            trigger: "button[name='hotrush_uncheck']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation states the rate that applies",
            trigger: "#hotrush_confirm:contains('The normal rate applies')",
        },
        {
            content: "Confirm",
            trigger: "button[name='hotrush_confirm']",
            run: "click",
            expectUnloadPage: true,
        },
        {content: "Confirmation", trigger: "#hotrush_message:contains('unchecked')"},
        {content: "Ended", trigger: "#hotrush_card:contains('HotRush ended')"},
    ],
});

tours.add("hotrush_portal_uncheck_cancels_chat", {
    steps: () => [
        {content: "A live chat is planned", trigger: "#hotrush_chat_planned:contains('Zoom')"},
        layoutStep("the ticket page with its chat"),
        {
            content: "Uncheck before assignment",
            trigger: "button[name='hotrush_uncheck']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation says the chat is cancelled too",
            trigger: "#hotrush_confirm:contains('live chat is cancelled too')",
        },
        layoutStep("the confirmation"),
        {
            content: "Confirm",
            trigger: "button[name='hotrush_confirm']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The customer is told the chat is cancelled",
            trigger: "#hotrush_message:contains('unchecked'):contains('Zoom'):contains('is cancelled')",
        },
        {content: "No chat planned any more", trigger: "body:not(:has(#hotrush_chat_planned))"},
        {content: "Ended", trigger: "#hotrush_card:contains('HotRush ended')"},
    ],
});

tours.add("hotrush_portal_withdraw_after_closing", {
    steps: () => [
        {
            content: "A closed ticket offers only the withdrawal",
            trigger: "#hotrush_card:has(button[name='hotrush_withdraw']):not(:has(button[name='hotrush_uncheck'])):not(:has(button[name='hotrush_request']))",
        },
        {content: "No live chat after closing", trigger: "body:not(:has(#hotrush_chat_form))"},
        layoutStep("the closed ticket's page"),
        {
            content: "Withdraw",
            trigger: "button[name='hotrush_withdraw']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation states the amount that returns to the balance",
            trigger: "#hotrush_confirm:contains('returns to your balance')",
        },
        layoutStep("the confirmation"),
        {
            content: "Confirm",
            trigger: "button[name='hotrush_confirm']",
            run: "click",
            expectUnloadPage: true,
        },
        {content: "Withdrawn", trigger: "#hotrush_message:contains('withdrawn')"},
        {
            content: "Nothing left to do",
            trigger: "#hotrush_card:not(:has(button))",
        },
    ],
});

tours.add("hotrush_portal_layout", {
    steps: () => [
        {content: "The page is shown", trigger: ".o_portal_wrap, #wrap"},
        layoutStep("the page"),
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
