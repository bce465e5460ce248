//! Assessment instruments: versioned files (TOML or JSON, one shape) naming the rating scale,
//! the dimensions and items an assessor rates, and the possible overall recommendations.
//! Parsing checks the whole file and reports every mistake with its exact place.
//!
//! An instrument structures professional judgement; it has no weights and no formula, and
//! nothing in Infohus turns its ratings into a score.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The `format` line every instrument file starts with; a new shape gets a new number.
pub const FORMAT: &str = "infohus-instrument/1";

/// Instrument files are small; anything larger is refused before parsing.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// Parsing stops recording after this many errors, so a broken file cannot flood a page.
pub const MAX_ERRORS: usize = 100;

/// The instruments Infohus ships, as files (`instruments/` in the repository): loaded into
/// every database when it opens, so there is something to assess with from the start.
pub const SHIPPED: &[(&str, &str)] = &[
    ("ni-dimensioner.toml", include_str!("../../../instruments/ni-dimensioner.toml")),
    ("indikatorliste.toml", include_str!("../../../instruments/indikatorliste.toml")),
];

const NAME_MAX: usize = 200;
const LABEL_MAX: usize = 200;
const ITEM_TEXT_MAX: usize = 1000;
const LONG_TEXT_MAX: usize = 5000;
const KEY_MAX: usize = 40;
const SCALE_LEVELS: (usize, usize) = (2, 7);
const RECOMMENDATIONS: (usize, usize) = (1, 20);
const DIMENSIONS: (usize, usize) = (1, 40);
const ITEMS_PER_DIMENSION: (usize, usize) = (1, 30);

/// The syntax an instrument file is written in. Both carry the same shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Toml,
    Json,
}

impl SourceFormat {
    /// By file extension (`.toml`, `.json`, any case); `None` for anything else.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("toml") {
            Some(SourceFormat::Toml)
        } else if extension.eq_ignore_ascii_case("json") {
            Some(SourceFormat::Json)
        } else {
            None
        }
    }
}

/// Whether an item describes a risk factor or a resource (a protective factor). It decides
/// which direction along the scale counts as better when ratings are compared over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Risk,
    Resource,
}

impl Side {
    pub const ALL: &'static [Side] = &[Side::Risk, Side::Resource];

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Risk => "risk",
            Side::Resource => "resource",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "risk" => Some(Side::Risk),
            "resource" => Some(Side::Resource),
            _ => None,
        }
    }
}

/// A validated instrument. Every value that exists obeys the rules `parse` checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    pub key: String,
    pub version: u32,
    pub name: String,
    pub description: String,
    pub overall_guidance: String,
    /// Rating levels, lowest first.
    pub scale: Vec<ScaleLevel>,
    pub recommendations: Vec<Choice>,
    pub dimensions: Vec<Dimension>,
}

/// One level of the rating scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleLevel {
    pub key: String,
    pub label: String,
    /// Empty when the file gives none.
    pub guidance: String,
}

/// One possible overall recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    pub key: String,
    pub name: String,
    /// Empty when the file gives none.
    pub guidance: String,
    pub items: Vec<Item>,
}

/// One thing an assessor rates on the scale. Its key is unique across the instrument and
/// stays the same across versions when the meaning stays the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub text: String,
    pub side: Side,
    /// Empty when the file gives none.
    pub guidance: String,
}

