//! An image with its caption and credit. A broken image disappears and leaves the caption.

use yew::prelude::*;

use crate::domain::article::Image;
use crate::i18n::Texts;

#[derive(Properties, PartialEq)]
pub struct FigureProps {
    pub image: Image,
    /// The featured image loads at once; images further down load lazily.
    #[prop_or_default]
    pub featured: bool,
    pub texts: &'static Texts,
}

#[component]
pub fn Figure(props: &FigureProps) -> Html {
    let broken = use_state(|| false);
    let image = &props.image;
    let onerror = {
        let broken = broken.clone();
        Callback::from(move |_: Event| broken.set(true))
    };
    let has_caption = image.caption.is_some() || image.credit.is_some();
    if *broken && !has_caption {
        return Html::default();
    }
    html! {
        <figure class={classes!("aw-figure", props.featured.then_some("aw-figure--featured"))}>
            if !*broken {
                <img
                    src={image.src.clone()}
                    alt={image.alt.clone()}
                    width={image.width.map(|w| w.to_string())}
                    height={image.height.map(|h| h.to_string())}
                    srcset={image.srcset_attribute()}
                    sizes={image.sizes.clone()}
                    loading={if props.featured { "eager" } else { "lazy" }}
                    decoding="async"
                    {onerror}
                />
            }
            if has_caption {
                <figcaption>
                    if let Some(caption) = &image.caption {
                        <span class="aw-caption">{caption.clone()}</span>
                    }
                    if let Some(credit) = &image.credit {
                        <span class="aw-credit">
                            <span class="aw-visually-hidden">{props.texts.photo_credit}{" "}</span>
                            {credit.clone()}
                        </span>
                    }
                </figcaption>
            }
        </figure>
    }
}
