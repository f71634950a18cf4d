//! The table's own rules, and a test-only operation carried through the generated TS client.

use std::collections::BTreeSet;

use super::*;

#[test]
fn names_and_routes_are_unique() {
    let specs = specs();
    let names: BTreeSet<&str> = specs.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), specs.len(), "two operations share a name");
    let routes: Vec<_> = specs.iter().filter_map(|s| s.http).collect();
    let unique: BTreeSet<_> = routes.iter().collect();
    assert_eq!(unique.len(), routes.len(), "two operations share a route");
}

#[test]
fn path_placeholders_are_exactly_the_path_arguments() {
    for spec in specs() {
        let Some((_, path)) = spec.http else {
            assert_eq!(spec.surface, Surface::Tauri, "{}", spec.name);
            continue;
        };
        let placeholders: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let path_args: Vec<&str> = spec
            .args
            .iter()
            .filter(|a| a.place == Place::Path)
            .map(|a| a.name)
            .collect();
        assert_eq!(placeholders, path_args, "{} {path}", spec.name);
        for arg in spec.args.iter().filter(|a| a.place == Place::Path) {
            assert_eq!(
                arg.ts_type, "string",
                "{}: path arguments are strings",
                spec.name
            );
        }
    }
}

#[test]
fn a_body_is_alone_last_and_never_on_get() {
    for spec in specs() {
        let bodies: Vec<usize> = spec
            .args
            .iter()
            .enumerate()
            .filter(|(_, a)| a.place == Place::Body)
            .map(|(i, _)| i)
            .collect();
        assert!(bodies.len() <= 1, "{}: one body at most", spec.name);
        if let Some(&at) = bodies.first() {
            assert_eq!(
                at,
                spec.args.len() - 1,
                "{}: the body comes last",
                spec.name
            );
            assert_ne!(spec.http.map(|h| h.0), Some("get"), "{}", spec.name);
        }
        let queries = spec.args.iter().filter(|a| a.place == Place::Query).count();
        assert!(queries <= 1, "{}: one query struct at most", spec.name);
    }
}

#[test]
fn streams_and_files_are_answered_by_the_adapters() {
    for spec in specs() {
        if matches!(
            spec.output,
            OutputKind::Sse | OutputKind::Ws | OutputKind::File
        ) {
            assert!(!spec.core_runs, "{}: a transport must answer it", spec.name);
        }
        if matches!(spec.output, OutputKind::Sse | OutputKind::Ws) {
            assert!(
                spec.stream,
                "{}: a stream needs no request timeout",
                spec.name
            );
        }
        if spec.output == OutputKind::Empty {
            assert_eq!(spec.output_ts, "null", "{}: Empty answers ()", spec.name);
        }
    }
}

#[test]
fn every_operation_has_a_doc_comment() {
    for spec in specs() {
        assert!(!spec.doc.is_empty(), "{} needs a /// line", spec.name);
    }
}

#[test]
fn camel_case_names() {
    assert_eq!(
        typescript::camel_case("delete_chat_message"),
        "deleteChatMessage"
    );
    assert_eq!(typescript::camel_case("id"), "id");
}

/// "Add an operation": one entry in a table gives the typed client method, with its argument
/// names and types, and its call through `OPERATIONS`. (The adapters' own tests add one too.)
mod test_only_operation {
    use super::super::*;

    macro_rules! test_table {
        ($callback:path) => {
            $callback! {
                /// Echoes a text back, after a delay.
                echo_text [both post "/test/echo/{id}" Read quick]
                    (id: path String, text: body $crate::chat::NewConversation) -> Json Vec<String>
                    => { |core| Ok(vec![id, text.title.unwrap_or_default()]) };
            }
        };
    }
    test_table!(expand_core);

    #[test]
    fn appears_in_the_typed_client() {
        let ts = typescript_client(&specs());
        assert!(
            ts.contains("import type { NewConversation } from './NewConversation'"),
            "{ts}"
        );
        assert!(ts.contains(
            "echoText: { name: 'echo_text', surface: 'both', method: 'post', path: '/test/echo/{id}', args: [['id', 'path'], ['text', 'body']], output: 'json' },"
        ), "{ts}");
        assert!(ts.contains("  /** Echoes a text back, after a delay. */\n  echoText(id: string, text: NewConversation): Promise<Array<string>>"), "{ts}");
        assert!(
            ts.contains("echoText: (id, text) => call(OPERATIONS.echoText, { id, text }),"),
            "{ts}"
        );
    }
}
