//! The layering is enforced, not hoped for: this test reads the "may import" table of
//! ARCHITECTURE.md (between `<!-- layers:begin -->` and `<!-- layers:end -->`), reads every
//! `use` and every `crate::`/`super::` path of the core's sources and of the bindings', and
//! fails when a module imports one its row does not allow, when the table itself has a circle,
//! or when a binding's files import each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One row of the table: a module path (`store::sql`) and the rows it may import.
#[derive(Debug)]
struct Row {
    module: Vec<String>,
    may: BTreeSet<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The rows of the layers table.
fn table(markdown: &str) -> Vec<Row> {
    let begin = markdown
        .find("<!-- layers:begin -->")
        .expect("ARCHITECTURE.md has a layers table");
    let end = markdown
        .find("<!-- layers:end -->")
        .expect("the layers table ends");
    let mut rows = Vec::new();
    for line in markdown[begin..end].lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if cells.len() < 2 || !cells[0].contains('`') {
            continue;
        }
        let names = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        for module in names(cells[0]) {
            rows.push(Row {
                module: module.split("::").map(str::to_string).collect(),
                may: names(cells[1]).into_iter().collect(),
            });
        }
    }
    assert!(rows.len() > 5, "the layers table was not read");
    rows
}

/// The source without comments, string and char literals (so paths in docs do not count).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'r' if b.get(i + 1) == Some(&b'#') || b.get(i + 1) == Some(&b'"') => {
                // A raw string r"…" or r#"…"#.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"')
                    || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
                {
                    out.push('r');
                    i += 1;
                    continue;
                }
                j += 1;
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = j + close.len();
                out.push_str("\"\"");
            }
            b'"' => {
                i = after_quoted(b, i);
                out.push_str("\"\"");
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || (b.get(i + 1) == Some(&b'\\')) => {
                // A char literal ('x' or '\n'); lifetimes ('a) are left alone.
                i = after_quoted(b, i);
                out.push_str("' '");
            }
            c => {
                let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
                if c.is_ascii() {
                    out.push(c as char);
                } else {
                    out.push(' ');
                }
                i += ch_len;
            }
        }
    }
    out
}