impl Instrument {
    /// Parses and validates an instrument file, reporting every mistake found.
    pub fn parse(source: &str, format: SourceFormat) -> Result<Instrument, InstrumentErrors> {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(InstrumentErrors::one(
                "",
                "too_large",
                format!("the file is {} bytes; an instrument may be at most {MAX_SOURCE_BYTES} bytes", source.len()),
            ));
        }
        // Editors on Windows like to start files with a byte-order mark.
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let root = match format {
            SourceFormat::Toml => toml::from_str::<Node>(source).map_err(|error| toml_syntax_error(source, &error)),
            SourceFormat::Json => serde_json::from_str::<Node>(source).map_err(|error| json_syntax_error(&error)),
        }?;
        let mut checker = Checker::default();
        let instrument = checker.instrument(&root);
        match (instrument, checker.into_errors()) {
            (Some(instrument), None) => Ok(instrument),
            (_, Some(errors)) => Err(errors),
            (None, None) => Err(InstrumentErrors::one("", "invalid_type", "the file is not a valid instrument".into())),
        }
    }

    /// The instrument as compact JSON in the file format, which `parse` reads back into an
    /// equal `Instrument`. Deterministic: the same instrument always gives the same text.
    pub fn to_canonical_json(&self) -> String {
        use serde_json::{Value, json};
        let scale: Vec<Value> = self
            .scale
            .iter()
            .map(|level| json!({ "key": level.key, "label": level.label, "guidance": level.guidance }))
            .collect();
        let recommendations: Vec<Value> =
            self.recommendations.iter().map(|choice| json!({ "key": choice.key, "label": choice.label })).collect();
        let dimensions: Vec<Value> = self
            .dimensions
            .iter()
            .map(|dimension| {
                let items: Vec<Value> = dimension
                    .items
                    .iter()
                    .map(|item| {
                        json!({
                            "key": item.key,
                            "text": item.text,
                            "side": item.side.as_str(),
                            "guidance": item.guidance,
                        })
                    })
                    .collect();
                json!({
                    "key": dimension.key,
                    "name": dimension.name,
                    "guidance": dimension.guidance,
                    "items": items,
                })
            })
            .collect();
        json!({
            "format": FORMAT,
            "key": self.key,
            "version": self.version,
            "name": self.name,
            "description": self.description,
            "overall_guidance": self.overall_guidance,
            "scale": scale,
            "recommendations": recommendations,
            "dimensions": dimensions,
        })
        .to_string()
    }

    /// Every item with its dimension, in the instrument's order.
    pub fn items(&self) -> impl Iterator<Item = (&Dimension, &Item)> {
        self.dimensions.iter().flat_map(|dimension| dimension.items.iter().map(move |item| (dimension, item)))
    }

    pub fn item(&self, key: &str) -> Option<(&Dimension, &Item)> {
        self.items().find(|(_, item)| item.key == key)
    }

    pub fn dimension(&self, key: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|dimension| dimension.key == key)
    }

    /// The position of a level on the scale, 0 being the lowest.
    pub fn level_index(&self, level_key: &str) -> Option<usize> {
        self.scale.iter().position(|level| level.key == level_key)
    }

    pub fn level(&self, level_key: &str) -> Option<&ScaleLevel> {
        self.scale.iter().find(|level| level.key == level_key)
    }

    pub fn recommendation(&self, key: &str) -> Option<&Choice> {
        self.recommendations.iter().find(|choice| choice.key == key)
    }

    /// Whether both instruments have the same level keys in the same order, so that a level
    /// index means the same thing in both.
    pub fn same_scale(&self, other: &Instrument) -> bool {
        self.scale.len() == other.scale.len() && self.scale.iter().zip(&other.scale).all(|(a, b)| a.key == b.key)
    }
}

/// One mistake in an instrument file: where (`dimensions[2].items[0].side`, or
/// `line 14, column 3` for syntax), a stable code, and an English sentence for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentError {
    /// Empty when the mistake concerns the file as a whole.
    pub path: String,
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for InstrumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

/// Every mistake found in one instrument file, in the order the file was checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InstrumentErrors(pub Vec<InstrumentError>);

impl InstrumentErrors {
    fn one(path: &str, code: &'static str, message: String) -> Self {
        Self(vec![InstrumentError { path: path.to_owned(), code, message }])
    }

    pub fn iter(&self) -> impl Iterator<Item = &InstrumentError> {
        self.0.iter()
    }

    /// The codes in order, e.g. for tests and summaries.
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|error| error.code).collect()
    }
}

