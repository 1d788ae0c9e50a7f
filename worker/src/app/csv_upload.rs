//! A CSV given to a console form either as an uploaded file (`<input type=file>`, a multipart
//! post) or pasted into a text box: which one was given, and whether a file is text a CSV
//! reader can take. The pages that read the rows (import, suppressions) say what the rows must be.

use maud::html;

use super::csrf_form::Form;
use super::page_text::console_people2::People2Text;
use super::page_text::PageLang;
use crate::http::HttpResponse;

/// Why a form's CSV cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadError {
    /// Neither a file nor pasted text.
    Missing,
    /// Both a file and pasted text: which one was meant is not for the server to guess.
    Both,
    /// The file has no rows (nothing, or only blank lines).
    Empty,
    /// Over the page's byte limit.
    TooBig { limit: usize },
    /// Not UTF-8 text (a spreadsheet saved in another encoding).
    NotUtf8,
    /// Not text at all (a workbook, an image, a PDF).
    NotCsv,
}

/// The CSV text of `form`: the file chosen in `file_field`, else the text in `paste_field`.
/// A UTF-8 byte-order mark (as spreadsheet programs write) is dropped.
pub fn csv_text(
    form: &Form,
    file_field: &str,
    paste_field: &str,
    limit: usize,
) -> Result<String, UploadError> {
    let pasted = form.get(paste_field).unwrap_or("");
    let Some(file) = form.file(file_field) else {
        if pasted.trim().is_empty() {
            return Err(UploadError::Missing);
        }
        if pasted.len() > limit {
            return Err(UploadError::TooBig { limit });
        }
        return Ok(pasted.to_string());
    };
    if !pasted.trim().is_empty() {
        return Err(UploadError::Both);
    }
    if file.bytes.len() > limit {
        return Err(UploadError::TooBig { limit });
    }
    let bytes = file.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&file.bytes);
    // Workbooks (.xlsx is a zip, .xls an OLE file), PDFs and images hold NUL bytes or start with
    // a binary signature; a CSV never does.
    const SIGNATURES: [&[u8]; 3] = [b"PK\x03\x04", b"\xD0\xCF\x11\xE0", b"%PDF"];
    if bytes.contains(&0) || SIGNATURES.iter().any(|s| bytes.starts_with(s)) {
        return Err(UploadError::NotCsv);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| UploadError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(UploadError::Empty);
    }
    Ok(text.to_string())
}

/// The error in words, for beside the field.
pub fn describe(t: &People2Text, e: UploadError) -> String {
    match e {
        UploadError::Missing => t.upload_missing.to_string(),
        UploadError::Both => t.upload_both.to_string(),
        UploadError::Empty => t.upload_empty.to_string(),
        UploadError::TooBig { limit } => t.upload_too_big.replace("{value}", &size_in_words(limit)),
        UploadError::NotUtf8 => t.upload_not_utf8.to_string(),
        UploadError::NotCsv => t.upload_not_csv.to_string(),
    }
}

/// The page for a console form post over its route's cap (`App::too_large_answer`), with the way
/// back to the form at `path`.
pub fn too_large_page(path: &str, lang: PageLang, cap: usize) -> HttpResponse {
    let u = lang.people2();
    let body = html! {
        div class="error" role="alert" { p { (u.upload_too_big.replace("{value}", &size_in_words(cap))) } }
        p { a href={ (path) "?lang=" (lang.code()) } { (u.back_to_form) } }
    };
    super::pages::page(413, lang.code(), u.too_big_title, body)
}

/// A byte count as people write it (KB and MB of 1,024).
pub fn size_in_words(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpRequest;

    fn multipart(file: Option<&[u8]>, pasted: &str) -> Form {
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--b\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n{pasted}\r\n").as_bytes(),
        );
        let (name, bytes) = file.map_or(("", &b""[..]), |b| ("list.csv", b));
        body.extend_from_slice(
            format!("--b\r\nContent-Disposition: form-data; name=\"csv_file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n--b--\r\n");
        let req = HttpRequest::new("POST", "/admin/sites/demo/import")
            .with_header("content-type", "multipart/form-data; boundary=b")
            .with_body(body);
        Form::parse(&req).expect("a multipart form")
    }

    #[test]
    fn a_console_post_over_its_cap_gets_a_page_and_the_api_its_json() {
        let page = crate::app::too_large_answer("/admin/sites/demo/suppressions", "lang=cy");
        assert_eq!(page.status, 413);
        let html = String::from_utf8(page.body.clone()).unwrap();
        assert!(
            html.contains("512 KB") && html.contains("href=\"/admin/sites/demo/suppressions?lang=cy\""),
            "{html}"
        );
        assert!(html.contains("lang=\"cy\""), "{html}");
        let api = crate::app::too_large_answer("/api/v1/sites/demo/consents", "");
        assert_eq!(api.status, 413);
        assert!(String::from_utf8(api.body).unwrap().contains("payload_too_large"));
    }

    #[test]
    fn files_and_pastes_are_told_apart_and_checked() {
        type Case<'a> = (Option<&'a [u8]>, &'a str, Result<&'a str, UploadError>);
        let cases: [Case; 9] = [
            (Some(b"email\na@example.org\n"), "", Ok("email\na@example.org\n")),
            (Some(b"\xEF\xBB\xBFemail\n"), "", Ok("email\n")),
            (None, "email\nb@example.org", Ok("email\nb@example.org")),
            (None, "  ", Err(UploadError::Missing)),
            (Some(b"email\n"), "email\n", Err(UploadError::Both)),
            (Some(b"\n \n"), "", Err(UploadError::Empty)),
            (Some(b"PK\x03\x04rest"), "", Err(UploadError::NotCsv)),
            (Some(b"email\nbj\xF6rk@example.org\n"), "", Err(UploadError::NotUtf8)),
            (Some(&[b'x'; 65]), "", Err(UploadError::TooBig { limit: 64 })),
        ];
        for (file, pasted, want) in cases {
            let form = multipart(file, pasted);
            assert_eq!(
                csv_text(&form, "csv_file", "csv", 64).as_deref().map_err(|e| *e),
                want,
                "{file:?} {pasted:?}"
            );
        }
    }
}
