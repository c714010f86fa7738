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
