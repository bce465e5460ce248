//! Typeset PDF documents (meeting agendas and minutes): A4 pages in the standard Helvetica
//! fonts with a running header, classification and page numbers on every page. The caller
//! decides the content, already filtered by the access policy; this module only lays it out.
//!
//! The file is written by hand: a dozen objects (catalog, page tree, two font dictionaries,
//! pages and their content streams, the information dictionary) are less code than adapting a
//! writer crate, and every byte stays deterministic — the same document gives the same file,
//! with no date or random id inside. Content streams are not compressed (no deflate in the
//! dependency tree); a ten-page agenda stays well under 100 kB.
//!
//! Text is set in WinAnsi (Windows-1252), the encoding the standard fonts offer without
//! embedding: Danish letters, `é`, `ü`, the en dash, `„“”` and `€` print as they should. A
//! character outside WinAnsi prints as `?`; other whitespace prints as a space; a soft hyphen
//! is dropped; a letter followed by a combining accent (decomposed text) is composed first when
//! WinAnsi has the composed letter. The document title goes into `/Title` as UTF-16, so it
//! keeps every character.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// One document: running header and footer texts and the body as blocks. Deliberately
/// without `Debug`: its content is personal data and must not reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct PdfDocument {
    /// Printed at the top of the first page and stored as the PDF's `/Title`; the blocks
    /// should not repeat it.
    pub title: String,
    /// Running header, left, on every page, e.g. `Koordineringsmøde 24.11.2026 kl. 09.00`.
    /// The running texts are one line each: a left text that would run into the right one is
    /// shortened with `…`.
    pub header: String,
    /// Running header, right, in bold, on every page, e.g. `Fortroligt`.
    pub classification: String,
    /// Running footer, left, on every page, e.g. `Infohus København`.
    pub footer: String,
    /// Running footer, right: `{page}` and `{pages}` become the page number and page count,
    /// e.g. `Side {page} af {pages}`.
    pub page_label: String,
    pub blocks: Vec<Block>,
}

/// A piece of the body, set in order from the top of the first page.
#[derive(Clone, PartialEq, Eq)]
pub enum Block {
    /// Level 1, 2 or 3 (anything else is set as 3). Never left alone at the foot of a page:
    /// it moves to the next page together with the first line of what follows.
    Heading {
        level: u8,
        text: String,
    },
    /// Wraps at word boundaries; `'\n'` breaks the line.
    Paragraph(String),
    /// `label: value` lines, the label in bold in a column of its own. A colon is added
    /// after a label that has none. Values wrap; `'\n'` breaks the line.
    Fields(Vec<(String, String)>),
    Bullets(Vec<String>),
    /// `widths` are percentages of the text width, one per column (normalised when they do
    /// not add up to 100; equal columns when their count does not match or one is 0). A row
    /// never splits across pages unless it is taller than a page; the header row is repeated
    /// on every page the table continues on.
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
        widths: Vec<u8>,
    },
    /// A thin horizontal line across the text width.
    Rule,
    /// One empty line.
    Spacer,
}

/// The PDF file for `doc`. Pure: the same document always gives the same bytes.
pub fn render_pdf(doc: &PdfDocument) -> Vec<u8> {
    let pages = lay_out(doc);
    write_pdf(doc, &pages)
}

// ---------------------------------------------------------------------------------------
// Page geometry, in PostScript points (1/72 inch).

const PAGE_WIDTH: f64 = 595.28;
const PAGE_HEIGHT: f64 = 841.89;
/// 20 mm on every side of the body; the running header and footer sit inside the margins.
const MARGIN: f64 = 56.69;
const TEXT_WIDTH: f64 = PAGE_WIDTH - 2.0 * MARGIN;
const BODY_TOP: f64 = PAGE_HEIGHT - MARGIN;
const BODY_BOTTOM: f64 = MARGIN;
const BODY_HEIGHT: f64 = BODY_TOP - BODY_BOTTOM;
const HEADER_BASELINE: f64 = PAGE_HEIGHT - 36.0;
const HEADER_RULE: f64 = PAGE_HEIGHT - 41.0;
const FOOTER_BASELINE: f64 = 30.0;
const RUNNING_SIZE: f64 = 8.5;
/// Room between the left and right texts of the running header and footer.
const RUNNING_GAP: f64 = 12.0;

const BULLET_INDENT: f64 = 14.0;
const FIELD_GAP: f64 = 10.0;
const CELL_PAD_X: f64 = 4.0;
const CELL_PAD_Y: f64 = 3.0;
const BLOCK_GAP: f64 = 6.0;
/// Rounding slack when comparing heights.
const EPSILON: f64 = 1e-6;

#[derive(Clone, Copy)]
struct Style {
    font: Font,
    size: f64,
    leading: f64,
}

const TITLE: Style = Style { font: Font::Bold, size: 18.0, leading: 24.0 };
const HEADINGS: [Style; 3] = [
    Style { font: Font::Bold, size: 15.0, leading: 20.0 },
    Style { font: Font::Bold, size: 12.5, leading: 17.0 },
    Style { font: Font::Bold, size: 11.0, leading: 15.0 },
];
const HEADING_GAPS: [f64; 3] = [12.0, 10.0, 8.0];
const BODY: Style = Style { font: Font::Regular, size: 10.0, leading: 14.0 };
const TABLE: Style = Style { font: Font::Regular, size: 9.5, leading: 12.5 };

impl Style {
    fn bold(self) -> Self {
        Style { font: Font::Bold, ..self }
    }

    /// The baseline of a line whose box starts at `top`: the glyphs sit in the middle of
    /// the leading.
    fn baseline(self, top: f64) -> f64 {
        top - 0.5 * (self.leading - self.size) - 0.8 * self.size
    }
}

fn heading_style(level: u8) -> (Style, f64) {
    let index = usize::from(level.clamp(1, 3) - 1);
    let style = HEADINGS.get(index).copied().unwrap_or(BODY.bold());
    let gap = HEADING_GAPS.get(index).copied().unwrap_or(BLOCK_GAP);
    (style, gap)
}

