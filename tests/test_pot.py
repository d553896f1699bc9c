"""The committed translation template holds every translatable string (HR-70).

The terms are exported with ``odoo i18n export`` from a copy of the test database, where
the addon is installed, and compared with hotrush_priority/i18n/hotrush_priority.pot.
``scripts/update-pot`` regenerates that file.
"""

import pathlib
import subprocess

import polib

POT = (
    pathlib.Path(__file__).resolve().parent.parent
    / "hotrush_priority"
    / "i18n"
    / "hotrush_priority.pot"
)


def test_pot_has_every_translatable_string(odoo_cmd, db_copy, tmp_path):
    assert POT.is_file(), f"{POT} is missing: run scripts/update-pot"
    exported = tmp_path / "export.pot"
    run = subprocess.run(
        [
            *odoo_cmd("i18n", "export"),
            "-d",
            db_copy,
            "-l",
            "pot",
            "-o",
            str(exported),
            "hotrush_priority",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    terms = [entry for entry in polib.pofile(str(exported)) if entry.msgid]
    assert terms, "the export has no terms"
    committed = {entry.msgid for entry in polib.pofile(str(POT))}
    missing = [entry for entry in terms if entry.msgid not in committed]
    assert not missing, (
        f"{len(missing)} translatable string(s) missing from "
        "hotrush_priority/i18n/hotrush_priority.pot (run scripts/update-pot):\n"
        + "\n".join(
            f"  {entry.msgid!r}  ({', '.join(o for o, _line in entry.occurrences)})"
            for entry in missing
        )
    )
