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
