from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_installed_with_dependencies(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "hotrush_priority")]
        )
        self.assertEqual(module.state, "installed")
        deps = set(module.dependencies_id.mapped("name"))
        self.assertEqual(
            deps, {"helpdesk_mgmt", "resource", "account", "portal", "mail"}
        )
