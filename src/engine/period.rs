//! Periods (contract §5 "Periods" and "Compare"): the presets as queries, stepping the shown
//! period back and forth by its own length, the previous period to compare with, and the
//! change on each card. Pure functions of the period and today's UTC date, so every rule is
//! tested with a pinned today.
//!
//! Every day here is a whole UTC day, as the API's windows are (contract §3).

use crate::api::types::SeriesPoint;
use crate::contract::{DateRange, Period};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};

/// The presets of `period-preset`, in the order the select offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    Last24Hours,
    Last7Days,
    Last30Days,
    Last90Days,
    MonthToDate,
    LastMonth,
    YearToDate,
    Last12Months,
    Custom,
}

impl Preset {
    /// Every preset, in display order.
    pub const ALL: [Preset; 9] = [
        Preset::Last24Hours,
        Preset::Last7Days,
        Preset::Last30Days,
        Preset::Last90Days,
        Preset::MonthToDate,
        Preset::LastMonth,
        Preset::YearToDate,
        Preset::Last12Months,
        Preset::Custom,
    ];

    /// The value in the select (contract §5's names).
    pub const fn as_str(self) -> &'static str {
        match self {
            Preset::Last24Hours => "last_24_hours",
            Preset::Last7Days => "last_7_days",
            Preset::Last30Days => "last_30_days",
            Preset::Last90Days => "last_90_days",
            Preset::MonthToDate => "month_to_date",
            Preset::LastMonth => "last_month",
            Preset::YearToDate => "year_to_date",
            Preset::Last12Months => "last_12_months",
            Preset::Custom => "custom",
        }
    }

    /// The preset named `text`.
    pub fn parse(text: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Its words in the select.
    pub const fn label(self) -> &'static str {
        match self {
            Preset::Last24Hours => "Last 24 hours",
            Preset::Last7Days => "Last 7 days",
            Preset::Last30Days => "Last 30 days",
            Preset::Last90Days => "Last 90 days",
            Preset::MonthToDate => "Month to date",
            Preset::LastMonth => "Last month",
            Preset::YearToDate => "Year to date",
            Preset::Last12Months => "Last 12 months",
            Preset::Custom => "Custom range",
        }
    }

    /// The period the preset stands for on `today`; `None` for [`Preset::Custom`].
    ///
    /// ```
    /// use campaign_analytics::contract::Period;
    /// use campaign_analytics::engine::period::{days_of, Preset};
    /// let today = "2026-03-01".parse().unwrap();
    /// // The 1st of a month: end_date is the next day, since it must follow start_date.
    /// let p = Preset::MonthToDate.period(today).unwrap();
    /// assert_eq!(days_of(p, today).unwrap(), ("2026-03-01".parse().unwrap(), "2026-03-02".parse().unwrap()));
    /// assert_eq!(Preset::Last30Days.period(today), Some(Period::PerDay));
    /// ```
    pub fn period(self, today: NaiveDate) -> Option<Period> {
        let back = |days: u64| today.checked_sub_days(Days::new(days));
        let month_start = today.with_day(1)?;
        let (start, end) = match self {
            Preset::Last24Hours => return Some(Period::PerHour),
            Preset::Last30Days => return Some(Period::PerDay),
            Preset::Last12Months => return Some(Period::PerMonth),
            Preset::Custom => return None,
            Preset::Last7Days => (back(6)?, today),
            Preset::Last90Days => (back(89)?, today),
            Preset::MonthToDate => (month_start, today),
            Preset::LastMonth => {
                let start = month_start.checked_sub_months(Months::new(1))?;
                (start, month_start.pred_opt()?)
            }
            Preset::YearToDate => (today.with_ordinal(1)?, today),
        };
        custom(start, end)
    }
}

/// A custom range from `start` to `end`, where an `end` equal to `start` becomes the next
/// day (contract §5: §1 needs end after start).
fn custom(start: NaiveDate, end: NaiveDate) -> Option<Period> {
    let end = if end == start { end.succ_opt()? } else { end };
    DateRange::new(start, end).map(Period::CustomRange)
}