impl fmt::Display for InstrumentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Whether `raw` has the shape of an item, level, dimension or recommendation key.
pub fn is_key(raw: &str) -> bool {
    (1..=KEY_MAX).contains(&raw.len())
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Whether `raw` has the shape of an instrument key: `[a-z0-9-]`, 2 to 40 characters.
pub fn is_instrument_key(raw: &str) -> bool {
    (2..=KEY_MAX).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn toml_syntax_error(source: &str, error: &toml::de::Error) -> InstrumentErrors {
    let path = match error.span() {
        Some(span) => {
            let (line, column) = line_and_column(source, span.start);
            format!("line {line}, column {column}")
        }
        None => String::new(),
    };
    InstrumentErrors::one(&path, "syntax", one_line(error.message()))
}

fn json_syntax_error(error: &serde_json::Error) -> InstrumentErrors {
    // serde_json's Display appends " at line L column C"; the position goes in the path.
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    let path =
        if error.line() == 0 { String::new() } else { format!("line {}, column {}", error.line(), error.column()) };
    InstrumentErrors::one(&path, "syntax", one_line(message))
}

/// One-based line and column (in characters) of a byte offset.
fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A parser message made safe to show: one line, bounded, so no large input is echoed.
fn one_line(message: &str) -> String {
    let flat: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    shorten(&flat, 200)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max).collect();
    short.push('…');
    short
}

/// A key from the file as it may appear in a path: plain keys as they are, anything else
/// quoted, escaped and shortened.
fn display_key(raw: &str) -> String {
    let plain = !raw.is_empty()
        && raw.len() <= KEY_MAX
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain { raw.to_owned() } else { format!("\"{}\"", shorten(&raw.escape_debug().to_string(), KEY_MAX)) }
}

/// The parsed document before validation: just enough of a tree for both syntaxes, which
/// keeps entry order and refuses duplicate keys (serde_json would silently keep the last).
#[derive(Debug)]
enum Node {
    Null,
    Bool,
    Integer(i128),
    Float,
    String(String),
    Datetime,
    Array(Vec<Node>),
    Table(Vec<(String, Node)>),
}

/// The name under which the TOML deserializer hands over a date-time.
const TOML_DATETIME_FIELD: &str = "$__toml_private_datetime";

impl Node {
    fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool => "a boolean",
            Node::Integer(_) => "an integer",
            Node::Float => "a decimal number",
            Node::String(_) => "a string",
            Node::Datetime => "a date-time",
            Node::Array(_) => "an array",
            Node::Table(_) => "a table",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML or JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Bool)
    }

    fn visit_i64<E>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Integer(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Node, E> {
        Ok(Node::Integer(value.into()))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Float)
    }

    fn visit_str<E>(self, value: &str) -> Result<Node, E> {
        Ok(Node::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Node, E> {
        Ok(Node::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element::<Node>()? {
            elements.push(element);
        }
        Ok(Node::Array(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Node>()?;
            if entries.is_empty() && key == TOML_DATETIME_FIELD {
                return Ok(Node::Datetime);
            }
            if entries.iter().any(|(seen, _)| *seen == key) {
                return Err(de::Error::custom(format!("duplicate key {}", display_key(&key))));
            }
            entries.push((key, value));
        }
        Ok(Node::Table(entries))
    }
}

fn join(parent: &str, field: &str) -> String {
    if parent.is_empty() { field.to_owned() } else { format!("{parent}.{field}") }
}

/// A table's entries, after its unknown fields were reported.
struct Fields<'a> {
    path: String,
    entries: &'a [(String, Node)],
}

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> Option<&'a Node> {
        self.entries.iter().find(|(key, _)| key == name).map(|(_, value)| value)
    }

    fn path(&self, name: &str) -> String {
        join(&self.path, name)
    }
}

/// How a text field is checked.
#[derive(Clone, Copy)]
enum Text {
    /// One line, not empty.
    Line(usize),
    /// Line breaks allowed, may be empty or absent.
    OptionalLong(usize),
}

/// Walks the tree, collecting every error; values it cannot read become defaults, which
/// never escape because any error makes the whole parse fail.
#[derive(Default)]
struct Checker {
    errors: Vec<InstrumentError>,
    omitted: usize,
}

