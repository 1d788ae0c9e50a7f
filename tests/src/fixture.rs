//! The fixture every workerd suite starts from: a fresh local D1 with the migrations and the
//! demo site, the worker's test build in `wrangler dev` with the test secrets, and (when asked)
//! the mail capture standing in for the email API.

use crate::mail_capture::MailCapture;
use crate::secrets::worker_secrets;
use crate::wrangler::{LocalD1, WranglerDev};
use crate::{free_port, repo_root};

/// A running demo worker. Fields drop in order: the worker stops first, and its state
/// directory goes last.
pub struct DemoWorker {
    pub worker: WranglerDev,
    pub mail: Option<MailCapture>,
    pub d1: LocalD1,
    _dir: RemovedOnDrop,
}

struct RemovedOnDrop(std::path::PathBuf);

impl Drop for RemovedOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl DemoWorker {
    /// Starts it with its state under the temp dir in `consent-<name>-<pid>`; `with_mail` starts
    /// the mail capture and points the worker's email API at it.
    pub fn start(name: &str, with_mail: bool) -> Result<DemoWorker, String> {
        let dir = std::env::temp_dir().join(format!("consent-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let d1 = LocalD1::new(&dir);
        let dir = RemovedOnDrop(dir);
        let mail = if with_mail { Some(MailCapture::start()?) } else { None };
        let mail_url = mail.as_ref().map(MailCapture::url).unwrap_or_default();
        let mut vars = worker_secrets();
        if mail.is_some() {
            vars.extend([
                ("MAIL_API_URL", mail_url.as_str()),
                ("MAIL_API_KEY", "capture-key"),
                ("MAIL_FROM", "Demo Alumni <alumni@example.org>"),
            ]);
        }
        d1.migrate()?;
        d1.execute_file(&repo_root().join("worker/seed/demo.sql"))?;
        let worker = WranglerDev::start(&d1, free_port(), &vars)?;
        Ok(DemoWorker { worker, mail, d1, _dir: dir })
    }

    pub fn origin(&self) -> String {
        self.worker.origin()
    }

    /// The mail capture (panics when started without one: a bug in the suite).
    pub fn mail(&self) -> &MailCapture {
        self.mail.as_ref().expect("this suite started the worker without a mail capture")
    }
}
