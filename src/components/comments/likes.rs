//! A like's press (issue 20): shown at once (optimistic), sent to the service with the
//! state wanted, then the service's count; on a failure the state before the press comes
//! back. Only the latest press of a comment has its say, so answers arriving out of order
//! never show a stale state.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use super::listing::{ListAction, Listing};
use crate::domain::comment::Likes;
use crate::domain::likes::{like_url, pressed};

/// A press on a comment's like: its id and its likes as shown when pressed.
pub type LikePress = (String, Likes);

/// The callback every like button shares (stable across renders, so unchanged comments are
/// not rendered again).
#[hook]
pub fn use_like(
    listing: &UseReducerHandle<Listing>,
    url: &AttrValue,
    account: Option<AttrValue>,
    timeout: Duration,
) -> Callback<LikePress> {
    let dispatcher = listing.dispatcher();
    // Each comment's latest press (a list, not a map: a few entries, and no hashing code in
    // the module).
    let latest: Rc<RefCell<Vec<(String, u32)>>> = use_mut_ref(Vec::new);
    use_callback((url.clone(), account), move |(id, before): LikePress, (url, account)| {
        let wanted = pressed(before);
        dispatcher.dispatch(ListAction::SetLikes(id.clone(), wanted));
        let press = {
            let mut latest = latest.borrow_mut();
            match latest.iter_mut().find(|(known, _)| *known == id) {
                Some((_, press)) => {
                    *press += 1;
                    *press
                }
                None => {
                    latest.push((id.clone(), 1));
                    1
                }
            }
        };
        let (dispatcher, latest, address, account) = (
            dispatcher.clone(),
            latest.clone(),
            like_url(url, &id),
            account.clone(),
        );
        yew::platform::spawn_local(async move {
            let answer = crate::shell::http::send_like(
                &address,
                before,
                wanted.liked,
                account.as_deref(),
                timeout,
            )
            .await;
            let still_latest = latest
                .borrow()
                .iter()
                .any(|(known, latest)| *known == id && *latest == press);
            if still_latest {
                dispatcher.dispatch(ListAction::SetLikes(id, answer.unwrap_or(before)));
            }
        });
    })
}
