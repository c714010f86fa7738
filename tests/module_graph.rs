//! The code's layers, checked: no module of the widget (`src/`) or of the service
//! (`server/src/`) imports one that imports it back, directly or around a cycle, and no area
//! of the service imports another area (ARCHITECTURE.md). Read from the sources: every
//! `crate::…` and `super::…` path outside `#[cfg(test)]` modules, `use` groups expanded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every `.rs` file under `root` as a module path (`a::b` for `a/b.rs` and `a/b/mod.rs`).
fn modules(root: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().with_extension("");
                let mut parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if parts
                    .last()
                    .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
                {
                    parts.pop();
                }
                let source = std::fs::read_to_string(&path).unwrap();
                out.insert(parts.join("::"), source);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The source without its `#[cfg(test)] mod tests { … }` (tests may import anything).
fn without_tests(source: &str) -> &str {
    match source.find("#[cfg(test)]\nmod tests") {
        Some(at) => &source[..at],
        None => source,
    }
}

/// Paths like `crate::a::b` or `super::x`, with `use crate::a::{b, c::d}` expanded.
fn paths(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(found) = source[from..].find(start) {
            let at = from + found;
            from = at + start.len();
            // Not part of a longer identifier (`mycrate::`).
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut end = at;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b':')
            {
                end += 1;
            }
            let head = source[at..end].trim_end_matches(':').to_owned();
            if end < bytes.len() && bytes[end] == b'{' {
                // A group: its items, one level of nesting read as a prefix.
                let close = source[end..].find('}').map_or(bytes.len(), |c| end + c);
                for item in source[end + 1..close].split(',') {
                    let item = item.split(" as ").next().unwrap_or("").trim();
                    let item = item.split('{').next().unwrap_or("").trim_end_matches(':');
                    if !item.is_empty() && item != "self" {
                        out.push(format!("{head}::{item}"));
                    }
                }
            }
            out.push(head);
        }
    }
    out
}

/// The longest module a path names, from module `current`.
fn resolve(current: &str, path: &str, known: &BTreeMap<String, String>) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = match segments.first() {
        Some(&"crate") => Vec::new(),
        Some(&"super") => {
            let mut base: Vec<&str> = current.split("::").filter(|s| !s.is_empty()).collect();
            base.pop();
            base
        }
        _ => return None,
    };
    segments.remove(0);
    while segments.first() == Some(&"super") {
        base.pop();
        segments.remove(0);
    }
    base.extend(segments);
    (1..=base.len())
        .rev()
        .map(|n| base[..n].join("::"))
        .find(|candidate| known.contains_key(candidate))
}

fn graph(root: &Path) -> Graph {
    let known = modules(root);
    let mut graph = Graph::new();
    for (module, source) in &known {
        let mut edges = BTreeSet::new();
        for path in paths(without_tests(source)) {
            if let Some(target) = resolve(module, &path, &known) {
                // A module naming its own children (`mod.rs` re-exporting) is not an import
                // upward; a child naming its parent is.
                let own_child = target.starts_with(&format!("{module}::")) || module.is_empty();
                if target != *module && !own_child {
                    edges.insert(target);
                }
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan, iteratively).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let names: Vec<&String> = graph.keys().collect();
    let index_of: BTreeMap<&String, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            graph[*n]
                .iter()
                .filter_map(|t| index_of.get(t).copied())
                .collect()
        })
        .collect();
    let count = names.len();
    let (mut index, mut low, mut on_stack) =
        (vec![usize::MAX; count], vec![0; count], vec![false; count]);
    let (mut stack, mut next, mut out) = (Vec::new(), 0, Vec::new());
    for root in 0..count {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*child) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(names[w].clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    out.push(component);
                }
            }
        }
    }
    out
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_widget_has_no_module_cycle() {
    let graph = graph(&repository().join("src"));
    assert!(graph.contains_key("domain::article"), "the graph was read");
    assert_eq!(cycles(&graph), Vec::<Vec<String>>::new());
}

#[test]
fn the_service_has_no_module_cycle_and_no_area_imports_another() {
    let graph = graph(&repository().join("server/src"));
    assert!(graph.contains_key("comments::api"), "the graph was read");
    assert_eq!(cycles(&graph), Vec::<Vec<String>>::new());
    let areas = ["comments", "pages", "moderation", "mail", "import", "rights"];
    let area_of = |module: &str| {
        areas
            .iter()
            .find(|area| module == **area || module.starts_with(&format!("{area}::")))
            .copied()
    };
    let mut crossings = Vec::new();
    for (module, targets) in &graph {
        for target in targets {
            if let (Some(from), Some(to)) = (area_of(module), area_of(target)) {
                if from != to {
                    crossings.push(format!("{module} -> {target}"));
                }
            }
            // The shared layers import no area.
            if area_of(module).is_none() && module != "app" && area_of(target).is_some() {
                crossings.push(format!("{module} -> {target}"));
            }
        }
    }
    assert_eq!(crossings, Vec::<String>::new(), "an area imports another");
}

/// The checker finds what it looks for: a cycle, made up, is reported.
#[test]
fn a_cycle_is_found() {
    let mut graph = Graph::new();
    graph.insert("a".into(), ["b".to_owned()].into());
    graph.insert("b".into(), ["c".to_owned()].into());
    graph.insert("c".into(), ["a".to_owned()].into());
    graph.insert("d".into(), ["a".to_owned()].into());
    let found = cycles(&graph);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].iter().collect::<BTreeSet<_>>().len(), 3);
    let known: BTreeMap<String, String> = [
        ("x::y".to_owned(), String::new()),
        ("x".to_owned(), String::new()),
    ]
    .into();
    assert_eq!(
        resolve("x::z", "super::y::Thing", &known).as_deref(),
        Some("x::y")
    );
    assert_eq!(
        paths("use crate::{a::B, c};\nuse super::d::E;"),
        ["crate::a::B", "crate::c", "crate", "super::d::E"]
    );
}
