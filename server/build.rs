// `sqlx::migrate!` embeds server/migrations/ at build time, but on stable Rust a proc macro
// cannot tell cargo which files it read: without this, a new migration file is left out of a
// build until some source file changes (as sqlx's documentation advises).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
