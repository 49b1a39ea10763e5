"""The Chinese catalogue is complete: no untranslated or fuzzy entry, no string left out."""

import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP_PARTS = {
    ".venv",
    "tests",
    "migrations",
    "bench",
    "node_modules",
    "staticfiles",
    ".git",
}
PY_CALL = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|pgettext_lazy|pgettext)\(\s*(?:"[^"]*",\s*)?"((?:[^"\\\n]|\\.)*)"(\s*["'])?"""
)
TEMPLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+"((?:[^"\\]|\\.)*)"|\{%\s*(?:translate|trans)\s+'([^']*)'"""
)


def project_files(suffix: str):
    for path in ROOT.rglob(f"*{suffix}"):
        if not SKIP_PARTS & set(path.relative_to(ROOT).parts):
            yield path


def catalogues():
    return [polib.pofile(str(p)) for p in project_files(".po") if "zh_Hans" in p.parts]


def test_every_catalogue_entry_is_translated_and_not_fuzzy():
    problems = []
    for po in catalogues():
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{po.fpath}: fuzzy: {entry.msgid}")
            elif not entry.translated():
                problems.append(f"{po.fpath}: untranslated: {entry.msgid}")
    assert not problems, "\n".join(problems)


def test_every_marked_string_has_a_chinese_translation():
    translated = set()
    for po in catalogues():
        translated |= {e.msgid for e in po if e.translated() and not e.obsolete}
    missing = []
    for path in project_files(".py"):
        for match in PY_CALL.finditer(path.read_text(encoding="utf-8")):
            if match.group(
                2
            ):  # implicitly concatenated literal: checked by makemessages
                continue
            text = (
                match.group(1)
                .encode()
                .decode("unicode_escape")
                .encode("latin-1")
                .decode("utf-8")
            )
            if text and text not in translated:
                missing.append(f"{path.relative_to(ROOT)}: {text}")
    for path in project_files(".html"):
        for match in TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1) or match.group(2)
            if text and text not in translated:
                missing.append(f"{path.relative_to(ROOT)}: {text}")
    assert not missing, "Strings without a zh_Hans translation:\n" + "\n".join(
        sorted(set(missing))
    )
