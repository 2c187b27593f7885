//! Main-content extraction from web pages: the article's text without the
//! page around it, with a map from every byte of that text back to the file.
//!
//! Readability-style, over the HTML parser (`scraper`, html5ever): the content
//! root is `<article>`, `<main>` or `role="main"` when the page has one, else
//! the element whose paragraphs score highest (text length and commas, shared
//! with the parent and half with the grandparent) together with its siblings
//! that score close to it. Inside it, paragraphs, headings, list items and
//! quotes are kept; navigation, bylines, datelines, captions, share bars,
//! "Sponsored" / "Advertisement" / "Read more" blocks, link lists and comment
//! threads are dropped, by element, by `class`/`id`/`role`, and by what the
//! block says (a "Comments" heading ends the article on pages without markup
//! for it).
//!
//! The extracted text has one block per paragraph (blocks separated by a
//! blank line, whitespace collapsed, entities decoded). [`OffsetMap`] turns an
//! offset in it into the byte offset in the original file, so tools that
//! report positions point into the page the user has.
//!
//! ```
//! use tmkit::html::extract;
//! let page = "<html><body><nav><p>Home | World</p></nav>\
//!     <article><h1>Storm hits coast</h1><p class=\"byline\">By Jane Doe</p>\
//!     <p>The storm hit the coast &amp; the port on Monday.</p></article></body></html>";
//! let doc = extract(page);
//! assert_eq!(doc.title.as_deref(), Some("Storm hits coast"));
//! assert_eq!(doc.text, "The storm hit the coast & the port on Monday.");
//! let (start, end) = doc.map.to_source_range(0, doc.text.len());
//! assert_eq!(&page[start..end], "The storm hit the coast &amp; the port on Monday.");
//! ```

mod boilerplate;
mod offsets;

use std::path::Path;

use scraper::{ElementRef, Html, Node, Selector};

pub use boilerplate::looks_like_byline;
use offsets::Aligner;
pub use offsets::OffsetMap;
pub(crate) use offsets::TextBuilder;

/// The main content of a page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extracted {
    /// The headline: the first `<h1>`, else the `<title>`.
    pub title: Option<String>,
    /// The article's text, one block per paragraph, blocks separated by a blank line.
    pub text: String,
    /// From offsets in `text` to byte offsets in the page.
    pub map: OffsetMap,
}

