//! At a glance: comments per day over the last four weeks (published, held, spam) and the
//! most discussed articles, as small SVG charts (with titles for each bar and a summary for
//! screen readers), not tables of numbers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use super::error::AreaError;
use super::session::SignedIn;
use super::views::{page, shown, status_label};
use crate::clock::now_ms;
use crate::http::AppState;
use crate::markup::excerpt;
use article_widget::domain::date::Timestamp;

const DAYS: i64 = 28;
const DAY_MS: i64 = 86_400_000;
/// The statuses the daily chart stacks, bottom up, and their colours.
const SERIES: [&str; 3] = ["approved", "pending", "spam"];
const COLOURS: [&str; 3] = ["#2e7d32", "#f9a825", "#c62828"];
const CHART_WIDTH: f64 = 560.0;
const CHART_HEIGHT: f64 = 140.0;
/// The most discussed articles shown.
const DISCUSSED: i64 = 5;

/// A coordinate in an SVG attribute, to one decimal place.
fn tenths(value: f64) -> String {
    format!("{value:.1}")
}

/// A coordinate in an SVG attribute, whole.
fn whole(value: f64) -> String {
    format!("{value:.0}")
}

pub async fn overview(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Response, AreaError> {
    let today = now_ms().div_euclid(DAY_MS);
    let first = today - DAYS + 1;
    let mut days = vec![[0i64; 3]; DAYS as usize];
    for (day, status, n) in state.store.daily_counts(first * DAY_MS).await? {
        let slot = usize::try_from(day - first)
            .ok()
            .and_then(|index| days.get_mut(index));
        if let (Some(slot), Some(kind)) = (slot, SERIES.iter().position(|s| *s == status)) {
            slot[kind] += n;
        }
    }
    let discussed = state
        .store
        .most_discussed(first * DAY_MS, DISCUSSED)
        .await?;
    let mut titled: Vec<(String, String, i64)> = Vec::with_capacity(discussed.len());
    for (article, n) in discussed {
        let title = state.articles.title(&article).await;
        titled.push((article, title, n));
    }
    let discussed = titled;
    let body = html! {
        (per_day(first, &days))
        (most_discussed(&discussed))
    };
    Ok(page(
        StatusCode::OK,
        "Overview",
        Some(session.signed_in_as()),
        body,
    ))
}

/// One bar of the daily chart: a status's count on a day, stacked on the ones below it.
struct Bar {
    day: usize,
    date: String,
    series: usize,
    count: i64,
    top: f64,
    height: f64,
}

/// The daily chart's bars, each stacked on the day's earlier series.
fn stacked_bars(first: i64, days: &[[i64; 3]], tallest: i64) -> Vec<Bar> {
    let mut bars = Vec::new();
    for (day, counts) in days.iter().enumerate() {
        let date = Timestamp::from_millis((first + day as i64) * DAY_MS).to_rfc3339();
        let date = date.get(..10).unwrap_or(&date).to_owned();
        let mut top = CHART_HEIGHT;
        for (series, &count) in counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let height = CHART_HEIGHT * count as f64 / tallest as f64;
            top -= height;
            bars.push(Bar {
                day,
                date: date.clone(),
                series,
                count,
                top,
                height,
            });
        }
    }
    bars
}

/// Comments per day, stacked by status, with a legend of the totals.
fn per_day(first: i64, days: &[[i64; 3]]) -> Markup {
    let totals: Vec<i64> = (0..3).map(|k| days.iter().map(|d| d[k]).sum()).collect();
    let tallest = days
        .iter()
        .map(|d| d.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let width = CHART_WIDTH / DAYS as f64;
    let summary = format!(
        "Last {DAYS} days: {} published, {} held, {} spam",
        totals[0], totals[1], totals[2]
    );
    html! {
        section.card {
            h2 { "Comments per day" }
            svg viewBox={ "0 0 " (CHART_WIDTH) " " (CHART_HEIGHT) } width="100%" role="img"
                aria-label=(summary) style="max-height:10rem" {
                @for bar in stacked_bars(first, days, tallest) {
                    rect x=(tenths(bar.day as f64 * width + 1.0)) y=(tenths(bar.top))
                        width=(tenths(width - 2.0)) height=(tenths(bar.height))
                        fill=(COLOURS[bar.series]) {
                        title {
                            (bar.date) ": " (bar.count) " "
                            (status_label(SERIES[bar.series]).to_lowercase())
                        }
                    }
                }
            }
            p.meta {
                @for k in 0..3 {
                    span {
                        svg width="12" height="12" aria-hidden="true" {
                            rect width="12" height="12" fill=(COLOURS[k]) {}
                        }
                        " " (status_label(SERIES[k])) " (" (totals[k]) ")"
                    }
                    " "
                }
            }
        }
    }
}

/// The articles with the most published comments: (id, title, count), most first.
fn most_discussed(discussed: &[(String, String, i64)]) -> Markup {
    let most = discussed.first().map_or(1, |(_, _, n)| (*n).max(1));
    let summary = discussed
        .iter()
        .map(|(article, _, n)| format!("{article}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        section.card {
            h2 { "Most discussed" }
            @if discussed.is_empty() {
                p { "No published comments in these four weeks." }
            } @else {
                svg viewBox={ "0 0 420 " (whole(discussed.len() as f64 * 34.0)) } width="100%"
                    role="img" aria-label={ "Most published comments: " (shown(&summary)) } {
                    @for (i, (_, title, n)) in discussed.iter().enumerate() {
                        @let y = i as f64 * 34.0;
                        @let width = 360.0 * *n as f64 / most as f64;
                        text x="0" y=(whole(y + 12.0)) font-size="12" fill="currentColor" {
                            (shown(&excerpt(title, 60)))
                        }
                        rect x="0" y=(whole(y + 16.0)) width=(tenths(width)) height="12"
                            fill="#1565c0" {
                            title { (shown(title)) ": " (n) }
                        }
                        text x=(tenths(width + 6.0)) y=(whole(y + 27.0)) font-size="12"
                            fill="currentColor" { (n) }
                    }
                }
            }
        }
    }
}
