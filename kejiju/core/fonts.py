"""The fonts of what the portal draws itself (PDFs by WeasyPrint, watermarks on handed-out files).

Every character a user may type is drawn from some font, never dropped: Noto CJK (Chinese, and the
Extension B characters it has, such as 𠮷), DejaVu Sans (Latin, Cyrillic, symbols), Symbola (symbols
outside those), HanaMin A/B (the rest of the CJK extensions: 𪚥 …). Emoji come from Noto Color Emoji,
which Pango picks for emoji runs by itself: named here, it would also take the digits (they are emoji
keycap bases) and draw them full width. The packages are in the Makefile's SYSTEM_PACKAGES and the
Dockerfile; tests/reporting/annual checks that no character is drawn as .notdef."""

from __future__ import annotations

FONT_STACK = "'Noto Sans CJK SC', 'DejaVu Sans', 'Symbola', 'HanaMinA', 'HanaMinB', sans-serif"

# Pillow draws with one font file (no fallback): the Simplified Chinese face of Noto Sans CJK first (its
# index in the collection), then other CJK faces Debian installs. Pillow finds a bare file name under the
# system's font directories.
PILLOW_CJK_FONTS = (
    ("NotoSansCJK-Regular.ttc", 2),
    ("NotoSerifCJK-Regular.ttc", 2),
    ("HanaMinA.ttf", 0),
)
