//! Turning what the user types into a safe FTS5 query: every word is quoted (so operators and
//! punctuation are plain text) and matched as a prefix, all words required.

use super::SearchHit;

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

/// One hit per conversation, in the order they came: a message hit rather than its
/// conversation's title hit, and a title hit with the matched text marked like a snippet's.
pub fn one_hit_per_conversation(hits: Vec<SearchHit>, text: &str) -> Vec<SearchHit> {
    let mut kept: Vec<SearchHit> = Vec::with_capacity(hits.len());
    for hit in hits {
        match kept
            .iter_mut()
            .find(|k| k.conversation_id == hit.conversation_id)
        {
            Some(k) if k.message_id.is_none() && hit.message_id.is_some() => *k = hit,
            Some(_) => {}
            None => kept.push(hit),
        }
    }
    for hit in kept.iter_mut().filter(|h| h.message_id.is_none()) {
        hit.snippet = mark_match(&hit.conversation_title, text.trim());
    }
    kept
}

/// `title` with the first case-insensitive occurrence of `text` wrapped in U+0002 … U+0003.
fn mark_match(title: &str, text: &str) -> String {
    let lower_title = title.to_lowercase();
    let lower_text = text.to_lowercase();
    // Lower-casing can change byte lengths (rarely): then the title is left unmarked.
    let same_lengths = lower_title.len() == title.len() && lower_text.len() == text.len();
    match lower_title
        .find(&lower_text)
        .filter(|_| same_lengths && !text.is_empty())
    {
        Some(at) => {
            let end = at + text.len();
            format!(
                "{}\u{2}{}\u{3}{}",
                &title[..at],
                &title[at..end],
                &title[end..]
            )
        }
        None => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(conversation: &str, message: Option<&str>, snippet: &str) -> SearchHit {
        SearchHit {
            conversation_id: conversation.into(),
            conversation_title: "Rust Borrow notes".into(),
            message_id: message.map(Into::into),
            role: None,
            snippet: snippet.into(),
            updated_at: 0,
        }
    }

    #[test]
    fn a_conversation_is_listed_once_with_its_match_marked() {
        let hits = one_hit_per_conversation(
            vec![
                hit("a", None, "Rust Borrow notes"),
                hit("a", Some("m1"), "the \u{2}borrow\u{3} checker"),
                hit("a", Some("m2"), "more \u{2}borrow\u{3}"),
                hit("b", None, "Rust Borrow notes"),
            ],
            " borrow ",
        );
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].message_id.as_deref(), Some("m1"));
        assert_eq!(hits[1].snippet, "Rust \u{2}Borrow\u{3} notes");
        assert_eq!(mark_match("Ünïcode", "x"), "Ünïcode");
    }

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
