# Copyright 2026 hotrush_priority contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk HotRush Priority",
    "summary": "Urgent double-rate support tier with a working-hours response deadline",
    "version": "19.0.1.3.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "hotrush_priority contributors",
    "website": "https://github.com/hotrush-priority/hotrush_priority",
    "depends": ["helpdesk_mgmt", "resource", "account", "portal", "mail"],
    "external_dependencies": {"python": []},
    "data": [
        "security/ir.model.access.csv",
        "security/hotrush_security.xml",
        "data/mail_activity_type_data.xml",
        "data/hotrush_chat_tool_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_category_views.xml",
        "views/res_config_settings_views.xml",
        "report/hotrush_sla_report_views.xml",
        "views/hotrush_event_views.xml",
        "views/helpdesk_ticket_templates.xml",
        "views/message_templates.xml",
        "views/portal_support_balance_templates.xml",
        "views/support_balance_views.xml",
        "views/hotrush_chat_tool_views.xml",
        "wizards/hotrush_remove_wizard_views.xml",
        "wizards/hotrush_chat_held_wizard_views.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/hotrush_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "hotrush_priority/static/src/fields/**/*",
        ],
        "web.assets_frontend": [
            "hotrush_priority/static/src/portal/**/*",
        ],
        "web.assets_tests": [
            "hotrush_priority/static/tests/tours/**/*",
        ],
        "web.assets_unit_tests": [
            "hotrush_priority/static/tests/**/*.test.js",
        ],
    },
    "installable": True,
    "application": False,
}