/// The index after the quoted literal (string or char) that starts at `i`, escapes skipped.
fn after_quoted(b: &[u8], mut i: usize) -> usize {
    let quote = b[i];
    i += 1;
    while i < b.len() && b[i] != quote {
        if b[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

/// The code without its `#[cfg(test)] mod … { … }` blocks: a unit test module's `super` is
/// the file's own module, and what tests import is not the layering.
fn without_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_mod = trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ");
        let open = trimmed.find(['{', ';']);
        if !is_mod || open.is_none_or(|i| trimmed.as_bytes()[i] == b';') {
            out.push_str(&rest[..at + "#[cfg(test)]".len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..at]);
        let start = rest.len() - trimmed.len() + open.unwrap_or(0);
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Expands a `use` tree (`crate::{a::X, b::{Y, Z}}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |x| format!("{prefix}{x}")))
        .collect()
}

/// A source file and the module path it defines.
struct Source {
    path: PathBuf,
    module: Vec<String>,
    code: String,
}

fn sources(dir: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read source dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                // `src/bin/*`: binaries are crates of their own, importing the library by name.
                if p.file_name().is_some_and(|n| n == "bin") && d == dir {
                    continue;
                }
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(dir).expect("under dir").to_path_buf();
                let mut module: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    module.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    module.pop();
                }
                let code = without_test_modules(&code_only(
                    &std::fs::read_to_string(&p).expect("read source"),
                ));
                let rel = dir
                    .file_name()
                    .map_or(rel.clone(), |d| Path::new(d).join(&rel));
                out.push(Source {
                    path: rel,
                    module,
                    code,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Every path a file refers to through `crate::`, `super::` or `self::`, resolved to absolute
/// module segments, except the declarations of its own child modules (`mod x;`) and its
/// re-exports of them (`pub use x::…` in a module's own file: a facade, not a dependency).
fn references(src: &Source, modules: &BTreeSet<Vec<String>>) -> Vec<(Vec<String>, String)> {
    let mut found = Vec::new();
    let code = &src.code;
    // `use` trees, possibly over several lines.
    let mut rest = code.as_str();
    let mut uses: Vec<(bool, String)> = Vec::new();
    // The code with its `use` statements blanked, for the inline paths.
    let mut inline = String::with_capacity(code.len());
    while let Some(at) = find_word(rest, "use") {
        inline.push_str(&rest[..at]);
        let before = &rest[..at];
        let is_pub = before
            .rsplit(['\n', ';', '{', '}'])
            .next()
            .is_some_and(|l| l.trim_start().starts_with("pub"));
        let after = &rest[at + 3..];
        let end = after.find(';').unwrap_or(after.len());
        uses.push((is_pub, after[..end].to_string()));
        rest = &after[end..];
    }
    inline.push_str(rest);
    let code = &inline;
    let mut paths: Vec<(bool, String)> = Vec::new();
    for (is_pub, tree) in uses {
        for p in expand(&tree) {
            paths.push((is_pub, p));
        }
    }
    // Inline paths: `crate::x::y`, `super::x`, and a child module's bare name
    // (`memory::MemorySnapshot`) anywhere in the code.
    let children = modules
        .iter()
        .filter(|m| m.len() == src.module.len() + 1 && m.starts_with(&src.module))
        .filter_map(|m| m.last())
        .map(|c| format!("{c}::"));
    for key in ["crate::".to_string(), "super::".to_string()]
        .into_iter()
        .chain(children)
    {
        paths.extend(inline_paths(code, &key).into_iter().map(|p| (false, p)));
    }
    let file_is_dir_module = {
        let f = src.path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        matches!(f, "mod.rs" | "lib.rs" | "main.rs")
    };
    for (is_pub, p) in paths {
        let segs: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
        let Some(first) = segs.first() else { continue };
        // The module this file's `super`/`self` mean.
        let here: Vec<String> = src.module.clone();
        let mut abs: Vec<String> = match *first {
            "crate" => Vec::new(),
            "super" => {
                let mut m = here.clone();
                // A non-directory file `a/b.rs` is module a::b, whose super is a.
                m.pop();
                m
            }
            "self" => here.clone(),
            _ => {
                // A child module of this file used by its bare name (`use exec::run`).
                let mut m = here.clone();
                m.push(first.to_string());
                if modules.contains(&m) && (file_is_dir_module || !here.is_empty()) {
                    m.pop();
                    m
                } else {
                    continue;
                }
            }
        };
        let skip = usize::from(matches!(*first, "crate" | "super" | "self"));
        let mut rest_segs = segs[skip..].iter().peekable();
        while rest_segs.peek() == Some(&&"super") {
            abs.pop();
            rest_segs.next();
        }
        abs.extend(rest_segs.map(|s| s.to_string()));
        // The longest known module prefix.
        let mut target = abs.clone();
        while !target.is_empty() && !modules.contains(&target) {
            target.pop();
        }
        if target == src.module {
            continue;
        }
        // A facade: this module's own file re-exporting (or declaring) its child.
        let is_child = target.len() > src.module.len() && target.starts_with(&src.module);
        if is_child && is_pub {
            continue;
        }
        if target.is_empty() {
            // A crate-root item (`crate::Error`): resolved by the caller through lib.rs.
            found.push((Vec::new(), abs.first().cloned().unwrap_or_default()));
        } else {
            found.push((target, p));
        }
    }
    found
}

/// Every path in `code` that starts with `key` (not as the tail of a longer path or name).
fn inline_paths(code: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(key) {
        let s = from + i;
        let prev = code[..s].chars().last();
        // `$crate::…` in a macro body resolves where the macro expands, not here.
        if !prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$') {
            out.push(
                code[s..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect(),
            );
        }
        from = s + key.len();
    }
    out
}

fn find_word(s: &str, w: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(w) {
        let at = from + i;
        let ok_before = s[..at]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let ok_after = s[at + w.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_whitespace());
        if ok_before && ok_after {
            return Some(at);
        }
        from = at + w.len();
    }
    None
}

/// What each crate-root name (`crate::Error`) re-exports, from lib.rs's `pub use` lines.
fn root_names(lib: &Source) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for line in lib.code.split(';') {
        let l = line.trim();
        let Some(tree) = l.strip_prefix("pub use ") else {
            continue;
        };
        for p in expand(tree) {
            let segs: Vec<String> = p.split("::").map(str::to_string).collect();
            if let Some(name) = segs.last() {
                out.insert(name.clone(), segs[..segs.len() - 1].to_vec());
            }
        }
    }
    out
}

/// The row a module belongs to: the longest row that is a prefix of it.
fn row_of<'r>(rows: &'r [Row], module: &[String]) -> Option<&'r Row> {
    rows.iter()
        .filter(|r| module.starts_with(&r.module))
        .max_by_key(|r| r.module.len())
}

/// Every import of the core that its row does not allow, as `file: module imports target`.
fn violations(src_dir: &Path, rows: &[Row]) -> Vec<String> {
    let files = sources(src_dir);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let lib = files.iter().find(|f| f.module.is_empty()).expect("lib.rs");
    let roots = root_names(lib);
    let mut bad = Vec::new();
    for f in files.iter().filter(|f| !f.module.is_empty()) {
        let Some(from) = row_of(rows, &f.module) else {
            bad.push(format!(
                "{}: module {} has no row in ARCHITECTURE.md's layers table",
                f.path.display(),
                f.module.join("::")
            ));
            continue;
        };
        for (target, what) in references(f, &modules) {
            let target = if target.is_empty() {
                match roots.get(&what) {
                    Some(t) => {
                        let mut t = t.clone();
                        while !t.is_empty() && !modules.contains(&t) {
                            t.pop();
                        }
                        t
                    }
                    None => continue,
                }
            } else {
                target
            };
            let Some(to) = row_of(rows, &target) else {
                continue;
            };
            if to.module == from.module {
                continue;
            }
            let to_name = to.module.join("::");
            if !from.may.contains(&to_name) {
                bad.push(format!(
                    "{}: `{}` imports `{}` ({}), which its row does not allow",
                    f.path.display(),
                    from.module.join("::"),
                    to_name,
                    what
                ));
            }
        }
    }
    bad.sort();
    bad.dedup();
    bad
}

/// A circle in a "may import" relation, if there is one.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let at = stack.iter().position(|x| x == n).unwrap_or(0);
                let mut c = stack[at..].to_vec();
                c.push(n.to_string());
                return Some(c);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_core_imports_only_down_the_layers_table() {
    let md = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let rows = table(&md);
    let bad = violations(&root().join("core/src"), &rows);
    assert!(
        bad.is_empty(),
        "imports against ARCHITECTURE.md's layers table:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_layers_table_has_no_circle_and_names_only_its_rows() {
    let md = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let rows = table(&md);
    let names: BTreeSet<String> = rows.iter().map(|r| r.module.join("::")).collect();
    let mut edges = BTreeMap::new();
    for r in &rows {
        for m in &r.may {
            assert!(
                names.contains(m),
                "`{m}` in the may-import column has no row"
            );
        }
        edges.insert(r.module.join("::"), r.may.clone());
    }
    assert_eq!(circle(&edges), None, "the layers table has a circle");
}

/// The checker itself finds an upward import: a copy of the core's sources with one added
/// (`model` importing `hub`) is refused, naming the file and both layers.
#[test]
fn an_upward_import_is_caught() {
    let md = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let rows = table(&md);
    let copy = std::env::temp_dir().join(format!("needbridge-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&root().join("core/src"), &copy);
    let ids = copy.join("model/ids.rs");
    let mut text = std::fs::read_to_string(&ids).expect("ids.rs");
    text.push_str("\n#[allow(unused_imports)]\nuse crate::hub::HubConfig;\n");
    std::fs::write(&ids, text).expect("write");
    let bad = violations(&copy, &rows);
    let _ = std::fs::remove_dir_all(&copy);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].contains("model/ids.rs") && bad[0].contains("`model` imports `hub`"),
        "{}",
        bad[0]
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// The files of one binding crate import each other without a circle: lib.rs (the entry
/// point) may use every module, and no module may use lib.rs's items.
fn binding_circle(dir: &Path) -> Option<Vec<String>> {
    let files = sources(dir);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let lib = files.iter().find(|f| f.module.is_empty()).expect("lib.rs");
    let roots = root_names(lib);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let name = if f.module.is_empty() {
            "lib".to_string()
        } else {
            f.module.join("::")
        };
        let e = edges.entry(name.clone()).or_default();
        for (target, what) in references(f, &modules) {
            let target = if target.is_empty() {
                // An item defined in lib.rs itself, or re-exported from a module there.
                roots.get(&what).cloned().unwrap_or_default()
            } else {
                target
            };
            let t = if target.is_empty() {
                "lib".to_string()
            } else {
                target.join("::")
            };
            if t != name {
                e.insert(t);
            }
        }
    }
    circle(&edges)
}

#[test]
fn the_bindings_files_import_each_other_without_a_circle() {
    for b in ["bindings-python/src", "bindings-mobile/src"] {
        assert_eq!(
            binding_circle(&root().join(b)),
            None,
            "{b} has an import circle"
        );
    }
}
