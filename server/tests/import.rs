//! Imports from WordPress's and Disqus's exports.

mod common;

use common::*;

/// Imports from WordPress's export and Disqus's (fixtures written by hand in their shapes):
/// threads, statuses, dates and text kept, articles matched through a map, what is not a
/// comment refused with its reason, progress and a summary, and a second run adding nothing.
#[tokio::test]
async fn imports_keep_threads_and_statuses_and_add_nothing_twice() {
    let service = Service::start(&[]);
    let map = service.dir_path.join("map.txt");
    std::fs::write(
        &map,
        "# WordPress slug, article id\ntreaty russia-iran-treaty\n",
    )
    .unwrap();
    let map = map.display().to_string();
    let wordpress = [
        "wordpress",
        "server/tests/fixtures/wordpress-export.xml",
        "--map",
        &map,
        "--articles",
        "static/articles",
    ];
    let (code, said, progress) = import(&service, &wordpress);
    assert_eq!(code, 0, "{said}{progress}");
    assert!(
        said.starts_with("Imported 6 comments; 0 were there already; 2 refused."),
        "{said}"
    );
    assert!(
        said.contains("comment 17 on post 6: a pingback, not a comment"),
        "{said}"
    );
    assert!(said.contains("no article elsewhere"), "{said}");
    assert!(progress.contains("6 of 6 comments"), "{progress}");

    let thread = thread_of(&service, ARTICLE).await;
    let by_id = |id: &str| thread.iter().find(|c| c["id"] == id).cloned().unwrap();
    assert_eq!(thread.len(), 3, "the approved ones are public");
    let first = by_id("wp-6-11");
    assert_eq!(
        first["content"],
        "A treaty & a long road.\n\nSecond paragraph."
    );
    assert_eq!(first["published"], "2025-01-17T20:05:00Z", "the GMT date");
    assert_eq!(first["website"], "https://olga.example");
    assert_eq!(by_id("wp-6-12")["parent"], "wp-6-11");
    assert_eq!(by_id("wp-6-13")["parent"], "wp-6-12");
    let (_, spam) = service.moderate(&["list", "--status", "spam"]);
    assert!(spam.contains("wp-6-15"), "{spam}");
    let (_, held) = service.moderate(&["list", "--status", "pending"]);
    assert!(
        held.contains("wp-6-14") && held.contains("wait@example.com"),
        "{held}"
    );
    let (_, rejected) = service.moderate(&["list", "--status", "rejected"]);
    assert!(rejected.contains("wp-6-16"), "{rejected}");

    let (code, said, _) = import(&service, &wordpress);
    assert_eq!(code, 0);
    assert!(
        said.starts_with("Imported 0 comments; 6 were there already; 2 refused."),
        "again: {said}"
    );
    assert_eq!(thread_of(&service, ARTICLE).await.len(), 3);

    let (code, said, _) = import(
        &service,
        &["disqus", "server/tests/fixtures/disqus-export.xml"],
    );
    assert_eq!(code, 0, "{said}");
    assert!(
        said.starts_with("Imported 3 comments; 0 were there already; 1 refused."),
        "{said}"
    );
    assert!(said.contains("post 9004: deleted"), "{said}");
    let explainer = thread_of(&service, "russia-iran-explainer").await;
    assert_eq!(explainer.len(), 2, "the spam post is kept, not shown");
    let reply = explainer.iter().find(|c| c["id"] == "disqus-9002").unwrap();
    assert_eq!(reply["parent"], "disqus-9001");
    let nadia = explainer.iter().find(|c| c["id"] == "disqus-9001").unwrap();
    assert_eq!(nadia["content"], "Clear explainer — thank you.");

    let (code, said, _) = import(
        &service,
        &["wordpress", "server/tests/fixtures/disqus-export.xml"],
    );
    assert_eq!(code, 2, "the wrong kind of file is said so: {said}");
}

/// Imported comments pass the rules a posted one does (issue 17 §10): control characters (as
/// references, raw, or a right-to-left override), an over-long name and a script "website"
/// are refused, each with the rule's own words, and never stored; the rest is normalised as
/// the API does (trimmed, email lower-cased, website with its scheme).
#[tokio::test]
async fn imported_comments_pass_the_comment_rules_or_are_refused_with_the_reason() {
    let service = Service::start(&[]);
    let (code, said, progress) = import(
        &service,
        &[
            "wordpress",
            "server/tests/fixtures/wordpress-hostile.xml",
            "--articles",
            "static/articles",
        ],
    );
    assert_eq!(code, 0, "{said}{progress}");
    assert!(
        said.starts_with("Imported 1 comments; 0 were there already; 5 refused."),
        "{said}"
    );
    for reason in [
        "comment 32 on post 7: content: Your comment contains characters that cannot be used",
        "comment 33 on post 7: author: Your name contains characters that cannot be used",
        "comment 34 on post 7: author: Your name contains characters that cannot be used",
        "comment 35 on post 7: author: Your name must be 245 characters or fewer (it is 300)",
        "comment 36 on post 7: website: Enter a website address in the correct format",
    ] {
        assert!(said.contains(reason), "expected “{reason}” in {said}");
    }
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{202e}'),
        "the summary does not repeat the refused text: {said:?}"
    );

    let thread = thread_of(&service, ARTICLE).await;
    assert_eq!(thread.len(), 1, "only the comment that passed: {thread:?}");
    let kept = &thread[0];
    assert_eq!(kept["id"], "wp-7-31");
    assert_eq!(kept["author"], "Fair reader");
    assert_eq!(kept["content"], "A fair comment, kept.");
    assert_eq!(
        kept["website"], "https://example.com/me",
        "as the API normalises it"
    );
    let (_, listed) = service.moderate(&["list", "--status", "approved"]);
    assert!(listed.contains("fair@example.com"), "{listed}");
    for refused in ["wp-7-32", "wp-7-33", "wp-7-34", "wp-7-35", "wp-7-36"] {
        assert!(!listed.contains(refused), "{refused} stored: {listed}");
    }
}

/// An export nested 300,000 elements deep overflowed the stack and aborted the import
/// (issue 17 §2). It is refused whole, with a message that names the line, and nothing of it
/// (not even the good comment before the deep part) is stored.
#[tokio::test]
async fn a_deeply_nested_export_is_refused_with_its_line_and_imports_nothing() {
    let service = Service::start(&[]);
    let good =
        std::fs::read_to_string(repo_root().join("server/tests/fixtures/wordpress-hostile.xml"))
            .unwrap();
    let depth = 300_000;
    let deep = good.replacen(
        "</channel>",
        &format!(
            "{}{}\n</channel>",
            "<x>".repeat(depth),
            "</x>".repeat(depth)
        ),
        1,
    );
    let deep_line = 1 + deep[..deep.find("<x>").unwrap()].matches('\n').count();
    let file = service.dir_path.join("deep.xml");
    std::fs::write(&file, &deep).unwrap();
    let file = file.display().to_string();
    let (code, said, stderr) = import(
        &service,
        &["wordpress", &file, "--articles", "static/articles"],
    );
    assert_eq!(code, 2, "refused, not aborted: {said}{stderr}");
    assert!(
        stderr.contains("nested more than 64 deep")
            && stderr.contains(&format!("at line {deep_line}")),
        "{stderr}"
    );
    assert!(thread_of(&service, ARTICLE).await.is_empty());
    let (_, listed) = service.moderate(&["list", "--status", "approved"]);
    assert!(!listed.contains("wp-7-31"), "{listed}");
}
