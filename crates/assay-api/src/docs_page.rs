//! The human-readable API documentation page served at `GET /api/docs`.
//!
//! The page is fully self-contained on this server and works offline: it loads the vendored RapiDoc web
//! component ([`RAPIDOC_JS`], served at [`RAPIDOC_JS_PATH`]) and points it at the OpenAPI document. RapiDoc's
//! default web-font download (Open Sans from a Google CDN) is switched off with `load-fonts="false"` and
//! system font stacks are used instead, so the browser fetches nothing from another host.
//!
//! The error-code table is rendered here on the server as plain HTML, above the interactive reference, so it
//! is readable with JavaScript disabled and every row is a stable fragment target: `/api/docs#error-<code>`
//! (the `links.about` of an error response) lands on the row for that code.
//!
//! RapiDoc runs with `render-style="view"`, not `"read"`: in read mode its scroll-spy calls `scrollIntoView` on
//! the side-nav item of whatever is on screen, which also scrolls the window, so it would pull a deep-linked
//! error row out of view and make the page jump while the reader scrolls down to the reference. View mode has
//! no scroll-spy. `update-route="false"` keeps RapiDoc from rewriting the URL fragment.
//!
//! The page contains no inline script (only an inline `<style>` block), so a Content-Security-Policy of
//! `script-src 'self'` is enough for it.
//!
//! This module is pure: it builds a `String` and knows nothing about axum.

/// One documented error code for the error table on the docs page.
pub struct ErrorDoc<'a> {
    /// The wire name clients match on, e.g. `course_not_found`. Also the row's anchor: `#error-<code>`.
    pub code: &'a str,
    /// The HTTP status this code is sent with.
    pub status: u16,
    /// The short title (the HTTP reason phrase of the status).
    pub title: &'a str,
    /// What the code means and what the caller can do about it. Text between a pair of backticks is shown as
    /// code.
    pub description: &'a str,
}

/// The vendored RapiDoc script, embedded in the binary.
pub const RAPIDOC_JS: &[u8] = include_bytes!("../assets/vendor/rapidoc-9.3.8.min.js");
/// Path the page loads the script from. Serve [`RAPIDOC_JS`] there (as `text/javascript`) with
/// `Cache-Control: public, max-age=31536000, immutable`: the version is in the name.
pub const RAPIDOC_JS_PATH: &str = "/api/docs/assets/rapidoc-9.3.8.min.js";

/// System font stacks, so RapiDoc needs no web font (its own default is Open Sans from fonts.gstatic.com).
const REGULAR_FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', \
                            'Liberation Sans', Arial, sans-serif";
const MONO_FONT: &str = "ui-monospace, SFMono-Regular, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', \
                         'Liberation Mono', monospace";

