//! `sqlx::migrate!` embeds `migrations/` when the crate compiles; cargo does
//! not know that, so without this line a new migration would not rebuild it.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