impl Checker {
    fn error(&mut self, path: impl Into<String>, code: &'static str, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(InstrumentError { path: path.into(), code, message: message.into() });
        } else {
            self.omitted += 1;
        }
    }

    fn into_errors(mut self) -> Option<InstrumentErrors> {
        if self.omitted > 0 {
            let message = format!("{} further error(s) not shown; fix the ones above first", self.omitted);
            self.errors.push(InstrumentError { path: String::new(), code: "too_many_errors", message });
        }
        if self.errors.is_empty() { None } else { Some(InstrumentErrors(self.errors)) }
    }

    fn invalid_type(&mut self, path: &str, expected: &str, found: &Node) {
        let message = format!("must be {expected}, not {}", found.kind());
        self.error(path, "invalid_type", message);
    }

    /// Reads a table, reporting fields it does not know.
    fn fields<'a>(&mut self, path: &str, node: &'a Node, known: &[&str]) -> Option<Fields<'a>> {
        let Node::Table(entries) = node else {
            let expected = if path.is_empty() { "a table (a TOML document or a JSON object)" } else { "a table" };
            self.invalid_type(path, expected, node);
            return None;
        };
        for (key, _) in entries {
            if !known.contains(&key.as_str()) {
                self.error(
                    join(path, &display_key(key)),
                    "unknown_field",
                    format!("unknown field; expected one of: {}", known.join(", ")),
                );
            }
        }
        Some(Fields { path: path.to_owned(), entries })
    }

    fn instrument(&mut self, root: &Node) -> Option<Instrument> {
        const KNOWN: &[&str] = &[
            "format",
            "key",
            "version",
            "name",
            "description",
            "overall_guidance",
            "scale",
            "recommendations",
            "dimensions",
        ];
        let Node::Table(_) = root else {
            self.invalid_type("", "a table (a TOML document or a JSON object)", root);
            return None;
        };
        // A file in another format may mean anything; checking it further would only confuse.
        match root_field(root, "format") {
            None => self.error("format", "missing_field", format!("is required and must be \"{FORMAT}\"")),
            Some(Node::String(format)) if format == FORMAT => {}
            Some(_) => {
                self.error("format", "unsupported_format", format!("must be \"{FORMAT}\""));
                return None;
            }
        }
        let fields = self.fields("", root, KNOWN)?;
        let key = self.instrument_key(&fields);
        let version = self.version(&fields);
        let name = self.text(&fields, "name", Text::Line(NAME_MAX));
        let description = self.text(&fields, "description", Text::OptionalLong(LONG_TEXT_MAX));
        let overall_guidance = self.text(&fields, "overall_guidance", Text::OptionalLong(LONG_TEXT_MAX));

        let mut level_keys = Keys::default();
        let scale = self.list(&fields, "scale", SCALE_LEVELS, |checker, path, node| {
            let fields = checker.fields(path, node, &["key", "label", "guidance"])?;
            Some(ScaleLevel {
                key: checker.key(&fields, &mut level_keys),
                label: checker.text(&fields, "label", Text::Line(LABEL_MAX)),
                guidance: checker.text(&fields, "guidance", Text::OptionalLong(LONG_TEXT_MAX)),
            })
        });

        let mut choice_keys = Keys::default();
        let recommendations = self.list(&fields, "recommendations", RECOMMENDATIONS, |checker, path, node| {
            let fields = checker.fields(path, node, &["key", "label"])?;
            Some(Choice {
                key: checker.key(&fields, &mut choice_keys),
                label: checker.text(&fields, "label", Text::Line(LABEL_MAX)),
            })
        });

        let mut dimension_keys = Keys::default();
        let mut item_keys = Keys::default();
        let dimensions = self.list(&fields, "dimensions", DIMENSIONS, |checker, path, node| {
            let fields = checker.fields(path, node, &["key", "name", "guidance", "items"])?;
            let key = checker.key(&fields, &mut dimension_keys);
            let name = checker.text(&fields, "name", Text::Line(NAME_MAX));
            let guidance = checker.text(&fields, "guidance", Text::OptionalLong(LONG_TEXT_MAX));
            let items = checker.list(&fields, "items", ITEMS_PER_DIMENSION, |checker, path, node| {
                let fields = checker.fields(path, node, &["key", "text", "side", "guidance"])?;
                Some(Item {
                    key: checker.key(&fields, &mut item_keys),
                    text: checker.text(&fields, "text", Text::Line(ITEM_TEXT_MAX)),
                    side: checker.side(&fields),
                    guidance: checker.text(&fields, "guidance", Text::OptionalLong(LONG_TEXT_MAX)),
                })
            });
            Some(Dimension { key, name, guidance, items })
        });

        Some(Instrument { key, version, name, description, overall_guidance, scale, recommendations, dimensions })
    }

    fn required<'a>(&mut self, fields: &Fields<'a>, name: &str) -> Option<&'a Node> {
        let node = fields.get(name);
        if node.is_none() {
            self.error(fields.path(name), "missing_field", "is required");
        }
        node
    }

    fn string<'a>(&mut self, fields: &Fields<'a>, name: &str, node: &'a Node) -> Option<&'a str> {
        match node {
            Node::String(value) => Some(value),
            other => {
                self.invalid_type(&fields.path(name), "a string", other);
                None
            }
        }
    }

    fn text(&mut self, fields: &Fields<'_>, name: &str, rule: Text) -> String {
        let node = match rule {
            Text::Line(_) => self.required(fields, name),
            Text::OptionalLong(_) => fields.get(name),
        };
        let Some(raw) = node.and_then(|node| self.string(fields, name, node)) else { return String::new() };
        let path = fields.path(name);
        let value = raw.trim().replace("\r\n", "\n");
        let (max, multiline) = match rule {
            Text::Line(max) => (max, false),
            Text::OptionalLong(max) => (max, true),
        };
        if value.is_empty() && !multiline {
            self.error(path, "empty", "must not be empty");
        } else if value.chars().count() > max {
            self.error(path, "too_long", format!("must be at most {max} characters"));
        } else if value.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t'))) {
            let message = if multiline {
                "must not contain control characters other than line breaks and tabs"
            } else {
                "must be one line without tabs or other control characters"
            };
            self.error(path, "invalid_characters", message);
        }
        value
    }

    fn instrument_key(&mut self, fields: &Fields<'_>) -> String {
        let Some(raw) = self.required(fields, "key").and_then(|node| self.string(fields, "key", node)) else {
            return String::new();
        };
        if raw.is_empty() {
            self.error("key", "empty", "must not be empty");
        } else if !is_instrument_key(raw) {
            self.error("key", "invalid_key", format!("must be 2 to {KEY_MAX} of a-z, 0-9 and -"));
        }
        raw.to_owned()
    }

    /// A key that must be unique within `seen`.
    fn key(&mut self, fields: &Fields<'_>, seen: &mut Keys) -> String {
        let Some(raw) = self.required(fields, "key").and_then(|node| self.string(fields, "key", node)) else {
            return String::new();
        };
        let path = fields.path("key");
        if raw.is_empty() {
            self.error(path, "empty", "must not be empty");
        } else if !is_key(raw) {
            self.error(path, "invalid_key", format!("must be 1 to {KEY_MAX} of a-z, 0-9, _ and -"));
        } else if let Some(first) = seen.0.get(raw) {
            let message = format!("\"{raw}\" is already used at {first}");
            self.error(path, "duplicate_key", message);
        } else {
            seen.0.insert(raw.to_owned(), path);
        }
        raw.to_owned()
    }

    fn version(&mut self, fields: &Fields<'_>) -> u32 {
        match self.required(fields, "version") {
            None => 0,
            Some(Node::Integer(value)) => match u32::try_from(*value) {
                Ok(version) if version >= 1 => version,
                _ => {
                    self.error("version", "invalid_version", format!("must be a whole number from 1 to {}", u32::MAX));
                    0
                }
            },
            Some(other) => {
                self.invalid_type("version", "a whole number", other);
                0
            }
        }
    }

    fn side(&mut self, fields: &Fields<'_>) -> Side {
        let Some(raw) = self.required(fields, "side").and_then(|node| self.string(fields, "side", node)) else {
            return Side::Risk;
        };
        Side::parse(raw).unwrap_or_else(|| {
            self.error(fields.path("side"), "invalid_side", "must be \"risk\" or \"resource\"");
            Side::Risk
        })
    }

    /// A required array of tables with `min..=max` elements; elements past `max` are not read.
    fn list<T>(
        &mut self,
        fields: &Fields<'_>,
        name: &str,
        (min, max): (usize, usize),
        mut element: impl FnMut(&mut Checker, &str, &Node) -> Option<T>,
    ) -> Vec<T> {
        let path = fields.path(name);
        let elements = match self.required(fields, name) {
            None => return Vec::new(),
            Some(Node::Array(elements)) => elements,
            Some(other) => {
                self.invalid_type(&path, "an array of tables", other);
                return Vec::new();
            }
        };
        if elements.len() < min {
            self.error(&path, "too_few", format!("must have at least {min} (has {})", elements.len()));
        } else if elements.len() > max {
            self.error(&path, "too_many", format!("must have at most {max} (has {})", elements.len()));
        }
        elements
            .iter()
            .take(max)
            .enumerate()
            .filter_map(|(index, node)| element(self, &format!("{path}[{index}]"), node))
            .collect()
    }
}

