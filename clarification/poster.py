"""The printable A4 poster with a workplace's QR code for anonymous input (a PDF)."""

import datetime
import io

import segno
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, SimpleDocTemplate, Spacer

BRAND = colors.HexColor("#003b5c")
BAND_HEIGHT = 24 * mm
QR_SIZE = 84 * mm


class QrCode(Flowable):
    """A QR code drawn as vector squares, so it prints sharp at any size."""

    def __init__(self, data: str, size: float):
        super().__init__()
        # Level M survives a creased or slightly dirty poster; segno picks the version.
        self.matrix = [list(row) for row in segno.make(data, error="m").matrix_iter(border=4)]
        self.size = size
        self.hAlign = "CENTER"

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        canvas = self.canv
        count = len(self.matrix)
        module = self.size / count
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for row_number, row in enumerate(self.matrix):
            y = self.size - (row_number + 1) * module
            column = 0
            # One rectangle per run of dark modules: no hairline gaps between neighbours.
            while column < count:
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < count and row[column]:
                    column += 1
                path.rect(start * module, y, (column - start) * module, module)
        canvas.drawPath(path, stroke=0, fill=1)


def _styles():
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=12.5, leading=17)
    return {
        "title": ParagraphStyle(
            "title", base, fontName="Helvetica-Bold", fontSize=30, leading=36, textColor=BRAND
        ),
        "workplace": ParagraphStyle(
            "workplace", base, fontName="Helvetica-Bold", fontSize=20, leading=25
        ),
        "administration": ParagraphStyle(
            "administration", base, fontSize=12.5, textColor=colors.HexColor("#333333")
        ),
        "body": base,
        "heading": ParagraphStyle(
            "heading",
            base,
            fontName="Helvetica-Bold",
            fontSize=14,
            leading=19,
            spaceBefore=8,
            textColor=BRAND,
        ),
        "deadline": ParagraphStyle(
            "deadline",
            base,
            fontName="Helvetica-Bold",
            fontSize=16,
            leading=21,
            alignment=TA_CENTER,
            borderColor=BRAND,
            borderWidth=1.5,
            borderPadding=7,
            spaceBefore=4,
            spaceAfter=6,
        ),
        "centre": ParagraphStyle("centre", base, alignment=TA_CENTER),
        "link": ParagraphStyle(
            "link", base, fontName="Courier-Bold", fontSize=11.5, leading=15, alignment=TA_CENTER
        ),
    }


def _link_markup(url: str) -> str:
    # Break a long address only after a slash, where a reader expects it.
    return "/<br/>".join(escape(part) for part in _wrap_at_slashes(url, 58))


def _wrap_at_slashes(url: str, width: int) -> list[str]:
    parts, line = [], ""
    for piece in url.split("/"):
        candidate = f"{line}/{piece}" if line else piece
        if line and len(candidate) > width:
            parts.append(line)
            line = piece
        else:
            line = candidate
    parts.append(line)
    return parts


def build_poster(
    *, workplace_name: str, administration_name: str, url: str, deadline: datetime.date | None
) -> bytes:
    """Return an A4 PDF inviting the workplace's staff to give input anonymously."""
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Giv dit input – anonymt")
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=BAND_HEIGHT + 10 * mm,
        bottomMargin=18 * mm,
        title=f"{title}: {workplace_name}",
        author=_("Rødovre Kommune · Personale & Udvikling"),
        subject=_("Sammen om Rødovre"),
        lang="da",
    )
    if deadline is not None:
        deadline_text = _("Giv dit input senest %(date)s") % {
            "date": date_format(deadline, "j. F Y")
        }
    else:
        deadline_text = _("Din leder fortæller, hvornår fristen er.")
    story = [
        Paragraph(escape(title), styles["title"]),
        Spacer(0, 3 * mm),
        Paragraph(escape(workplace_name), styles["workplace"]),
        Paragraph(escape(administration_name), styles["administration"]),
        Spacer(0, 4 * mm),
        Paragraph(
            escape(
                _(
                    "Rødovre Kommune gennemfører et udviklingsforløb for hele organisationen. "
                    "Vi vil gerne høre dig: Hvilke udfordringer, behov og idéer ser du i din "
                    "hverdag, og hvad kunne hjælpe dig og dine kolleger med at udvikle jer?"
                )
            ),
            styles["body"],
        ),
        Spacer(0, 4 * mm),
        QrCode(url, QR_SIZE),
        Spacer(0, 2 * mm),
        Paragraph(
            escape(_("Scan koden med mobilens kamera – eller skriv adressen i en browser:")),
            styles["centre"],
        ),
        Paragraph(_link_markup(url), styles["link"]),
        Spacer(0, 3 * mm),
        Paragraph(escape(deadline_text), styles["deadline"]),
        Spacer(0, 3 * mm),
        Paragraph(escape(_("Du er anonym")), styles["heading"]),
        Paragraph(
            escape(
                _(
                    "Du skal ikke logge ind, og vi spørger ikke om dit navn. Vi gemmer kun dit "
                    "input, arbejdspladsen og datoen – ikke klokkeslæt, IP-adresse eller hvilken "
                    "telefon eller computer du bruger. Ingen, heller ikke din leder, kan se, "
                    "hvem der har skrevet hvad."
                )
            ),
            styles["body"],
        ),
        Paragraph(escape(_("Hvad sker der med dit input?")), styles["heading"]),
        Paragraph(
            escape(
                _(
                    "Personale & Udvikling samler input fra alle arbejdspladser og ser efter "
                    "fælles temaer på tværs af kommunen. På den baggrund beslutter direktionen, "
                    "hvilke undervisningsforløb og lokale udviklingsforløb der sættes i gang – "
                    "og I får at vide, hvad der kom ud af jeres input."
                )
            ),
            styles["body"],
        ),
    ]

    def draw_page(canvas, doc):
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(BRAND)
        canvas.rect(0, height - BAND_HEIGHT, width, BAND_HEIGHT, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 18)
        canvas.drawString(20 * mm, height - 13 * mm, _("Sammen om Rødovre"))
        canvas.setFont("Helvetica", 11)
        canvas.drawString(20 * mm, height - 19 * mm, _("Udviklingsforløb for hele organisationen"))
        canvas.setFillColor(colors.HexColor("#333333"))
        canvas.setFont("Helvetica", 9.5)
        canvas.drawString(20 * mm, 10 * mm, _("Rødovre Kommune · Personale & Udvikling"))
        canvas.restoreState()

    # A long workplace name must not push the poster onto a second sheet: shrink to fit.
    page = KeepInFrame(document.width, document.height, story, mode="shrink")
    document.build([page], onFirstPage=draw_page, onLaterPages=draw_page)
    return buffer.getvalue()
