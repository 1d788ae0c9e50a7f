//! The worker's `Mailer`: posts each message to the configured HTTP email API with `fetch`.
//! `MAIL_API_URL` and `MAIL_API_KEY` are secrets; `MAIL_FROM` is the sender.

use std::rc::Rc;

use worker::{Fetch, Headers, Method, Request, RequestInit};

use crate::app::mail::{ApiMessage, Mailer, OutgoingMail, SendFuture};

pub struct HttpMailer {
    url: String,
    key: String,
    from: Rc<str>,
}

impl HttpMailer {
    pub fn new(url: String, key: String, from: &str) -> HttpMailer {
        HttpMailer { url, key, from: from.into() }
    }
}

impl Mailer for HttpMailer {
    fn send(&self, mail: OutgoingMail) -> SendFuture {
        let (url, key, from) = (self.url.clone(), self.key.clone(), Rc::clone(&self.from));
        Box::pin(async move {
            let body = serde_json::to_string(&ApiMessage::new(&from, &mail)).map_err(|e| e.to_string())?;
            let headers = Headers::new();
            headers.set("content-type", "application/json").map_err(|e| e.to_string())?;
            headers.set("authorization", &format!("Bearer {key}")).map_err(|e| e.to_string())?;
            let mut init = RequestInit::new();
            init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
            let request = Request::new_with_init(&url, &init).map_err(|e| e.to_string())?;
            let response = Fetch::Request(request).send().await.map_err(|e| e.to_string())?;
            match response.status_code() {
                200..=299 => Ok(()),
                status => Err(format!("email API answered {status}")),
            }
        })
    }
}
