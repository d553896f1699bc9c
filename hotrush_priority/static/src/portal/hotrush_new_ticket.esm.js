// The urgent (HotRush) checkbox of the portal's new-ticket form: it is disabled,
// with the reason, when the chosen team or category does not admit HotRush; the
// promise shown (hours, answer time, price, chat hours) is the chosen team's, among
// those the server rendered into the page; the live chat fields show only for urgent
// tickets. The live chat fields, on this form and on the ticket page, ask for the ID
// the way the chosen tool names it. The server applies the same rules.
import {registry} from "@web/core/registry";
import {_t} from "@web/core/l10n/translation";
import {Interaction} from "@web/public/interaction";

export class HotrushNewTicket extends Interaction {
    static selector = "form[action='/submitted/ticket']";
    static selectorHas = "input[name='hotrush']";

    dynamicContent = {
        "select[name='team'], select[name='category']": {
            "t-on-change": this.onChangeScope,
        },
        "input[name='hotrush']": {
            "t-on-change": this.onChangeUrgent,
            "t-att-disabled": () => Boolean(this.reason),
        },
        "#hotrush_unavailable": {
            "t-att-style": () => ({display: this.notice ? undefined : "none"}),
            "t-out": () => this.notice,
        },
        ".o_hotrush_promise": {
            "t-att-style": (el) => ({
                display: el.dataset.hotrushTeam === this.teamKey ? undefined : "none",
            }),
        },
        "#hotrush_chat": {
            "t-att-style": () => ({display: this.urgent ? undefined : "none"}),
        },
    };

    setup() {
        this.checkboxEl = this.el.querySelector("input[name='hotrush']");
        // the server's refusal (no support balance, ...) outranks the form's choices
        this.balanceReason =
            this.el.querySelector("#hotrush_unavailable")?.dataset.reason || "";
        this.onChangeScope();
    }

    /**
     * Why HotRush cannot be chosen with the form's current team and category, or "".
     * A team's reason is its promise (which names the teams offering HotRush); the
     * balance's and the category's show in the form's notice.
     *
     * @returns {{reason: string, notice: string}}
     */
    computeReason() {
        if (this.balanceReason) {
            return {reason: this.balanceReason, notice: this.balanceReason};
        }
        const category = this.selectedOption("category");
        const categoryReason =
            (category?.value && category.dataset.hotrushReason) || "";
        if (categoryReason) {
            return {reason: categoryReason, notice: categoryReason};
        }
        const team = this.selectedOption("team");
        if (team?.value && team.dataset.hotrushOffered === "0") {
            return {reason: "team", notice: ""};
        }
        return {reason: "", notice: ""};
    }

    onChangeScope() {
        const team = this.selectedOption("team");
        this.teamKey = team?.value || "";
        if (!this.el.querySelector(`.o_hotrush_promise[data-hotrush-team='${this.teamKey}']`)) {
            this.teamKey = ""; // no promise of its own: the default team answers
        }
        ({reason: this.reason, notice: this.notice} = this.computeReason());
        if (this.reason) {
            this.checkboxEl.checked = false;
        }
        this.urgent = this.checkboxEl.checked;
    }

    onChangeUrgent() {
        this.urgent = this.checkboxEl.checked;
    }

    /**
     * @param {string} name the name of a select of the form
     * @returns {HTMLOptionElement|null}
     */
    selectedOption(name) {
        const select = this.el.querySelector(`select[name='${name}']`);
        return select?.selectedOptions[0] || null;
    }
}

export class HotrushChatFields extends Interaction {
    static selector = ".o_hotrush_chat_fields";

    dynamicContent = {
        "select[name='chat_tool']": {
            "t-on-change": this.onChangeChatTool,
        },
        "input[name='chat_contact']": {
            "t-att-placeholder": () => this.chatPlaceholder,
        },
        "#chat_contact_label": {
            "t-out": () => this.chatLabel,
        },
        "#chat_contact_hint": {
            "t-out": () => this.chatHint,
        },
    };

    setup() {
        this.onChangeChatTool();
    }

    onChangeChatTool() {
        // "Your ID on that tool" until a tool is chosen, then what that tool calls it
        const tool = this.el.querySelector("select[name='chat_tool']")
            ?.selectedOptions[0];
        if (!tool?.value) {
            this.chatPlaceholder = Interaction.INITIAL_VALUE;
            this.chatLabel = Interaction.INITIAL_VALUE;
            this.chatHint = "";
            return;
        }
        const {idLabel, idExample} = tool.dataset;
        this.chatPlaceholder = idExample ? `${idLabel} (${idExample})` : idLabel;
        this.chatLabel = idLabel;
        this.chatHint = idExample ? _t("e.g. %(example)s", {example: idExample}) : "";
    }
}

registry
    .category("public.interactions")
    .add("hotrush_priority.new_ticket", HotrushNewTicket)
    .add("hotrush_priority.chat_fields", HotrushChatFields);