/// True for a file name that holds a web page (`.html`, `.htm`, `.xhtml`, any case).
///
/// ```
/// use std::path::Path;
/// assert!(tmkit::html::is_page_path(Path::new("news/a.HTML")));
/// assert!(!tmkit::html::is_page_path(Path::new("a.txt")));
/// ```
pub fn is_page_path(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["html", "htm", "xhtml"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// The text a text tool should read from the file `path`: what is
/// translated in it ([`crate::summarize::Document::translatable`]): a page's
/// main content with its headline, Markdown without its markup, else `text`
/// itself.
///
/// ```
/// use std::path::Path;
/// let page = "<nav>Home</nav><p>The port reopened.</p>".to_string();
/// assert_eq!(tmkit::html::readable_text(Path::new("a.html"), page.clone()), "The port reopened.");
/// assert_eq!(tmkit::html::readable_text(Path::new("a.txt"), page.clone()), page);
/// let md = "# Port\n\nIt **reopened**.".to_string();
/// assert_eq!(tmkit::html::readable_text(Path::new("a.md"), md), "Port\n\nIt reopened.");
/// ```
pub fn readable_text(path: &Path, text: String) -> String {
    use crate::summarize::{Document, InputFormat};
    match InputFormat::from_path(path) {
        InputFormat::Text => text,
        format => Document::translatable(&text, format).text,
    }
}

/// Extracts the main content of `html` (see the module docs); the `<h1>`
/// headline is the title, not part of the text.
pub fn extract(html: &str) -> Extracted {
    extract_with(html, false)
}

/// The main content of `html` with its headline as the first paragraph of
/// the text, as a translator gets it: the `<h1>` where it stands in the
/// content, else the headline (`<h1>` outside the content, or `<title>`)
/// before it. Offsets of the headline point at its place in the page.
///
/// ```
/// let page = "<html><head><title>Storm | Daily</title></head><body><article>\
///     <h1>Storm hits coast</h1><p>The storm hit the coast.</p></article></body></html>";
/// let doc = tmkit::html::extract_with_headline(page);
/// assert_eq!(doc.text, "Storm hits coast\n\nThe storm hit the coast.");
/// let (s, e) = doc.map.to_source_range(0, 16);
/// assert_eq!(&page[s..e], "Storm hits coast");
/// ```
pub fn extract_with_headline(html: &str) -> Extracted {
    extract_with(html, true)
}

fn extract_with(html: &str, keep_headline: bool) -> Extracted {
    let page = Html::parse_document(html);
    let h1 = first_element(&page, "h1");
    let title_el = first_element(&page, "title");
    let h1_text = h1.map(element_text);
    let title = h1_text
        .clone()
        .or_else(|| title_el.map(element_text).filter(|t| !t.is_empty()));
    let roots = content_roots(&page);
    let mut walk = Walk::new(html, h1_text, keep_headline);
    for root in roots {
        walk.collect(root);
    }
    let placed = walk.headline.is_none();
    let (body, body_map) = walk.builder.finish();
    if !keep_headline || placed {
        return Extracted {
            title,
            text: body,
            map: body_map,
        };
    }
    // The headline is not in the content: it goes first, found on its own.
    let mut head = Walk::new(html, None, false);
    match (h1, title_el) {
        (Some(h1), _) => {
            let mut nodes = Vec::new();
            push_text_nodes(h1, &mut nodes);
            head.block_of_nodes(&nodes);
        }
        (None, Some(t)) => {
            head.aligner = Aligner::after_tag(html, "title");
            let nodes: Vec<Piece> = t.text().map(|n| Piece::Text(n.to_string())).collect();
            head.block_of_nodes(&nodes);
        }
        (None, None) => {}
    }
    let mut builder = head.builder;
    builder.append_block(&body, &body_map);
    let (text, map) = builder.finish();
    Extracted { title, text, map }
}

/// Elements whose text is never article prose.
const SKIPPED: &[&str] = &[
    "nav",
    "footer",
    "header",
    "aside",
    "script",
    "style",
    "noscript",
    "form",
    "figure",
    "figcaption",
    "template",
    "button",
    "select",
    "svg",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "canvas",
    "dialog",
    "menu",
    "address",
    "time",
    "head",
    "input",
    "textarea",
    "label",
];

/// Elements whose text makes one paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "td",
    "th",
];

/// The elements to take text from: the page's declared main content, else the
/// best-scoring container and its close siblings.
fn content_roots(page: &Html) -> Vec<ElementRef<'_>> {
    let mut scores: Vec<(ElementRef<'_>, f32)> = Vec::new();
    for selector in ["article", "main", "[role=main]"] {
        if let Ok(sel) = Selector::parse(selector)
            && let Some(el) = page.select(&sel).find(|e| !boilerplate::is_boilerplate(e))
        {
            return vec![el];
        }
    }
    let Some(body) = Selector::parse("body")
        .ok()
        .and_then(|sel| page.select(&sel).next())
    else {
        return vec![page.root_element()];
    };
    // Paragraphs after a "Comments" heading, within the heading's parent,
    // are the readers' words, not the article's.
    let mut comments: Option<ElementRef<'_>> = None;
    for el in body.descendants().filter_map(ElementRef::wrap) {
        let name = el.value().name();
        if let Some(section) = comments
            && !el.ancestors().any(|a| a.id() == section.id())
        {
            comments = None;
        }
        if matches!(name, "h2" | "h3" | "h4" | "h5" | "h6")
            && boilerplate::starts_comments(&element_text(el), name)
        {
            comments = el.parent().and_then(ElementRef::wrap);
            continue;
        }
        if comments.is_some() || !matches!(name, "p" | "pre" | "blockquote" | "td") {
            continue;
        }
        if el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| skipped(&a))
        {
            continue;
        }
        let text = element_text(el);
        let chars = text.chars().count();
        if chars < 25 {
            continue;
        }
        let score =
            1.0 + text.matches([',', '，', '、']).count() as f32 + (chars as f32 / 100.0).min(3.0);
        let up = el.ancestors().filter_map(ElementRef::wrap);
        for (container, share) in up.take(2).zip([1.0, 0.5]) {
            match scores.iter_mut().find(|(e, _)| e.id() == container.id()) {
                Some((_, total)) => *total += share * score,
                None => scores.push((container, share * score)),
            }
        }
    }
    let Some(&(top, best)) = scores.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
        return vec![body];
    };
    if top.id() == body.id() {
        return vec![body];
    }
    // Siblings of the best container that score close to it hold the rest of the article.
    let Some(parent) = top.parent().and_then(ElementRef::wrap) else {
        return vec![top];
    };
    parent
        .children()
        .filter_map(ElementRef::wrap)
        .filter(|sibling| {
            sibling.id() == top.id()
                || scores
                    .iter()
                    .any(|(e, s)| e.id() == sibling.id() && *s >= (0.2 * best).max(5.0))
        })
        .collect()
}

