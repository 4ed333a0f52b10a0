//! With the `exec` feature, makes the binaries find libtorch at run time.
//!
//! torch-sys links against `$LIBTORCH/lib` but sets no rpath, so without this the
//! binary would need `LD_LIBRARY_PATH` on every run. `LIBTORCH` comes from
//! `.cargo/config.toml` and points at the folder `scripts/setup-libtorch.sh` fills.

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_EXEC");
    if std::env::var_os("CARGO_FEATURE_EXEC").is_none() {
        return;
    }
    let Some(libtorch) = std::env::var_os("LIBTORCH") else {
        println!("cargo:warning=the `exec` feature needs libtorch: run scripts/setup-libtorch.sh");
        return;
    };
    let lib = std::path::Path::new(&libtorch).join("lib");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
}
