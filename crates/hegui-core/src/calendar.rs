//! The PRC working-day calendar (工作日): weekdays, minus the statutory holiday blocks the
//! State Council General Office announces each year, plus the weekend make-up working days
//! (调休上班) of the same notice.
//!
//! Every "N 个工作日" deadline in hegui goes through [`Calendar`]. The schedules ship as data
//! (`law/calendar/YEAR.toml`, one file per notice). A year without a schedule **fails
//! closed**: asking about 2027 before its notice exists is an error that names the year,
//! never a guess from the weekday. Users supply a new year's notice as a file of the same
//! format ([`Calendar::add_file`]).
//!
//! # File format
//!
//! ```toml
//! year = 2027
//! notice = "国办发明电〔2026〕N号"   # the notice that announced the schedule
//! published = "2026-11-01"
//! source = "https://www.gov.cn/..."   # optional
//!
//! [[holidays]]                       # one block of days off, weekends inside it included
//! name_zh = "春节"
//! name_en = "Spring Festival"
//! start = "2027-02-05"
//! end = "2027-02-12"
//!
//! [[makeup_workdays]]                # a weekend day that is a working day
//! date = "2027-02-14"
//! for_holiday = "春节"
//! ```
//!
//! # Counting rule
//!
//! A deadline "within N working days from day X" falls on the N-th working day *after* X
//! (X itself is not counted; Civil Code Art. 201 starts a period on the next day).
//! [`Calendar::add_working_days`] implements that and [`Calendar::working_days_between`]
//! is its inverse.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// Built-in schedules, one per State Council notice: the years hegui ships (path, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "law/calendar/2024.toml",
        include_str!("../law/calendar/2024.toml"),
    ),
    (
        "law/calendar/2025.toml",
        include_str!("../law/calendar/2025.toml"),
    ),
    (
        "law/calendar/2026.toml",
        include_str!("../law/calendar/2026.toml"),
    ),
];

/// Longest holiday block the validator accepts; the longest ever announced is 9 days.
const MAX_BLOCK_DAYS: i32 = 12;

/// Errors from the calendar.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The year has no schedule: hegui refuses to guess.
    #[error(
        "no working-day calendar for {year}: hegui knows {known} (State Council holiday notices); \
         supply the {year} notice as a calendar file (--calendar FILE, or a .toml file in \
         $HEGUI_CALENDAR_DIR), in the format of crates/hegui-core/law/calendar/2026.toml"
    )]
    UnknownYear { year: i16, known: String },
    /// A calendar file is malformed or inconsistent.
    #[error("{origin}: {message}")]
    BadFile { origin: String, message: String },
    /// Date arithmetic left the range jiff supports.
    #[error("date out of range: {0}")]
    Range(String),
}

/// One holiday block as the notice announces it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name_zh: String,
    pub name_en: String,
    pub start: Date,
    pub end: Date,
}

/// A weekend day that the notice makes a working day.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MakeupWorkday {
    pub date: Date,
    pub for_holiday: String,
}

/// The schedule of one year, from one notice.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct YearSchedule {
    pub year: i16,
    pub notice: String,
    pub published: Date,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub holidays: Vec<Holiday>,
    #[serde(default)]
    pub makeup_workdays: Vec<MakeupWorkday>,
    /// Where the schedule came from (`built-in` or a file path); not part of the file.
    #[serde(skip_deserializing, default)]
    pub origin: String,
}

/// What kind of day a date is.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Weekend,
    Holiday,
    MakeupWorkday,
}

/// One date with its classification, as `hegui calendar show` lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DayInfo {
    pub date: Date,
    pub weekday: String,
    pub working_day: bool,
    pub kind: DayKind,
    /// The holiday's Chinese name, for days off in a block and for make-up working days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday_en: Option<String>,
}

/// The set of known year schedules.
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i16, YearSchedule>,
}

