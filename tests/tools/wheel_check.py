"""Checks of the addon's wheel, run by ``scripts/build-wheel``.

Each sub-command prints what it finds and exits non-zero when something is not as
expected::

    python tests/tools/wheel_check.py readme-title MANIFEST
    python tests/tools/wheel_check.py contents WHEEL STAGED_ADDON_DIR
    python tests/tools/wheel_check.py requirements
    python tests/tools/wheel_check.py addons-path ODOO_CONF ADDONS_DIR REPO

``readme-title`` and ``contents`` need only the standard library (the build venv runs
them); ``requirements`` and ``addons-path`` run in the venv the wheel is installed in,
``addons-path`` with Odoo importable there.
"""

import ast
import email.parser
import os
import pathlib
import sys
import zipfile

DIST_NAME = "odoo-addon-hotrush_priority"
EXPECTED_REQUIRES = ["odoo-addon-helpdesk_mgmt==19.0.*", "odoo==19.0.*"]


def readme_title(manifest):
    """The first line of the generated README: the manifest's name as a heading."""
    print("# " + ast.literal_eval(pathlib.Path(manifest).read_text())["name"])
    return 0


def contents(wheel, stage):
    """Metadata and the same files as the stage (pyproject.toml excepted)."""
    wheel, stage = pathlib.Path(wheel), pathlib.Path(stage)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode())
    prefix = "odoo/addons/hotrush_priority/"
    packaged = {n[len(prefix) :] for n in names if n.startswith(prefix)}
    staged = {str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file()}
    staged -= {"pyproject.toml"}
    requires = sorted(meta.get_all("Requires-Dist") or [])
    print(f"  {meta['Name']} {meta['Version']}: {len(packaged)} files")
    print(f"  Requires-Dist: {', '.join(requires)}")
    errors = []
    if meta["Name"] != DIST_NAME:
        errors.append(f"name {meta['Name']}")
    manifest = ast.literal_eval((stage / "__manifest__.py").read_text())
    if meta["Version"] != manifest["version"]:
        errors.append(f"version {meta['Version']} != manifest {manifest['version']}")
    if requires != EXPECTED_REQUIRES:
        errors.append(f"Requires-Dist {requires}")
    if packaged != staged:
        errors.append(
            f"files missing: {sorted(staged - packaged)}, "
            f"extra: {sorted(packaged - staged)}"
        )
    for error in errors:
        print(f"  unexpected {error}", file=sys.stderr)
    return int(bool(errors))


def requirements():
    """The wheel's own requirements are met in this environment."""
    from importlib import metadata

    try:
        from packaging.requirements import Requirement
    except ImportError:
        from pip._vendor.packaging.requirements import Requirement

    ok = True
    for line in metadata.requires(DIST_NAME) or []:
        req = Requirement(line)
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            version = None
        met = version is not None and req.specifier.contains(version, prereleases=True)
        ok = ok and met
        found = f"found {version}" if version else "missing"
        print(f"  requires {req}: {found}{'' if met else '   <-- not met'}")
    return int(not ok)


def addons_path(conf, addons_dir, repo):
    """Odoo, with configuration ``conf``, finds both addons in ``addons_dir``."""
    from odoo.tools import config

    config.parse_config(["-c", conf], setup_logging=False)
    from odoo.modules.module import get_module_path, initialize_sys_path

    initialize_sys_path()
    ok = True
    for name in ("hotrush_priority", "helpdesk_mgmt"):
        path = os.path.realpath(get_module_path(name))
        good = path == os.path.join(os.path.realpath(addons_dir), name)
        ok = ok and good and not path.startswith(repo + os.sep)
        print(f"  {name}: {path}{'' if good else '   <-- not from the wheel venv'}")
    return int(not ok)


COMMANDS = {
    "readme-title": readme_title,
    "contents": contents,
    "requirements": requirements,
    "addons-path": addons_path,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(COMMANDS)}}} ARGS...")
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
