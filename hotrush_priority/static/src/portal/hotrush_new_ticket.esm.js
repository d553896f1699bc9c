// The urgent (HotRush) checkbox of the portal's new-ticket form: it is disabled,
// with the reason, when the chosen team or category does not admit HotRush; the live
// chat fields show only for urgent tickets. The server applies the same rules.
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
            "t-att-style": () => ({display: this.reason ? undefined : "none"}),
            "t-out": () => this.reason,
        },
        "#hotrush_chat": {
            "t-att-style": () => ({display: this.urgent ? undefined : "none"}),
        },
        "select[name='chat_tool']": {
            "t-on-change": this.onChangeChatTool,
        },
        "input[name='chat_contact']": {
            "t-att-placeholder": () => this.chatPlaceholder,
        },
    };

    setup() {
        this.checkboxEl = this.el.querySelector("input[name='hotrush']");
        // the server's refusal (no support balance, ...) outranks the form's choices
        this.balanceReason =
            this.el.querySelector("#hotrush_unavailable")?.dataset.reason || "";
        this.onChangeScope();
        this.onChangeChatTool();
    }

    /**
     * Why HotRush cannot be chosen with the form's current team and category, or "".
     *
     * @returns {string}
     */
    computeReason() {
        if (this.balanceReason) {
            return this.balanceReason;
        }
        const team = this.selectedOption("team");
        if (team?.value && team.dataset.hotrushOffered === "0") {
            return _t("HotRush is not offered by this team.");
        }
        const category = this.selectedOption("category");
        if (category?.value && category.dataset.hotrushNotEligible === "1") {
            return _t("HotRush is not available for this category of questions.");
        }
        return "";
    }

    onChangeScope() {
        this.reason = this.computeReason();
        if (this.reason) {
            this.checkboxEl.checked = false;
        }
        this.urgent = this.checkboxEl.checked;
    }

    onChangeUrgent() {
        this.urgent = this.checkboxEl.checked;
    }

    onChangeChatTool() {
        // "Your ID on that tool" until a tool is chosen, then what that tool calls it
        const tool = this.selectedOption("chat_tool");
        if (!tool?.value) {
            this.chatPlaceholder = Interaction.INITIAL_VALUE;
        } else if (tool.dataset.idExample) {
            this.chatPlaceholder = `${tool.dataset.idLabel} (${tool.dataset.idExample})`;
        } else {
            this.chatPlaceholder = tool.dataset.idLabel;
        }
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

registry
    .category("public.interactions")
    .add("hotrush_priority.new_ticket", HotrushNewTicket);