fn root_field<'a>(root: &'a Node, name: &str) -> Option<&'a Node> {
    match root {
        Node::Table(entries) => entries.iter().find(|(key, _)| key == name).map(|(_, value)| value),
        _ => None,
    }
}

/// Keys already used in one namespace, with the path of their first use.
#[derive(Default)]
struct Keys(BTreeMap<String, String>);

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
format = "infohus-instrument/1"
key = "test"
version = 1
name = "Test"

[[scale]]
key = "lav"
label = "Lav"

[[scale]]
key = "hoej"
label = "Høj"

[[recommendations]]
key = "afslut"
label = "Afslut"

[[dimensions]]
key = "netvaerk"
name = "Netværk"

[[dimensions.items]]
key = "venner"
text = "Har venner"
side = "resource"
"#;

    fn toml(source: &str) -> Result<Instrument, InstrumentErrors> {
        Instrument::parse(source, SourceFormat::Toml)
    }

    fn errors(source: &str) -> Vec<(String, &'static str)> {
        match toml(source) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.0.into_iter().map(|error| (error.path, error.code)).collect(),
        }
    }

    #[test]
    fn a_minimal_instrument_parses_with_defaults_for_optional_texts() {
        let instrument = toml(MINIMAL).unwrap();
        assert_eq!(instrument.key, "test");
        assert_eq!(instrument.description, "");
        assert_eq!(instrument.scale[1].label, "Høj");
        assert_eq!(instrument.dimensions[0].items[0].side, Side::Resource);
        assert_eq!(instrument.level_index("hoej"), Some(1));
        assert_eq!(instrument.item("venner").map(|(d, _)| d.key.as_str()), Some("netvaerk"));
        assert!(instrument.item("ukendt").is_none());
    }

    #[test]
    fn a_wrong_side_is_reported_at_its_exact_path() {
        let source = MINIMAL.replace("side = \"resource\"", "side = \"protective\"");
        let error = toml(&source).unwrap_err();
        assert_eq!(error.0.len(), 1);
        assert_eq!(error.0[0].to_string(), "dimensions[0].items[0].side: must be \"risk\" or \"resource\"");
        assert_eq!(error.0[0].code, "invalid_side");
    }

    #[test]
    fn every_validation_error_is_collected() {
        let source = MINIMAL
            .replace("key = \"test\"", "key = \"Test!\"")
            .replace("version = 1", "version = 0")
            .replace("key = \"hoej\"", "key = \"lav\"")
            .replace("label = \"Afslut\"", "label = \"  \"")
            .replace("text = \"Har venner\"", "text = \"Har\\nvenner\"\ncolour = \"red\"");
        assert_eq!(
            errors(&source),
            vec![
                ("key".into(), "invalid_key"),
                ("version".into(), "invalid_version"),
                ("scale[1].key".into(), "duplicate_key"),
                ("recommendations[0].label".into(), "empty"),
                ("dimensions[0].items[0].colour".into(), "unknown_field"),
                ("dimensions[0].items[0].text".into(), "invalid_characters"),
            ]
        );
    }

    #[test]
    fn missing_fields_and_wrong_types_are_named() {
        let source = "format = \"infohus-instrument/1\"\nkey = \"ab\"\nversion = \"1\"\nscale = 3\ndimensions = []\n";
        assert_eq!(
            errors(source),
            vec![
                ("version".into(), "invalid_type"),
                ("name".into(), "missing_field"),
                ("scale".into(), "invalid_type"),
                ("recommendations".into(), "missing_field"),
                ("dimensions".into(), "too_few"),
            ]
        );
    }

    #[test]
    fn item_keys_are_unique_across_dimensions() {
        let source = format!(
            "{MINIMAL}\n[[dimensions]]\nkey = \"skole\"\nname = \"Skole\"\n\n[[dimensions.items]]\nkey = \"venner\"\ntext = \"Går i skole\"\nside = \"resource\"\n"
        );
        let errors = toml(&source).unwrap_err();
        assert_eq!(errors.codes(), vec!["duplicate_key"]);
        assert_eq!(errors.0[0].path, "dimensions[1].items[0].key");
        assert!(errors.0[0].message.contains("dimensions[0].items[0].key"));
    }

    #[test]
    fn counts_are_bounded() {
        let mut source = MINIMAL.to_owned();
        for index in 0..7 {
            source.push_str(&format!("\n[[scale]]\nkey = \"x{index}\"\nlabel = \"X\"\n"));
        }
        assert_eq!(errors(&source), vec![("scale".into(), "too_many")]);
        let one_level = MINIMAL.replacen("[[scale]]\nkey = \"lav\"\nlabel = \"Lav\"\n", "", 1);
        assert_eq!(errors(&one_level), vec![("scale".into(), "too_few")]);
    }

    #[test]
    fn syntax_errors_give_line_and_column_without_echoing_the_input() {
        let source = "format = \"infohus-instrument/1\"\nkey = \"secret-value-here\n";
        let errors = toml(source).unwrap_err();
        assert_eq!(errors.codes(), vec!["syntax"]);
        assert!(errors.0[0].path.starts_with("line 2, column "), "{}", errors.0[0].path);
        assert!(!errors.to_string().contains("secret-value-here"));

        let errors =
            Instrument::parse("{\n  \"format\": \"infohus-instrument/1\",\n  \"key\" \"x\"\n}", SourceFormat::Json)
                .unwrap_err();
        assert_eq!(errors.codes(), vec!["syntax"]);
        assert_eq!(errors.0[0].path, "line 3, column 9");
        assert_eq!(errors.0[0].message, "expected `:`");
    }

    #[test]
    fn duplicate_json_keys_are_refused_as_syntax() {
        let errors = Instrument::parse("{\"key\": \"a\", \"key\": \"b\"}", SourceFormat::Json).unwrap_err();
        assert_eq!(errors.codes(), vec!["syntax"]);
        assert!(errors.0[0].message.contains("duplicate key key"), "{}", errors.0[0].message);
    }

    #[test]
    fn another_format_stops_the_check() {
        let source =
            MINIMAL.replace("infohus-instrument/1", "infohus-instrument/2").replace("version = 1", "version = 0");
        assert_eq!(errors(&source), vec![("format".into(), "unsupported_format")]);
        let missing = MINIMAL.replace("format = \"infohus-instrument/1\"", "");
        assert_eq!(errors(&missing), vec![("format".into(), "missing_field")]);
    }

    #[test]
    fn a_date_time_or_an_array_root_is_a_type_error() {
        assert_eq!(
            errors(&MINIMAL.replace("name = \"Test\"", "name = 2026-01-31")),
            vec![("name".into(), "invalid_type")]
        );
        let errors = Instrument::parse("[1, 2]", SourceFormat::Json).unwrap_err();
        assert_eq!(errors.codes(), vec!["invalid_type"]);
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        assert!(toml(&format!("\u{feff}{MINIMAL}")).is_ok());
        let json = toml(MINIMAL).unwrap().to_canonical_json();
        assert!(Instrument::parse(&format!("\u{feff}{json}"), SourceFormat::Json).is_ok());
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let source = " ".repeat(MAX_SOURCE_BYTES + 1);
        assert_eq!(toml(&source).unwrap_err().codes(), vec!["too_large"]);
    }

    #[test]
    fn the_error_list_is_capped() {
        // Top-level keys must come before the first table, or they would belong to it.
        let unknown: String = (0..200).map(|index| format!("bad{index} = 1\n")).collect();
        let source = MINIMAL.replacen("version = 1\n", &format!("version = 1\n{unknown}"), 1);
        let errors = toml(&source).unwrap_err();
        assert_eq!(errors.0.len(), MAX_ERRORS + 1);
        assert_eq!(errors.0[MAX_ERRORS].code, "too_many_errors");
        assert!(errors.0[MAX_ERRORS].message.starts_with("100 further"));
    }

    #[test]
    fn unknown_field_names_are_escaped_in_paths() {
        let errors = Instrument::parse("{\"format\": \"infohus-instrument/1\", \"bad\\nname\": 1}", SourceFormat::Json)
            .unwrap_err();
        assert!(errors.0.iter().any(|e| e.path == "\"bad\\nname\"" && e.code == "unknown_field"), "{errors}");
    }

    #[test]
    fn canonical_json_reads_back_equal_and_is_deterministic() {
        let source =
            MINIMAL.replace("name = \"Test\"", "name = \"  Test  \"\ndescription = \"\"\"\nTo linjer\r\nher\"\"\"");
        let instrument = toml(&source).unwrap();
        assert_eq!(instrument.name, "Test");
        assert_eq!(instrument.description, "To linjer\nher");
        let json = instrument.to_canonical_json();
        let back = Instrument::parse(&json, SourceFormat::Json).unwrap();
        assert_eq!(back, instrument);
        assert_eq!(back.to_canonical_json(), json);
    }

    #[test]
    fn source_format_follows_the_extension() {
        assert_eq!(SourceFormat::from_path(Path::new("a/b.TOML")), Some(SourceFormat::Toml));
        assert_eq!(SourceFormat::from_path(Path::new("b.json")), Some(SourceFormat::Json));
        assert_eq!(SourceFormat::from_path(Path::new("b.yaml")), None);
        assert_eq!(SourceFormat::from_path(Path::new("toml")), None);
    }

    #[test]
    fn the_shipped_instruments_parse_and_validate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../instruments");
        for (file, key) in [("ni-dimensioner.toml", "ni-dimensioner"), ("indikatorliste.toml", "indikatorliste")] {
            let path = root.join(file);
            let source = std::fs::read_to_string(&path).unwrap();
            let format = SourceFormat::from_path(&path).unwrap();
            let instrument = Instrument::parse(&source, format).unwrap_or_else(|errors| panic!("{file}:\n{errors}"));
            assert_eq!(instrument.key, key);
            let back = Instrument::parse(&instrument.to_canonical_json(), SourceFormat::Json).unwrap();
            assert_eq!(back, instrument);
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn key() -> impl Strategy<Value = String> {
            "[a-z0-9_-]{1,12}"
        }

        fn line() -> impl Strategy<Value = String> {
            "[A-Za-zæøåÆØÅ0-9 .,:;!?()\"'\\\\/&<>-]{0,30}".prop_map(|s| format!("x{}x", s.trim()))
        }

        fn long() -> impl Strategy<Value = String> {
            "[A-Za-zæøå0-9 \n\t.\"\\\\]{0,60}".prop_map(|s| s.trim().to_owned())
        }

        fn instrument() -> impl Strategy<Value = Instrument> {
            let levels = proptest::collection::vec((line(), long()), 2..=7);
            let choices = proptest::collection::vec(line(), 1..=4);
            let dimensions = proptest::collection::vec(
                (line(), long(), proptest::collection::vec((line(), any::<bool>(), long()), 1..=4)),
                1..=4,
            );
            ("[a-z0-9-]{2,12}", 1..=u32::MAX, line(), long(), long(), levels, choices, dimensions).prop_map(
                |(key, version, name, description, overall_guidance, levels, choices, dimensions)| {
                    let mut counter = 0;
                    let mut next = |prefix: &str| {
                        counter += 1;
                        format!("{prefix}{counter}")
                    };
                    Instrument {
                        key,
                        version,
                        name,
                        description,
                        overall_guidance,
                        scale: levels
                            .into_iter()
                            .map(|(label, guidance)| ScaleLevel { key: next("l"), label, guidance })
                            .collect(),
                        recommendations: choices.into_iter().map(|label| Choice { key: next("r"), label }).collect(),
                        dimensions: dimensions
                            .into_iter()
                            .map(|(name, guidance, items)| Dimension {
                                key: next("d"),
                                name,
                                guidance,
                                items: items
                                    .into_iter()
                                    .map(|(text, risk, guidance)| Item {
                                        key: next("i"),
                                        text,
                                        side: if risk { Side::Risk } else { Side::Resource },
                                        guidance,
                                    })
                                    .collect(),
                            })
                            .collect(),
                    }
                },
            )
        }

        proptest! {
            #[test]
            fn canonical_json_round_trips(instrument in instrument()) {
                let json = instrument.to_canonical_json();
                let back = Instrument::parse(&json, SourceFormat::Json);
                prop_assert_eq!(back, Ok(instrument));
            }

            #[test]
            fn keys_of_the_right_shape_are_accepted(raw in key()) {
                prop_assert!(is_key(&raw));
            }

            #[test]
            fn arbitrary_input_never_panics(source in "\\PC{0,200}") {
                let _ = Instrument::parse(&source, SourceFormat::Toml);
                let _ = Instrument::parse(&source, SourceFormat::Json);
            }
        }
    }
}
