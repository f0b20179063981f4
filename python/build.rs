// The extension finds the libtorch it was built against through an rpath, as the binary does
// (no second copy of libtorch in the wheel; see python/README.md).
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    match std::env::var("LIBTORCH") {
        Ok(dir) => println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}/lib"),
        Err(_) => panic!("LIBTORCH is not set: run `scripts/setup && . scripts/env` first (see python/README.md)"),
    }
}
