//! Interface strings. The article's own text is never translated; these are the widget's words
//! around it. English only for now; a lookup by language comes with the embed work.

pub struct Texts {
    pub loading: &'static str,
    pub retry: &'static str,
    pub related: &'static str,
    pub back_to_top: &'static str,
    pub by: &'static str,
    pub and: &'static str,
    pub updated: &'static str,
    pub photo_credit: &'static str,
    /// "N min read": the number goes before.
    pub minutes_read: &'static str,
    pub comments: &'static str,
    pub comments_closed: &'static str,
    pub loading_comments: &'static str,
    pub no_comments: &'static str,
    pub one_response: &'static str,
    /// "N Responses": the number goes before.
    pub responses: &'static str,
    pub leave_reply: &'static str,
    /// "Leave a Reply to Ann": the name goes after.
    pub leave_reply_to: &'static str,
    pub cancel_reply: &'static str,
    pub email_note: &'static str,
    pub required_note: &'static str,
    pub label_comment: &'static str,
    pub label_name: &'static str,
    pub label_email: &'static str,
    pub label_website: &'static str,
    pub consent: &'static str,
    pub post: &'static str,
    pub posting: &'static str,
    pub reply: &'static str,
    /// "Reply to Ann" (visually "Reply"), "In reply to Ann".
    pub reply_to: &'static str,
    pub in_reply_to: &'static str,
    pub awaiting_moderation: &'static str,
    pub posted: &'static str,
    pub summary_title: &'static str,
    pub error_prefix: &'static str,
    /// "N characters left" / "N characters too many": the number goes before.
    pub characters_left: &'static str,
    pub characters_too_many: &'static str,
    pub honeypot_label: &'static str,
}

pub const ENGLISH: Texts = Texts {
    loading: "Loading article…",
    retry: "Retry",
    related: "Related Articles",
    back_to_top: "Back to top",
    by: "By",
    and: "and",
    updated: "Updated",
    photo_credit: "Credit:",
    minutes_read: "min read",
    comments: "Comments",
    comments_closed: "Comments are closed.",
    loading_comments: "Loading comments…",
    no_comments: "No comments yet",
    one_response: "1 Response",
    responses: "Responses",
    leave_reply: "Leave a Reply",
    leave_reply_to: "Leave a Reply to",
    cancel_reply: "Cancel reply",
    email_note: "Your email address will not be published.",
    required_note: "Required fields are marked",
    label_comment: "Comment",
    label_name: "Name",
    label_email: "Email",
    label_website: "Website",
    consent: "Save my name, email, and website in this browser for the next time I comment.",
    post: "Post Comment",
    posting: "Posting…",
    reply: "Reply",
    reply_to: "Reply to",
    in_reply_to: "In reply to",
    awaiting_moderation: "Your comment is awaiting moderation.",
    posted: "Your comment has been posted.",
    summary_title: "There is a problem",
    error_prefix: "Error:",
    characters_left: "characters left",
    characters_too_many: "characters too many",
    honeypot_label: "Leave this field empty",
};

/// The strings for an interface language.
pub fn texts(_language: Option<&str>) -> &'static Texts {
    &ENGLISH
}

/// Each language's strings are one static table, so identity is equality.
impl PartialEq for Texts {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
