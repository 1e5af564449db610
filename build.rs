//! Rebuilds the binary when the embedded templates, modules or released
//! template versions change, and links it as a fixed-address executable on
//! Linux: a position-independent one spends a third of a small `scaffold copy`
//! in the dynamic loader, relocating pointers.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=modules");
    println!("cargo:rerun-if-changed=releases");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
