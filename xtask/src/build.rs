//! Builds the wasm artefacts: the widget's two bundles (banner; banner and forms) and its loader
//! into `dist/assets` (served as static assets by the worker), and the worker into `worker/build`
//! (what wrangler runs).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::setup::cargo_bin;
use crate::{describe, output, root, run, Result};

pub fn all() -> Result {
    widget()?;
    worker()
}

pub fn assets_dir() -> PathBuf {
    root().join("dist/assets")
}

fn node_bin(rel: &str) -> PathBuf {
    root().join("node_modules").join(rel)
}

fn esbuild() -> PathBuf {
    node_bin("@esbuild/linux-x64/bin/esbuild")
}

/// Any page may load the widget's files; the API itself checks origins per site.
const ASSET_HEADERS: &str = "\
/widget.js
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=300
/widget/*
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=300
";

/// The two builds of the widget: the banner alone (what a first visit downloads) and, for pages
/// with an opt-in form, the banner with the form (`forms` feature). Each is its wasm plus one
/// JavaScript module: `widget/js/<entry>` bundled with wasm-bindgen's glue.
pub const WIDGET_BUNDLES: [WidgetBundle; 2] = [
    WidgetBundle { name: "consent_widget", features: &["--features", "nightly"], entry: "ui.js" },
    WidgetBundle {
        name: "consent_widget_forms",
        features: &["--features", "forms,nightly"],
        entry: "forms.js",
    },
];

pub struct WidgetBundle {
    /// `widget/<name>.js` and `widget/<name>_bg.wasm` in the assets.
    pub name: &'static str,
    features: &'static [&'static str],
    entry: &'static str,
}

/// Where cargo builds: `CARGO_TARGET_DIR` when set, else `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// The widget's wasm is built with this nightly's `-Zbuild-std`: the standard library compiled
/// for size with `panic = immediate-abort` (no panic messages, locations or formatting code) is
/// about 9 KB gzip smaller than the prebuilt one. Pinned so builds are reproducible;
/// `cargo xtask setup` installs it.
pub const WIDGET_NIGHTLY: &str = "nightly-2026-05-20";

/// Without panic messages, locations and `{:?}` output the standard library's formatting code
/// mostly drops out (a panic is a trap either way: `panic = "abort"`). `RUSTFLAGS` replaces
/// `.cargo/config.toml`'s wasm32 `rustflags`, so its getrandom cfg is repeated here.
const WIDGET_RUSTFLAGS: &str = "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none \
     -Zfmt-debug=none --cfg getrandom_backend=\"wasm_js\"";

pub fn widget() -> Result {
    let assets = assets_dir();
    let out = assets.join("widget");
    let _ = fs::remove_dir_all(&assets);
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    // Its own target directory: other flags and another compiler than the rest of the workspace.
    let target = target_dir().join("widget-nightly");
    let lld = nightly_lld()?;
    for bundle in &WIDGET_BUNDLES {
        run(Command::new("rustup")
            .args(["run", WIDGET_NIGHTLY, "cargo", "build", "-p", "consent-widget", "--lib"])
            .args(["--target", "wasm32-unknown-unknown", "--release"])
            .args(bundle.features)
            .args(["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"])
            .arg("--target-dir")
            .arg(&target)
            .current_dir(root())
            .env("RUSTFLAGS", WIDGET_RUSTFLAGS)
            // This program links the wasm: see [`link_widget`].
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER",
                std::env::current_exe().map_err(|e| e.to_string())?,
            )
            .env(WIDGET_LLD_ENV, &lld)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO"))?;
        let wasm = target.join("wasm32-unknown-unknown/release/consent_widget.wasm");
        let glue_dir = target.join("bindgen").join(bundle.name);
        let _ = fs::remove_dir_all(&glue_dir);
        run(Command::new(cargo_bin("wasm-bindgen"))
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-name-section",
                "--remove-producers-section",
                // `TextEncoder.encodeInto` is in every browser with `<dialog>`; the loader always
                // passes the wasm's URL. Each drops a fallback from the glue.
                "--encode-into",
                "always",
                "--omit-default-module-path",
            ])
            .arg("--out-dir")
            .arg(&glue_dir)
            .arg(&wasm))?;
        let bg = out.join(format!("{}_bg.wasm", bundle.name));
        let mut wasm_opt = Command::new(node_bin(".bin/wasm-opt"));
        wasm_opt.arg(glue_dir.join("consent_widget_bg.wasm")).args(WASM_OPT_ARGS).arg("-o").arg(&bg);
        let renames = output(&mut wasm_opt).ok_or_else(|| format!("{} failed", describe(&wasm_opt)))?;
        let glue = glue_dir.join("consent_widget.js");
        let text = fs::read_to_string(&glue).map_err(|e| format!("{}: {e}", glue.display()))?;
        let text = without_stream_classes(&text);
        // Anything left would be a use of the adapters, which need the exports not linked.
        if text.contains("IntoUnderlying") {
            return Err(format!("{}: the glue still uses wasm-streams' adapters", glue.display()));
        }
        let text = with_short_names(&text, &renames)?;
        fs::write(&glue, text).map_err(|e| e.to_string())?;
        for file in ["ui.js", "forms.js", "host.js"] {
            fs::copy(root().join("widget/js").join(file), glue_dir.join(file))
                .map_err(|e| format!("{file}: {e}"))?;
        }
        minify(
            &glue_dir.join(bundle.entry),
            &out.join(format!("{}.js", bundle.name)),
            // wasm-bindgen names host.js twice in the imports object (same module, harmless).
            &["--bundle", "--format=esm", "--log-override:duplicate-object-key=silent"],
        )?;
    }
    minify(&root().join("widget/loader/widget.js"), &assets.join("widget.js"), &[])?;
    // What the loader imports only when a page needs it (offline queue, GPC refusal).
    minify(&root().join("widget/js/sender.js"), &out.join("consent_sender.js"), &["--format=esm"])?;
    // The compact notice for sites whose optional categories all run without consent here.
    minify(&root().join("widget/js/notice.js"), &out.join("consent_notice.js"), &["--format=esm"])?;
    fs::write(assets.join("_headers"), ASSET_HEADERS).map_err(|e| e.to_string())
}

/// Set (to the nightly's `rust-lld`) when rustc runs this program as the widget's linker.
pub const WIDGET_LLD_ENV: &str = "CONSENT_WIDGET_LLD";

/// The pinned nightly's own `rust-lld` (what rustc links wasm32 with by default).
fn nightly_lld() -> Result<PathBuf> {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", WIDGET_NIGHTLY, "rustc", "--print", "sysroot"]);
    let sysroot = output(&mut cmd).ok_or_else(|| format!("{} failed", describe(&cmd)))?;
    let rustlib = Path::new(sysroot.trim()).join("lib/rustlib");
    fs::read_dir(&rustlib)
        .map_err(|e| format!("{}: {e}", rustlib.display()))?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin/rust-lld")))
        .find(|lld| lld.is_file())
        .ok_or_else(|| format!("no bin/rust-lld under {}", rustlib.display()))
}

/// Links the widget's wasm: `rust-lld` with rustc's arguments, except the exports of
/// wasm-streams' stream adapters (`IntoUnderlyingSource`, `…Sink`, `…ByteSource`: their
/// methods, `__wbg_…_free` and wasm-bindgen's `__wbindgen_describe_…` for them).
///
/// leptos always depends on server_fn, which brings wasm-streams, whose `#[wasm_bindgen]`
/// structs are exported from every wasm that links it; the widget never calls a server function
/// and never makes a Rust stream into a JS one. Removing those exports after linking (wasm-opt)
/// left their code in: futures and closures reached through vtables in the data, so through the
/// function table. Not exported at link time, they are garbage for the linker, which follows
/// every relocation, data included: wasm-streams and what only it used (its `core::fmt` error
/// paths, `future_to_promise`) are not linked at all. wasm-bindgen still writes JS classes for
/// them from its metadata; [`without_stream_classes`] cuts those from the glue.
pub fn link_widget(lld: OsString, args: impl Iterator<Item = OsString>) -> ExitCode {
    let dropped = |name: &OsStr| name.to_string_lossy().contains("intounderlying");
    let mut kept: Vec<OsString> = Vec::new();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--export" && args.peek().is_some_and(|name| dropped(name)) {
            args.next();
        } else if !(arg.to_string_lossy().starts_with("--export=") && dropped(&arg)) {
            kept.push(arg);
        }
    }
    match Command::new(&lld).args(&kept).status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(status.code().map_or(1, |c| c.clamp(1, 255) as u8)),
        Err(e) => {
            eprintln!("xtask: cannot start {}: {e}", lld.to_string_lossy());
            ExitCode::FAILURE
        }
    }
}

/// `wasm-opt` for the widget: `-Os` (a few dozen bytes of gzip smaller than `-Oz` here, once
/// `--low-memory-unused` is on) and no target-features section.
///
/// `--low-memory-unused` lets wasm-opt fold `pointer + constant` into a load's or store's offset
/// (the two differ only when the addition wraps below 1024): Rust's wasm32 linking puts the stack
/// first, growing down from 1 MiB towards 0, so the lowest KiB is only touched by a stack overflow
/// of nearly the whole stack. That saves 0.4 KB gzip.
///
/// Then every import and export gets a one- or two-letter name (all imports in module `a`):
/// wasm-bindgen's names carry 16-hex-digit hashes, which do not compress, and they appear in
/// both the wasm and the glue. wasm-opt prints the renaming as JSON; [`with_short_names`]
/// applies it to the glue.
const WASM_OPT_ARGS: &[&str] =
    &["--low-memory-unused", "-Os", "--strip-target-features", "--minify-imports-and-exports-and-modules"];

/// The (old, new) pairs of one section (`"imports"`: `[module, name, new]`, `"exports"`:
/// `[name, new]`) of wasm-opt's renaming JSON.
fn renamed<'a>(json: &'a str, section: &str) -> Vec<Vec<&'a str>> {
    let Some(start) = json.find(&format!("\"{section}\"")) else { return Vec::new() };
    let body = &json[start..];
    let body = &body[..body.find("]\n ]").map_or(body.len(), |end| end + 1)];
    body.lines()
        .filter(|l| l.trim_start().starts_with("[\""))
        .map(|l| l.split('"').skip(1).step_by(2).collect())
        .collect()
}

/// wasm-bindgen's glue with the short import and export names of [`WASM_OPT_ARGS`]: keys of its
/// own imports object renamed, imports of JS snippets (`import * as importN from "…"`) added
/// to it under their new names, one module `a`, and every `wasm.<export>` renamed.
fn with_short_names(glue: &str, renames: &str) -> Result<String> {
    let imports = renamed(renames, "imports");
    let exports = renamed(renames, "exports");
    if imports.is_empty() || exports.is_empty() {
        return Err(format!("no renaming from wasm-opt:\n{renames}"));
    }
    let mut out = glue.to_owned();
    let mut snippet_entries = String::new();
    for import in &imports {
        let [module, name, new] = import[..] else { return Err(format!("renaming: {import:?}")) };
        if module == "./consent_widget_bg.js" {
            let key = format!("\n        {name}: ");
            if out.matches(&key).count() != 1 {
                return Err(format!("glue: import {name} is not one key of the imports object"));
            }
            out = out.replacen(&key, &format!("\n        {new}: "), 1);
        } else {
            let line = glue
                .lines()
                .find(|l| l.starts_with("import * as import") && l.ends_with(&format!("from \"{module}\"")))
                .ok_or_else(|| format!("glue: no namespace import of {module}"))?;
            let var = line["import * as ".len()..].split(' ').next().unwrap_or_default();
            snippet_entries.push_str(&format!("        {new}: {var}.{name},\n"));
        }
    }
    out = without_dead_imports(&out);
    let head = "const import0 = {\n        __proto__: null,\n";
    if !out.contains(head) {
        return Err("glue: no imports object".into());
    }
    out = out.replacen(head, &format!("{head}{snippet_entries}"), 1);
    let modules: Vec<&str> =
        out.lines().filter(|l| l.starts_with("        \"") && l.contains("\": import")).collect();
    let modules: Vec<String> = modules.into_iter().map(|l| format!("{l}\n")).collect();
    for (i, line) in modules.iter().enumerate() {
        out = out.replacen(line, if i == 0 { "        a: import0,\n" } else { "" }, 1);
    }
    let mut renamed_exports = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("wasm.") {
        let (before, after) = rest.split_at(at + "wasm.".len());
        renamed_exports.push_str(before);
        let len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$')).unwrap_or(after.len());
        let name = &after[..len];
        let new = exports.iter().find(|e| e.first() == Some(&name)).and_then(|e| e.get(1)).unwrap_or(&name);
        renamed_exports.push_str(new);
        rest = &after[len..];
    }
    renamed_exports.push_str(rest);
    Ok(renamed_exports)
}

/// The imports object without the entries wasm-opt's renaming did not name: every import the
/// optimised wasm still has got a short name, so a key still spelt `__wbg_…` or `__wbindgen_…`
/// is an import wasm-opt removed as unused (e.g. `createElementNS`).
fn without_dead_imports(glue: &str) -> String {
    let mut out = String::with_capacity(glue.len());
    let (mut in_imports, mut skipping) = (false, false);
    for line in glue.lines() {
        in_imports |= line == "    const import0 = {";
        if in_imports && line == "    };" {
            in_imports = false;
        }
        let dead = in_imports
            && (line.starts_with("        __wbg_") || line.starts_with("        __wbindgen_"))
            && line.contains(": function(");
        if dead {
            // One entry: its key line, through the line closing it at the same indentation.
            skipping = !line.ends_with("},");
            continue;
        }
        if skipping {
            skipping = !(line.starts_with("        }") && line.ends_with("},"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The glue without the JavaScript classes for wasm-streams' stream adapters (each a class, a
/// `Symbol.dispose` line and a `FinalizationRegistry`): their exports are not linked (see
/// [`link_widget`]), so nothing can create one, but as top-level statements with side effects
/// esbuild would keep them.
fn without_stream_classes(glue: &str) -> String {
    let mut out = String::with_capacity(glue.len());
    let mut skipping = false;
    for line in glue.lines() {
        skipping |=
            line.starts_with("export class IntoUnderlying") || line.starts_with("const IntoUnderlying");
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
        let last = line.starts_with("if (Symbol.dispose) IntoUnderlying")
            || (line.contains("new FinalizationRegistry(") && line.contains("intounderlying"));
        skipping &= !last;
    }
    out
}

fn minify(input: &Path, output: &Path, extra: &[&str]) -> Result {
    run(Command::new(esbuild())
        .arg(input)
        .args(["--minify", "--log-level=warning", "--allow-overwrite"])
        .args(extra)
        .arg(format!("--outfile={}", output.display())))
}

/// The worker twice: the release build into `worker/build` (what `cargo xtask dev` and a
/// deployment run) and the test build, with the `contract-tests` feature (`POST /__contract`),
/// into `worker/build-test` (what the integration tests run). Test-only routes never reach the
/// release build.
pub fn worker() -> Result {
    worker_build("build", &[])?;
    worker_build("build-test", &["--features", "contract-tests"])
}

fn worker_build(out_dir: &str, cargo_args: &[&str]) -> Result {
    let root = root();
    run(Command::new(cargo_bin("worker-build"))
        .args(["--release", "--out-dir", out_dir])
        .args(cargo_args)
        .current_dir(root.join("worker"))
        .env("WASM_BINDGEN_BIN", cargo_bin("wasm-bindgen"))
        .env("ESBUILD_BIN", esbuild())
        .env("WASM_OPT_BIN", node_bin(".bin/wasm-opt")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dead_imports_are_cut_and_nothing_else() {
        let glue = "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n\
            \x20       b: import1.gpc,\n\
            \x20       ma: function(arg0) {\n            return !arg0;\n        },\n\
            \x20       __wbg_createElementNS_2f74: function() { return handleError(function (arg0) {\n\
            \x20           return arg0;\n        }, arguments); },\n\
            \x20       __wbg_x_1: function(arg0) { return arg0; },\n\
            \x20       u: function() { return handleError(function (arg0) {\n\
            \x20           return arg0;\n        }, arguments); },\n    };\n}\n\
            let __wbg_init_promise;\n";
        assert_eq!(
            super::without_dead_imports(glue),
            "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n\
            \x20       b: import1.gpc,\n\
            \x20       ma: function(arg0) {\n            return !arg0;\n        },\n\
            \x20       u: function() { return handleError(function (arg0) {\n\
            \x20           return arg0;\n        }, arguments); },\n    };\n}\n\
            let __wbg_init_promise;\n"
        );
    }

    #[test]
    fn stream_classes_are_cut_and_nothing_else() {
        let glue = "export class IntoUnderlyingSink {\n    free() {}\n}\n\
            if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;\n\
            export function banner() {}\n\
            const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')\n\
            \x20   ? { register: () => {}, unregister: () => {} }\n\
            \x20   : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));\n\
            const CLOSURE_DTORS = 1;\n";
        assert_eq!(
            super::without_stream_classes(glue),
            "export function banner() {}\nconst CLOSURE_DTORS = 1;\n"
        );
    }
}
