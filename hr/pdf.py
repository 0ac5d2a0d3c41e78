"""The product's PDF documents (the right-of-access extract, the EASY sheet): A4, Danish, with
the page number in the footer and one font set-up."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

# Debian's DejaVu (a dependency of chromium) covers any name; without it the PDF falls back to a
# built-in font, which knows Danish letters but not every alphabet.
FONTS = Path("/usr/share/fonts/truetype/dejavu")


class Document(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.unicode = (FONTS / "DejaVuSans.ttf").exists() and (FONTS / "DejaVuSans-Bold.ttf").exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.family = "DejaVu" if self.unicode else "Helvetica"
        self.set_auto_page_break(True, margin=15)
        self.set_margins(18, 18, 18)
        self.set_title(title)
        self.set_lang("da")
        self.set_creator("HR Socialområdet")

    def clean(self, text: str) -> str:
        """Text the font can write: a letter the built-in font lacks becomes "?" instead of an error."""
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, f"Side {self.page_no()}", align="R")

    def heading(self, text: str, size: int) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def paragraph(self, text: str, size: int = 9) -> None:
        self.set_font(self.family, "", size)
        self.multi_cell(0, 5, self.clean(text), new_x="LMARGIN", new_y="NEXT")
