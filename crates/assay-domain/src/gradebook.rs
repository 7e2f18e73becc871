//! The gradebook arithmetic: a student's current and final score in a course, from their marks on the course's
//! assignments, as Canvas's grade calculator computes them.
//!
//! - Only assignments that count are in the book: published, graded (not `not_graded`), and not
//!   `omit_from_final_grade`; the caller also leaves out assignments not assigned to the student ([`Mark::NotAssigned`]).
//! - Excused and not-assigned work is left out of everything, as if the assignment did not exist for the student.
//! - **Current** score: graded work only. Ungraded work (no score, or waiting for review) is left out, so the score
//!   is "how the student is doing on what was graded". A missing submission with a score from the missing policy
//!   is graded work like any other.
//! - **Final** score: ungraded work counts as 0 out of its points.
//! - Per assignment group, the drop rules ([`DropRules`]) drop the `drop_lowest` scores that hurt the group most,
//!   then the `drop_highest` that help it most, never an assignment in `never_drop`, and always keep at least one
//!   assignment. "Hurt most" is judged on the group's percentage, not on each score alone: with unequal points,
//!   dropping a 0/1 may help less than dropping a 5/10. The kept set is the one that maximises (then, for
//!   `drop_highest`, minimises) the group's percentage, found exactly by Dinkelbach's method.
//! - Without weights the course score is all kept points over all kept points possible. With weights (the course's
//!   `apply_assignment_group_weights`), each group's percentage counts by its `group_weight`; groups with no points
//!   possible are left out, and when the weights of the groups that remain sum to less than 100 the result is
//!   scaled up to 100 (Canvas: a course whose later groups are not graded yet is judged on the groups that are).
//!   Weights that sum to more than 100 are not scaled down (Canvas: extra credit by weight).
//! - A score is a percentage (0–100, more with extra credit); `None` when nothing counts (no points possible).

use std::collections::HashMap;

use crate::assignment::DropRules;

/// An assignment as the gradebook counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookAssignment {
    pub id: i64,
    pub group_id: i64,
    pub points_possible: f64,
}

/// An assignment group: its weight (percent of the course total, used when the course weights groups) and its
/// drop rules.
#[derive(Debug, Clone, PartialEq)]
pub struct BookGroup {
    pub id: i64,
    pub weight: f64,
    pub rules: DropRules,
}

/// A course's gradebook: its groups in order, the assignments that count, and whether groups are weighted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gradebook {
    pub groups: Vec<BookGroup>,
    pub assignments: Vec<BookAssignment>,
    pub weighted: bool,
}

/// Whether an assignment belongs in the gradebook at all: published, graded, and counted towards the final grade.
pub fn counts(workflow_state: &str, grading_type: &str, omit_from_final_grade: bool) -> bool {
    workflow_state == crate::assignment::PUBLISHED && grading_type != "not_graded" && !omit_from_final_grade
}

/// A student's standing on one assignment, as the reader of the grades may see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// Graded with this many points.
    Scored(f64),
    /// Not graded (or graded but not visible to this reader).
    Ungraded,
    /// Excused: left out.
    Excused,
    /// The assignment is not assigned to the student: left out.
    NotAssigned,
}

impl Mark {
    /// The mark of a submission: excused, or its score when it is graded and the reader may see it. `posted_only`
    /// is true for readers who see posted grades only (the student themselves); a submission waiting for review
    /// counts as ungraded, as its score is not final.
    pub fn of(score: Option<f64>, excused: bool, pending_review: bool, posted: bool, posted_only: bool) -> Mark {
        if posted_only && !posted {
            return Mark::Ungraded;
        }
        if excused {
            return Mark::Excused;
        }
        match score {
            Some(points) if !pending_review && points.is_finite() => Mark::Scored(points),
            _ => Mark::Ungraded,
        }
    }
}

/// One group's total for a student.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTotal {
    pub group_id: i64,
    /// Points of the kept assignments.
    pub score: f64,
    /// Points possible of the kept assignments.
    pub possible: f64,
    /// The assignments the drop rules dropped, by id.
    pub dropped: Vec<i64>,
}

impl GroupTotal {
    /// The group's percentage; `None` when it has no points possible.
    pub fn percent(&self) -> Option<f64> {
        (self.possible > 0.0).then(|| self.score / self.possible * 100.0)
    }
}

