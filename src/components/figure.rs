//! Images: `Picture` (an `img` that disappears when broken) and `figure` (a picture with its
//! caption and credit; a broken picture leaves the caption).

use yew::prelude::*;

use crate::domain::article::Image;
use crate::i18n::Texts;

/// A picture with its caption and credit. The featured image loads at once; images further
/// down load lazily. A function, not a component (see `header::article_header`).
pub fn figure(image: &Image, featured: bool, texts: &Texts) -> Html {
    let has_caption = image.caption.is_some() || image.credit.is_some();
    // A broken picture renders nothing; a figure left empty is hidden by the stylesheet
    // (`.aw-figure:empty`), so the caption alone stays.
    html! {
        <figure class={classes!("aw-figure", featured.then_some("aw-figure--featured"))}>
            <Picture image={image.clone()} eager={featured} />
            if has_caption {
                <figcaption>
                    if let Some(caption) = &image.caption {
                        <span class="aw-caption">{caption.clone()}</span>
                    }
                    if let Some(credit) = &image.credit {
                        <span class="aw-credit">
                            <span class="aw-visually-hidden">{texts.photo_credit}{" "}</span>
                            {credit.clone()}
                        </span>
                    }
                </figcaption>
            }
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct PictureProps {
    pub image: Image,
    /// Loads at once (the featured image); otherwise when it nears the viewport.
    #[prop_or_default]
    pub eager: bool,
    /// True when the picture only decorates something that says the same in words.
    #[prop_or_default]
    pub decorative: bool,
}

/// An `img` with its size reserved that disappears if it fails to load, so the reader never
/// sees a broken-image icon. Every image of the widget is one.
#[component]
pub fn Picture(props: &PictureProps) -> Html {
    let broken = use_state(|| false);
    if *broken {
        return Html::default();
    }
    let image = &props.image;
    let onerror = {
        let broken = broken.clone();
        Callback::from(move |_: Event| broken.set(true))
    };
    html! {
        <img
            src={image.src.clone()}
            alt={if props.decorative { String::new() } else { image.alt.clone() }}
            width={image.width.map(|w| w.to_string())}
            height={image.height.map(|h| h.to_string())}
            srcset={image.srcset_attribute()}
            sizes={image.sizes.clone()}
            loading={if props.eager { "eager" } else { "lazy" }}
            decoding="async"
            {onerror}
        />
    }
}