/// True for an element whose subtree is never article text.
fn skipped(el: &ElementRef<'_>) -> bool {
    SKIPPED.contains(&el.value().name()) || boilerplate::is_boilerplate(el)
}

/// The walk over the content roots, collecting paragraph blocks.
struct Walk<'a> {
    builder: TextBuilder,
    aligner: Aligner<'a>,
    /// The `<h1>` headline's text until the walk meets it.
    headline: Option<String>,
    /// The headline is kept in the text where it stands (else left out).
    keep_headline: bool,
    /// A comment section started: nothing after it is the article.
    ended: bool,
}

impl<'a> Walk<'a> {
    fn new(html: &'a str, headline: Option<String>, keep_headline: bool) -> Self {
        Walk {
            builder: TextBuilder::default(),
            aligner: Aligner::new(html),
            headline,
            keep_headline,
            ended: false,
        }
    }

    fn collect(&mut self, el: ElementRef<'_>) {
        for child in el.children() {
            if self.ended {
                return;
            }
            let Some(child) = ElementRef::wrap(child) else {
                // Loose text directly in a container (no <p>) is a paragraph too.
                if let Node::Text(t) = child.value()
                    && t.trim().chars().count() >= 40
                {
                    self.block_of_nodes(&[Piece::Text(t.to_string())]);
                }
                continue;
            };
            if skipped(&child) {
                continue;
            }
            let name = child.value().name();
            if BLOCKS.contains(&name) && !has_block_descendant(child) {
                self.block(child, name);
            } else {
                self.collect(child);
            }
        }
    }

    /// Keeps one block unless what it says marks it as page furniture.
    fn block(&mut self, el: ElementRef<'_>, name: &str) {
        let text = element_text(el);
        if text.is_empty() {
            return;
        }
        if name == "h1" && self.headline.as_deref() == Some(text.as_str()) {
            // The headline is the title, not a sentence of the body, unless
            // the caller keeps it.
            self.headline = None;
            if self.keep_headline {
                let mut nodes = Vec::new();
                push_text_nodes(el, &mut nodes);
                self.block_of_nodes(&nodes);
            }
            return;
        }
        if boilerplate::starts_comments(&text, name) {
            self.ended = true;
            return;
        }
        if boilerplate::is_furniture_text(&text) || link_density(el) > 0.5 {
            return;
        }
        let mut nodes = Vec::new();
        push_text_nodes(el, &mut nodes);
        self.block_of_nodes(&nodes);
    }

    /// One block of text nodes: a `<br>` starts a new line, two or more in a
    /// row (whitespace between them allowed) a new paragraph.
    fn block_of_nodes(&mut self, nodes: &[Piece]) {
        self.builder.start_block();
        let mut breaks = 0;
        for node in nodes {
            match node {
                Piece::Break => breaks += 1,
                Piece::Text(t) => {
                    let blank = t.trim().is_empty();
                    if !blank {
                        match breaks {
                            0 => {}
                            1 => self.builder.line_break(),
                            _ => self.builder.start_block(),
                        }
                        breaks = 0;
                    }
                    let positions = self.aligner.align(t);
                    self.builder.push(t, &positions);
                }
            }
        }
    }
}

