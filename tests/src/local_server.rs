//! The accept loop behind the local test servers (the demo host page, the mail capture): listens
//! on 127.0.0.1, hands each connection to `handle` on a thread of its own, and stops — joining its
//! thread — when dropped.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

pub struct LocalServer {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LocalServer {
    /// Serves on `port` (0: any free port; see `self.port`). `what` names it in errors.
    pub fn start(
        what: &str,
        port: u16,
        handle: impl Fn(TcpStream) + Send + Sync + 'static,
    ) -> Result<LocalServer, String> {
        let listener =
            TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("{what} on port {port}: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let handle = Arc::new(handle);
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let handle = Arc::clone(&handle);
                    thread::spawn(move || handle(stream));
                }
            }
        });
        Ok(LocalServer { port, stop, thread: Some(thread) })
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
