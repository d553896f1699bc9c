import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { BadgeField, badgeField } from "@web/views/fields/badge/badge_field";

/**
 * The colour of each HotRush SLA status; other values (cancelled) keep the
 * badge's neutral grey.
 */
export const SLA_STATUS_DECORATIONS = {
    queued: "info",
    running: "warning",
    met: "success",
    breached: "danger",
};

/**
 * A HotRush SLA status (of a ticket, or of the SLA analysis) as a badge coloured
 * by its value, so that views need no decoration-* attributes.
 */
export class HotrushSlaBadgeField extends BadgeField {
    get badgeClass() {
        const decoration = SLA_STATUS_DECORATIONS[this.props.record.data[this.props.name]];
        return decoration ? `text-bg-${decoration}` : super.badgeClass;
    }
}

export const hotrushSlaBadgeField = {
    ...badgeField,
    component: HotrushSlaBadgeField,
    displayName: _t("HotRush SLA Status"),
    supportedTypes: ["selection"],
};

registry.category("fields").add("hotrush_sla_badge", hotrushSlaBadgeField);