fn has_block_descendant(el: ElementRef<'_>) -> bool {
    el.descendants()
        .skip(1)
        .any(|n| ElementRef::wrap(n).is_some_and(|e| BLOCKS.contains(&e.value().name())))
}

/// Share of a block's text inside links (menus and "related" lists are mostly links).
fn link_density(el: ElementRef<'_>) -> f32 {
    let total = element_text(el).chars().count();
    if total == 0 {
        return 0.0;
    }
    let Ok(links) = Selector::parse("a") else {
        return 0.0;
    };
    let linked: usize = el
        .select(&links)
        .map(|a| element_text(a).chars().count())
        .sum();
    linked as f32 / total as f32
}

/// The first element matching `selector` that has text.
fn first_element<'p>(page: &'p Html, selector: &str) -> Option<ElementRef<'p>> {
    let sel = Selector::parse(selector).ok()?;
    page.select(&sel).find(|e| !element_text(*e).is_empty())
}

/// A piece of a block: a text node of the page, or a `<br>`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Break,
}

/// The text nodes and line breaks of `el` in document order, skipping
/// scripts, styles and the like.
fn push_text_nodes(el: ElementRef<'_>, out: &mut Vec<Piece>) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push(Piece::Text(t.to_string())),
            Node::Element(e) => {
                if SKIPPED.contains(&e.name()) {
                    continue;
                }
                if e.name() == "br" {
                    out.push(Piece::Break);
                }
                if let Some(ce) = ElementRef::wrap(child) {
                    push_text_nodes(ce, out);
                }
            }
            _ => {}
        }
    }
}

