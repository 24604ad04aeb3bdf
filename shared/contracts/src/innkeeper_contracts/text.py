"""The one rule for text on the wire: no control or format characters.

A NUL is refused by PostgreSQL (text and jsonb alike); bidi overrides and zero-width characters make a
name show other than it reads; lone surrogates cannot be encoded at all. So every text field of every
contract refuses the Unicode categories Cc (controls), Cf (format characters) and Cs (surrogates); free
text keeps tab, line feed and carriage return, one-line text (names) also refuses them and the line and
paragraph separators (Zl, Zp). Python's Unicode database is the list of which character is which.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

_REFUSED = frozenset({"Cc", "Cf", "Cs"})
_LINE_BREAKS = frozenset({"Zl", "Zp"})
_TEXT_WHITESPACE = frozenset("\t\n\r")


def _refused(character: str, *, multiline: bool) -> bool:
    category = unicodedata.category(character)
    if multiline:
        return category in _REFUSED and character not in _TEXT_WHITESPACE
    return category in _REFUSED or category in _LINE_BREAKS


def first_refused(value: str, *, multiline: bool) -> int | None:
    """Index of the first character the rule refuses in `value`, or None when it is clean."""
    if value.isprintable():  # C speed; only Cc, Cf, Cs, Co, Cn and Z* other than " " are not printable
        return None
    return next((i for i, char in enumerate(value) if _refused(char, multiline=multiline)), None)


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}".rstrip()


@cache
def _pattern(multiline: bool) -> str:
    """The rule as a JSON Schema pattern, for the Basic Multilingual Plane: an ECMA-262 pattern (without
    the `u` flag) sees astral characters as surrogate pairs, so it can name neither them nor surrogates."""
    refused = [code for code in range(0x10000) if _refused(chr(code), multiline=multiline)]
    ranges: list[tuple[int, int]] = []
    for code in refused:
        if 0xD800 <= code <= 0xDFFF:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    parts = "".join(f"\\u{low:04x}" + (f"-\\u{high:04x}" if high > low else "") for low, high in ranges)
    return f"^[^{parts}]*$"


@dataclass(frozen=True)
class TextRule:
    """Put in `Annotated[str, ...]`: checks the rule (a field-level error naming the character and where it
    is) and states it in the JSON Schema (a pattern and a description)."""

    multiline: bool

    def check(self, value: Any) -> Any:
        """Checks the text as sent, before any stripping: what the schema's pattern says is what holds."""
        if not isinstance(value, str):
            return value  # the string schema inside says what is wrong with it
        index = first_refused(value, multiline=self.multiline)
        if index is None:
            return value
        character = value[index]
        context = {"character": _describe(character), "index": index}
        if not self.multiline and (
            character in _TEXT_WHITESPACE or unicodedata.category(character) in _LINE_BREAKS
        ):
            raise PydanticCustomError(
                "text_not_one_line", "must be one line: contains {character} at index {index}", context
            )
        raise PydanticCustomError(
            "text_control_character",
            "contains a control or format character {character} at index {index}",
            context,
        )

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = _pattern(self.multiline)
        json_schema.setdefault("description", self.description)
        return json_schema

    @property
    def description(self) -> str:
        refused = "no control, format or surrogate characters (Unicode Cc, Cf, Cs)"
        if self.multiline:
            return f"Text: {refused} but tab and line breaks."
        return f"One line of text: {refused}, tabs or line breaks."


ONE_LINE = TextRule(multiline=False)
"""Names, codes, subjects: no control, format or line-break characters at all."""
MULTI_LINE = TextRule(multiline=True)
"""Free text (a cancellation reason): as ONE_LINE, but tabs and line breaks are text."""
