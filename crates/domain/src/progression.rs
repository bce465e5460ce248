//! How a person's signed assessments move over time, item by item, and the programme figure
//! for mentoring courses. Pure functions over ratings: directions of change between two
//! professional judgements, never a score, sum or prediction.

use crate::assessment::Ratings;
use crate::instrument::{Instrument, Side};
use time::{Date, Month};

/// One signed assessment as the progression needs it.
#[derive(Debug, Clone, Copy)]
pub struct SignedAssessment<'a> {
    pub id: &'a str,
    pub assessed_on: Date,
    /// The instrument version the assessment was made with.
    pub instrument: &'a Instrument,
    pub ratings: &'a Ratings,
}

/// One column of the progression: an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub id: String,
    pub assessed_on: Date,
}

/// Direction of change of one item between two comparable ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Movement {
    /// A risk rated lower, or a resource rated higher.
    Better,
    /// A risk rated higher, or a resource rated lower.
    Worse,
    Unchanged,
    /// Fewer than two comparable ratings.
    NotComparable,
}

impl Movement {
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Better => "better",
            Movement::Worse => "worse",
            Movement::Unchanged => "unchanged",
            Movement::NotComparable => "not_comparable",
        }
    }

    /// The movement from level index `from` to `to` on one scale.
    pub fn between(side: Side, from: usize, to: usize) -> Movement {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match (side, to.cmp(&from)) {
            (_, Equal) => Movement::Unchanged,
            (Side::Risk, Less) | (Side::Resource, Greater) => Movement::Better,
            (Side::Risk, Greater) | (Side::Resource, Less) => Movement::Worse,
        }
    }
}

/// One item's ratings across the columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSeries {
    pub dimension_key: String,
    pub dimension_name: String,
    pub item_key: String,
    pub item_text: String,
    pub side: Side,
    /// Per column: the level index on [`Progression::scale`], or `None` when the item was
    /// not rated there or that rating is not comparable.
    pub points: Vec<Option<usize>>,
    /// From the first to the last point that is `Some`.
    pub movement: Movement,
}

/// A person's assessments side by side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progression {
    /// The assessments, oldest first.
    pub columns: Vec<Column>,
    /// Level labels of the newest assessment's instrument, lowest first.
    pub scale: Vec<String>,
    pub items: Vec<ItemSeries>,
}

impl Progression {
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// Lays a person's signed assessments side by side (sorted by date, stable).
///
/// Every point is a level on the scale of the newest assessment's instrument: a rating counts
/// only when its own instrument has identical scale level keys (same keys, same order) and
/// gives the item the same side as the newest instrument that has the item. Any other
/// rating is `None`, so two `Some` points of one series are always comparable. Items keep the
/// newest instrument's order; items that only older versions have follow, in the order they
/// first appear going back in time. An item's text, dimension and side come from the newest
/// instrument that has it.
pub fn progression(assessments: &[SignedAssessment<'_>]) -> Progression {
    let mut assessments = assessments.to_vec();
    assessments.sort_by_key(|assessment| assessment.assessed_on);
    let Some(newest) = assessments.last().map(|assessment| assessment.instrument) else {
        return Progression::default();
    };

    let mut items: Vec<ItemSeries> = Vec::new();
    for assessment in assessments.iter().rev() {
        for (dimension, item) in assessment.instrument.items() {
            if items.iter().any(|series| series.item_key == item.key) {
                continue;
            }
            let points: Vec<Option<usize>> = assessments
                .iter()
                .map(|column| {
                    let (_, own) = column.instrument.item(&item.key)?;
                    if own.side != item.side || !column.instrument.same_scale(newest) {
                        return None;
                    }
                    column.instrument.level_index(column.ratings.get(&item.key)?)
                })
                .collect();
            let movement = first_to_last(item.side, &points);
            items.push(ItemSeries {
                dimension_key: dimension.key.clone(),
                dimension_name: dimension.name.clone(),
                item_key: item.key.clone(),
                item_text: item.text.clone(),
                side: item.side,
                points,
                movement,
            });
        }
    }

    Progression {
        columns: assessments
            .iter()
            .map(|assessment| Column { id: assessment.id.to_owned(), assessed_on: assessment.assessed_on })
            .collect(),
        scale: newest.scale.iter().map(|level| level.label.clone()).collect(),
        items,
    }
}

fn first_to_last(side: Side, points: &[Option<usize>]) -> Movement {
    let mut rated = points.iter().flatten();
    match (rated.next(), rated.next_back()) {
        (Some(&first), Some(&last)) => Movement::between(side, first, last),
        _ => Movement::NotComparable,
    }
}

/// An assessment's date, instrument and ratings, for the programme figure.
#[derive(Debug, Clone, Copy)]
pub struct Rated<'a> {
    pub assessed_on: Date,
    pub instrument: &'a Instrument,
    pub ratings: &'a Ratings,
}

/// One person's mentoring course as the programme figure sees it.
#[derive(Debug, Clone)]
pub struct PersonCourse<'a> {
    /// The last signed assessment on or before the mentoring start; `None` when there is none.
    pub baseline: Option<Rated<'a>>,
    /// Signed assessments after the baseline, in any order.
    pub followups: Vec<Rated<'a>>,
}

