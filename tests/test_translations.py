"""Every string a person sees exists in Indonesian and English.

Two checks: no template has visible text outside a translation tag, and every
message that `makemessages` finds in the code has a finished Indonesian translation.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simpul"
ID_CATALOGUE = PACKAGE / "web" / "locale" / "id" / "LC_MESSAGES" / "django.po"
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "value", "label"}
# Words that are the same in both languages: names of standards, products and languages.
UNTRANSLATED_WORDS = {
    "Simpul",
    "API",
    "OAI-PMH",
    "SRU",
    "ISO",
    "Bahasa",
    "Indonesia",
    "English",
    "MARC",
    "MARCXML",
    "RIS",
    "BibTeX",
    "CSV",
    "PDF",
    "ISBN",
    "ISSN",
    "DOI",
    "URL",
    "QR",
}
TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
BLOCK_TRANSLATE = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S
)
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|<!--.*?-->", re.S)


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and not (tag == "input" and name == "value"):
                self.found.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.found.append(data)


def untranslated_text(source: str) -> list[str]:
    source = COMMENT.sub("", source)
    source = BLOCK_TRANSLATE.sub("\x00", source)
    source = TAG.sub("\x00", source)
    parser = VisibleText()
    parser.feed(source)
    problems = []
    for text in parser.found:
        for chunk in text.split("\x00"):
            words = re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", chunk)
            if any(w not in UNTRANSLATED_WORDS for w in words):
                problems.append(chunk.strip())
    return problems


TEMPLATES = sorted(p for p in PACKAGE.rglob("templates/**/*") if p.suffix in {".html", ".txt"})


def test_the_checker_catches_unmarked_text() -> None:
    assert untranslated_text("<p>Hello</p>") == ["Hello"]
    assert untranslated_text('<img alt="A logo">') == ["A logo"]
    assert untranslated_text("<p>{% translate 'Hello' %}</p>") == []
    assert untranslated_text("<p>{% blocktranslate %}Hi {{ x }}{% endblocktranslate %}</p>") == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_template_has_no_text_outside_translation_tags(template: Path) -> None:
    if template.suffix == ".txt":
        source = template.read_text()
        # Plain-text (e-mail) templates: every line with words must be a tag.
        leftovers = [
            line
            for line in TAG.sub("", BLOCK_TRANSLATE.sub("", source)).splitlines()
            if re.search(r"[A-Za-z]{2,}", line)
        ]
        assert leftovers == []
        return
    assert untranslated_text(template.read_text()) == []


def test_every_message_has_an_indonesian_translation(tmp_path: Path) -> None:
    """Extract messages from a copy of the code (as `make messages` does) and look each up."""
    copy = tmp_path / "simpul"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "*.po", "__pycache__"))
    locale = str(copy / "web" / "locale")
    (tmp_path / "extract_settings.py").write_text(
        f"SECRET_KEY = 'x' * 50\nUSE_I18N = True\nLOCALE_PATHS = [{locale!r}]\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale",
            "id",
            "--no-location",
            "--ignore",
            "static/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "PYTHONPATH": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "extract_settings",
        },
    )
    extracted = polib.pofile(str(copy / "web" / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    ours = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(ID_CATALOGUE))}
    missing = []
    for entry in extracted:
        mine = ours.get((entry.msgctxt, entry.msgid))
        if mine is None or "fuzzy" in mine.flags or not mine.translated():
            missing.append(entry.msgid)
    assert missing == [], (
        f"{len(missing)} messages lack an Indonesian translation: run `make messages`"
    )
    # xgettext keeps Python's \u escapes as they are written, so a message written with
    # one never matches its translation at run time: write the character itself.
    escaped = [entry.msgid for entry in extracted if "\\u" in entry.msgid]
    assert escaped == []