// ---------------------------------------------------------------------------------------
// Fonts and text.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
        }
    }

    fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA_WIDTHS,
            Font::Bold => &HELVETICA_BOLD_WIDTHS,
        }
    }

    /// Width of encoded text in points.
    fn width(self, text: &[u8], size: f64) -> f64 {
        let widths = self.widths();
        let units: u32 = text
            .iter()
            .map(|&code| code.checked_sub(32).and_then(|i| widths.get(usize::from(i))).copied().map_or(0, u32::from))
            .sum();
        f64::from(units) * size / 1000.0
    }
}

/// Helvetica advance widths (Adobe's AFM, 1/1000 em) for WinAnsi codes 32..=255. The codes
/// WinAnsi leaves unused (0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D) show a bullet (PDF 32000-1,
/// annex D); `encode` never produces them.
const HELVETICA_WIDTHS: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350, // 0x70
    556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350, // 0x80
    350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];

/// Helvetica-Bold advance widths (Adobe's AFM, 1/1000 em) for WinAnsi codes 32..=255.
const HELVETICA_BOLD_WIDTHS: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350, // 0x70
    556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350, // 0x80
    350, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 350, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];

const BULLET: u8 = 0x95;
const ELLIPSIS: u8 = 0x85;

/// The WinAnsi code of `c`, if it has one.
fn win_ansi(c: char) -> Option<u8> {
    let code = match c {
        ' '..='~' | '\u{A0}'..='\u{FF}' => return u8::try_from(u32::from(c)).ok(),
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(code)
}

/// Combining accents and the WinAnsi letters they make, as (base, composed) pairs.
const COMPOSITIONS: [(char, &str); 8] = [
    ('\u{300}', "AÀEÈIÌOÒUÙaàeèiìoòuù"),
    ('\u{301}', "AÁEÉIÍOÓUÚYÝaáeéiíoóuúyý"),
    ('\u{302}', "AÂEÊIÎOÔUÛaâeêiîoôuû"),
    ('\u{303}', "AÃNÑOÕaãnñoõ"),
    ('\u{308}', "AÄEËIÏOÖUÜYŸaäeëiïoöuüyÿ"),
    ('\u{30A}', "AÅaå"),
    ('\u{327}', "CÇcç"),
    ('\u{30C}', "SŠZŽsšzž"),
];

fn compose(base: char, mark: char) -> Option<char> {
    let (_, pairs) = COMPOSITIONS.iter().find(|(m, _)| *m == mark)?;
    let mut chars = pairs.chars();
    while let (Some(plain), Some(composed)) = (chars.next(), chars.next()) {
        if plain == base {
            return Some(composed);
        }
    }
    None
}

/// `text` in WinAnsi; see the module documentation for what happens to other characters.
fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().filter(|&c| c != '\u{AD}').peekable();
    while let Some(mut c) = chars.next() {
        if let Some(composed) = chars.peek().and_then(|&mark| compose(c, mark)) {
            chars.next();
            c = composed;
        }
        out.push(match win_ansi(c) {
            Some(code) => code,
            None if c.is_whitespace() => b' ',
            None => b'?',
        });
    }
    out
}

