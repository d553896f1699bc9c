/** @odoo-module **/
// The urgent (HotRush) checkbox of the portal's new-ticket form: it is disabled,
// with the reason, when the chosen team or category does not admit HotRush; the live
// chat fields show only for urgent tickets. The server applies the same rules.
import {_t} from "@web/core/l10n/translation";
import publicWidget from "@web/legacy/js/public/public_widget";

publicWidget.registry.HotrushNewTicket = publicWidget.Widget.extend({
    selector: "form[action='/submitted/ticket']",
    events: {
        "change select[name='category']": "_refresh",
        "change select[name='team']": "_refresh",
        "change input[name='hotrush']": "_refresh",
        "change select[name='chat_tool']": "_onChangeTool",
    },

    start() {
        this.checkbox = this.el.querySelector("input[name='hotrush']");
        this.notice = this.el.querySelector("#hotrush_unavailable");
        this.chat = this.el.querySelector("#hotrush_chat");
        this.balanceReason = this.notice ? this.notice.dataset.reason : "";
        this._refresh();
        this._onChangeTool();
        return this._super(...arguments);
    },

    _selected(name) {
        const select = this.el.querySelector(`select[name='${name}']`);
        return select && select.selectedOptions.length ? select.selectedOptions[0] : null;
    },

    _reason() {
        if (this.balanceReason) {
            return this.balanceReason;
        }
        const team = this._selected("team");
        if (team && team.value && team.dataset.hotrushOffered === "0") {
            return _t("HotRush is not offered by this team.");
        }
        const category = this._selected("category");
        if (category && category.value && category.dataset.hotrushNotEligible === "1") {
            return _t("HotRush is not available for this category of questions.");
        }
        return "";
    },

    _refresh() {
        if (!this.checkbox) {
            return;
        }
        const reason = this._reason();
        this.checkbox.disabled = Boolean(reason);
        if (reason) {
            this.checkbox.checked = false;
        }
        if (this.notice) {
            this.notice.textContent = reason;
            this.notice.style.display = reason ? "" : "none";
        }
        if (this.chat) {
            this.chat.style.display = this.checkbox.checked ? "" : "none";
        }
    },

    _onChangeTool() {
        const tool = this._selected("chat_tool");
        const contact = this.el.querySelector("input[name='chat_contact']");
        if (tool && contact && tool.value) {
            contact.placeholder = tool.dataset.idExample
                ? `${tool.dataset.idLabel} (${tool.dataset.idExample})`
                : tool.dataset.idLabel;
        }
    },
});
