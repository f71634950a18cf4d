//! Turning what the user types into a safe FTS5 query: every word is quoted (so operators and
//! punctuation are plain text) and matched as a prefix, all words required.

/// `None` when the text has no searchable word.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A `LIKE` pattern matching the text anywhere, with `%`, `_` and `\` escaped.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_word_as_a_prefix() {
        assert_eq!(
            fts_query("rust borrow").as_deref(),
            Some("\"rust\"* \"borrow\"*")
        );
        // FTS5 syntax typed by the user is text, not an operator.
        assert_eq!(
            fts_query("a OR b NOT \"c\" NEAR(d)").as_deref(),
            Some("\"a\"* \"OR\"* \"b\"* \"NOT\"* \"c\"* \"NEAR\"* \"d\"*")
        );
        assert_eq!(
            fts_query("你好 世界").as_deref(),
            Some("\"你好\"* \"世界\"*")
        );
        assert_eq!(fts_query("  ** -- "), None);
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_pattern(" 100%_a\\b "), "%100\\%\\_a\\\\b%");
    }
}
