//! `GET {url}`'s paging parameters, and the next page's address.

use article_widget::domain::thread::ThreadOrder;

use crate::store::{Cursor, PageRequest};

/// The thread, with a validator over its bytes (a newly approved comment changes it at once)
/// and a short lifetime; a request with an author token may see its held comments, so its
/// answer is private; 304 for a matching revalidation.
/// `GET {url}`'s paging parameters. Without `per_page`, the whole thread (the contract's
/// original answer, kept for clients that page themselves) up to [`MAX_PER_PAGE`] threads,
/// with `next` when there are more.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageParams {
    per_page: Option<String>,
    order: Option<String>,
    after: Option<String>,
}

/// Comments per page at most (WordPress's default is 50; a client may ask for fewer or more).
pub const MAX_PER_PAGE: usize = 100;

impl PageParams {
    /// The parameters as one text, for the validator (each page has its own).
    pub fn query(&self) -> String {
        format!(
            "{}|{}|{}",
            self.per_page.as_deref().unwrap_or_default(),
            self.order.as_deref().unwrap_or_default(),
            self.after.as_deref().unwrap_or_default()
        )
    }

    /// The page asked for, or a message saying what is wrong with the parameters.
    pub fn request(&self) -> Result<Option<PageRequest>, String> {
        let Some(per_page) = &self.per_page else {
            return Ok(None);
        };
        let per_page = per_page
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PER_PAGE).contains(n))
            .ok_or(format!(
                "per_page must be a number from 1 to {MAX_PER_PAGE}"
            ))?;
        let order = match self.order.as_deref() {
            None | Some("oldest") => ThreadOrder::OldestFirst,
            Some("newest") => ThreadOrder::NewestFirst,
            Some("best") => ThreadOrder::BestFirst,
            Some(_) => return Err("order must be oldest, newest or best".to_owned()),
        };
        let after = match &self.after {
            None => None,
            // A "Best first" page's cursor starts with its likes; no other's does.
            Some(text) => Some(
                Cursor::parse(text)
                    .filter(|c| c.likes.is_some() == (order == ThreadOrder::BestFirst))
                    .ok_or("after is not a page cursor")?,
            ),
        };
        Ok(Some(PageRequest {
            per_page,
            order,
            after,
        }))
    }
}

/// The next page's address, relative to this one's (only the query changes).
pub fn next_page(request: &PageRequest, next: &Cursor) -> String {
    format!(
        "?per_page={}&order={}&after={}",
        request.per_page,
        request.order.as_str(),
        next.to_param()
    )
}