/// The preset that `period` is on `today` (`Custom` when none is).
pub fn preset_of(period: Period, today: NaiveDate) -> Preset {
    Preset::ALL
        .into_iter()
        .find(|p| p.period(today) == Some(period))
        .unwrap_or(Preset::Custom)
}

/// The UTC date of a Unix time in milliseconds.
pub fn utc_date(now_ms: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .date_naive()
}

/// The whole UTC days a period covers on `today`, first and last (inclusive); `None` for
/// `per_hour`, whose window is hours, not days.
///
/// ```
/// use campaign_analytics::contract::Period;
/// use campaign_analytics::engine::period::days_of;
/// let today = "2026-11-20".parse().unwrap();
/// let d = |s: &str| s.parse().unwrap();
/// assert_eq!(days_of(Period::PerDay, today), Some((d("2026-10-22"), d("2026-11-20"))));
/// assert_eq!(days_of(Period::PerMonth, today), Some((d("2025-12-01"), d("2026-11-20"))));
/// assert_eq!(days_of(Period::PerHour, today), None);
/// ```
pub fn days_of(period: Period, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    match period {
        Period::PerHour => None,
        Period::PerDay => Some((today.checked_sub_days(Days::new(29))?, today)),
        Period::PerMonth => Some((
            today.with_day(1)?.checked_sub_months(Months::new(11))?,
            today,
        )),
        Period::CustomRange(range) => Some((range.start(), range.end())),
    }
}

/// Why a period cannot be stepped or compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepProblem {
    /// `per_hour`: earlier periods are fetched as custom ranges, which are whole days.
    Hourly,
    /// The period already ends today.
    NoLater,
    /// Outside the years a date can be written in.
    OutOfRange,
}

impl StepProblem {
    /// The reason in words, for the disabled control's hint.
    pub const fn text(self) -> &'static str {
        match self {
            StepProblem::Hourly => {
                "The last 24 hours cannot be stepped or compared: earlier periods are asked as \
                 whole UTC days. Pick a period of days to compare."
            }
            StepProblem::NoLater => "This period already ends today.",
            StepProblem::OutOfRange => "No period can be asked that far away.",
        }
    }
}

/// Back or forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Back,
    Forward,
}

/// The period of the same number of whole UTC days just before (or after) `period`.
/// Forward never goes past today: a step that would is moved back to end today. A step
/// forward that lands on the last 30 days is `per_day` itself, so back-then-forward asks
/// the very same query again (and finds it in the cache).
///
/// ```
/// use campaign_analytics::contract::Period;
/// use campaign_analytics::engine::period::{days_of, step, Direction};
/// let today = "2026-11-20".parse().unwrap();
/// let back = step(Period::PerDay, today, Direction::Back).unwrap();
/// let d = |s: &str| s.parse().unwrap();
/// assert_eq!(days_of(back, today), Some((d("2026-09-22"), d("2026-10-21"))));
/// assert_eq!(step(back, today, Direction::Forward), Ok(Period::PerDay));
/// ```
pub fn step(period: Period, today: NaiveDate, direction: Direction) -> Result<Period, StepProblem> {
    let (start, end) = days_of(period, today).ok_or(StepProblem::Hourly)?;
    let length = (end - start).num_days() as u64 + 1;
    let (start, end) = match direction {
        Direction::Back => (start.checked_sub_days(Days::new(length)), start.pred_opt()),
        Direction::Forward => {
            if end >= today {
                return Err(StepProblem::NoLater);
            }
            let next_end = end
                .checked_add_days(Days::new(length))
                .ok_or(StepProblem::OutOfRange)?;
            if next_end > today {
                (today.checked_sub_days(Days::new(length - 1)), Some(today))
            } else {
                (end.succ_opt(), Some(next_end))
            }
        }
    };
    let (start, end) = start.zip(end).ok_or(StepProblem::OutOfRange)?;
    if days_of(Period::PerDay, today) == Some((start, end)) {
        return Ok(Period::PerDay);
    }
    DateRange::new(start, end)
        .map(Period::CustomRange)
        .ok_or(StepProblem::OutOfRange)
}