const STYLE: &str = r"
:root { color-scheme: light; }
html { scroll-behavior: auto; }
body { margin: 0; background: #ffffff; color: #1f2328; font: 16px/1.5 __REGULAR_FONT__; }
code, pre { font-family: __MONO_FONT__; font-size: 0.875em; }
code { background: #f3f4f6; border-radius: 4px; padding: 0.1em 0.3em; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.75rem 1rem; overflow-x: auto; }
pre code { background: none; padding: 0; font-size: 1em; }
a { color: #0969da; }
.page { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1.5rem 2rem; }
h1 { font-size: 1.9rem; margin: 0 0 0.5rem; }
h1 .version { font-size: 0.95rem; font-weight: 500; color: #57606a; background: #eaeef2; border-radius: 999px;
  padding: 0.15rem 0.6rem; vertical-align: middle; margin-left: 0.4rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 0.5rem; padding-bottom: 0.3rem; border-bottom: 1px solid #d0d7de; }
.toc { display: flex; flex-wrap: wrap; gap: 0.4rem 1.25rem; margin: 0.75rem 0 0; padding: 0; list-style: none; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.75rem 0; }
dl.fields dt { margin: 0; } dl.fields dd { margin: 0; }
table.errors { width: 100%; border-collapse: collapse; font-size: 0.94rem; }
table.errors th, table.errors td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem;
  border-bottom: 1px solid #d0d7de; }
table.errors th { background: #f6f8fa; }
table.errors td.status { white-space: nowrap; font-variant-numeric: tabular-nums; }
table.errors td.code a { text-decoration: none; white-space: nowrap; }
table.errors tr { scroll-margin-top: 1rem; }
table.errors tr:target { background: #fff8c5; outline: 2px solid #d4a72c; }
.reference { border-top: 1px solid #d0d7de; }
.reference noscript p { max-width: 64rem; margin: 1rem auto; padding: 0 1.5rem; }
rapi-doc { display: block; width: 100%; height: 100vh; scroll-margin-top: 0; }
";

/// Renders the complete HTML page served at GET /api/docs.
///
/// `spec_url` is where the OpenAPI document is served (normally `/api/openapi.json`); it is used both for
/// RapiDoc and for the page's plain link to the document. `product_version` is shown next to the title.
/// `errors` become the rows of the "Error codes" table, in the given order. Everything interpolated is
/// HTML-escaped.
pub fn render(spec_url: &str, product_version: &str, errors: &[ErrorDoc<'_>]) -> String {
    let spec = escape_html(spec_url);
    let version = escape_html(product_version);
    let style = STYLE.replace("__REGULAR_FONT__", REGULAR_FONT).replace("__MONO_FONT__", MONO_FONT);
    let rows = error_rows(errors);
    let script = RAPIDOC_JS_PATH;
    let regular_font = escape_html(REGULAR_FONT);
    let mono_font = escape_html(MONO_FONT);

    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Assay API</title>
<style>{style}</style>
<script defer src="{script}"></script>
</head>
<body>
<div class="page">
<header id="top">
<h1>Assay API <span class="version">{version}</span></h1>
<p>Assay serves a REST API compatible with the Canvas LMS API under <code>/api/v1</code>: the paths, parameters
and JSON shapes of the endpoints documented below follow Canvas, so existing Canvas clients can use them.</p>
<ul class="toc">
<li><a href="#conventions">Conventions</a></li>
<li><a href="#error-codes">Error codes</a></li>
<li><a href="#api-reference">API reference</a></li>
<li><a href="{spec}">OpenAPI document (JSON)</a></li>
</ul>
</header>

<section id="conventions">
<h2>Conventions</h2>
<dl class="fields">
<dt>Requests</dt>
<dd>Send request bodies as JSON (<code>application/json</code>) or as Rails-style form parameters
(<code>application/x-www-form-urlencoded</code> or <code>multipart/form-data</code>) with bracketed keys such as
<code>user[name]=Ada</code> and <code>ids[]=1&amp;ids[]=2</code>, as Canvas accepts them. Query strings use the
same bracket syntax.</dd>
<dt>Authentication</dt>
<dd>Send an access token in the <code>Authorization: Bearer &lt;token&gt;</code> header.</dd>
<dt>Pagination</dt>
<dd>List endpoints return one page at a time. Choose the page size with <code>per_page</code> and follow the
<code>rel="next"</code> URL of the <code>Link</code> response header until there is none. Treat those URLs as
opaque: do not build page URLs yourself.</dd>
<dt>Errors</dt>
<dd>An error response has a 4xx or 5xx status and a JSON body with one or more errors, described below.</dd>
<dt>Machine-readable</dt>
<dd>The whole API is described by the <a href="{spec}">OpenAPI document</a>, which the reference at the end
of this page is generated from.</dd>
</dl>
</section>

<section id="error-codes">
<h2>Error codes</h2>
<p>Every error response has this shape:</p>
<pre><code>{{
  "errors": [
    {{
      "status": …,
      "code": …,
      "title": …,
      "message": …,
      "detail": …,
      "source": {{ "pointer": … }},
      "links": {{ "about": … }}
    }}
  ]
}}</code></pre>
<dl class="fields">
<dt><code>status</code></dt><dd>The HTTP status of the response.</dd>
<dt><code>code</code></dt><dd>A stable, machine-readable code from the table below. Match on this, not on text.</dd>
<dt><code>title</code></dt><dd>A short summary: the HTTP reason phrase of the status.</dd>
<dt><code>message</code></dt><dd>A human-readable message, as Canvas sends it.</dd>
<dt><code>detail</code></dt><dd>An explanation specific to this occurrence.</dd>
<dt><code>source.pointer</code></dt><dd>A JSON Pointer to the request field the error is about (for example
<code>/user/name</code>), where there is one.</dd>
<dt><code>links.about</code></dt><dd>A link to the code's row in this table, such as
<code>/api/docs#error-&lt;code&gt;</code>.</dd>
</dl>
<table class="errors">
<thead>
<tr><th scope="col">Code</th><th scope="col">HTTP status</th><th scope="col">Title</th><th scope="col">Meaning</th></tr>
</thead>
<tbody>
{rows}</tbody>
</table>
</section>
</div>

<section class="reference" aria-label="API reference">
<noscript><p>The interactive API reference needs JavaScript. Without it, read the
<a href="{spec}">OpenAPI document</a> directly.</p></noscript>
<rapi-doc id="api-reference"
  spec-url="{spec}"
  render-style="view"
  layout="row"
  theme="light"
  show-header="false"
  show-info="true"
  allow-try="true"
  allow-authentication="true"
  allow-server-selection="true"
  allow-search="true"
  allow-advanced-search="true"
  allow-spec-url-load="false"
  allow-spec-file-load="false"
  allow-spec-file-download="true"
  fill-request-fields-with-example="true"
  persist-auth="false"
  update-route="false"
  show-method-in-nav-bar="as-colored-block"
  schema-style="tree"
  load-fonts="false"
  regular-font="{regular_font}"
  mono-font="{mono_font}"
  bg-color="#ffffff"
  text-color="#1f2328"
  primary-color="#0969da"
  nav-bg-color="#f6f8fa"
  nav-text-color="#1f2328"
  nav-hover-bg-color="#eaeef2"
  nav-hover-text-color="#1f2328"
  nav-accent-color="#0969da"
></rapi-doc>
</section>
</body>
</html>
"##
    )
}

/// The `<tr>` rows of the error table, one per code, each with `id="error-<code>"`.
fn error_rows(errors: &[ErrorDoc<'_>]) -> String {
    if errors.is_empty() {
        return "<tr><td colspan=\"4\">No error codes are documented.</td></tr>\n".to_owned();
    }
    errors
        .iter()
        .map(|e| {
            let code = escape_html(e.code);
            format!(
                "<tr id=\"error-{code}\"><td class=\"code\"><a href=\"#error-{code}\"><code>{code}</code></a></td>\
                 <td class=\"status\">{status}</td><td>{title}</td><td>{description}</td></tr>\n",
                status = e.status,
                title = escape_html(e.title),
                description = inline_code(&escape_html(e.description)),
            )
        })
        .collect()
}

/// Escapes text for use in HTML element content and in quoted attribute values.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Wraps text between pairs of backticks in `<code>`. Takes already-escaped HTML (escaping leaves backticks
/// alone, so this cannot introduce markup from the input). An unpaired backtick is kept as is.
fn inline_code(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut rest = escaped;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) if close > 0 => {
                out.push_str(&rest[..open]);
                out.push_str("<code>");
                out.push_str(&after[..close]);
                out.push_str("</code>");
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<ErrorDoc<'static>> {
        vec![
            ErrorDoc {
                code: "course_not_found",
                status: 404,
                title: "Not Found",
                description: "The course does not exist, or the caller may not see it.",
            },
            ErrorDoc {
                code: "validation_failed",
                status: 422,
                title: "Unprocessable Entity",
                description: "One or more fields are invalid; each error's `source.pointer` names the field.",
            },
        ]
    }

    /// Every value of an attribute named `attr` (double-quoted, as this page writes them).
    fn attribute_values<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
        let needle = format!(" {attr}=\"");
        let mut values = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find(&needle) {
            let start = i + needle.len();
            let end = rest[start..].find('"').map_or(rest.len(), |e| start + e);
            values.push(&rest[start..end]);
            rest = &rest[end..];
        }
        values
    }

    #[test]
    fn page_is_a_utf8_html_document_titled_assay_api() {
        let html = render("/api/openapi.json", "0.1.0", &sample());
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("<title>Assay API</title>"));
        assert!(html.contains("<span class=\"version\">0.1.0</span>"));
        assert!(html.trim_end().ends_with("</html>"));
    }

    #[test]
    fn page_loads_the_vendored_script_from_this_server() {
        let html = render("/api/openapi.json", "0.1.0", &sample());
        assert!(html.contains(&format!("<script defer src=\"{RAPIDOC_JS_PATH}\"></script>")));
        assert_eq!(html.matches("<script").count(), 1, "no other (inline) scripts");
        assert!(RAPIDOC_JS_PATH.starts_with("/api/docs/assets/"));
        assert!(html.contains("spec-url=\"/api/openapi.json\""));
        assert!(html.contains("<a href=\"/api/openapi.json\">"));
    }

    #[test]
    fn page_references_no_external_host() {
        let html = render("/api/openapi.json", "0.1.0", &sample());
        assert!(!html.contains("http://"), "page mentions an http:// URL");
        assert!(!html.contains("https://"), "page mentions an https:// URL");
        assert!(!html.contains("//fonts."), "page mentions a font host");
        for attr in ["src", "href", "spec-url"] {
            for value in attribute_values(&html, attr) {
                let same_origin_path = value.starts_with('/') && !value.starts_with("//");
                assert!(same_origin_path || value.starts_with('#'), "{attr}=\"{value}\" is not on this server");
            }
        }
        // RapiDoc would otherwise download Open Sans from fonts.gstatic.com.
        assert!(html.contains("load-fonts=\"false\""));
        assert!(html.contains("regular-font=\"system-ui"));
        assert!(html.contains("mono-font=\"ui-monospace"));
    }

    #[test]
    fn rapidoc_settings() {
        let html = render("/api/openapi.json", "0.1.0", &sample());
        for setting in [
            "render-style=\"view\"",
            "theme=\"light\"",
            "allow-try=\"true\"",
            "show-header=\"false\"",
            "update-route=\"false\"",
        ] {
            assert!(html.contains(setting), "missing {setting}");
        }
    }

    #[test]
    fn every_error_code_has_an_anchored_row_before_the_reference() {
        let html = render("/api/openapi.json", "0.1.0", &sample());
        let section = html.find("<section id=\"error-codes\">");
        let reference = html.find("<rapi-doc");
        assert!(section.is_some() && reference.is_some());
        assert!(section < reference, "the error table comes before the interactive reference");
        assert!(html.contains("<h2>Error codes</h2>"));

        for e in sample() {
            let row = format!("<tr id=\"error-{}\">", e.code);
            assert_eq!(html.matches(&row).count(), 1, "exactly one row for {}", e.code);
            assert!(html.contains(&format!("<a href=\"#error-{}\"><code>{}</code></a>", e.code, e.code)));
        }
        assert!(html.contains("<td class=\"status\">404</td><td>Not Found</td>"));
        assert!(html.contains("<td class=\"status\">422</td><td>Unprocessable Entity</td>"));
        assert!(html.contains("each error&#39;s <code>source.pointer</code> names the field."));
        // The row for a code is the element with that id: ids must be unique on the page.
        assert_eq!(html.matches("id=\"error-course_not_found\"").count(), 1);
        assert_eq!(html.matches("id=\"error-codes\"").count(), 1);
    }

    #[test]
    fn error_rows_appear_in_the_given_order() {
        let html = render("/api/openapi.json", "0.1.0", &sample());
        let first = html.find("id=\"error-course_not_found\"");
        let second = html.find("id=\"error-validation_failed\"");
        assert!(first.is_some() && first < second);
    }

    #[test]
    fn empty_error_list_still_renders_the_section() {
        let html = render("/api/openapi.json", "0.1.0", &[]);
        assert!(html.contains("<h2>Error codes</h2>"));
        assert!(html.contains("No error codes are documented."));
        assert!(!html.contains("<tr id=\"error-"));
    }

    #[test]
    fn interpolated_values_are_escaped() {
        let evil = "<script>alert(\"x\")</script>";
        let errors = [ErrorDoc { code: "x", status: 400, title: evil, description: evil }];
        let html = render("/spec.json\"><script>alert(1)</script>", "<script>1</script>", &errors);
        assert!(html.contains("<tr id=\"error-x\">"));
        assert_eq!(html.matches("<script").count(), 1, "only the vendored script tag");
        assert!(!html.contains("alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
        assert!(html.contains("spec-url=\"/spec.json&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert!(html.contains("<span class=\"version\">&lt;script&gt;1&lt;/script&gt;</span>"));

        let code = [ErrorDoc { code: "a\"b<c>", status: 400, title: "t", description: "d" }];
        let html = render("/api/openapi.json", "0.1.0", &code);
        assert!(html.contains("<tr id=\"error-a&quot;b&lt;c&gt;\">"));
    }

    #[test]
    fn escape_html_escapes_the_five_special_characters() {
        assert_eq!(escape_html("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
        assert_eq!(escape_html("plain – ünïcode"), "plain – ünïcode");
        assert_eq!(escape_html(""), "");
    }

    #[test]
    fn backticks_become_code_only_in_pairs() {
        assert_eq!(inline_code("see `a` and `b`"), "see <code>a</code> and <code>b</code>");
        assert_eq!(inline_code("one ` only"), "one ` only");
        assert_eq!(inline_code("empty `` pair"), "empty `` pair");
        assert_eq!(inline_code("`x` then `"), "<code>x</code> then `");
        assert_eq!(inline_code(&escape_html("`a=1&a[b]=2`")), "<code>a=1&amp;a[b]=2</code>");
    }

    #[test]
    fn embedded_script_is_the_named_rapidoc_version() {
        assert!(RAPIDOC_JS.len() > 100_000);
        assert!(RAPIDOC_JS.starts_with(b"/*! RapiDoc 9.3.8 "));
        assert!(RAPIDOC_JS_PATH.ends_with("rapidoc-9.3.8.min.js"));
    }
}
