//! Rich text: every HTML field Assay stores (question text, choices, feedback, assignment and quiz descriptions)
//! goes through [`sanitize`] on the way in, so what is served back can be rendered as-is without running anything.
//!
//! Kept: ordinary formatting (paragraphs, headings, lists, emphasis, code, quotes, sub/superscript), tables,
//! images (`http`, `https`, relative, or `data:image/{png,jpeg,gif,webp}`), links (`http`, `https`, `mailto`,
//! relative; `rel="noopener noreferrer"` is added), a safe subset of inline `style` properties, Canvas's equation
//! images, and presentation MathML. Removed: `script`, `style`, `iframe`, `object`, `embed`, forms, event handler
//! attributes (`on*`), `javascript:`/`vbscript:`/other `data:` URLs, comments, and anything else not listed.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::Builder;

const EXTRA_TAGS: &[&str] = &["tfoot", "font", "span", "div", "figure", "figcaption", "video", "audio", "source"];

/// Presentation MathML (what editors and LaTeX converters produce). `annotation-xml` is left out: it can carry HTML.
const MATHML_TAGS: &[&str] = &[
    "math",
    "mi",
    "mn",
    "mo",
    "ms",
    "mspace",
    "mtext",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
    "semantics",
    "annotation",
];

const MATHML_ATTRIBUTES: &[&str] = &[
    "display",
    "mathvariant",
    "mathsize",
    "displaystyle",
    "scriptlevel",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "linethickness",
    "columnalign",
    "rowalign",
    "columnspan",
    "rowspan",
    "notation",
    "encoding",
    "accent",
    "accentunder",
    "width",
    "height",
    "depth",
];

/// Inline style properties that change presentation only (no positioning, no URLs).
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "text-align",
    "text-decoration",
    "text-indent",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "vertical-align",
    "width",
    "height",
    "max-width",
    "border",
    "border-collapse",
    "border-color",
    "border-style",
    "border-width",
    "padding",
    "padding-left",
    "padding-right",
    "margin-left",
    "margin-right",
    "list-style-type",
    "white-space",
    "line-height",
    "direction",
];

const DATA_IMAGE_PREFIXES: &[&str] =
    &["data:image/png;", "data:image/jpeg;", "data:image/jpg;", "data:image/gif;", "data:image/webp;"];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    b.add_tags(EXTRA_TAGS)
        .add_tags(MATHML_TAGS)
        .add_generic_attributes(["style", "dir", "title", "lang"])
        // Canvas's API links inside content (`data-api-endpoint`) keep working after a round trip.
        .add_tag_attributes("a", ["target", "name", "data-api-endpoint", "data-api-returntype"])
        .add_tag_attributes(
            "img",
            ["data-equation-content", "width", "height", "data-api-endpoint", "data-api-returntype"],
        )
        .add_tag_attributes("video", ["src", "controls", "width", "height"])
        .add_tag_attributes("audio", ["src", "controls"])
        .add_tag_attributes("source", ["src", "type"])
        .add_tag_attributes("font", ["color", "size", "face"])
        .add_tag_attributes("td", ["width", "valign", "style"])
        .add_tag_attributes("th", ["width", "valign"])
        .add_tag_attributes("table", ["border", "cellpadding", "cellspacing", "width"])
        .add_allowed_classes("img", ["equation_image"])
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect::<HashSet<_>>())
        .url_schemes(["http", "https", "mailto", "data"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(filter_attribute);
    for tag in MATHML_TAGS {
        b.add_tag_attributes(tag, MATHML_ATTRIBUTES);
    }
    b
});

/// `data:` URLs only as image sources, and only raster images.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let trimmed = value.trim_start();
    let is_data = trimmed.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:"));
    if !is_data {
        return Some(Cow::Borrowed(value));
    }
    let lower = trimmed.to_ascii_lowercase();
    let image = element == "img"
        && attribute == "src"
        && DATA_IMAGE_PREFIXES.iter().any(|prefix| lower.starts_with(prefix))
        && lower.contains(";base64,");
    image.then_some(Cow::Borrowed(value))
}