/// The visible text of an element, whitespace collapsed.
pub(crate) fn element_text(el: ElementRef<'_>) -> String {
    let mut nodes = Vec::new();
    push_text_nodes(el, &mut nodes);
    let mut out = String::new();
    let words = nodes.iter().flat_map(|n| match n {
        Piece::Text(t) => t.split_whitespace(),
        Piece::Break => "".split_whitespace(),
    });
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_paragraphs_without_chrome() {
        let html = r#"<!DOCTYPE html><html><head><title>Storm - Daily News</title>
            <style>p { color: red }</style></head><body>
            <nav><p>Home | World | Sport</p></nav>
            <article><h1>Storm hits the coast</h1>
            <p>The storm arrived at <b>dawn</b>.<script>track()</script></p>
            <figure><img src="x.jpg"><figcaption>Photo: Reuters</figcaption></figure>
            <ul><li>Roofs torn off.</li></ul>
            <div><p>Roads   closed.</p></div></article>
            <footer><p>Copyright 2024</p></footer></body></html>"#;
        let d = extract(html);
        assert_eq!(d.title.as_deref(), Some("Storm hits the coast"));
        assert_eq!(
            d.text,
            "The storm arrived at dawn.\n\nRoofs torn off.\n\nRoads closed."
        );
        for piece in ["The storm arrived at", "Roofs torn off.", "Roads"] {
            let at = d.text.find(piece).unwrap();
            let (s, e) = d.map.to_source_range(at, at + piece.len());
            assert_eq!(&html[s..e], piece);
        }
        let (s, e) = d.map.to_source_range(0, d.text.find('\n').unwrap());
        assert_eq!(&html[s..e], "The storm arrived at <b>dawn</b>.");
    }

    #[test]
    fn page_without_article_element_uses_the_densest_container() {
        let html = r#"<html><body>
            <div class="top"><a href="/">Home</a> <a href="/w">World</a></div>
            <div id="story">
              <p>The council approved the new bridge on Monday, after years of debate, by a narrow vote.</p>
              <p>Work on the bridge, which will cost 40 million euros, starts in the spring.</p>
              <p>Advertisement</p>
              <div class="share-bar"><p>Share this article on Facebook, Twitter or by email, today.</p></div>
            </div>
            <div>
              <h3>Comments</h3>
              <p>Great news, finally something is happening in this town, well done!</p>
              <p>Great news, finally something is happening in this town, well done!!</p>
            </div></body></html>"#;
        let d = extract(html);
        assert_eq!(
            d.text,
            "The council approved the new bridge on Monday, after years of debate, by a narrow vote.\n\n\
             Work on the bridge, which will cost 40 million euros, starts in the spring."
        );
    }

    #[test]
    fn broken_html_does_not_panic() {
        for s in [
            "<p>unclosed <b>bold",
            "<<<>>>",
            "",
            "<article><p></p></article>",
            "&amp;&#x;&",
        ] {
            let d = extract(s);
            let (a, b) = d.map.to_source_range(0, d.text.len());
            assert!(a <= b && b <= s.len());
        }
    }

    /// The text of `raw[start..end]` as a reader sees it: tags removed (line
    /// and paragraph breaks as a space), `&amp;` decoded, whitespace collapsed.
    fn visible(raw: &str) -> String {
        let mut out = String::new();
        let mut tag: Option<String> = None;
        for c in raw.chars() {
            match (c, tag.as_mut()) {
                ('<', None) => tag = Some(String::new()),
                ('>', Some(t)) => {
                    if ["br", "br/", "p", "/p"].contains(&t.as_str()) {
                        out.push(' ');
                    }
                    tag = None;
                }
                (_, Some(t)) => t.push(c),
                (_, None) => out.push(c),
            }
        }
        out.replace("&amp;", "&")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn sentences(html: &str) -> Vec<(String, String)> {
        let d = extract(html);
        let seg = crate::segment::Segmenter::for_language(&"en".parse().unwrap());
        seg.segments(&d.text)
            .map(|s| {
                let (a, b) = d.map.to_source_range(s.start, s.end);
                (s.text.to_string(), html[a..b].to_string())
            })
            .collect()
    }

    #[test]
    fn a_br_is_a_line_break_and_offsets_stay_on_the_text() {
        let html = "<p>One sentence here.<br>Two sentence here.</p>";
        let d = extract(html);
        assert_eq!(d.text, "One sentence here.\nTwo sentence here.");
        let got = sentences(html);
        assert_eq!(
            got.iter().map(|(_, raw)| raw.as_str()).collect::<Vec<_>>(),
            ["One sentence here.", "Two sentence here."]
        );
        // A sentence that runs over the break covers it in the page.
        let html = "<p>One sentence here<br>two sentence here.</p>";
        assert_eq!(
            sentences(html)[0].1,
            "One sentence here<br>two sentence here."
        );
        let html = "<p>One here.<br/>\n  Two here.</p>";
        assert_eq!(extract(html).text, "One here.\nTwo here.");
        assert_eq!(sentences(html)[1].1, "Two here.");
    }

    #[test]
    fn two_brs_make_a_paragraph_break() {
        let html = "<table><tr><td><b>Minister quits</b><br><br>\nThe minister quit on Friday.<br> \n<br>He said little.</td></tr></table>";
        let d = extract(html);
        assert_eq!(
            d.text,
            "Minister quits\n\nThe minister quit on Friday.\n\nHe said little."
        );
        let got = sentences(html);
        assert_eq!(got.len(), 3);
        for (text, raw) in got {
            assert_eq!(
                visible(&raw),
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn sentence_ranges_around_brs_slice_to_the_sentence(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "<br>", "<br/>", "<br><br>", " ", "\n", "Rain fell.", "the port", "closed",
                "Ships &amp; boats", "<b>wind</b>", "<i>It ended.</i>", "</p><p>",
            ]), 1..24)
        ) {
            let html = format!("<html><body><article><p>{}</p></article></body></html>", pieces.concat());
            for (text, raw) in sentences(&html) {
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                proptest::prop_assert_eq!(visible(&raw), text, "in {:?}", html);
            }
        }
    }
}