/// Breaks encoded text into lines no wider than `max` points: at spaces, and inside a word
/// only when the word alone is wider than a line. Runs of spaces collapse. Always at least
/// one line, which may be empty.
fn wrap(text: &[u8], font: Font, size: f64, max: f64) -> Vec<Vec<u8>> {
    let space = font.width(b" ", size);
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut width = 0.0;
    for word in text.split(|&b| b == b' ').filter(|word| !word.is_empty()) {
        let word_width = font.width(word, size);
        if !line.is_empty() && width + space + word_width <= max + EPSILON {
            line.push(b' ');
            line.extend_from_slice(word);
            width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0.0;
        }
        if word_width <= max + EPSILON {
            line.extend_from_slice(word);
            width = word_width;
            continue;
        }
        for &code in word {
            let glyph = font.width(&[code], size);
            if !line.is_empty() && width + glyph > max + EPSILON {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            line.push(code);
            width += glyph;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Each `'\n'`-separated line of `text`, wrapped.
fn wrap_lines(text: &str, style: Style, max: f64) -> Vec<Vec<u8>> {
    text.split('\n').flat_map(|line| wrap(&encode(line), style.font, style.size, max)).collect()
}

/// `text` cut to `max` points, with an ellipsis where it was cut.
fn fit(mut text: Vec<u8>, font: Font, size: f64, max: f64) -> Vec<u8> {
    if font.width(&text, size) <= max + EPSILON {
        return text;
    }
    let room = max - font.width(&[ELLIPSIS], size);
    while !text.is_empty() && font.width(&text, size) > room + EPSILON {
        text.pop();
    }
    while text.last() == Some(&b' ') {
        text.pop();
    }
    text.push(ELLIPSIS);
    text
}

// ---------------------------------------------------------------------------------------
// Layout: blocks to positioned text and lines, page by page.

/// Text at one baseline, possibly in several runs (a label and its value, table cells).
struct Run {
    x: f64,
    style: Style,
    text: Vec<u8>,
}

enum Op {
    Text { y: f64, runs: Vec<Run>, muted: bool },
    Line { x1: f64, y1: f64, x2: f64, y2: f64, width: f64 },
    Fill { x: f64, y: f64, width: f64, height: f64 },
}

/// The body flowing down the pages. `top` is where the next line box starts.
struct Flow {
    pages: Vec<Vec<Op>>,
    top: f64,
}

impl Flow {
    fn new() -> Self {
        Flow { pages: vec![Vec::new()], top: BODY_TOP }
    }

    fn page_is_empty(&self) -> bool {
        self.pages.last().is_none_or(Vec::is_empty)
    }

    fn room(&self) -> f64 {
        self.top - BODY_BOTTOM
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.top = BODY_TOP;
    }

    /// Starts a new page unless `height` fits on this one (or this one is still empty).
    fn ensure(&mut self, height: f64) {
        if height > self.room() + EPSILON && !self.page_is_empty() {
            self.new_page();
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn gap(&mut self, height: f64) {
        if !self.page_is_empty() {
            self.top -= height;
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// One line of runs in `style`'s leading, on a new page if this one is full.
    fn line(&mut self, style: Style, runs: Vec<Run>) {
        self.ensure(style.leading);
        let runs: Vec<Run> = runs.into_iter().filter(|run| !run.text.is_empty()).collect();
        if !runs.is_empty() {
            self.push(Op::Text { y: style.baseline(self.top), runs, muted: false });
        } else if self.page_is_empty() {
            // An empty line at the top of a page still takes its room, so mark the page used.
            self.push(Op::Text { y: style.baseline(self.top), runs, muted: false });
        }
        self.top -= style.leading;
    }

    fn rule(&mut self, y: f64, width: f64) {
        self.push(Op::Line { x1: MARGIN, y1: y, x2: MARGIN + TEXT_WIDTH, y2: y, width });
    }
}

fn lay_out(doc: &PdfDocument) -> Vec<Vec<Op>> {
    let mut flow = Flow::new();
    if !doc.title.trim().is_empty() {
        for line in wrap_lines(&doc.title, TITLE, TEXT_WIDTH) {
            flow.line(TITLE, vec![Run { x: MARGIN, style: TITLE, text: line }]);
        }
        flow.gap(BLOCK_GAP * 2.0);
    }
    for (index, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Heading { level, text } => {
                let (style, gap) = heading_style(*level);
                let lines = wrap_lines(text, style, TEXT_WIDTH);
                flow.gap(gap);
                let following = doc.blocks.get(index + 1..).unwrap_or_default();
                let keep = lines.len() as f64 * style.leading + lead_height(following);
                flow.ensure(keep.min(BODY_HEIGHT));
                for line in lines {
                    flow.line(style, vec![Run { x: MARGIN, style, text: line }]);
                }
                flow.top -= BLOCK_GAP / 2.0;
            }
            Block::Paragraph(text) => {
                for line in wrap_lines(text, BODY, TEXT_WIDTH) {
                    flow.line(BODY, vec![Run { x: MARGIN, style: BODY, text: line }]);
                }
                flow.gap(BLOCK_GAP);
            }
            Block::Fields(fields) => {
                fields_block(&mut flow, fields);
                flow.gap(BLOCK_GAP);
            }
            Block::Bullets(items) => {
                for item in items {
                    let lines = wrap_lines(item, BODY, TEXT_WIDTH - BULLET_INDENT);
                    for (n, line) in lines.into_iter().enumerate() {
                        let mut runs = Vec::with_capacity(2);
                        if n == 0 {
                            runs.push(Run { x: MARGIN + 3.0, style: BODY, text: vec![BULLET] });
                        }
                        runs.push(Run { x: MARGIN + BULLET_INDENT, style: BODY, text: line });
                        flow.line(BODY, runs);
                    }
                }
                flow.gap(BLOCK_GAP);
            }
            Block::Table { headers, rows, widths } => {
                if let Some(table) = WrappedTable::new(headers, rows, widths) {
                    table.place(&mut flow);
                }
                flow.gap(BLOCK_GAP * 1.5);
            }
            Block::Rule => {
                // A rule at the top of a page would only repeat the header's.
                if !flow.page_is_empty() && flow.room() > BLOCK_GAP {
                    flow.top -= BLOCK_GAP / 2.0;
                    flow.rule(flow.top, 0.5);
                    flow.top -= BLOCK_GAP;
                }
            }
            Block::Spacer => flow.gap(BODY.leading),
        }
    }
    flow.pages
}

/// How much of `blocks` a heading before them must keep on its page: the first line of the
/// next block, or for a run of headings all of them and then that line.
fn lead_height(blocks: &[Block]) -> f64 {
    let mut height = 0.0;
    for block in blocks {
        match block {
            Block::Heading { level, text } => {
                let (style, gap) = heading_style(*level);
                height += gap + wrap_lines(text, style, TEXT_WIDTH).len() as f64 * style.leading + BLOCK_GAP / 2.0;
            }
            Block::Paragraph(_) | Block::Fields(_) | Block::Bullets(_) => return height + BODY.leading,
            Block::Table { headers, rows, widths } => {
                // Only the first row counts, so only it is wrapped.
                let table = WrappedTable::new(headers, rows.get(..1).unwrap_or(rows), widths);
                return height + table.map_or(0.0, |table| table.lead_height());
            }
            Block::Rule | Block::Spacer => return height,
        }
    }
    height
}

fn fields_block(flow: &mut Flow, fields: &[(String, String)]) {
    let label_style = BODY.bold();
    let labels: Vec<Vec<u8>> = fields
        .iter()
        .map(|(label, _)| {
            let label = label.trim_end();
            if label.is_empty() || label.ends_with(':') { encode(label) } else { encode(&format!("{label}:")) }
        })
        .collect();
    let widest = labels.iter().map(|label| label_style.font.width(label, label_style.size)).fold(0.0, f64::max);
    let column = (widest + FIELD_GAP).min(TEXT_WIDTH * 0.4);
    for (label, (_, value)) in labels.iter().zip(fields) {
        let label_lines = wrap(label, label_style.font, label_style.size, column - FIELD_GAP);
        let value_lines = wrap_lines(value, BODY, TEXT_WIDTH - column);
        let count = label_lines.len().max(value_lines.len());
        let mut label_lines = label_lines.into_iter();
        let mut value_lines = value_lines.into_iter();
        for _ in 0..count {
            let mut runs = Vec::with_capacity(2);
            if let Some(text) = label_lines.next() {
                runs.push(Run { x: MARGIN, style: label_style, text });
            }
            if let Some(text) = value_lines.next() {
                runs.push(Run { x: MARGIN + column, style: BODY, text });
            }
            flow.line(BODY, runs);
        }
    }
}

/// A table with every cell wrapped to its column: `cells[row][column][line]`.
struct WrappedTable {
    x: Vec<f64>,
    header: Option<Vec<Vec<Vec<u8>>>>,
    rows: Vec<Vec<Vec<Vec<u8>>>>,
}

impl WrappedTable {
    fn new(headers: &[String], rows: &[Vec<String>], widths: &[u8]) -> Option<Self> {
        let columns = rows.iter().map(Vec::len).chain([headers.len()]).max().unwrap_or(0);
        if columns == 0 {
            return None;
        }
        let total: u32 = widths.iter().map(|&w| u32::from(w)).sum();
        let shares: Vec<f64> = if widths.len() == columns && widths.iter().all(|&w| w > 0) {
            widths.iter().map(|&w| f64::from(w) / f64::from(total)).collect()
        } else {
            vec![1.0 / columns as f64; columns]
        };
        let mut x = Vec::with_capacity(columns + 1);
        let mut left = MARGIN;
        x.push(left);
        for share in &shares {
            left += share * TEXT_WIDTH;
            x.push(left);
        }
        let wrap_row = |cells: &[String], style: Style| -> Vec<Vec<Vec<u8>>> {
            x.windows(2)
                .enumerate()
                .map(|(column, edges)| {
                    let inner = match edges {
                        [left, right] => (right - left - 2.0 * CELL_PAD_X).max(1.0),
                        _ => 1.0,
                    };
                    wrap_lines(cells.get(column).map_or("", String::as_str), style, inner)
                })
                .collect()
        };
        let header = (!headers.is_empty()).then(|| wrap_row(headers, TABLE.bold()));
        let rows = rows.iter().map(|row| wrap_row(row, TABLE)).collect();
        Some(WrappedTable { x, header, rows })
    }

    fn height(row: &[Vec<Vec<u8>>]) -> f64 {
        Self::line_count(row) as f64 * TABLE.leading + 2.0 * CELL_PAD_Y
    }

    fn line_count(row: &[Vec<Vec<u8>>]) -> usize {
        row.iter().map(Vec::len).max().unwrap_or(1).max(1)
    }

    fn header_height(&self) -> f64 {
        self.header.as_deref().map_or(0.0, Self::height)
    }

    fn lead_height(&self) -> f64 {
        self.header_height() + self.rows.first().map_or(0.0, |row| Self::height(row))
    }

    fn place(&self, flow: &mut Flow) {
        // A header taller than a third of a page is shown once, not on every page.
        let repeat = self.header_height() < BODY_HEIGHT / 3.0;
        flow.ensure(self.lead_height().min(BODY_HEIGHT));
        self.place_header(flow);
        for row in &self.rows {
            let height = Self::height(row);
            if height > flow.room() + EPSILON {
                let fresh = BODY_HEIGHT - if repeat { self.header_height() } else { 0.0 };
                if height <= fresh + EPSILON && !flow.page_is_empty() {
                    flow.new_page();
                    if repeat {
                        self.place_header(flow);
                    }
                } else {
                    self.place_split(flow, row, repeat);
                    continue;
                }
            }
            self.place_lines(flow, row, 0, Self::line_count(row), TABLE);
        }
    }

    fn place_header(&self, flow: &mut Flow) {
        if let Some(header) = &self.header {
            let height = Self::height(header);
            flow.push(Op::Fill { x: MARGIN, y: flow.top - height, width: TEXT_WIDTH, height });
            flow.rule(flow.top, 0.8);
            self.place_lines(flow, header, 0, Self::line_count(header), TABLE.bold());
        }
    }

    /// A row taller than a page: as many of its lines as fit on each page.
    fn place_split(&self, flow: &mut Flow, row: &[Vec<Vec<u8>>], repeat: bool) {
        let total = Self::line_count(row);
        let mut start = 0;
        while start < total {
            let fit = ((flow.room() - 2.0 * CELL_PAD_Y) / TABLE.leading + EPSILON).floor();
            let fit = if fit >= 1.0 { fit as usize } else { usize::from(flow.page_is_empty()) };
            if fit > 0 {
                let end = (start + fit).min(total);
                self.place_lines(flow, row, start, end, TABLE);
                start = end;
            }
            if start < total {
                flow.new_page();
                if repeat {
                    self.place_header(flow);
                }
            }
        }
    }

    /// Lines `start..end` of every cell of `row` as one row box, with a rule under it.
    fn place_lines(&self, flow: &mut Flow, row: &[Vec<Vec<u8>>], start: usize, end: usize, style: Style) {
        let top = flow.top - CELL_PAD_Y;
        for (n, line) in (start..end).enumerate() {
            let runs = row
                .iter()
                .zip(&self.x)
                .filter_map(|(cell, &left)| {
                    cell.get(line).map(|text| Run { x: left + CELL_PAD_X, style, text: text.clone() })
                })
                .filter(|run| !run.text.is_empty())
                .collect::<Vec<_>>();
            let y = style.baseline(top - n as f64 * style.leading);
            flow.push(Op::Text { y, runs, muted: false });
        }
        flow.top -= (end - start) as f64 * style.leading + 2.0 * CELL_PAD_Y;
        flow.rule(flow.top, if style.font == Font::Bold { 0.8 } else { 0.3 });
    }
}

/// The running header and footer of page `page` of `pages`.
fn running(doc: &PdfDocument, page: usize, pages: usize) -> Vec<Op> {
    let regular = Style { font: Font::Regular, size: RUNNING_SIZE, leading: RUNNING_SIZE };
    let bold = regular.bold();
    let label = doc.page_label.replace("{pages}", &pages.to_string()).replace("{page}", &page.to_string());
    let mut ops = Vec::with_capacity(5);
    for (left, right, right_style, y) in
        [(&doc.header, &doc.classification, bold, HEADER_BASELINE), (&doc.footer, &label, regular, FOOTER_BASELINE)]
    {
        let right = fit(encode(right), right_style.font, right_style.size, TEXT_WIDTH / 2.0);
        let right_width = right_style.font.width(&right, right_style.size);
        let room = TEXT_WIDTH - right_width - if right.is_empty() { 0.0 } else { RUNNING_GAP };
        let left = fit(encode(left), regular.font, regular.size, room);
        for run in [
            Run { x: MARGIN, style: regular, text: left },
            Run { x: MARGIN + TEXT_WIDTH - right_width, style: right_style, text: right },
        ] {
            if !run.text.is_empty() {
                ops.push(Op::Text { y, runs: vec![run], muted: true });
            }
        }
    }
    ops.push(Op::Line { x1: MARGIN, y1: HEADER_RULE, x2: MARGIN + TEXT_WIDTH, y2: HEADER_RULE, width: 0.5 });
    ops
}

// ---------------------------------------------------------------------------------------
// The file.

/// Object numbers: fixed objects first, then a page object and its content stream per page.
const CATALOG: usize = 1;
const PAGE_TREE: usize = 2;
const FONT_REGULAR: usize = 3;
const FONT_BOLD: usize = 4;
const RESOURCES: usize = 5;
const INFO: usize = 6;
const FIRST_PAGE: usize = 7;

fn write_pdf(doc: &PdfDocument, pages: &[Vec<Op>]) -> Vec<u8> {
    let mut out = Writer { bytes: Vec::new(), offsets: Vec::new() };
    // The comment's bytes above 127 tell transfer tools the file is binary.
    out.bytes.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");

    let page_id = |index: usize| FIRST_PAGE + 2 * index;
    let kids: Vec<String> = (0..pages.len()).map(|index| format!("{} 0 R", page_id(index))).collect();
    out.object(
        CATALOG,
        format!(
            "<< /Type /Catalog /Pages {PAGE_TREE} 0 R /Lang (da-DK) \
             /ViewerPreferences << /DisplayDocTitle true >> >>"
        )
        .as_bytes(),
    );
    out.object(PAGE_TREE, format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).as_bytes());
    for (id, font) in [(FONT_REGULAR, Font::Regular), (FONT_BOLD, Font::Bold)] {
        let widths: Vec<String> = font.widths().iter().map(u16::to_string).collect();
        out.object(
            id,
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding \
                 /FirstChar 32 /LastChar 255 /Widths [{}] >>",
                font.base_font(),
                widths.join(" ")
            )
            .as_bytes(),
        );
    }
    out.object(
        RESOURCES,
        format!(
            "<< /Font << /{} {FONT_REGULAR} 0 R /{} {FONT_BOLD} 0 R >> /ProcSet [/PDF /Text] >>",
            Font::Regular.resource(),
            Font::Bold.resource()
        )
        .as_bytes(),
    );
    out.object(INFO, format!("<< /Title {} /Producer (Infohus) >>", text_string(&doc.title)).as_bytes());
    for (index, ops) in pages.iter().enumerate() {
        let id = page_id(index);
        out.object(
            id,
            format!(
                "<< /Type /Page /Parent {PAGE_TREE} 0 R /MediaBox [0 0 {} {}] /Resources {RESOURCES} 0 R \
                 /Contents {} 0 R >>",
                number(PAGE_WIDTH),
                number(PAGE_HEIGHT),
                id + 1
            )
            .as_bytes(),
        );
        let mut content = String::new();
        for op in running(doc, index + 1, pages.len()).iter().chain(ops) {
            draw(&mut content, op);
        }
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content.as_bytes());
        stream.extend_from_slice(b"\nendstream");
        out.object(id + 1, &stream);
    }
    out.finish()
}

struct Writer {
    bytes: Vec<u8>,
    /// Byte offset of each object, object 1 first.
    offsets: Vec<usize>,
}

impl Writer {
    /// Objects are written in number order, so the cross-reference table is their offsets.
    fn object(&mut self, id: usize, body: &[u8]) {
        self.offsets.push(self.bytes.len());
        self.bytes.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    fn finish(mut self) -> Vec<u8> {
        // A file identifier derived from the content keeps the output deterministic.
        let digest = Sha256::digest(&self.bytes);
        let id: String = digest.iter().take(16).map(|b| format!("{b:02X}")).collect();
        let xref = self.bytes.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for offset in &self.offsets {
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root {CATALOG} 0 R /Info {INFO} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        );
        self.bytes.extend_from_slice(table.as_bytes());
        self.bytes
    }
}

/// One operation in content-stream syntax.
fn draw(out: &mut String, op: &Op) {
    match op {
        Op::Fill { x, y, width, height } => {
            let _ =
                writeln!(out, "q 0.92 g {} {} {} {} re f Q", number(*x), number(*y), number(*width), number(*height));
        }
        Op::Line { x1, y1, x2, y2, width } => {
            let _ = writeln!(
                out,
                "q {} w 0.55 G {} {} m {} {} l S Q",
                number(*width),
                number(*x1),
                number(*y1),
                number(*x2),
                number(*y2)
            );
        }
        Op::Text { y, runs, muted } => {
            if runs.is_empty() {
                return;
            }
            out.push_str(if *muted { "BT 0.3 g\n" } else { "BT 0 g\n" });
            let mut current: Option<(Font, f64)> = None;
            for (n, run) in runs.iter().enumerate() {
                if current != Some((run.style.font, run.style.size)) {
                    let _ = writeln!(out, "/{} {} Tf", run.style.font.resource(), number(run.style.size));
                    current = Some((run.style.font, run.style.size));
                }
                // A trailing space between runs on one baseline lets text extraction (copy and
                // paste, screen readers) keep the words apart; it is invisible.
                let mut text = run.text.clone();
                if n + 1 < runs.len() && text.last() != Some(&b' ') {
                    text.push(b' ');
                }
                let _ = writeln!(out, "1 0 0 1 {} {} Tm {} Tj", number(run.x), number(*y), literal(&text));
            }
            out.push_str("ET\n");
        }
    }
}

/// A number with at most two decimals and no trailing zeros, as PDF readers expect.
fn number(value: f64) -> String {
    let text = format!("{:.2}", (value * 100.0).round() / 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

/// A literal string of encoded bytes: `(`, `)` and `\` escaped, bytes outside printable ASCII
/// as octal escapes so that the content streams stay plain ASCII.
fn literal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7E => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push(')');
    out
}

/// A text string for the information dictionary: literal when plain ASCII, otherwise UTF-16BE
/// with a byte-order mark, which keeps every character.
fn text_string(text: &str) -> String {
    if text.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        literal(text.as_bytes())
    } else {
        let mut out = String::from("<FEFF");
        for unit in text.encode_utf16() {
            let _ = write!(out, "{unit:04X}");
        }
        out.push('>');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Document, Object};
    use std::time::Instant;

    fn meeting(blocks: Vec<Block>) -> PdfDocument {
        PdfDocument {
            title: "Dagsorden".to_owned(),
            header: "Koordineringsmøde 24.11.2026 kl. 09.00".to_owned(),
            classification: "Fortroligt".to_owned(),
            footer: "Infohus København".to_owned(),
            page_label: "Side {page} af {pages}".to_owned(),
            blocks,
        }
    }

    /// Agenda items with a paragraph and a table each, `items` of them.
    fn long_agenda(items: usize) -> PdfDocument {
        let mut blocks = vec![
            Block::Fields(vec![
                ("Mødeleder".to_owned(), "Søren Ærø Ågård".to_owned()),
                ("Sted".to_owned(), "Rådhuset, lokale 12 – 2. sal".to_owned()),
            ]),
            Block::Rule,
        ];
        for item in 1..=items {
            blocks.push(Block::Heading { level: 2, text: format!("Punkt {item}: Sag {item:04}") });
            blocks.push(Block::Paragraph(format!(
                "Drøftelse af „bekymring“ for sag {item}. Politiet, kommunen og kriminalforsorgen orienterer \
                 om status, og mødet aftaler næste skridt. Deltagerne bekræfter, at oplysningerne deles på \
                 det lovlige grundlag, der er noteret i sagen."
            )));
            blocks.push(Block::Table {
                headers: vec!["Opgave".to_owned(), "Ansvarlig".to_owned(), "Frist".to_owned()],
                rows: vec![
                    vec![
                        format!("Opfølgning på sag {item} med samtale og handleplan"),
                        "Kommunen".to_owned(),
                        "1.12.2026".to_owned(),
                    ],
                    vec!["Orientering af politikredsen".to_owned(), "Politiet".to_owned(), "—".to_owned()],
                ],
                widths: vec![60, 25, 15],
            });
            blocks
                .push(Block::Bullets(vec!["Mentor tilknyttes".to_owned(), "Ny vurdering om seks måneder".to_owned()]));
        }
        meeting(blocks)
    }

    fn parse(bytes: &[u8]) -> Document {
        Document::load_mem(bytes).expect("the PDF parses")
    }

    /// The text of each page, in page order.
    fn page_texts(bytes: &[u8]) -> Vec<String> {
        let document = parse(bytes);
        document.get_pages().keys().map(|&page| document.extract_text(&[page]).expect("text extracts")).collect()
    }

    #[test]
    fn every_page_has_header_classification_and_page_number() {
        let pages = page_texts(&render_pdf(&long_agenda(14)));
        assert!(pages.len() >= 3, "expected a long document, got {} pages", pages.len());
        for (index, text) in pages.iter().enumerate() {
            assert!(text.contains("Koordineringsmøde 24.11.2026 kl. 09.00"), "page {}: {text}", index + 1);
            assert!(text.contains("Fortroligt"), "page {}", index + 1);
            assert!(text.contains("Infohus København"), "page {}", index + 1);
            let label = format!("Side {} af {}", index + 1, pages.len());
            assert!(text.contains(&label), "page {} lacks {label:?}", index + 1);
        }
        assert!(pages.iter().all(|text| text.contains("Punkt")), "every page carries body text");
        let last = pages.last().map(String::as_str).unwrap_or_default();
        assert!(last.contains("Punkt 14: Sag 0014"), "the last item ends on the last page");
    }

    #[test]
    fn page_count_matches_the_page_tree() {
        let bytes = render_pdf(&long_agenda(14));
        let document = parse(&bytes);
        let count = document.get_pages().len();
        let tree = document.catalog().and_then(|c| c.get(b"Pages")).and_then(Object::as_reference).unwrap();
        let declared = document.get_dictionary(tree).unwrap().get(b"Count").unwrap().as_i64().unwrap();
        assert_eq!(usize::try_from(declared).unwrap(), count);
        assert!(count >= 3);
    }

    #[test]
    fn danish_letters_and_typographic_marks_come_back() {
        let doc = meeting(vec![
            Block::Fields(vec![("Mødeleder".to_owned(), "Søren Ærø Ågård".to_owned())]),
            Block::Paragraph("Café Über – „citat“ og ”svar” for 12 € • æøå ÆØÅ é ü".to_owned()),
        ]);
        let text = page_texts(&render_pdf(&doc)).concat();
        assert!(text.contains("Mødeleder: Søren Ærø Ågård"), "{text}");
        assert!(text.contains("Café Über – „citat“ og ”svar” for 12 € • æøå ÆØÅ é ü"), "{text}");
    }

    #[test]
    fn characters_outside_win_ansi_print_as_question_marks() {
        assert_eq!(encode("æøåÆØÅéü–„“”"), [0xE6, 0xF8, 0xE5, 0xC6, 0xD8, 0xC5, 0xE9, 0xFC, 0x96, 0x84, 0x93, 0x94]);
        assert_eq!(encode("Ω ✓ 😀"), b"? ? ?");
        assert_eq!(encode("a\tb\u{2009}c"), b"a b c");
        assert_eq!(encode("re\u{AD}ference"), b"reference");
        // Decomposed å and é (as some systems send them) are composed; a stray mark is not.
        assert_eq!(encode("A\u{30A}ga\u{30A}rd Cafe\u{301}"), encode("Ågård Café"));
        assert_eq!(encode("x\u{30A}"), b"x?");
    }

    #[test]
    fn long_table_cells_wrap_within_their_column_and_lose_nothing() {
        let words: Vec<String> = (1..=60).map(|n| format!("ord{n}")).collect();
        let doc = meeting(vec![Block::Table {
            headers: vec!["Punkt".to_owned(), "Beskrivelse".to_owned()],
            rows: vec![vec!["1".to_owned(), words.join(" ")]],
            widths: vec![20, 80],
        }]);
        let text = page_texts(&render_pdf(&doc)).concat();
        let lines_with_words: Vec<&str> = text.lines().filter(|line| line.contains("ord")).collect();
        assert!(lines_with_words.len() > 1, "the cell wraps: {lines_with_words:?}");
        let found: Vec<&str> = lines_with_words.iter().flat_map(|line| line.split_whitespace()).collect();
        let found: Vec<&str> = found.into_iter().filter(|word| word.starts_with("ord")).collect();
        assert_eq!(found, words, "every word, in order");

        let table = WrappedTable::new(
            &["Punkt".to_owned(), "Beskrivelse".to_owned()],
            &[vec!["1".to_owned(), words.join(" ")]],
            &[20, 80],
        )
        .unwrap();
        let inner = 0.8 * TEXT_WIDTH - 2.0 * CELL_PAD_X;
        for line in &table.rows[0][1] {
            assert!(Font::Regular.width(line, TABLE.size) <= inner + EPSILON);
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_not_cut() {
        let word = "x".repeat(500);
        let lines = wrap(word.as_bytes(), Font::Regular, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word.as_bytes());
        assert!(lines.iter().all(|line| Font::Regular.width(line, 10.0) <= 100.0));
        assert_eq!(wrap(b"", Font::Regular, 10.0, 100.0), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn table_rows_do_not_split_across_pages() {
        let rows: Vec<Vec<String>> = (1..=60)
            .map(|n| {
                vec![
                    format!("start{n}"),
                    format!("Første linje i række {n} med tekst nok til flere linjer i en smal kolonne slut{n}"),
                ]
            })
            .collect();
        let doc =
            meeting(vec![Block::Table { headers: vec!["A".to_owned(), "B".to_owned()], rows, widths: vec![30, 70] }]);
        let pages = page_texts(&render_pdf(&doc));
        assert!(pages.len() >= 2);
        for n in 1..=60 {
            let start = pages
                .iter()
                .position(|text| text.contains(&format!("start{n}\n")) || text.contains(&format!("start{n} ")));
            let end = pages.iter().position(|text| text.contains(&format!("slut{n}\n")));
            assert!(start.is_some() && start == end, "row {n}: {start:?} vs {end:?}");
        }
        // The header row is repeated on the pages the table continues on.
        assert!(pages.iter().all(|text| text.lines().any(|line| line == "A B")), "{pages:?}");
    }

    #[test]
    fn a_row_taller_than_a_page_continues_on_the_next() {
        let words: Vec<String> = (1..=3000).map(|n| format!("w{n}")).collect();
        let doc = meeting(vec![Block::Table {
            headers: vec!["A".to_owned(), "B".to_owned()],
            rows: vec![vec!["x".to_owned(), words.join(" ")]],
            widths: vec![10, 90],
        }]);
        let pages = page_texts(&render_pdf(&doc));
        assert!(pages.len() >= 2);
        let found: Vec<&str> =
            pages.iter().flat_map(|text| text.split_whitespace()).filter(|word| word.starts_with('w')).collect();
        assert_eq!(found, words);
    }

    #[test]
    fn headings_stay_with_the_next_line() {
        for filler in 25..80 {
            let mut blocks: Vec<Block> = (0..filler).map(|n| Block::Paragraph(format!("Linje {n}"))).collect();
            blocks.push(Block::Heading { level: 2, text: "Overskriften".to_owned() });
            blocks.push(Block::Paragraph("Teksten efter overskriften".to_owned()));
            let pages = page_texts(&render_pdf(&meeting(blocks)));
            let heading = pages.iter().position(|text| text.contains("Overskriften"));
            let next = pages.iter().position(|text| text.contains("Teksten efter"));
            assert!(heading.is_some() && heading == next, "{filler} filler lines: {heading:?} vs {next:?}");
        }
    }

    #[test]
    fn the_same_document_gives_the_same_bytes() {
        let doc = long_agenda(6);
        assert_eq!(render_pdf(&doc), render_pdf(&doc.clone()));
        let mut other = doc.clone();
        other.title.push('!');
        assert_ne!(render_pdf(&doc), render_pdf(&other));
    }

    #[test]
    fn parentheses_and_backslashes_are_escaped() {
        let doc = meeting(vec![Block::Paragraph(r"Sag (nr. 12) \ bilag (a)".to_owned())]);
        let bytes = render_pdf(&doc);
        assert!(page_texts(&bytes).concat().contains(r"Sag (nr. 12) \ bilag (a)"));
        assert_eq!(literal(br"a(b)c\d"), r"(a\(b\)c\\d)");
        assert_eq!(literal(&[0xE6]), r"(\346)");
    }

    #[test]
    fn the_file_has_header_catalog_info_and_exact_cross_references() {
        let bytes = render_pdf(&long_agenda(4));
        assert!(bytes.starts_with(b"%PDF-1.7\n%"));
        assert!(bytes.get(10..14).is_some_and(|comment| comment.iter().all(|&b| b >= 128)));
        assert!(bytes.ends_with(b"%%EOF\n"));

        // Every xref entry points at the start of its object.
        let tail = std::str::from_utf8(&bytes[bytes.len() - 40..]).unwrap();
        let start: usize = tail.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        let xref = std::str::from_utf8(&bytes[start..]).unwrap();
        assert!(xref.starts_with("xref\n0 "));
        let mut lines = xref.lines().skip(1);
        let count: usize = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        assert_eq!(lines.next(), Some("0000000000 65535 f "));
        for id in 1..count {
            let entry = lines.next().unwrap();
            assert_eq!(entry.len(), 19, "entries are 20 bytes with their newline");
            let offset: usize = entry[..10].parse().unwrap();
            assert!(bytes[offset..].starts_with(format!("{id} 0 obj\n").as_bytes()), "object {id}");
        }

        let document = parse(&bytes);
        let catalog = document.catalog().unwrap();
        assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"da-DK");
        let info = document.trailer.get(b"Info").and_then(Object::as_reference).unwrap();
        let info = document.get_dictionary(info).unwrap();
        assert_eq!(lopdf::decode_text_string(info.get(b"Producer").unwrap()).unwrap(), "Infohus");
        assert_eq!(lopdf::decode_text_string(info.get(b"Title").unwrap()).unwrap(), "Dagsorden");
        assert!(info.get(b"CreationDate").is_err(), "no clock is read");

        let danish = PdfDocument { title: "Referat – Ærø".to_owned(), ..long_agenda(1) };
        let document = parse(&render_pdf(&danish));
        let info = document.trailer.get(b"Info").and_then(Object::as_reference).unwrap();
        let title = document.get_dictionary(info).unwrap().get(b"Title").unwrap();
        assert_eq!(lopdf::decode_text_string(title).unwrap(), "Referat – Ærø");
    }

    #[test]
    fn fonts_are_standard_helvetica_in_win_ansi() {
        let document = parse(&render_pdf(&long_agenda(1)));
        let page = *document.get_pages().values().next().unwrap();
        let fonts = document.get_page_fonts(page).unwrap();
        let names: Vec<&[u8]> = fonts.values().map(|font| font.get(b"BaseFont").unwrap().as_name().unwrap()).collect();
        assert_eq!(names, [b"Helvetica".as_slice(), b"Helvetica-Bold".as_slice()]);
        for font in fonts.values() {
            assert_eq!(font.get(b"Encoding").unwrap().as_name().unwrap(), b"WinAnsiEncoding");
        }
    }

    #[test]
    fn width_tables_hold_the_afm_metrics() {
        let regular = |c: char| Font::Regular.width(&encode(&c.to_string()), 1000.0);
        let bold = |c: char| Font::Bold.width(&encode(&c.to_string()), 1000.0);
        assert_eq!((regular(' '), regular('a'), regular('W'), regular('i')), (278.0, 556.0, 944.0, 222.0));
        assert_eq!(
            (regular('æ'), regular('ø'), regular('å'), regular('Æ'), regular('Ø')),
            (889.0, 611.0, 556.0, 1000.0, 778.0)
        );
        assert_eq!(
            (regular('–'), regular('„'), regular('“'), regular('€'), regular('\'')),
            (556.0, 333.0, 333.0, 556.0, 191.0)
        );
        assert_eq!((bold('a'), bold('ø'), bold('Æ'), bold('„'), bold('i')), (556.0, 611.0, 1000.0, 500.0, 278.0));
    }

    #[test]
    fn long_running_texts_are_shortened_not_overlapping() {
        let mut doc = meeting(vec![Block::Paragraph("Tekst".to_owned())]);
        doc.header = "Meget langt mødenavn ".repeat(20);
        let ops = running(&doc, 1, 1);
        let runs: Vec<&Run> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { y, runs, .. } if *y == HEADER_BASELINE => runs.first(),
                _ => None,
            })
            .collect();
        let [left, right] = runs.as_slice() else { panic!("two header runs") };
        assert_eq!(left.text.last(), Some(&ELLIPSIS));
        assert!(left.x + left.style.font.width(&left.text, left.style.size) < right.x);
    }

    #[test]
    fn an_empty_document_is_one_page_with_header_and_footer() {
        let doc = PdfDocument { title: String::new(), ..meeting(Vec::new()) };
        let pages = page_texts(&render_pdf(&doc));
        assert_eq!(pages.len(), 1);
        assert!(pages[0].contains("Side 1 af 1") && pages[0].contains("Fortroligt"));
    }

    /// pdftotext (poppler) is a second, independent reader; only when it is installed.
    #[test]
    fn poppler_reads_the_same_text_when_installed() {
        let Ok(version) = std::process::Command::new("pdftotext").arg("-v").output() else {
            eprintln!("pdftotext not installed; skipped");
            return;
        };
        assert!(version.status.success());
        let path = std::env::temp_dir().join(format!("infohus-pdf-test-{}.pdf", std::process::id()));
        std::fs::write(&path, render_pdf(&long_agenda(14))).unwrap();
        let output = std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8(output.stdout).unwrap();
        let pages: Vec<&str> = text.split('\u{c}').filter(|page| !page.trim().is_empty()).collect();
        assert!(pages.len() >= 3);
        for (index, page) in pages.iter().enumerate() {
            assert!(page.contains("Koordineringsmøde 24.11.2026 kl. 09.00"), "page {}", index + 1);
            assert!(page.contains("Fortroligt"));
            assert!(page.contains(&format!("Side {} af {}", index + 1, pages.len())), "page {}", index + 1);
        }
        assert!(text.contains("Søren Ærø Ågård") && text.contains("„bekymring“") && text.contains("– 2. sal"));
    }

    #[test]
    fn a_ten_page_document_renders_quickly() {
        let doc = long_agenda(37);
        let started = Instant::now();
        let bytes = render_pdf(&doc);
        let elapsed = started.elapsed();
        let pages = parse(&bytes).get_pages().len();
        assert!(pages >= 10, "{pages} pages");
        println!("pdf: {pages} pages, {} bytes, rendered in {elapsed:?}", bytes.len());
    }
}