/// The mentoring programme's figure of the action plan: how many persons moved in the right
/// direction six months or more after their baseline.
///
/// Definition, as published:
/// - `persons_in_programme`: every person given, with or without a baseline assessment.
/// - `followed_up`: persons with a baseline assessment (the last signed assessment on or
///   before the mentoring start) and a signed follow-up assessment dated at least six
///   calendar months after the baseline date. Six calendar months after a date is the same
///   day of the month six months later, or that month's last day when it is shorter
///   (31 August 2026 → 28 February 2027); a follow-up on exactly that day counts. When there
///   are several such follow-ups, the earliest is used.
/// - `moved_right_direction`: persons followed up for whom, comparing the baseline with that
///   follow-up item by item, at least one item moved in the right direction and no item
///   moved in the wrong direction. The right direction is a lower rating for a risk factor
///   and a higher rating for a resource (protective factor). Only items rated in both
///   assessments are compared, and only when both instruments have the item on the same side
///   and have identical rating scales (the same levels in the same order); other items are
///   left out. A person with no comparable item is followed up but did not move.
///
/// The figure counts directions of change in professional ratings; it is not a score and
/// says nothing about any one person's risk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgrammeFigure {
    pub persons_in_programme: usize,
    pub followed_up: usize,
    pub moved_right_direction: usize,
}

impl ProgrammeFigure {
    /// The published share: persons who moved in the right direction out of those followed
    /// up, as (numerator, denominator). The denominator may be zero.
    pub fn share(&self) -> (usize, usize) {
        (self.moved_right_direction, self.followed_up)
    }
}

/// Computes the [`ProgrammeFigure`] over the given persons; see its definition.
pub fn six_month_movement<'a>(persons: impl IntoIterator<Item = PersonCourse<'a>>) -> ProgrammeFigure {
    let mut figure = ProgrammeFigure::default();
    for person in persons {
        figure.persons_in_programme += 1;
        let Some(baseline) = person.baseline else { continue };
        let Some(due) = six_months_after(baseline.assessed_on) else { continue };
        let followup = person
            .followups
            .iter()
            .filter(|followup| followup.assessed_on >= due)
            .min_by_key(|followup| followup.assessed_on);
        let Some(followup) = followup else { continue };
        figure.followed_up += 1;
        let movements = compare(&baseline, followup);
        if movements.contains(&Movement::Better) && !movements.contains(&Movement::Worse) {
            figure.moved_right_direction += 1;
        }
    }
    figure
}

/// The movement of every item comparable between two assessments.
pub fn compare(from: &Rated<'_>, to: &Rated<'_>) -> Vec<Movement> {
    if !from.instrument.same_scale(to.instrument) {
        return Vec::new();
    }
    from.instrument
        .items()
        .filter_map(|(_, item)| {
            let (_, other) = to.instrument.item(&item.key)?;
            if other.side != item.side {
                return None;
            }
            let before = from.instrument.level_index(from.ratings.get(&item.key)?)?;
            let after = to.instrument.level_index(to.ratings.get(&item.key)?)?;
            Some(Movement::between(item.side, before, after))
        })
        .collect()
}