/// A student's total in one mode (current or final).
#[derive(Debug, Clone, PartialEq)]
pub struct Total {
    /// The course percentage; `None` when nothing counts.
    pub percent: Option<f64>,
    /// Every group of the book, in the book's order.
    pub groups: Vec<GroupTotal>,
}

/// A student's current and final totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Grades {
    pub current: Total,
    pub final_total: Total,
}

/// Computes a student's grades; `mark` gives the student's mark on each assignment of the book by id.
pub fn grades(book: &Gradebook, mark: impl Fn(i64) -> Mark) -> Grades {
    let marks: HashMap<i64, Mark> = book.assignments.iter().map(|a| (a.id, mark(a.id))).collect();
    Grades { current: total(book, &marks, false), final_total: total(book, &marks, true) }
}

fn total(book: &Gradebook, marks: &HashMap<i64, Mark>, ungraded_counts_zero: bool) -> Total {
    let groups: Vec<GroupTotal> = book
        .groups
        .iter()
        .map(|group| {
            let items: Vec<Item> = book
                .assignments
                .iter()
                .filter(|a| a.group_id == group.id)
                .filter_map(|a| {
                    let score = match marks.get(&a.id).copied().unwrap_or(Mark::Ungraded) {
                        Mark::Scored(points) => points,
                        Mark::Ungraded if ungraded_counts_zero => 0.0,
                        Mark::Ungraded | Mark::Excused | Mark::NotAssigned => return None,
                    };
                    Some(Item { id: a.id, score, possible: a.points_possible.max(0.0) })
                })
                .collect();
            let all_ids: Vec<i64> = items.iter().map(|i| i.id).collect();
            let kept = apply_drop_rules(items, &group.rules);
            let dropped = all_ids.into_iter().filter(|id| !kept.iter().any(|k| k.id == *id)).collect();
            GroupTotal {
                group_id: group.id,
                score: kept.iter().map(|i| i.score).sum(),
                possible: kept.iter().map(|i| i.possible).sum(),
                dropped,
            }
        })
        .collect();
    let percent = if book.weighted { weighted_percent(book, &groups) } else { unweighted_percent(&groups) };
    Total { percent, groups }
}

fn unweighted_percent(groups: &[GroupTotal]) -> Option<f64> {
    let score: f64 = groups.iter().map(|g| g.score).sum();
    let possible: f64 = groups.iter().map(|g| g.possible).sum();
    (possible > 0.0).then(|| score / possible * 100.0)
}

fn weighted_percent(book: &Gradebook, groups: &[GroupTotal]) -> Option<f64> {
    let weights: HashMap<i64, f64> = book.groups.iter().map(|g| (g.id, g.weight.max(0.0))).collect();
    let counted: Vec<(&GroupTotal, f64)> = groups
        .iter()
        .filter(|g| g.possible > 0.0)
        .map(|g| (g, weights.get(&g.group_id).copied().unwrap_or(0.0)))
        .collect();
    let full_weight: f64 = counted.iter().map(|(_, w)| w).sum();
    if full_weight <= 0.0 {
        return None;
    }
    let sum: f64 = counted.iter().map(|(g, w)| g.score / g.possible * w).sum();
    Some(if full_weight < 100.0 { sum * 100.0 / full_weight } else { sum })
}

/// A score in a group, for the drop rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub id: i64,
    pub score: f64,
    pub possible: f64,
}

