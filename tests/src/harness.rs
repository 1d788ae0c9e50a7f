//! A small runner for test binaries that share one expensive fixture (a running workerd): cases
//! run in order, each failure is reported with its message, and the summary line is the plain
//! `N passed, N failed` that CI reads.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

#[derive(Default)]
pub struct Harness {
    passed: usize,
    failed: Vec<(String, String)>,
}

impl Harness {
    pub fn case(&mut self, name: &str, f: impl FnOnce() -> Result<(), String>) {
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(f))
            .unwrap_or_else(|panic| Err(format!("panicked: {}", panic_message(&panic))));
        let ms = start.elapsed().as_millis();
        match outcome {
            Ok(()) => {
                println!("test {name} ... ok ({ms} ms)");
                self.passed += 1;
            }
            Err(message) => {
                println!("test {name} ... FAILED ({ms} ms)\n    {}", message.replace('\n', "\n    "));
                self.failed.push((name.to_string(), message));
            }
        }
    }

    /// Prints the summary; the process exit code says whether everything passed.
    pub fn finish(self) -> std::process::ExitCode {
        if !self.failed.is_empty() {
            println!("\nfailures:");
            for (name, _) in &self.failed {
                println!("    {name}");
            }
        }
        println!("\n{} passed, {} failed", self.passed, self.failed.len());
        if self.failed.is_empty() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// `Err(message)` unless `cond`.
pub fn ensure(cond: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(message())
    }
}
