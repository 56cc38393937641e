"""docs/einvoices.md documents the one mapping table row by row: every EN 16931 term the reader
evaluates, with both XPaths, and every key data set field no term carries."""

from __future__ import annotations

from pathlib import Path

from gpid_node.domain.einvoices.mapping import CORRECTIVE_TYPE_CODES, CREDIT_NOTE_TYPE_CODES, NOT_IN_EN16931, SCOPES, TERMS, Term

DOC = (Path(__file__).resolve().parents[3] / "docs" / "einvoices.md").read_text(encoding="utf-8")


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def row(term: Term) -> str:
    """The term's row as docs/einvoices.md writes it."""
    notes = [*(["mandatory: refused when absent"] if term.required else []), *(["every occurrence"] if term.many else []),
             *([term.use] if term.use else [])]  # fmt: skip
    field = f"`{term.key_data_set}`" if term.key_data_set else "—"
    return f"| {term.bt} | {term.name} | `{term.attribute}` | {field} | `{cell(term.ubl)}` | `{cell(term.cii)}` | {cell('; '.join(notes))} |"


def test_every_term_has_its_row() -> None:
    missing = [term.bt for term in TERMS if row(term) not in DOC]
    assert missing == []


def test_every_scope_names_its_elements() -> None:
    for scope, (ubl, cii) in SCOPES.items():
        if scope != "document":
            assert f"UBL: `{cell(ubl)}`; CII: `{cell(cii)}`." in DOC, scope


def test_every_field_without_a_term_says_where_it_comes_from() -> None:
    for field, source in NOT_IN_EN16931.items():
        assert f"| `{field}` | {cell(source)} |" in DOC, field


def test_the_type_codes_of_credit_notes_and_corrective_invoices_are_listed() -> None:
    for code in CREDIT_NOTE_TYPE_CODES | CORRECTIVE_TYPE_CODES:
        assert f"`{code}`" in DOC, code


def test_the_row_check_sees_a_changed_xpath() -> None:
    term = TERMS[0]
    changed = Term(term.bt, term.name, term.scope, term.attribute, term.key_data_set, term.ubl + "x", term.cii, required=term.required)
    assert row(changed) not in DOC