impl Calendar {
    /// The schedules that ship with hegui (2024–2026).
    pub fn builtin() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            let mut cal = Calendar {
                years: BTreeMap::new(),
            };
            for (path, text) in BUILTIN {
                let sched = parse_schedule(text, &format!("built-in {path}"))
                    .expect("built-in calendar data is valid (tested)");
                cal.years.insert(sched.year, sched);
            }
            cal
        })
    }

    /// A copy of the built-in calendar that user files can extend.
    pub fn with_builtin() -> Calendar {
        Calendar::builtin().clone()
    }

    /// Adds (or replaces) one year from a calendar file's text. `origin` names the file in
    /// errors. Returns the year and whether it replaced a schedule already known.
    pub fn add_file(&mut self, text: &str, origin: &str) -> Result<(i16, bool), CalendarError> {
        let sched = parse_schedule(text, origin)?;
        let year = sched.year;
        let replaced = self.years.insert(year, sched).is_some();
        Ok((year, replaced))
    }

    /// The years this calendar knows.
    pub fn years(&self) -> impl Iterator<Item = i16> + '_ {
        self.years.keys().copied()
    }

    /// The schedule of one year, or the fail-closed error.
    pub fn schedule(&self, year: i16) -> Result<&YearSchedule, CalendarError> {
        self.years
            .get(&year)
            .ok_or_else(|| CalendarError::UnknownYear {
                year,
                known: self.known_years(),
            })
    }

    fn known_years(&self) -> String {
        let v: Vec<String> = self.years.keys().map(|y| y.to_string()).collect();
        if v.is_empty() {
            "no years".into()
        } else {
            v.join(", ")
        }
    }

    /// Classifies one date. Fails for a year without a schedule.
    pub fn day(&self, date: Date) -> Result<DayInfo, CalendarError> {
        let sched = self.schedule(date.year())?;
        let weekday = weekday_zh(date.weekday()).to_string();
        if let Some(m) = sched.makeup_workdays.iter().find(|m| m.date == date) {
            let en = sched
                .holidays
                .iter()
                .find(|h| h.name_zh == m.for_holiday)
                .map(|h| h.name_en.clone());
            return Ok(DayInfo {
                date,
                weekday,
                working_day: true,
                kind: DayKind::MakeupWorkday,
                holiday: Some(m.for_holiday.clone()),
                holiday_en: en,
            });
        }
        // A block may start in the previous December (e.g. 2023-12-30 for 元旦 2024), so
        // the next year's schedule is consulted too when it is known.
        let next = self.years.get(&(date.year() + 1));
        let block = std::iter::once(sched)
            .chain(next)
            .flat_map(|s| s.holidays.iter())
            .find(|h| h.start <= date && date <= h.end);
        if let Some(h) = block {
            return Ok(DayInfo {
                date,
                weekday,
                working_day: false,
                kind: DayKind::Holiday,
                holiday: Some(h.name_zh.clone()),
                holiday_en: Some(h.name_en.clone()),
            });
        }
        let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
        Ok(DayInfo {
            date,
            weekday,
            working_day: !weekend,
            kind: if weekend {
                DayKind::Weekend
            } else {
                DayKind::Workday
            },
            holiday: None,
            holiday_en: None,
        })
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.day(date)?.working_day)
    }

    /// The `n`-th working day after `date` (`date` itself not counted). A negative `n`
    /// counts backwards: the `|n|`-th working day before `date`. `n = 0` returns `date`.
    pub fn add_working_days(&self, date: Date, n: i64) -> Result<Date, CalendarError> {
        let step = if n < 0 { -1 } else { 1 };
        let mut d = date;
        let mut left = n.unsigned_abs();
        while left > 0 {
            d = d
                .checked_add(jiff::Span::new().days(step))
                .map_err(|e| CalendarError::Range(e.to_string()))?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days in the half-open interval `(from, to]`; negative when `to < from`.
    /// For a working day `to`, `add_working_days(from, working_days_between(from, to)) == to`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0i64;
        let mut d = lo;
        while d < hi {
            d = d
                .tomorrow()
                .map_err(|e| CalendarError::Range(e.to_string()))?;
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// Every date of `year`, classified.
    pub fn year_days(&self, year: i16) -> Result<Vec<DayInfo>, CalendarError> {
        self.schedule(year)?;
        let first = Date::new(year, 1, 1).map_err(|e| CalendarError::Range(e.to_string()))?;
        let mut out = Vec::with_capacity(366);
        let mut d = first;
        while d.year() == year {
            out.push(self.day(d)?);
            d = d
                .tomorrow()
                .map_err(|e| CalendarError::Range(e.to_string()))?;
        }
        Ok(out)
    }
}

/// The weekday's Chinese name (星期一 … 星期日).
pub fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "星期一",
        Weekday::Tuesday => "星期二",
        Weekday::Wednesday => "星期三",
        Weekday::Thursday => "星期四",
        Weekday::Friday => "星期五",
        Weekday::Saturday => "星期六",
        Weekday::Sunday => "星期日",
    }
}

