"""Every rule id (``HR-n``) the code cites resolves in docs/requirements.md."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CITED = re.compile(r"\bHR-(\d+)\b")
SOURCES = ("hotrush_priority", "tests", "scripts")
SUFFIXES = {".py", ".xml", ".js", ".md", ".sh", ""}


def cited_ids():
    ids = {}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            if path.name == pathlib.Path(__file__).name:
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            for number in CITED.findall(text):
                ids.setdefault(int(number), path.relative_to(ROOT))
    return ids


def test_every_cited_rule_is_written_down():
    written = {
        int(n)
        for n in re.findall(
            r"^- HR-(\d+) ",
            (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    }
    cited = cited_ids()
    assert cited, "no rule id found: the scan is broken"
    missing = {f"HR-{n}": str(path) for n, path in cited.items() if n not in written}
    assert not missing, f"cited but not in docs/requirements.md: {missing}"
