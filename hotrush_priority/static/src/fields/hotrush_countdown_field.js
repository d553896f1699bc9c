import { Component, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { formatDate, formatDateTime } from "@web/core/l10n/dates";
import { localization } from "@web/core/l10n/localization";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const MINUTE = 60 * 1000;
const TICK = 1000;

/**
 * A number of minutes as a short duration: "42 min", "1 h 05 min", "2 d 3 h".
 *
 * @param {number} minutes
 * @returns {string}
 */
export function formatMinutes(minutes) {
    if (minutes < 60) {
        return _t("%(minutes)s min", { minutes });
    }
    if (minutes < 24 * 60) {
        const hours = Math.floor(minutes / 60);
        const rest = minutes % 60;
        if (!rest) {
            return _t("%(hours)s h", { hours });
        }
        return _t("%(hours)s h %(minutes)s min", {
            hours,
            minutes: String(rest).padStart(2, "0"),
        });
    }
    const days = Math.floor(minutes / (24 * 60));
    const hours = Math.floor((minutes % (24 * 60)) / 60);
    if (!hours) {
        return _t("%(days)s d", { days });
    }
    return _t("%(days)s d %(hours)s h", { days, hours });
}

/**
 * Live countdown to a HotRush response deadline.
 *
 * It shows *wall-clock* time remaining until the stored deadline: the deadline itself
 * is already planned in the support calendar's working time (HR-11), so a ticket
 * requested at Fri 23:30 with a Sat 10:30 deadline shows "11 h left", not "1 h left".
 * States, from the record's hotrush_sla_status, hotrush_queued_until and
 * hotrush_first_response_at:
 * - queued (before the opening): "queued until Mon 10:00" (blue);
 * - running: "42 min left", green above the warning threshold (30 min by default),
 *   orange at or below it;
 * - past the deadline without a response: "overdue 12 min" (red);
 * - decided or ended (met, answered late, cancelled): a static text.
 * Queued and running are also derived from the clock, so the widget is right between
 * two runs of the scheduled action that updates the stored status.
 */
export class HotrushCountdownField extends Component {
    static template = "hotrush_priority.HotrushCountdownField";
    static props = {
        ...standardFieldProps,
        warningMinutes: { type: Number, optional: true },
    };
    static defaultProps = {
        warningMinutes: 30,
    };

    setup() {
        this.state = useState({ now: Date.now() });
        // Re-render only when what is shown changes (at most once a minute).
        const interval = browser.setInterval(() => {
            const now = Date.now();
            if (this.describe(now).key !== this.describe(this.state.now).key) {
                this.state.now = now;
            }
        }, TICK);
        onWillUnmount(() => browser.clearInterval(interval));
    }

    get info() {
        return this.describe(this.state.now);
    }

    get title() {
        const deadline = this.props.record.data[this.props.name];
        if (!deadline) {
            return "";
        }
        return _t("Response deadline: %(deadline)s", {
            deadline: formatDateTime(deadline),
        });
    }

    /**
     * What to show at a given instant.
     *
     * @param {number} now epoch milliseconds
     * @returns {{ state: string, text: string, className: string, live: boolean, key: string }}
     */
    describe(now) {
        const data = this.props.record.data;
        const deadline = data[this.props.name];
        const status = data.hotrush_sla_status;
        const fixed = (state, text, className) => ({
            state,
            text,
            className,
            live: false,
            key: state,
        });
        if (!deadline) {
            return fixed("none", "", "");
        }
        if (status === "met") {
            return fixed("met", _t("Answered in time"), "text-success");
        }
        if (status === "cancelled") {
            return fixed("cancelled", _t("Urgency ended"), "text-muted");
        }
        if (status === "breached" && data.hotrush_first_response_at) {
            return fixed("late", _t("Answered late"), "text-danger");
        }
        if (!status) {
            return fixed("none", formatDateTime(deadline), "");
        }
        const opening = data.hotrush_queued_until;
        if (opening && now < opening.toMillis()) {
            return {
                ...fixed(
                    "queued",
                    _t("queued until %(opening)s", {
                        opening: this.formatOpening(opening, now),
                    }),
                    "text-info"
                ),
                live: true,
            };
        }
        const left = deadline.toMillis() - now;
        if (left > 0) {
            const minutes = Math.ceil(left / MINUTE);
            const urgent = minutes <= this.props.warningMinutes;
            return {
                state: urgent ? "due_soon" : "running",
                text: _t("%(duration)s left", { duration: formatMinutes(minutes) }),
                className: urgent ? "text-warning fw-bold" : "text-success",
                live: true,
                key: `left-${minutes}-${urgent}`,
            };
        }
        const minutes = Math.max(1, Math.floor(-left / MINUTE));
        return {
            state: "overdue",
            text: _t("overdue %(duration)s", { duration: formatMinutes(minutes) }),
            className: "text-danger fw-bold",
            live: true,
            key: `overdue-${minutes}`,
        };
    }

    /**
     * "Mon 10:00" within the coming week, else the date and the time.
     *
     * @param {luxon.DateTime} opening
     * @param {number} now epoch milliseconds
     */
    formatOpening(opening, now) {
        const local = opening.setZone("default");
        const time = local.toFormat(localization.timeFormat.replace(":ss", ""));
        if (local.diff(luxon.DateTime.fromMillis(now), "days").days < 6) {
            return `${local.toFormat("ccc")} ${time}`;
        }
        return `${formatDate(local)} ${time}`;
    }
}

export const hotrushCountdownField = {
    component: HotrushCountdownField,
    displayName: _t("HotRush Countdown"),
    supportedTypes: ["datetime"],
    supportedOptions: [
        {
            label: _t("Warning threshold (minutes)"),
            name: "warning_minutes",
            type: "number",
        },
    ],
    fieldDependencies: [
        { name: "hotrush_sla_status", type: "selection" },
        { name: "hotrush_queued_until", type: "datetime" },
        { name: "hotrush_first_response_at", type: "datetime" },
    ],
    extractProps: ({ options }) => ({
        warningMinutes: options.warning_minutes,
    }),
};

registry.category("fields").add("hotrush_countdown", hotrushCountdownField);