/// Sanitises untrusted HTML into HTML that is safe to render in a page (see the module documentation for what is
/// kept). Plain text comes back HTML-escaped (`a < b` becomes `a &lt; b`), so only HTML fields go through here.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_safe(input: &str) {
        let out = sanitize(input).to_ascii_lowercase();
        for bad in ["<script", "javascript:", "vbscript:", "onerror", "onload", "onclick", "onmouseover", "<iframe"] {
            assert!(!out.contains(bad), "{input:?} → {out:?} still contains {bad}");
        }
        for bad in ["<object", "<embed", "<style", "<form", "<svg", "<base", "<meta", "<link", "srcdoc", "<!--"] {
            assert!(!out.contains(bad), "{input:?} → {out:?} still contains {bad}");
        }
        // Sanitising is idempotent: what is stored comes back unchanged.
        assert_eq!(sanitize(&sanitize(input)), sanitize(input), "{input:?}");
    }

    #[test]
    fn strips_xss_vectors() {
        let vectors = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"javascript:alert(1)\">",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\"java&#x09;script:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\" javascript:alert(1)\">x</a>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "<img src=\"data:text/html;base64,PHNjcmlwdD4=\">",
            "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<svg onload=alert(1)><circle r=1></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<math><annotation-xml encoding=\"text/html\"><script>alert(1)</script></annotation-xml></math>",
            "<style>body{background:url(javascript:alert(1))}</style>",
            "<div style=\"background-image: url(javascript:alert(1)); position: fixed\">x</div>",
            "<body onload=alert(1)>",
            "<form action=\"javascript:alert(1)\"><input type=submit></form>",
            "<details open ontoggle=alert(1)>",
            "<p onclick=\"alert(1)\" onmouseover=\"alert(1)\">x</p>",
            "<base href=\"javascript:alert(1)//\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<link rel=stylesheet href=\"https://evil.example/x.css\">",
            "<!--<img src=x onerror=alert(1)>-->",
            "<<script>script>alert(1)<</script>/script>",
            "<scr<script>ipt>alert(1)</script>",
            "\"><script>alert(1)</script>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        ];
        for v in vectors {
            assert_safe(v);
        }
    }

    #[test]
    fn keeps_ordinary_formatting() {
        let html = "<p>Some <strong>bold</strong>, <em>italic</em>, <u>under</u>, x<sup>2</sup>, H<sub>2</sub>O</p>\
                    <ul><li>one</li></ul><ol><li>two</li></ol><h2>Head</h2><blockquote>q</blockquote>\
                    <pre><code>let x = 1;</code></pre>";
        assert_eq!(sanitize(html), html);
        let table = "<table border=\"1\"><thead><tr><th>a</th></tr></thead><tbody><tr><td colspan=\"2\">b</td></tr>\
                     </tbody></table>";
        assert_eq!(sanitize(table), table);
        assert_eq!(sanitize("<span style=\"color: red\">r</span>"), "<span style=\"color:red\">r</span>");
        assert_eq!(
            sanitize("<span style=\"color: red; position: fixed\">r</span>"),
            "<span style=\"color:red\">r</span>"
        );
    }

    #[test]
    fn images_and_links() {
        let img = "<img src=\"https://example.com/a.png\" alt=\"A\" width=\"10\">";
        assert_eq!(sanitize(img), img);
        let relative = "<img src=\"/courses/1/files/2/preview\" alt=\"B\">";
        assert_eq!(sanitize(relative), relative);
        let data = "<img src=\"data:image/png;base64,iVBORw0KGgo=\">";
        assert_eq!(sanitize(data), data);
        let equation = "<img class=\"equation_image\" data-equation-content=\"x^2\" src=\"/equation_images/x%255E2\">";
        assert_eq!(sanitize(equation), equation);
        assert_eq!(sanitize("<img class=\"evil\" src=\"/a.png\">"), "<img class=\"\" src=\"/a.png\">");
        assert_eq!(
            sanitize("<a href=\"https://example.com\" target=\"_blank\">x</a>"),
            "<a href=\"https://example.com\" target=\"_blank\" rel=\"noopener noreferrer\">x</a>"
        );
        assert_eq!(
            sanitize("<a href=\"mailto:a@example.com\">m</a>"),
            "<a href=\"mailto:a@example.com\" rel=\"noopener noreferrer\">m</a>"
        );
        assert_eq!(sanitize("<a href=\"ftp://example.com/x\">f</a>"), "<a rel=\"noopener noreferrer\">f</a>");
    }

    #[test]
    fn keeps_mathml() {
        let math = "<math display=\"block\"><mrow><mfrac><mi>a</mi><mn>2</mn></mfrac><mo>+</mo>\
                    <msup><mi>x</mi><mn>2</mn></msup><msqrt><mi>y</mi></msqrt></mrow></math>";
        assert_eq!(sanitize(math), math);
    }

    #[test]
    fn plain_text_is_escaped() {
        assert_eq!(sanitize("a < b & c"), "a &lt; b &amp; c");
        assert_eq!(sanitize(""), "");
        assert_eq!(sanitize("fill in [blank1] here"), "fill in [blank1] here");
    }
}