/// Parses and checks one schedule file.
fn parse_schedule(text: &str, origin: &str) -> Result<YearSchedule, CalendarError> {
    let bad = |message: String| CalendarError::BadFile {
        origin: origin.to_string(),
        message,
    };
    let mut sched: YearSchedule = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    sched.origin = origin.to_string();
    let year = sched.year;
    for h in &sched.holidays {
        let what = format!("holiday {} ({} – {})", h.name_zh, h.start, h.end);
        if h.end < h.start {
            return Err(bad(format!("{what}: end is before start")));
        }
        if h.end.year() != year || !(h.start.year() == year || h.start.year() == year - 1) {
            return Err(bad(format!(
                "{what}: a {year} holiday block must end in {year} (it may start in late {})",
                year - 1
            )));
        }
        let len = h.start.until(h.end).map(|s| s.get_days()).unwrap_or(0) + 1;
        if len > MAX_BLOCK_DAYS {
            return Err(bad(format!(
                "{what}: {len} days is longer than any holiday block ({MAX_BLOCK_DAYS} max)"
            )));
        }
    }
    for m in &sched.makeup_workdays {
        let what = format!("make-up working day {}", m.date);
        if m.date.year() != year {
            return Err(bad(format!("{what}: not in {year}")));
        }
        if !matches!(m.date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return Err(bad(format!(
                "{what}: is a {}, but make-up working days are weekend days",
                weekday_zh(m.date.weekday())
            )));
        }
        if sched
            .holidays
            .iter()
            .any(|h| h.start <= m.date && m.date <= h.end)
        {
            return Err(bad(format!("{what}: falls inside a holiday block")));
        }
        if !sched.holidays.iter().any(|h| h.name_zh == m.for_holiday) {
            return Err(bad(format!(
                "{what}: for_holiday \"{}\" names no holiday of this file",
                m.for_holiday
            )));
        }
    }
    Ok(sched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> &'static Calendar {
        Calendar::builtin()
    }

    fn working_days_in(year: i16) -> usize {
        cal()
            .year_days(year)
            .unwrap()
            .iter()
            .filter(|d| d.working_day)
            .count()
    }

    fn longest_working_run(year: i16) -> usize {
        let (mut best, mut run) = (0, 0);
        for d in cal().year_days(year).unwrap() {
            run = if d.working_day { run + 1 } else { 0 };
            best = best.max(run);
        }
        best
    }

    #[test]
    fn yearly_totals_match_the_notices() {
        // Totals from law-notes §5.2 (computed independently with chinese-calendar 1.11.0).
        assert_eq!(working_days_in(2024), 251);
        assert_eq!(working_days_in(2025), 248);
        assert_eq!(working_days_in(2026), 248);
    }

    #[test]
    fn never_more_than_six_working_days_in_a_row() {
        // Holiday measures Art. 7 (2024 revision); law-notes §5.1 gives 6 / 5 / 6.
        assert_eq!(longest_working_run(2024), 6);
        assert_eq!(longest_working_run(2025), 5);
        assert_eq!(longest_working_run(2026), 6);
    }

    #[test]
    fn every_block_edge_of_2024() {
        let c = cal();
        // 元旦: 2024-01-01 off, 01-02 back to work.
        assert!(!c.is_working_day(date(2024, 1, 1)).unwrap());
        assert!(c.is_working_day(date(2024, 1, 2)).unwrap());
        // 春节 2/10–2/17, make-up Sun 2/4 and Sun 2/18; 除夕 2/9 (Fri) was a working day.
        assert!(c.is_working_day(date(2024, 2, 4)).unwrap());
        assert!(c.is_working_day(date(2024, 2, 9)).unwrap());
        assert!(!c.is_working_day(date(2024, 2, 10)).unwrap());
        assert!(!c.is_working_day(date(2024, 2, 16)).unwrap());
        assert!(!c.is_working_day(date(2024, 2, 17)).unwrap());
        assert!(c.is_working_day(date(2024, 2, 18)).unwrap());
        // 清明 4/4–4/6, make-up Sun 4/7.
        assert!(!c.is_working_day(date(2024, 4, 4)).unwrap());
        assert!(c.is_working_day(date(2024, 4, 7)).unwrap());
        // 劳动节 5/1–5/5, make-up 4/28 and 5/11.
        assert!(c.is_working_day(date(2024, 4, 28)).unwrap());
        assert!(!c.is_working_day(date(2024, 5, 5)).unwrap());
        assert!(c.is_working_day(date(2024, 5, 6)).unwrap());
        assert!(c.is_working_day(date(2024, 5, 11)).unwrap());
        // 端午 6/8–6/10 (Mon 6/10 off).
        assert!(!c.is_working_day(date(2024, 6, 10)).unwrap());
        assert!(c.is_working_day(date(2024, 6, 11)).unwrap());
        // 中秋 9/15–9/17, make-up Sat 9/14.
        assert!(c.is_working_day(date(2024, 9, 14)).unwrap());
        assert!(!c.is_working_day(date(2024, 9, 16)).unwrap());
        assert!(!c.is_working_day(date(2024, 9, 17)).unwrap());
        // 国庆 10/1–10/7, make-up Sun 9/29 and Sat 10/12.
        assert!(c.is_working_day(date(2024, 9, 29)).unwrap());
        assert!(!c.is_working_day(date(2024, 10, 7)).unwrap());
        assert!(c.is_working_day(date(2024, 10, 8)).unwrap());
        assert!(c.is_working_day(date(2024, 10, 12)).unwrap());
    }

    #[test]
    fn every_block_edge_of_2025() {
        let c = cal();
        assert!(!c.is_working_day(date(2025, 1, 1)).unwrap());
        assert!(c.is_working_day(date(2025, 1, 2)).unwrap());
        // 春节 1/28 (除夕) – 2/4, make-up Sun 1/26 and Sat 2/8.
        assert!(c.is_working_day(date(2025, 1, 26)).unwrap());
        assert!(c.is_working_day(date(2025, 1, 27)).unwrap());
        assert!(!c.is_working_day(date(2025, 1, 28)).unwrap());
        assert!(!c.is_working_day(date(2025, 2, 4)).unwrap());
        assert!(c.is_working_day(date(2025, 2, 5)).unwrap());
        assert!(c.is_working_day(date(2025, 2, 8)).unwrap());
        // 清明 4/4–4/6.
        assert!(!c.is_working_day(date(2025, 4, 4)).unwrap());
        assert!(c.is_working_day(date(2025, 4, 7)).unwrap());
        // 劳动节 5/1–5/5, make-up Sun 4/27.
        assert!(c.is_working_day(date(2025, 4, 27)).unwrap());
        assert!(!c.is_working_day(date(2025, 5, 5)).unwrap());
        assert!(c.is_working_day(date(2025, 5, 6)).unwrap());
        // 端午 5/31–6/2.
        assert!(!c.is_working_day(date(2025, 6, 2)).unwrap());
        assert!(c.is_working_day(date(2025, 6, 3)).unwrap());
        // 国庆 + 中秋 10/1–10/8, make-up Sun 9/28 and Sat 10/11.
        assert!(c.is_working_day(date(2025, 9, 28)).unwrap());
        assert!(!c.is_working_day(date(2025, 10, 8)).unwrap());
        assert!(c.is_working_day(date(2025, 10, 9)).unwrap());
        assert!(c.is_working_day(date(2025, 10, 11)).unwrap());
    }

    #[test]
    fn every_block_edge_of_2026() {
        let c = cal();
        // 元旦 1/1–1/3, make-up Sun 1/4.
        assert!(!c.is_working_day(date(2026, 1, 2)).unwrap());
        assert!(c.is_working_day(date(2026, 1, 4)).unwrap());
        // 春节 2/15–2/23, make-up Sat 2/14 and Sat 2/28.
        assert!(c.is_working_day(date(2026, 2, 14)).unwrap());
        assert!(!c.is_working_day(date(2026, 2, 15)).unwrap());
        assert!(!c.is_working_day(date(2026, 2, 23)).unwrap());
        assert!(c.is_working_day(date(2026, 2, 24)).unwrap());
        assert!(c.is_working_day(date(2026, 2, 28)).unwrap());
        // 清明 4/4–4/6 (Mon off).
        assert!(!c.is_working_day(date(2026, 4, 6)).unwrap());
        assert!(c.is_working_day(date(2026, 4, 7)).unwrap());
        // 劳动节 5/1–5/5, make-up Sat 5/9.
        assert!(!c.is_working_day(date(2026, 5, 5)).unwrap());
        assert!(c.is_working_day(date(2026, 5, 6)).unwrap());
        assert!(c.is_working_day(date(2026, 5, 9)).unwrap());
        // 端午 6/19 (Fri) – 6/21.
        assert!(!c.is_working_day(date(2026, 6, 19)).unwrap());
        assert!(c.is_working_day(date(2026, 6, 22)).unwrap());
        // 中秋 9/25 (Fri) – 9/27.
        assert!(!c.is_working_day(date(2026, 9, 25)).unwrap());
        assert!(c.is_working_day(date(2026, 9, 28)).unwrap());
        // 国庆 10/1–10/7, make-up Sun 9/20 and Sat 10/10.
        assert!(c.is_working_day(date(2026, 9, 20)).unwrap());
        assert!(!c.is_working_day(date(2026, 10, 7)).unwrap());
        assert!(c.is_working_day(date(2026, 10, 8)).unwrap());
        assert!(c.is_working_day(date(2026, 10, 10)).unwrap());
    }

    #[test]
    fn fifteenth_working_day_across_national_day_2025() {
        // Fri 2025-09-26 + 15: Sun 9/28 is a make-up day, 10/1–10/8 are off, Sat 10/11 works.
        let due = cal().add_working_days(date(2025, 9, 26), 15).unwrap();
        assert_eq!(due, date(2025, 10, 23));
        assert_eq!(
            cal()
                .working_days_between(date(2025, 9, 26), date(2025, 10, 23))
                .unwrap(),
            15
        );
    }

    #[test]
    fn thirty_working_days_across_spring_festival_2026() {
        // From Fri 2026-01-30: 2/2–2/13 (10), Sat 2/14 (11), 2/24–2/27 (15), Sat 2/28 (16),
        // 3/2–3/6 (21), 3/9–3/13 (26), 3/16–3/19 (30).
        let due = cal().add_working_days(date(2026, 1, 30), 30).unwrap();
        assert_eq!(due, date(2026, 3, 19));
    }

    #[test]
    fn across_the_year_end() {
        let c = cal();
        // Wed 2025-12-31 + 1: 2026-01-01..03 off, Sun 1/4 is a make-up working day.
        assert_eq!(
            c.add_working_days(date(2025, 12, 31), 1).unwrap(),
            date(2026, 1, 4)
        );
        // Mon 2024-12-30 + 2: Tue 12/31, then 2025-01-01 off, Thu 1/2.
        assert_eq!(
            c.add_working_days(date(2024, 12, 30), 2).unwrap(),
            date(2025, 1, 2)
        );
        // Backwards over the same year end.
        assert_eq!(
            c.add_working_days(date(2026, 1, 4), -1).unwrap(),
            date(2025, 12, 31)
        );
        assert_eq!(
            c.working_days_between(date(2026, 1, 4), date(2025, 12, 31))
                .unwrap(),
            -1
        );
        // Counting into 2027 fails closed, naming the year.
        let err = c.add_working_days(date(2026, 12, 25), 10).unwrap_err();
        assert!(err.to_string().contains("2027"), "{err}");
    }

    #[test]
    fn unknown_years_fail_closed() {
        let err = cal().is_working_day(date(2027, 3, 1)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("no working-day calendar for 2027"), "{msg}");
        assert!(msg.contains("2024, 2025, 2026"), "{msg}");
        assert!(cal().is_working_day(date(2023, 12, 29)).is_err());
    }

    #[test]
    fn zero_days_is_the_same_date() {
        assert_eq!(
            cal().add_working_days(date(2025, 10, 3), 0).unwrap(),
            date(2025, 10, 3)
        );
    }

    #[test]
    fn holiday_names_in_day_info() {
        let d = cal().day(date(2025, 10, 6)).unwrap();
        assert_eq!(d.holiday.as_deref(), Some("国庆节、中秋节"));
        let m = cal().day(date(2025, 9, 28)).unwrap();
        assert_eq!(m.kind, DayKind::MakeupWorkday);
        assert!(m.working_day);
    }

    const USER_2027: &str = r#"
year = 2027
notice = "test notice"
published = "2026-11-01"
[[holidays]]
name_zh = "元旦"
name_en = "New Year's Day"
start = "2027-01-01"
end = "2027-01-03"
[[makeup_workdays]]
date = "2027-01-09"
for_holiday = "元旦"
"#;

    #[test]
    fn a_user_file_adds_a_year() {
        let mut c = Calendar::with_builtin();
        assert_eq!(
            c.add_file(USER_2027, "my-2027.toml").unwrap(),
            (2027, false)
        );
        assert!(!c.is_working_day(date(2027, 1, 1)).unwrap());
        assert!(c.is_working_day(date(2027, 1, 9)).unwrap());
        assert!(c.is_working_day(date(2027, 1, 4)).unwrap());
        // Now 2026 → 2027 year-end arithmetic works.
        assert_eq!(
            c.add_working_days(date(2026, 12, 31), 1).unwrap(),
            date(2027, 1, 4)
        );
    }

    #[test]
    fn bad_user_files_are_refused_with_the_reason() {
        let mut c = Calendar::with_builtin();
        let weekday_makeup = USER_2027.replace("2027-01-09", "2027-01-06");
        let err = c
            .add_file(&weekday_makeup, "f.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("f.toml: make-up working day 2027-01-06"),
            "{err}"
        );
        let wrong_year = USER_2027.replace("end = \"2027-01-03\"", "end = \"2028-01-03\"");
        assert!(c.add_file(&wrong_year, "f.toml").is_err());
        let unknown_field = format!("{USER_2027}\nfoo = 1\n");
        let err = c
            .add_file(&unknown_field, "f.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("foo"), "{err}");
        let bad_name = USER_2027.replace("for_holiday = \"元旦\"", "for_holiday = \"春节\"");
        assert!(c.add_file(&bad_name, "f.toml").is_err());
    }
}