/// The previous period to compare `period` with (contract §5 "Compare"): a custom range
/// of the same number of whole UTC days just before it.
pub fn previous(period: Period, today: NaiveDate) -> Result<Period, StepProblem> {
    let (start, end) = days_of(period, today).ok_or(StepProblem::Hourly)?;
    let length = (end - start).num_days() as u64 + 1;
    let first = start
        .checked_sub_days(Days::new(length))
        .ok_or(StepProblem::OutOfRange)?;
    let last = start.pred_opt().ok_or(StepProblem::OutOfRange)?;
    DateRange::new(first, last)
        .map(Period::CustomRange)
        .ok_or(StepProblem::OutOfRange)
}

/// A daily series regrouped into calendar months (for comparing a `per_month` view with
/// a previous period, which is asked as a custom range of days). Revenue stays in cents.
///
/// ```
/// use campaign_analytics::api::types::SeriesPoint;
/// use campaign_analytics::engine::period::regroup_months;
/// let p = |day: &str, n: u64, r: f64| SeriesPoint { period_start: day.parse().unwrap(),
///     total_instances: n, purchase_instances: n / 2, revenue: r };
/// let months = regroup_months(&[p("2026-01-30T00:00:00Z", 2, 0.1), p("2026-01-31T00:00:00Z", 4, 0.2),
///                               p("2026-02-01T00:00:00Z", 6, 1.0)]);
/// assert_eq!(months.len(), 2);
/// assert_eq!((months[0].total_instances, months[0].revenue), (6, 0.3));
/// assert_eq!(months[1].period_start.to_rfc3339(), "2026-02-01T00:00:00+00:00");
/// ```
pub fn regroup_months(days: &[SeriesPoint]) -> Vec<SeriesPoint> {
    let mut months: Vec<(SeriesPoint, i64)> = Vec::new();
    for point in days {
        let date = point.period_start.date_naive();
        let cents = (point.revenue * 100.0).round() as i64;
        match months.last_mut() {
            Some((m, total_cents))
                if m.period_start.year() == date.year()
                    && m.period_start.month() == date.month() =>
            {
                m.total_instances += point.total_instances;
                m.purchase_instances += point.purchase_instances;
                *total_cents += cents;
            }
            _ => {
                let first = date.with_day(1).unwrap_or(date);
                let start = first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
                months.push((
                    SeriesPoint {
                        period_start: start,
                        total_instances: point.total_instances,
                        purchase_instances: point.purchase_instances,
                        revenue: 0.0,
                    },
                    cents,
                ));
            }
        }
    }
    months
        .into_iter()
        .map(|(mut m, cents)| {
            m.revenue = cents as f64 / 100.0;
            m
        })
        .collect()
}