/// The items a group keeps under its drop rules (see the module doc): never-drop items always; of the others,
/// `drop_lowest` fewer (but at least one) chosen to give the highest percentage, then `drop_highest` fewer chosen
/// to give the lowest — `drop_highest` is ignored when the two together would drop everything. Returned in the
/// order given.
pub fn apply_drop_rules(items: Vec<Item>, rules: &DropRules) -> Vec<Item> {
    let drop_lowest = rules.drop_lowest.unwrap_or(0) as usize;
    let drop_highest = rules.drop_highest.unwrap_or(0) as usize;
    if drop_lowest == 0 && drop_highest == 0 {
        return items;
    }
    let (fixed, droppable): (Vec<Item>, Vec<Item>) =
        items.iter().copied().partition(|i| rules.never_drop.contains(&i.id));
    if droppable.is_empty() {
        return items;
    }
    let n = droppable.len();
    let drop_lowest = drop_lowest.min(n - 1);
    let drop_highest = if drop_lowest + drop_highest >= n { 0 } else { drop_highest };
    let keep_highest = n - drop_lowest;
    let keep_lowest = keep_highest - drop_highest;
    let kept = if droppable.iter().all(|i| i.possible == 0.0) {
        // Without points possible there are no percentages: drop by raw score.
        let mut by_score = droppable;
        by_score.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        by_score.into_iter().take(keep_highest).skip(keep_highest - keep_lowest).collect()
    } else {
        let best = keep_extreme(droppable, keep_highest, Extreme::Highest);
        keep_extreme(best, keep_lowest, Extreme::Lowest)
    };
    items.into_iter().filter(|i| fixed.iter().chain(kept.iter()).any(|k| k.id == i.id)).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extreme {
    Highest,
    Lowest,
}

fn ratio(items: &[Item]) -> Option<f64> {
    let possible: f64 = items.iter().map(|i| i.possible).sum();
    (possible > 0.0).then(|| items.iter().map(|i| i.score).sum::<f64>() / possible)
}

/// The `keep` items whose total percentage is the highest (or lowest). Dinkelbach's method: for a trial ratio
/// `q`, the best set is the `keep` items with the largest (smallest) `score - q·possible`; its own ratio is a
/// better trial, and the trials improve strictly until the set stops changing, which is optimal.
fn keep_extreme(items: Vec<Item>, keep: usize, extreme: Extreme) -> Vec<Item> {
    if keep >= items.len() {
        return items;
    }
    let choose = |q: f64| -> Vec<Item> {
        let mut ranked = items.clone();
        ranked.sort_by(|a, b| {
            let (va, vb) = (a.score - q * a.possible, b.score - q * b.possible);
            let order = match extreme {
                Extreme::Highest => vb.total_cmp(&va),
                Extreme::Lowest => va.total_cmp(&vb),
            };
            order.then(a.id.cmp(&b.id))
        });
        ranked.truncate(keep);
        ranked
    };
    let mut chosen = choose(0.0);
    // Each round strictly improves the ratio over finitely many sets; the bound only guards against float noise.
    for _ in 0..=items.len() * 2 {
        let Some(q) = ratio(&chosen) else { return chosen };
        let next = choose(q);
        let better = match (ratio(&next), extreme) {
            (Some(r), Extreme::Highest) => r > q + 1e-12,
            (Some(r), Extreme::Lowest) => r < q - 1e-12,
            (None, _) => false,
        };
        if !better {
            return chosen;
        }
        chosen = next;
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(id: i64, score: f64, possible: f64) -> Item {
        Item { id, score, possible }
    }

    fn ids(items: &[Item]) -> Vec<i64> {
        items.iter().map(|i| i.id).collect()
    }

    fn rules(lowest: u32, highest: u32, never: &[i64]) -> DropRules {
        DropRules { drop_lowest: Some(lowest), drop_highest: Some(highest), never_drop: never.to_vec() }
    }

    fn book(weighted: bool, groups: &[(i64, f64, DropRules)], assignments: &[(i64, i64, f64)]) -> Gradebook {
        Gradebook {
            groups: groups
                .iter()
                .map(|(id, weight, rules)| BookGroup { id: *id, weight: *weight, rules: rules.clone() })
                .collect(),
            assignments: assignments
                .iter()
                .map(|(id, group_id, points)| BookAssignment { id: *id, group_id: *group_id, points_possible: *points })
                .collect(),
            weighted,
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn drop_lowest_judges_by_the_group_percentage() {
        // 0/1 is the lowest percentage, yet dropping it keeps 15/20 = 75%, while dropping 5/10 keeps
        // 10/11 = 90.9%: the rule drops 5/10.
        let items = vec![item(1, 0.0, 1.0), item(2, 5.0, 10.0), item(3, 10.0, 10.0)];
        assert_eq!(ids(&apply_drop_rules(items.clone(), &rules(1, 0, &[]))), vec![1, 3]);
        // Dropping the highest one: keep the pair with the lowest percentage: {0/1, 5/10} = 5/11.
        assert_eq!(ids(&apply_drop_rules(items, &rules(0, 1, &[]))), vec![1, 2]);
    }

    #[test]
    fn never_drop_and_the_last_assignment_are_kept() {
        let items = vec![item(1, 0.0, 10.0), item(2, 5.0, 10.0), item(3, 10.0, 10.0)];
        assert_eq!(ids(&apply_drop_rules(items.clone(), &rules(1, 0, &[1]))), vec![1, 3]);
        // Dropping more than there is keeps the best one.
        assert_eq!(ids(&apply_drop_rules(items.clone(), &rules(5, 0, &[]))), vec![3]);
        // Lowest and highest together would drop all: the highest rule is ignored.
        assert_eq!(ids(&apply_drop_rules(items.clone(), &rules(2, 1, &[]))), vec![3]);
        assert_eq!(ids(&apply_drop_rules(items.clone(), &rules(1, 1, &[]))), vec![2]);
        assert_eq!(apply_drop_rules(items.clone(), &DropRules::default()), items);
        // Only never-drop items: nothing to drop.
        assert_eq!(ids(&apply_drop_rules(items, &rules(1, 0, &[1, 2, 3]))), vec![1, 2, 3]);
    }

    #[test]
    fn pointless_groups_drop_by_raw_score() {
        let items = vec![item(1, 2.0, 0.0), item(2, 0.0, 0.0), item(3, 1.0, 0.0)];
        assert_eq!(ids(&apply_drop_rules(items, &rules(1, 1, &[]))), vec![3]);
    }

    #[test]
    fn current_and_final_without_weights() {
        let b = book(false, &[(10, 0.0, DropRules::default())], &[(1, 10, 10.0), (2, 10, 20.0), (3, 10, 5.0)]);
        let g = grades(&b, |id| match id {
            1 => Mark::Scored(8.0),
            2 => Mark::Ungraded,
            _ => Mark::Excused,
        });
        assert!(close(g.current.percent, 80.0));
        // Final: 8 of 30 (the ungraded 20 counts 0, the excused 5 is left out).
        assert!(close(g.final_total.percent, 8.0 / 30.0 * 100.0));
        assert_eq!(g.current.groups[0].possible, 10.0);
        assert_eq!(g.final_total.groups[0].possible, 30.0);
    }

    #[test]
    fn nothing_graded_has_no_current_score() {
        let b = book(false, &[(10, 0.0, DropRules::default())], &[(1, 10, 10.0)]);
        let g = grades(&b, |_| Mark::Ungraded);
        assert_eq!(g.current.percent, None);
        assert!(close(g.final_total.percent, 0.0));
        let empty = grades(&Gradebook::default(), |_| Mark::Ungraded);
        assert_eq!((empty.current.percent, empty.final_total.percent), (None, None));
        let not_assigned = grades(&b, |_| Mark::NotAssigned);
        assert_eq!(not_assigned.final_total.percent, None);
    }

    #[test]
    fn weights_count_each_group_by_its_share() {
        // Homework 40%: 9/10; exams 60%: 30/50.
        let groups = [(1, 40.0, DropRules::default()), (2, 60.0, DropRules::default())];
        let b = book(true, &groups, &[(11, 1, 10.0), (21, 2, 50.0), (22, 2, 100.0)]);
        let g = grades(&b, |id| match id {
            11 => Mark::Scored(9.0),
            21 => Mark::Scored(30.0),
            _ => Mark::Ungraded,
        });
        assert!(close(g.current.percent, 0.4 * 90.0 + 0.6 * 60.0));
        // Final: exams 30/150 = 20%.
        assert!(close(g.final_total.percent, 0.4 * 90.0 + 0.6 * 20.0));
        // Without weights: all points together.
        let unweighted = grades(&Gradebook { weighted: false, ..b.clone() }, |id| match id {
            11 => Mark::Scored(9.0),
            21 => Mark::Scored(30.0),
            _ => Mark::Ungraded,
        });
        assert!(close(unweighted.current.percent, 39.0 / 60.0 * 100.0));
    }

    #[test]
    fn weights_of_ungraded_groups_are_rescaled_but_extra_weight_is_not() {
        let groups = [(1, 40.0, DropRules::default()), (2, 60.0, DropRules::default())];
        let b = book(true, &groups, &[(11, 1, 10.0), (21, 2, 50.0)]);
        let g = grades(&b, |id| if id == 11 { Mark::Scored(9.0) } else { Mark::Ungraded });
        // Only homework is graded: judged on it alone.
        assert!(close(g.current.percent, 90.0));
        assert!(close(g.final_total.percent, 36.0));
        let heavy = [(1, 80.0, DropRules::default()), (2, 80.0, DropRules::default())];
        let b = book(true, &heavy, &[(11, 1, 10.0), (21, 2, 10.0)]);
        let g = grades(&b, |_| Mark::Scored(10.0));
        assert!(close(g.current.percent, 160.0));
    }

    #[test]
    fn drop_rules_apply_per_group_in_current_and_final() {
        let groups = [(1, 0.0, rules(1, 0, &[]))];
        let b = book(false, &groups, &[(1, 1, 10.0), (2, 1, 10.0), (3, 1, 10.0)]);
        let g = grades(&b, |id| match id {
            1 => Mark::Scored(2.0),
            2 => Mark::Scored(9.0),
            _ => Mark::Ungraded,
        });
        // Current: of 2/10 and 9/10, 2/10 is dropped.
        assert!(close(g.current.percent, 90.0));
        assert_eq!(g.current.groups[0].dropped, vec![1]);
        // Final: the ungraded one counts 0 and is the one dropped.
        assert!(close(g.final_total.percent, 55.0));
        assert_eq!(g.final_total.groups[0].dropped, vec![3]);
    }

    #[test]
    fn marks_follow_posting_and_review() {
        assert_eq!(Mark::of(Some(5.0), false, false, true, true), Mark::Scored(5.0));
        assert_eq!(Mark::of(Some(5.0), false, false, false, true), Mark::Ungraded);
        assert_eq!(Mark::of(Some(5.0), false, false, false, false), Mark::Scored(5.0));
        assert_eq!(Mark::of(None, true, false, false, false), Mark::Excused);
        assert_eq!(Mark::of(None, true, false, false, true), Mark::Ungraded);
        assert_eq!(Mark::of(Some(5.0), false, true, true, false), Mark::Ungraded);
        assert_eq!(Mark::of(None, false, false, true, false), Mark::Ungraded);
        assert!(counts("published", "points", false));
        assert!(!counts("unpublished", "points", false));
        assert!(!counts("published", "not_graded", false));
        assert!(!counts("published", "points", true));
    }

    fn any_items() -> impl Strategy<Value = Vec<Item>> {
        proptest::collection::vec((0u32..=20, 1u32..=20), 1..7).prop_map(|pairs| {
            pairs
                .into_iter()
                .enumerate()
                .map(|(i, (score, possible))| item(i as i64 + 1, f64::from(score.min(possible)), f64::from(possible)))
                .collect()
        })
    }

    /// Every subset of `items` of size `k`.
    fn subsets(items: &[Item], k: usize) -> Vec<Vec<Item>> {
        let n = items.len();
        (0u32..(1 << n))
            .filter(|mask| mask.count_ones() as usize == k)
            .map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).map(|i| items[i]).collect())
            .collect()
    }

    proptest! {
        /// Dropping the lowest keeps the subset with the best percentage there is (checked against every subset).
        #[test]
        fn drop_lowest_is_optimal(items in any_items(), lowest in 1u32..4) {
            let kept = apply_drop_rules(items.clone(), &rules(lowest, 0, &[]));
            let keep = items.len() - (lowest as usize).min(items.len() - 1);
            prop_assert_eq!(kept.len(), keep);
            let best = subsets(&items, keep).iter().filter_map(|s| ratio(s)).fold(f64::MIN, f64::max);
            prop_assert!((ratio(&kept).unwrap() - best).abs() < 1e-9);
        }

        /// Dropping the highest keeps the subset with the worst percentage there is.
        #[test]
        fn drop_highest_is_optimal(items in any_items(), highest in 1u32..4) {
            let kept = apply_drop_rules(items.clone(), &rules(0, highest, &[]));
            let dropped = if highest as usize >= items.len() { 0 } else { highest as usize };
            prop_assert_eq!(kept.len(), items.len() - dropped);
            let worst = subsets(&items, kept.len()).iter().filter_map(|s| ratio(s)).fold(f64::MAX, f64::min);
            prop_assert!((ratio(&kept).unwrap() - worst).abs() < 1e-9);
        }

        /// Never-drop assignments are always kept, at least one droppable one is kept, and nothing is invented.
        #[test]
        fn never_drop_is_never_dropped(items in any_items(), lowest in 0u32..6, highest in 0u32..6, never_mask in 0u8..64) {
            let never: Vec<i64> = items.iter().filter(|i| never_mask & (1 << (i.id - 1)) != 0).map(|i| i.id).collect();
            let kept = apply_drop_rules(items.clone(), &rules(lowest, highest, &never));
            for id in &never {
                prop_assert!(kept.iter().any(|k| k.id == *id));
            }
            prop_assert!(kept.iter().all(|k| items.contains(k)));
            prop_assert!(kept.iter().any(|k| !never.contains(&k.id)) || items.iter().all(|i| never.contains(&i.id)));
        }

        /// Without extra credit (no score above its points), every percentage is within 0..=100, current and
        /// final, weighted or not, whatever the drop rules and marks.
        #[test]
        fn scores_stay_within_bounds(
            items in any_items(),
            groups_of in proptest::collection::vec(0i64..3, 7),
            weights in proptest::collection::vec(0u32..=100, 3),
            marks in proptest::collection::vec(0u8..4, 7),
            weighted in any::<bool>(),
            lowest in 0u32..3,
        ) {
            // Weights scaled so they never sum above 100 (above 100 is extra credit by weight).
            let sum: u32 = weights.iter().sum::<u32>().max(100);
            let groups: Vec<(i64, f64, DropRules)> = (0..3)
                .map(|g| (g, f64::from(weights[g as usize]) * 100.0 / f64::from(sum), rules(lowest, 0, &[])))
                .collect();
            let assignments: Vec<(i64, i64, f64)> =
                items.iter().map(|i| (i.id, groups_of[(i.id - 1) as usize], i.possible)).collect();
            let b = book(weighted, &groups, &assignments);
            let g = grades(&b, |id| {
                let i = items.iter().find(|i| i.id == id).unwrap();
                match marks[(id - 1) as usize] {
                    0 => Mark::Scored(i.score),
                    1 => Mark::Ungraded,
                    2 => Mark::Excused,
                    _ => Mark::NotAssigned,
                }
            });
            for percent in [g.current.percent, g.final_total.percent].into_iter().flatten() {
                prop_assert!((-1e-9..=100.0 + 1e-9).contains(&percent), "{}", percent);
            }
            // The final score never exceeds the current one: ungraded work only adds zeros.
            if let (Some(current), Some(final_score)) = (g.current.percent, g.final_total.percent) {
                prop_assert!(final_score <= current + 1e-9 || lowest > 0, "{} > {}", final_score, current);
            }
        }

        /// Weighted totals are the weighted mean of the counted groups' percentages: scaling every weight by the
        /// same factor (keeping the sum at most 100) changes nothing, and equal weights give the mean.
        #[test]
        fn weights_are_shares_of_the_total(
            scores in proptest::collection::vec((0u32..=10, 1u32..=10), 3),
            weights in proptest::collection::vec(1u32..=11, 3),
            factor in 1u32..=3,
        ) {
            let make = |scale: u32| {
                let groups: Vec<(i64, f64, DropRules)> =
                    (0..3).map(|g| (g, f64::from(weights[g as usize] * scale), DropRules::default())).collect();
                let assignments: Vec<(i64, i64, f64)> =
                    (0..3).map(|g| (g + 1, g, f64::from(scores[g as usize].1))).collect();
                book(true, &groups, &assignments)
            };
            let mark = |id: i64| {
                let (s, p) = scores[(id - 1) as usize];
                Mark::Scored(f64::from(s.min(p)))
            };
            let once = grades(&make(1), mark).current.percent.unwrap();
            let scaled = grades(&make(factor), mark).current.percent.unwrap();
            prop_assert!((once - scaled).abs() < 1e-9);
            let total_weight: f64 = weights.iter().map(|w| f64::from(*w)).sum();
            let expected: f64 = (0..3)
                .map(|g| {
                    let (s, p) = scores[g];
                    f64::from(s.min(p)) / f64::from(p) * 100.0 * f64::from(weights[g]) / total_weight
                })
                .sum();
            prop_assert!((once - expected).abs() < 1e-9);
        }
    }
}
