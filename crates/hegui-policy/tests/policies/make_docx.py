"""Writes a Markdown policy (headings, paragraphs, pipe tables) as a minimal DOCX, with
Word's built-in heading styles named in styles.xml, for the DOCX fixtures of the policy
tests: python3 make_docx.py in.md out.docx"""
import sys
import zipfile
from xml.sax.saxutils import escape

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def para(text, style=None):
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    # Runs split mid-sentence, as Word writes them.
    half = len(text) // 2
    runs = "".join(
        f'<w:r><w:t xml:space="preserve">{escape(t)}</w:t></w:r>' for t in (text[:half], text[half:]) if t
    )
    return f"<w:p>{ppr}{runs}</w:p>"


def table(rows):
    out = ["<w:tbl>"]
    for row in rows:
        out.append("<w:tr>" + "".join(f"<w:tc>{para(c)}</w:tc>" for c in row) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def body(md):
    out, rows = [], []
    for line in md.splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                rows.append(cells)
            continue
        if rows:
            out.append(table(rows))
            rows = []
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(para(line.lstrip("# "), f"H{level}"))
        elif line:
            out.append(para(line))
    if rows:
        out.append(table(rows))
    return "".join(out)


def styles():
    s = "".join(
        f'<w:style w:type="paragraph" w:styleId="H{i}"><w:name w:val="heading {i}"/></w:style>'
        for i in range(1, 4)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>{s}</w:styles>'


def main(src, dst):
    md = open(src, encoding="utf-8").read()
    doc = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body(md)}</w:body></w:document>'
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", doc)
        z.writestr("word/styles.xml", styles())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