/// The change of a card against the previous period, as `summary-<card>-change` shows it
/// (contract §4): `+12.5%`, `−3.0%` (a real minus sign), `0.0%`, or `new` when the
/// previous value was 0 and the current one is not.
///
/// ```
/// use campaign_analytics::engine::period::change_text;
/// assert_eq!(change_text(112.5, 100.0), "+12.5%");
/// assert_eq!(change_text(97.0, 100.0), "\u{2212}3.0%");
/// assert_eq!(change_text(5.0, 0.0), "new");
/// assert_eq!(change_text(0.0, 0.0), "0.0%");
/// ```
pub fn change_text(current: f64, previous: f64) -> String {
    if previous == 0.0 {
        return if current == 0.0 {
            "0.0%".to_owned()
        } else {
            "new".to_owned()
        };
    }
    // Tenths of a percent, in integers: no float printing in the download.
    let tenths = ((current - previous) / previous.abs() * 1000.0).round();
    if !tenths.is_finite() {
        return "new".to_owned();
    }
    let tenths = tenths as i64;
    let sign = match tenths.signum() {
        1 => "+",
        -1 => "\u{2212}",
        _ => "",
    };
    format!("{sign}{}.{}%", tenths.abs() / 10, tenths.abs() % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn range(p: Option<Period>) -> (String, String) {
        match p {
            Some(Period::CustomRange(r)) => (r.start().to_string(), r.end().to_string()),
            other => panic!("not a custom range: {other:?}"),
        }
    }

    fn r(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn presets_for_a_pinned_today() {
        let today = d("2026-11-20");
        assert_eq!(Preset::Last24Hours.period(today), Some(Period::PerHour));
        assert_eq!(Preset::Last30Days.period(today), Some(Period::PerDay));
        assert_eq!(Preset::Last12Months.period(today), Some(Period::PerMonth));
        assert_eq!(Preset::Custom.period(today), None);
        assert_eq!(
            range(Preset::Last7Days.period(today)),
            r("2026-11-14", "2026-11-20")
        );
        assert_eq!(
            range(Preset::Last90Days.period(today)),
            r("2026-08-23", "2026-11-20")
        );
        assert_eq!(
            range(Preset::MonthToDate.period(today)),
            r("2026-11-01", "2026-11-20")
        );
        assert_eq!(
            range(Preset::LastMonth.period(today)),
            r("2026-10-01", "2026-10-31")
        );
        assert_eq!(
            range(Preset::YearToDate.period(today)),
            r("2026-01-01", "2026-11-20")
        );
        for p in Preset::ALL {
            assert_eq!(Preset::parse(p.as_str()), Some(p));
            if let Some(period) = p.period(today) {
                assert_eq!(preset_of(period, today), p);
            }
        }
    }

    #[test]
    fn month_and_year_ends() {
        // The 1st of a month or a year: end is the next day.
        assert_eq!(
            range(Preset::MonthToDate.period(d("2026-03-01"))),
            r("2026-03-01", "2026-03-02")
        );
        assert_eq!(
            range(Preset::YearToDate.period(d("2026-01-01"))),
            r("2026-01-01", "2026-01-02")
        );
        // Last month across a year end, and on the last day of a month.
        assert_eq!(
            range(Preset::LastMonth.period(d("2026-01-01"))),
            r("2025-12-01", "2025-12-31")
        );
        assert_eq!(
            range(Preset::LastMonth.period(d("2026-03-31"))),
            r("2026-02-01", "2026-02-28")
        );
        assert_eq!(
            range(Preset::MonthToDate.period(d("2026-12-31"))),
            r("2026-12-01", "2026-12-31")
        );
        // Last 7 days across a year end.
        assert_eq!(
            range(Preset::Last7Days.period(d("2026-01-03"))),
            r("2025-12-28", "2026-01-03")
        );
    }

    #[test]
    fn leap_years() {
        assert_eq!(
            range(Preset::LastMonth.period(d("2024-03-15"))),
            r("2024-02-01", "2024-02-29")
        );
        assert_eq!(
            range(Preset::LastMonth.period(d("2025-03-15"))),
            r("2025-02-01", "2025-02-28")
        );
        assert_eq!(
            range(Preset::MonthToDate.period(d("2024-02-29"))),
            r("2024-02-01", "2024-02-29")
        );
        // Year to date on the last day of a leap year: 366 days, 365 apart — still allowed.
        assert_eq!(
            range(Preset::YearToDate.period(d("2024-12-31"))),
            r("2024-01-01", "2024-12-31")
        );
        // per_month's window over a leap day.
        assert_eq!(
            days_of(Period::PerMonth, d("2024-02-29")),
            Some((d("2023-03-01"), d("2024-02-29")))
        );
    }

    #[test]
    fn the_365_day_limit_holds_for_every_step() {
        // The longest range there is: 366 days. Back and forth keep its length.
        let longest =
            Period::CustomRange(DateRange::new(d("2024-01-01"), d("2024-12-31")).unwrap());
        let today = d("2026-11-20");
        let back = step(longest, today, Direction::Back).unwrap();
        assert_eq!(range(Some(back)), r("2022-12-31", "2023-12-31"));
        let forward = step(longest, today, Direction::Forward).unwrap();
        assert_eq!(range(Some(forward)), r("2025-01-01", "2026-01-01"));
        // Every preset on every day of a leap year and the next stays within §1's rules,
        // and so does its previous period.
        let mut day = d("2024-01-01");
        while day <= d("2025-12-31") {
            for p in Preset::ALL {
                if let Some(period) = p.period(day) {
                    if let Some((a, b)) = days_of(period, day) {
                        assert!(b > a && (b - a).num_days() <= 365, "{p:?} on {day}");
                        let prev = previous(period, day).unwrap();
                        let (pa, pb) = days_of(prev, day).unwrap();
                        assert_eq!(pb.succ_opt(), Some(a), "{p:?} on {day}: just before");
                        assert_eq!(
                            (pb - pa).num_days(),
                            (b - a).num_days(),
                            "{p:?} on {day}: same length"
                        );
                    }
                }
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn stepping_back_and_forward() {
        let today = d("2026-11-20");
        assert_eq!(
            step(Period::PerHour, today, Direction::Back),
            Err(StepProblem::Hourly)
        );
        assert_eq!(
            step(Period::PerDay, today, Direction::Forward),
            Err(StepProblem::NoLater)
        );
        assert_eq!(
            step(Period::PerMonth, today, Direction::Forward),
            Err(StepProblem::NoLater)
        );
        let week = Preset::Last7Days.period(today).unwrap();
        let before = step(week, today, Direction::Back).unwrap();
        assert_eq!(range(Some(before)), r("2026-11-07", "2026-11-13"));
        assert_eq!(step(before, today, Direction::Forward), Ok(week));
        // A forward step that would pass today ends today instead.
        let recent = Period::CustomRange(DateRange::new(d("2026-11-10"), d("2026-11-16")).unwrap());
        assert_eq!(
            range(step(recent, today, Direction::Forward).ok()),
            r("2026-11-14", "2026-11-20")
        );
        // per_month steps by its number of days.
        let back = step(Period::PerMonth, today, Direction::Back).unwrap();
        assert_eq!(range(Some(back)), r("2024-12-11", "2025-11-30"));
        assert_eq!(
            step(
                Period::CustomRange(DateRange::new(d("0000-01-01"), d("0000-01-05")).unwrap()),
                today,
                Direction::Back
            ),
            Err(StepProblem::OutOfRange)
        );
    }

    #[test]
    fn compare_windows() {
        let today = d("2026-11-20");
        assert_eq!(previous(Period::PerHour, today), Err(StepProblem::Hourly));
        // per_day: the 30 days before the 30 days shown.
        assert_eq!(
            range(previous(Period::PerDay, today).ok()),
            r("2026-09-22", "2026-10-21")
        );
        // per_month: as many days as the window holds (Dec 1 to Nov 20: 355), just before.
        assert_eq!(
            range(previous(Period::PerMonth, today).ok()),
            r("2024-12-11", "2025-11-30")
        );
        // A custom range: same number of days, just before.
        let shown = Period::CustomRange(DateRange::new(d("2026-03-01"), d("2026-03-31")).unwrap());
        assert_eq!(
            range(previous(shown, today).ok()),
            r("2026-01-29", "2026-02-28")
        );
        // The previous period never becomes per_day (compare always asks a custom range).
        let back = Period::CustomRange(DateRange::new(d("2026-08-23"), d("2026-09-21")).unwrap());
        assert!(matches!(previous(back, today), Ok(Period::CustomRange(_))));
    }

    #[test]
    fn changes_read_as_the_contract_says() {
        assert_eq!(change_text(120.0, 100.0), "+20.0%");
        assert_eq!(change_text(0.0, 100.0), "\u{2212}100.0%");
        assert_eq!(change_text(100.04, 100.0), "0.0%");
        assert_eq!(change_text(1.0, 3.0), "\u{2212}66.7%");
        assert_eq!(change_text(0.3, 0.2), "+50.0%");
        assert_eq!(utc_date(1_795_000_000_000), d("2026-11-18"));
    }
}
