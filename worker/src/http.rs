//! Plain HTTP request/response values. The wasm shell converts workers-rs types to and from
//! these, so routing and every handler run natively in `cargo test` as well as in workerd.

use std::pin::Pin;

use futures_util::Stream;
use serde::Serialize;

/// A response body produced piece by piece (exports), so memory stays flat however many rows.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Vec<u8>, String>>>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// `scheme://host[:port]` the request came to (for links the worker hands out).
    pub origin: String,
    pub path: String,
    /// The raw query string without `?`.
    pub query: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn new(method: &str, path_and_query: &str) -> HttpRequest {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        HttpRequest {
            method: method.to_ascii_uppercase(),
            origin: "http://localhost".to_string(),
            path: path.to_string(),
            query: query.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Sets a header, replacing any earlier value of the same name.
    pub fn with_header(mut self, name: &str, value: &str) -> HttpRequest {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> HttpRequest {
        self.body = body.into();
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter (no percent-decoding beyond `+`/`%XX` of ASCII).
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| percent_decode(v))
        })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When set, the body is this stream and `body` is empty.
    pub stream: Option<BodyStream>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("stream", &self.stream.is_some())
            .finish()
    }
}

impl HttpResponse {
    pub fn json<T: Serialize>(status: u16, value: &T) -> HttpResponse {
        let body = serde_json::to_vec(value).expect("response values always serialise");
        HttpResponse::raw_json(status, body)
    }

    pub fn raw_json(status: u16, body: impl Into<Vec<u8>>) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
            body: body.into(),
            stream: None,
        }
    }

    pub fn empty(status: u16) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: Vec::new(), stream: None }
    }

    pub fn streaming(status: u16, content_type: &str, stream: BodyStream) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Vec::new(),
            stream: Some(stream),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> HttpResponse {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// The whole body, draining the stream if there is one (tests and small responses).
    pub async fn collect_body(&mut self) -> Result<Vec<u8>, String> {
        use futures_util::StreamExt;
        let mut out = std::mem::take(&mut self.body);
        if let Some(mut stream) = self.stream.take() {
            while let Some(chunk) = stream.next().await {
                out.extend(chunk?);
            }
        }
        Ok(out)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why a body could not be read whole.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError<E> {
    /// More than the cap arrived; reading stopped there.
    TooLarge,
    Stream(E),
}

/// Reads a body stream chunk by chunk and stops as soon as more than `cap` bytes have arrived,
/// so an oversized (or endless chunked) body is never buffered whole.
pub async fn read_capped<S, E>(stream: &mut S, cap: usize) -> Result<Vec<u8>, BodyError<E>>
where
    S: Stream<Item = Result<Vec<u8>, E>> + Unpin,
{
    use futures_util::StreamExt;
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(BodyError::Stream)?;
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_read_up_to_the_cap_and_no_further() {
        use std::cell::Cell;
        let pulled = Cell::new(0usize);
        let read = |chunks: Vec<Vec<u8>>| {
            pulled.set(0);
            let stream = futures_util::stream::iter(chunks.into_iter().map(|c| {
                pulled.set(pulled.get() + 1);
                Ok::<_, String>(c)
            }));
            (pollster::block_on(read_capped(&mut { stream }, 10)).map(|b| b.len()), pulled.get())
        };
        assert_eq!(read(vec![]), (Ok(0), 0));
        assert_eq!(read(vec![vec![1; 4], vec![2; 6]]), (Ok(10), 2));
        // An endless producer: reading stops at the chunk that crosses the cap.
        assert_eq!(read(vec![vec![0; 4]; 1_000]), (Err(BodyError::TooLarge), 3));
        assert_eq!(read(vec![vec![0; 11]]), (Err(BodyError::TooLarge), 1));
        let mut failing = futures_util::stream::iter([Ok(vec![1]), Err("reset".to_string())]);
        assert_eq!(pollster::block_on(read_capped(&mut failing, 10)), Err(BodyError::Stream("reset".into())));
    }

    #[test]
    fn query_params() {
        let r = HttpRequest::new("get", "/x?lang=cy&purpose=news%20letter&bad=%zz&end=%4");
        assert_eq!(r.method, "GET");
        assert_eq!(r.query_param("lang").as_deref(), Some("cy"));
        assert_eq!(r.query_param("purpose").as_deref(), Some("news letter"));
        assert_eq!(r.query_param("bad").as_deref(), Some("%zz"));
        assert_eq!(r.query_param("end").as_deref(), Some("%4"));
        assert_eq!(r.query_param("missing"), None);
    }
}
