//! Rebuilds the binary when the embedded templates or modules change.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=modules");
}
