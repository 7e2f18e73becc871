//! Assignment descriptions are teacher-written HTML shown to students: they are cleaned on the way in, so no
//! script, event handler or `javascript:` URL is ever stored.

use std::sync::OnceLock;

/// Cleans HTML for storage: ammonia's allow-list (no `<script>`, `<style>`, `on*` attributes; URLs only with
/// safe schemes), keeping Canvas's `data-api-endpoint`/`data-api-returntype` link attributes and the classes
/// and alignment authors use.
pub fn sanitize(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut builder = ammonia::Builder::default();
            builder
                .add_generic_attributes(["class", "title", "lang", "dir"])
                .add_tag_attributes("a", ["data-api-endpoint", "data-api-returntype", "target"])
                .add_tag_attributes("img", ["width", "height", "data-api-endpoint", "data-api-returntype"])
                .add_tags(["span", "div", "figure", "figcaption", "video", "audio", "source"])
                .add_tag_attributes("video", ["src", "controls", "width", "height"])
                .add_tag_attributes("audio", ["src", "controls"])
                .add_tag_attributes("source", ["src", "type"])
                .link_rel(Some("noopener noreferrer"));
            builder
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn strips_scripts_handlers_and_javascript_urls() {
        let dirty = r#"<p onclick="steal()">Read <a href="javascript:alert(1)">this</a><script>alert(2)</script>
            <a href="https://example.org/x" data-api-endpoint="https://h/api/v1/courses/1">ok</a></p>"#;
        let clean = sanitize(dirty);
        assert!(!clean.contains("onclick") && !clean.contains("script") && !clean.contains("javascript:"), "{clean}");
        assert!(clean.contains("https://example.org/x") && clean.contains("data-api-endpoint"), "{clean}");
        assert_eq!(sanitize("<b>bold</b> text"), "<b>bold</b> text");
    }
}