/// The same day six calendar months later, clamped to the end of a shorter month; `None`
/// past the calendar's range.
pub fn six_months_after(date: Date) -> Option<Date> {
    let months = i32::from(u8::from(date.month())) - 1 + 6;
    let year = date.year().checked_add(months / 12)?;
    let month = Month::try_from(u8::try_from(months % 12 + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::SourceFormat;
    use time::macros::date;

    /// An instrument with scale `levels` and items given as (key, side).
    fn instrument(version: u32, levels: &[&str], items: &[(&str, &str)]) -> Instrument {
        let mut source = format!(
            "format = \"infohus-instrument/1\"\nkey = \"test\"\nversion = {version}\nname = \"Test\"\n\
             [[recommendations]]\nkey = \"r\"\nlabel = \"R\"\n"
        );
        for level in levels {
            source.push_str(&format!("[[scale]]\nkey = \"{level}\"\nlabel = \"{}\"\n", level.to_uppercase()));
        }
        source.push_str("[[dimensions]]\nkey = \"d\"\nname = \"Dimension\"\n");
        for (key, side) in items {
            source.push_str(&format!(
                "[[dimensions.items]]\nkey = \"{key}\"\ntext = \"{key} text\"\nside = \"{side}\"\n"
            ));
        }
        Instrument::parse(&source, SourceFormat::Toml).unwrap()
    }

    fn ratings(pairs: &[(&str, &str)]) -> Ratings {
        pairs.iter().map(|(item, level)| ((*item).to_owned(), (*level).to_owned())).collect()
    }

    const LEVELS: &[&str] = &["lav", "middel", "hoej"];

    #[test]
    fn direction_depends_on_the_side() {
        assert_eq!(Movement::between(Side::Risk, 2, 0), Movement::Better);
        assert_eq!(Movement::between(Side::Risk, 0, 1), Movement::Worse);
        assert_eq!(Movement::between(Side::Resource, 0, 2), Movement::Better);
        assert_eq!(Movement::between(Side::Resource, 2, 1), Movement::Worse);
        assert_eq!(Movement::between(Side::Resource, 1, 1), Movement::Unchanged);
    }

    #[test]
    fn a_series_runs_from_the_first_to_the_last_rated_point() {
        let v1 = instrument(1, LEVELS, &[("isolation", "risk"), ("skole", "resource")]);
        let first = ratings(&[("isolation", "hoej"), ("skole", "lav")]);
        let second = ratings(&[("skole", "middel")]);
        let third = ratings(&[("isolation", "middel"), ("skole", "lav")]);
        let progression = progression(&[
            SignedAssessment { id: "a3", assessed_on: date!(2026 - 09 - 01), instrument: &v1, ratings: &third },
            SignedAssessment { id: "a1", assessed_on: date!(2026 - 01 - 01), instrument: &v1, ratings: &first },
            SignedAssessment { id: "a2", assessed_on: date!(2026 - 05 - 01), instrument: &v1, ratings: &second },
        ]);
        let ids: Vec<&str> = progression.columns.iter().map(|column| column.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2", "a3"]);
        assert_eq!(progression.scale, ["LAV", "MIDDEL", "HOEJ"]);
        assert_eq!(progression.items[0].item_key, "isolation");
        assert_eq!(progression.items[0].points, [Some(2), None, Some(1)]);
        assert_eq!(progression.items[0].movement, Movement::Better);
        assert_eq!(progression.items[1].points, [Some(0), Some(1), Some(0)]);
        assert_eq!(progression.items[1].movement, Movement::Unchanged);
    }

    #[test]
    fn mixed_versions_compare_only_on_the_same_scale_and_side() {
        let v1 = instrument(1, &["lav", "hoej"], &[("isolation", "risk"), ("vrede", "risk")]);
        let v2 = instrument(2, LEVELS, &[("isolation", "risk"), ("vrede", "risk")]);
        let v3 = instrument(3, LEVELS, &[("vrede", "resource"), ("isolation", "risk"), ("ny", "resource")]);
        let r1 = ratings(&[("isolation", "hoej"), ("vrede", "hoej")]);
        let r2 = ratings(&[("isolation", "hoej"), ("vrede", "lav")]);
        let r3 = ratings(&[("isolation", "lav"), ("vrede", "middel"), ("ny", "hoej")]);
        let progression = progression(&[
            SignedAssessment { id: "a1", assessed_on: date!(2026 - 01 - 01), instrument: &v1, ratings: &r1 },
            SignedAssessment { id: "a2", assessed_on: date!(2026 - 02 - 01), instrument: &v2, ratings: &r2 },
            SignedAssessment { id: "a3", assessed_on: date!(2026 - 03 - 01), instrument: &v3, ratings: &r3 },
        ]);
        let keys: Vec<&str> = progression.items.iter().map(|series| series.item_key.as_str()).collect();
        assert_eq!(keys, ["vrede", "isolation", "ny"]);
        // v1's two-level scale is not comparable with v3's three levels.
        assert_eq!(progression.items[0].points, [None, None, Some(1)]);
        assert_eq!(progression.items[0].side, Side::Resource);
        assert_eq!(progression.items[0].movement, Movement::NotComparable);
        assert_eq!(progression.items[1].points, [None, Some(2), Some(0)]);
        assert_eq!(progression.items[1].movement, Movement::Better);
        assert_eq!(progression.items[2].points, [None, None, Some(2)]);
    }

    #[test]
    fn items_only_older_versions_have_are_kept_after_the_newest_ones() {
        let v1 = instrument(1, LEVELS, &[("gammel", "risk"), ("isolation", "risk")]);
        let v2 = instrument(2, LEVELS, &[("isolation", "risk")]);
        let r1 = ratings(&[("gammel", "hoej"), ("isolation", "middel")]);
        let r2 = ratings(&[("isolation", "hoej")]);
        let progression = progression(&[
            SignedAssessment { id: "a1", assessed_on: date!(2026 - 01 - 01), instrument: &v1, ratings: &r1 },
            SignedAssessment { id: "a2", assessed_on: date!(2026 - 02 - 01), instrument: &v2, ratings: &r2 },
        ]);
        assert_eq!(progression.items[0].movement, Movement::Worse);
        assert_eq!(progression.items[1].item_key, "gammel");
        assert_eq!(progression.items[1].points, [Some(2), None]);
        assert_eq!(progression.items[1].movement, Movement::NotComparable);
    }

    #[test]
    fn no_assessments_give_an_empty_progression() {
        assert!(progression(&[]).is_empty());
    }

    #[test]
    fn six_months_clamps_to_the_end_of_the_month() {
        assert_eq!(six_months_after(date!(2026 - 01 - 31)), Some(date!(2026 - 07 - 31)));
        assert_eq!(six_months_after(date!(2026 - 08 - 31)), Some(date!(2027 - 02 - 28)));
        assert_eq!(six_months_after(date!(2027 - 08 - 31)), Some(date!(2028 - 02 - 29)));
        assert_eq!(six_months_after(date!(2026 - 03 - 31)), Some(date!(2026 - 09 - 30)));
        assert_eq!(six_months_after(date!(2026 - 06 - 15)), Some(date!(2026 - 12 - 15)));
        assert_eq!(six_months_after(date!(2026 - 07 - 01)), Some(date!(2027 - 01 - 01)));
        assert_eq!(six_months_after(date!(2026 - 12 - 31)), Some(date!(2027 - 06 - 30)));
        assert_eq!(six_months_after(date!(9999 - 12 - 31)), None);
    }

    fn course<'a>(baseline: Option<Rated<'a>>, followups: Vec<Rated<'a>>) -> PersonCourse<'a> {
        PersonCourse { baseline, followups }
    }

    #[test]
    fn the_follow_up_must_be_six_calendar_months_after_the_baseline() {
        let v1 = instrument(1, LEVELS, &[("isolation", "risk")]);
        let high = ratings(&[("isolation", "hoej")]);
        let low = ratings(&[("isolation", "lav")]);
        let rated = |assessed_on, ratings| Rated { assessed_on, instrument: &v1, ratings };
        let baseline = rated(date!(2026 - 01 - 31), &high);
        let figure = six_month_movement([
            course(Some(baseline), vec![rated(date!(2026 - 07 - 30), &low)]),
            course(Some(baseline), vec![rated(date!(2026 - 07 - 31), &low)]),
            course(Some(rated(date!(2026 - 08 - 31), &high)), vec![rated(date!(2027 - 02 - 28), &low)]),
            course(Some(rated(date!(2026 - 08 - 31), &high)), vec![rated(date!(2027 - 02 - 27), &low)]),
        ]);
        assert_eq!(figure, ProgrammeFigure { persons_in_programme: 4, followed_up: 2, moved_right_direction: 2 });
        assert_eq!(figure.share(), (2, 2));
    }

    #[test]
    fn the_earliest_qualifying_follow_up_is_used() {
        let v1 = instrument(1, LEVELS, &[("isolation", "risk")]);
        let high = ratings(&[("isolation", "hoej")]);
        let low = ratings(&[("isolation", "lav")]);
        let rated = |assessed_on, ratings| Rated { assessed_on, instrument: &v1, ratings };
        let figure = six_month_movement([course(
            Some(rated(date!(2026 - 01 - 01), &high)),
            vec![
                rated(date!(2027 - 01 - 01), &low),
                rated(date!(2026 - 07 - 01), &high),
                rated(date!(2026 - 03 - 01), &low),
            ],
        )]);
        assert_eq!(figure, ProgrammeFigure { persons_in_programme: 1, followed_up: 1, moved_right_direction: 0 });
    }

    #[test]
    fn one_worse_item_outweighs_any_better_ones() {
        let v1 = instrument(1, LEVELS, &[("isolation", "risk"), ("skole", "resource"), ("vrede", "risk")]);
        let baseline = ratings(&[("isolation", "hoej"), ("skole", "middel"), ("vrede", "middel")]);
        let mixed = ratings(&[("isolation", "lav"), ("skole", "lav"), ("vrede", "middel")]);
        let better = ratings(&[("isolation", "lav"), ("skole", "hoej")]);
        let same = ratings(&[("isolation", "hoej"), ("skole", "middel"), ("vrede", "middel")]);
        let rated = |assessed_on, ratings| Rated { assessed_on, instrument: &v1, ratings };
        let start = date!(2026 - 01 - 15);
        let later = date!(2026 - 08 - 01);
        let figure = six_month_movement([
            course(Some(rated(start, &baseline)), vec![rated(later, &mixed)]),
            course(Some(rated(start, &baseline)), vec![rated(later, &better)]),
            course(Some(rated(start, &baseline)), vec![rated(later, &same)]),
            course(None, vec![rated(later, &better)]),
            course(Some(rated(start, &baseline)), vec![]),
        ]);
        assert_eq!(figure, ProgrammeFigure { persons_in_programme: 5, followed_up: 3, moved_right_direction: 1 });
        assert_eq!(figure.share(), (1, 3));
    }

    #[test]
    fn across_versions_only_comparable_items_count() {
        let v1 = instrument(1, LEVELS, &[("isolation", "risk"), ("vrede", "risk")]);
        let v2 = instrument(2, LEVELS, &[("isolation", "risk"), ("vrede", "resource")]);
        let v3 = instrument(3, &["lav", "hoej"], &[("isolation", "risk")]);
        // vrede changed side in v2: its apparent worsening is left out.
        let before = ratings(&[("isolation", "hoej"), ("vrede", "lav")]);
        let after = ratings(&[("isolation", "lav"), ("vrede", "hoej")]);
        let figure = six_month_movement([
            course(
                Some(Rated { assessed_on: date!(2026 - 01 - 01), instrument: &v1, ratings: &before }),
                vec![Rated { assessed_on: date!(2026 - 07 - 01), instrument: &v2, ratings: &after }],
            ),
            course(
                Some(Rated { assessed_on: date!(2026 - 01 - 01), instrument: &v1, ratings: &before }),
                vec![Rated { assessed_on: date!(2026 - 07 - 01), instrument: &v3, ratings: &after }],
            ),
        ]);
        assert_eq!(figure, ProgrammeFigure { persons_in_programme: 2, followed_up: 2, moved_right_direction: 1 });
    }
}
