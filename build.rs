//! Rebuilds the binary when the embedded templates, modules or released
//! template versions change.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=modules");
    println!("cargo:rerun-if-changed=releases");
}
