//! A small element tree over quick-xml (QTI documents are small; a tree keeps the readers simple), and the escaping
//! the writer needs. Names are local names: namespace prefixes are dropped, as QTI 1.2 readers do.

use quick_xml::{Reader, XmlVersion, escape::resolve_predefined_entity, events::Event};

/// Deeper nesting than any QTI document has; a bound keeps a hostile document from exhausting the stack.
const MAX_DEPTH: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The first element at the end of a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |el, name| el.child(name))
    }

    /// Every descendant element with this name, depth first, in document order.
    pub fn descendants_named<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        fn walk<'a>(el: &'a Element, name: &str, out: &mut Vec<&'a Element>) {
            for child in el.elements() {
                if child.name == name {
                    out.push(child);
                }
                walk(child, name, out);
            }
        }
        walk(self, name, &mut out);
        out
    }

    /// The text of this element and its descendants, as written.
    pub fn text(&self) -> String {
        let mut out = String::new();
        fn walk(el: &Element, out: &mut String) {
            for child in &el.children {
                match child {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(e) => walk(e, out),
                }
            }
        }
        walk(self, &mut out);
        out
    }

    /// The text, trimmed: for values (metadata entries, numbers, identifiers).
    pub fn value(&self) -> String {
        self.text().trim().to_owned()
    }
}

/// Parses a document into its root element. The error is a human-readable reason.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text ({e})"))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| format!("{e} (at byte {at})"))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(format!("content after the root element (at byte {at})"));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_DEPTH} levels"));
                }
                stack.push(element(&start, at)?);
            }
            Event::Empty(start) => {
                let el = element(&start, at)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| format!("unexpected end tag (at byte {at})"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), &root, at)?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content(), &root, at)?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| format!("{e} (at byte {at})"))? {
                    Some(c) => c.to_string(),
                    // An entity XML does not define (an HTML one such as `&nbsp;` written unescaped) is kept as
                    // written: the text is HTML, where it means what its author meant.
                    None => resolve_predefined_entity(&r).map_or_else(|| format!("&{};", &*r), str::to_owned),
                };
                push_text(&mut stack, &resolved, &root, at)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element".into());
    }
    root.ok_or_else(|| "the document has no root element".into())
}

fn push_text(stack: &mut [Element], text: &str, root: &Option<Element>, at: u64) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => {
            match parent.children.last_mut() {
                Some(Node::Text(prev)) => prev.push_str(text),
                _ => parent.children.push(Node::Text(text.to_owned())),
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None if root.is_some() => Err(format!("text after the root element (at byte {at})")),
        None => Err(format!("text before the root element (at byte {at})")),
    }
}

fn element(start: &quick_xml::events::BytesStart<'_>, at: u64) -> Result<Element, String> {
    let name = start.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("{e} (in <{name}> at byte {at})"))?;
        let key = attr.key.local_name().as_ref().to_owned();
        let value =
            attr.normalized_value(XmlVersion::Implicit1_0).map_err(|e| format!("{e} (in <{name}> at byte {at})"))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element { name, attrs, children: Vec::new() })
}

/// Whether XML 1.0 can carry this character at all.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes element text. Characters XML cannot carry become U+FFFD; `replaced` tells the caller so it can warn.
pub(crate) fn escape_text(s: &str, replaced: &mut bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A bare carriage return would read back as a newline.
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            _ => {
                *replaced = true;
                out.push('\u{FFFD}');
            }
        }
    }
    out
}

/// Escapes an attribute value (whitespace as character references, so that it reads back unchanged).
pub(crate) fn escape_attr(s: &str, replaced: &mut bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if allowed(c) => out.push(c),
            _ => {
                *replaced = true;
                out.push('\u{FFFD}');
            }
        }
    }
    out
}

/// Builds an indented XML document.
pub(crate) struct Writer {
    out: String,
    depth: usize,
    open: Vec<&'static str>,
    /// Set when a character XML cannot carry was replaced.
    pub replaced: bool,
}

impl Writer {
    pub fn new() -> Writer {
        Writer {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
            open: Vec::new(),
            replaced: false,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let v = escape_attr(v, &mut self.replaced);
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&v);
            self.out.push('"');
        }
    }

    /// Opens an element whose children follow.
    pub fn open(&mut self, name: &'static str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
        self.open.push(name);
    }

    pub fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            self.depth -= 1;
            self.indent();
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push_str(">\n");
        }
    }

    /// An element holding text only (written on one line, exactly).
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        if text.is_empty() {
            self.out.push_str("/>\n");
        } else {
            let text = escape_text(text, &mut self.replaced);
            self.out.push('>');
            self.out.push_str(&text);
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push_str(">\n");
        }
    }

    pub fn finish(mut self) -> (String, bool) {
        while !self.open.is_empty() {
            self.close();
        }
        (self.out, self.replaced)
    }
}
