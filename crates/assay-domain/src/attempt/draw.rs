//! The draw: which questions an attempt shows, in which order, with which answer order, worth how many points.
//! It is computed once, when the attempt starts, from the test's composition and the attempt's seed, and frozen
//! (the store keeps the result as JSON); the same composition and seed always give the same draw.
//!
//! - Fixed questions are always drawn. A group draws `pick_count` questions at random from its pool (its own
//!   questions or a bank's), each worth the group's `question_points`; a group whose pool holds fewer questions
//!   than it picks draws them all.
//! - A question is never drawn twice: a group skips questions already fixed in the test or drawn by an earlier
//!   group (two groups over one bank, or a bank question also placed as a fixed question).
//! - `shuffle_questions` puts the drawn questions in a random order; otherwise they follow the test's order
//!   (a group's picks in the order drawn).
//! - `shuffle_answers` shuffles the choices of multiple choice and multiple answers questions, each question from
//!   its own stream of the seed, so a question's answer order does not depend on the rest of the test. Other
//!   types show their authored order.
//! - Calculated questions draw their variables from [`variables_seed`], also per question.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::question::{AnswerModel, QuestionBody, formula::SplitMix64};

/// One question of an attempt, as frozen when it started (`quiz_submissions.draw` holds a list of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawnQuestion {
    /// The question's id (`questions.id`): what the candidate sees and answers.
    pub question_id: i64,
    /// The version of the question this attempt shows and is scored on.
    pub question_version: i32,
    /// What the question is worth in this attempt (a group's `question_points` for drawn questions).
    pub points: f64,
    /// The group it was drawn by, if any.
    pub quiz_group_id: Option<i64>,
    /// 1-based position in the attempt.
    pub position: u32,
    /// The choice ids in the order shown (multiple choice, multiple answers); empty for other types.
    #[serde(default)]
    pub answer_order: Vec<String>,
}

/// A question that can be drawn: its id, the version current now, its points, and its choice ids in authored
/// order (empty unless its type has choices to shuffle).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub question_id: i64,
    pub version: i32,
    pub points: f64,
    pub choice_ids: Vec<String>,
}

impl Candidate {
    /// A candidate from a question's body (points and choices as authored).
    pub fn of(question_id: i64, version: i32, body: &QuestionBody) -> Candidate {
        let choice_ids = match &body.answer {
            AnswerModel::MultipleChoice { choices } | AnswerModel::MultipleAnswers { choices, .. } => {
                choices.iter().map(|c| c.id.clone()).collect()
            }
            _ => Vec::new(),
        };
        Candidate { question_id, version, points: body.points_possible, choice_ids }
    }
}

/// One element of a test in order: a fixed question or a group.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    Fixed(Candidate),
    Group { group_id: i64, pick_count: u32, question_points: f64, pool: Vec<Candidate> },
}

/// The test's shuffle settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrawSettings {
    pub shuffle_questions: bool,
    pub shuffle_answers: bool,
}

const ANSWER_STREAM: u64 = 0xA5A5_0000_0000_0001;
const VARIABLE_STREAM: u64 = 0x5A5A_0000_0000_0002;

/// An independent stream of the attempt's seed for one question.
fn stream(seed: u64, question_id: i64, salt: u64) -> u64 {
    let mut mix = SplitMix64::new(seed ^ salt);
    let first = mix.next_u64();
    SplitMix64::new(first ^ (question_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64()
}

/// The seed a calculated question's variables are drawn from in an attempt (`question::formula::draw`).
pub fn variables_seed(seed: u64, question_id: i64) -> u64 {
    stream(seed, question_id, VARIABLE_STREAM)
}

fn shuffle<T>(items: &mut [T], rng: &mut SplitMix64) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// Draws an attempt from the test's slots (in test order) with `seed` (see the module documentation).
pub fn draw(slots: &[Slot], settings: DrawSettings, seed: u64) -> Vec<DrawnQuestion> {
    let mut rng = SplitMix64::new(seed);
    let mut taken: HashSet<i64> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Fixed(c) => Some(c.question_id),
            Slot::Group { .. } => None,
        })
        .collect();
    let mut drawn: Vec<(&Candidate, f64, Option<i64>)> = Vec::new();
    let mut fixed_seen: HashSet<i64> = HashSet::new();
    for slot in slots {
        match slot {
            Slot::Fixed(c) => {
                if fixed_seen.insert(c.question_id) {
                    drawn.push((c, c.points, None));
                }
            }
            Slot::Group { group_id, pick_count, question_points, pool } => {
                let mut available: Vec<&Candidate> = Vec::with_capacity(pool.len());
                for c in pool {
                    if !taken.contains(&c.question_id) && !available.iter().any(|a| a.question_id == c.question_id) {
                        available.push(c);
                    }
                }
                let picks = (*pick_count as usize).min(available.len());
                // A partial Fisher–Yates: the first `picks` places end up a uniform sample, in random order.
                for i in 0..picks {
                    let j = i + rng.below((available.len() - i) as u64) as usize;
                    available.swap(i, j);
                }
                for c in &available[..picks] {
                    taken.insert(c.question_id);
                    drawn.push((c, *question_points, Some(*group_id)));
                }
            }
        }
    }
    if settings.shuffle_questions {
        shuffle(&mut drawn, &mut rng);
    }
    drawn
        .into_iter()
        .enumerate()
        .map(|(index, (c, points, quiz_group_id))| {
            let mut answer_order = c.choice_ids.clone();
            if settings.shuffle_answers {
                let mut answers_rng = SplitMix64::new(stream(seed, c.question_id, ANSWER_STREAM));
                shuffle(&mut answer_order, &mut answers_rng);
            }
            DrawnQuestion {
                question_id: c.question_id,
                question_version: c.version,
                points,
                quiz_group_id,
                position: u32::try_from(index + 1).unwrap_or(u32::MAX),
                answer_order,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn candidate(id: i64, choices: usize) -> Candidate {
        Candidate {
            question_id: id,
            version: 1,
            points: 1.0 + id as f64,
            choice_ids: (0..choices).map(|i| format!("c{i}")).collect(),
        }
    }

    fn ids(draw: &[DrawnQuestion]) -> Vec<i64> {
        draw.iter().map(|d| d.question_id).collect()
    }

    #[test]
    fn without_shuffles_the_test_order_and_authored_answers_are_kept() {
        let slots = vec![
            Slot::Fixed(candidate(1, 3)),
            Slot::Group { group_id: 7, pick_count: 2, question_points: 2.5, pool: vec![candidate(10, 0); 1] },
            Slot::Fixed(candidate(2, 0)),
        ];
        let d = draw(&slots, DrawSettings::default(), 42);
        assert_eq!(ids(&d), [1, 10, 2]);
        assert_eq!(d[0].answer_order, ["c0", "c1", "c2"]);
        assert_eq!((d[0].points, d[1].points, d[1].quiz_group_id), (2.0, 2.5, Some(7)));
        assert_eq!(d.iter().map(|q| q.position).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn a_group_skips_questions_already_in_the_test() {
        let bank: Vec<Candidate> = (1..=3).map(|i| candidate(i, 0)).collect();
        let slots = vec![
            Slot::Fixed(candidate(1, 0)),
            Slot::Group { group_id: 1, pick_count: 1, question_points: 1.0, pool: bank.clone() },
            Slot::Group { group_id: 2, pick_count: 5, question_points: 1.0, pool: bank },
        ];
        for seed in 0..50 {
            let mut got = ids(&draw(&slots, DrawSettings::default(), seed));
            got.sort_unstable();
            assert_eq!(got, [1, 2, 3], "seed {seed}");
        }
    }

    #[test]
    fn the_draw_is_stored_with_the_shared_field_names() {
        let d = draw(&[Slot::Fixed(candidate(5, 2))], DrawSettings::default(), 1);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"question_id": 5, "question_version": 1, "points": 6.0, "quiz_group_id": null,
                "position": 1, "answer_order": ["c0", "c1"]}])
        );
        assert_eq!(serde_json::from_value::<Vec<DrawnQuestion>>(json).unwrap(), d);
    }

    #[test]
    fn seeds_spread_group_picks_and_answer_orders() {
        let pool: Vec<Candidate> = (1..=10).map(|i| candidate(i, 4)).collect();
        let slots = vec![Slot::Group { group_id: 1, pick_count: 3, question_points: 1.0, pool }];
        let settings = DrawSettings { shuffle_questions: false, shuffle_answers: true };
        let picks: HashSet<Vec<i64>> = (0..40).map(|s| ids(&draw(&slots, settings, s))).collect();
        let orders: HashSet<Vec<String>> = (0..40).map(|s| draw(&slots, settings, s)[0].answer_order.clone()).collect();
        assert!(picks.len() > 20 && orders.len() > 10, "{} picks, {} orders", picks.len(), orders.len());
    }

    fn arb_slots() -> impl Strategy<Value = Vec<Slot>> {
        let slot = prop_oneof![
            // A question's choices depend on its id only, as a real question's do.
            (1i64..30).prop_map(|id| Slot::Fixed(candidate(id, (id % 5) as usize))),
            (1i64..5, 0u32..6, prop::collection::vec(1i64..30, 0..8)).prop_map(|(g, pick, pool)| {
                Slot::Group {
                    group_id: g,
                    pick_count: pick,
                    question_points: 1.5,
                    pool: pool.into_iter().map(|id| candidate(id, (id % 5) as usize)).collect(),
                }
            }),
        ];
        // Groups of one test have distinct ids.
        prop::collection::vec(slot, 0..8).prop_map(|mut slots| {
            for (i, s) in slots.iter_mut().enumerate() {
                if let Slot::Group { group_id, .. } = s {
                    *group_id = i as i64 + 1;
                }
            }
            slots
        })
    }

    proptest! {
        #[test]
        fn draws_are_reproducible_complete_and_never_repeat_a_question(
            slots in arb_slots(), seed in any::<u64>(), sq in any::<bool>(), sa in any::<bool>()
        ) {
            let settings = DrawSettings { shuffle_questions: sq, shuffle_answers: sa };
            let d = draw(&slots, settings, seed);
            prop_assert_eq!(&d, &draw(&slots, settings, seed));
            let drawn: Vec<i64> = ids(&d);
            let unique: HashSet<i64> = drawn.iter().copied().collect();
            prop_assert_eq!(unique.len(), drawn.len());
            prop_assert_eq!(d.iter().map(|q| q.position).collect::<Vec<_>>(), (1..=d.len() as u32).collect::<Vec<_>>());
            // Every fixed question is there, worth its own points.
            for slot in &slots {
                if let Slot::Fixed(c) = slot {
                    let q = d.iter().find(|q| q.question_id == c.question_id && q.quiz_group_id.is_none());
                    prop_assert!(q.is_some_and(|q| q.points == c.points));
                }
            }
            // A group's picks come from its pool, worth its points, at most `pick_count` of them.
            for slot in &slots {
                if let Slot::Group { group_id, pick_count, question_points, pool } = slot {
                    let picked: Vec<&DrawnQuestion> = d.iter().filter(|q| q.quiz_group_id == Some(*group_id)).collect();
                    prop_assert!(picked.iter().all(|q| pool.iter().any(|c| c.question_id == q.question_id)));
                    prop_assert!(picked.iter().all(|q| q.points == *question_points));
                    prop_assert!(picked.len() <= *pick_count as usize);
                }
            }
            // Answer orders are permutations of the authored choices.
            for q in &d {
                let source = slots.iter().find_map(|s| match s {
                    Slot::Fixed(c) if c.question_id == q.question_id => Some(c),
                    Slot::Group { pool, .. } => pool.iter().find(|c| c.question_id == q.question_id),
                    Slot::Fixed(_) => None,
                });
                let mut shown = q.answer_order.clone();
                let mut authored = source.map(|c| c.choice_ids.clone()).unwrap_or_default();
                if !sa { prop_assert_eq!(&shown, &authored); }
                shown.sort();
                authored.sort();
                prop_assert_eq!(shown, authored);
            }
            if !sq {
                // Without question shuffling, fixed questions keep the test's relative order.
                let fixed_in_test: Vec<i64> = slots.iter().filter_map(|s| match s { Slot::Fixed(c) => Some(c.question_id), _ => None }).fold(Vec::new(), |mut v, id| { if !v.contains(&id) { v.push(id) } v });
                let fixed_drawn: Vec<i64> = d.iter().filter(|q| q.quiz_group_id.is_none()).map(|q| q.question_id).collect();
                prop_assert_eq!(fixed_in_test, fixed_drawn);
            }
        }

        #[test]
        fn a_group_draws_as_many_as_it_can(pool_size in 0usize..12, pick in 0u32..15, seed in any::<u64>()) {
            let pool: Vec<Candidate> = (0..pool_size as i64).map(|i| candidate(100 + i, 0)).collect();
            let d = draw(&[Slot::Group { group_id: 1, pick_count: pick, question_points: 1.0, pool }], DrawSettings::default(), seed);
            prop_assert_eq!(d.len(), (pick as usize).min(pool_size));
        }
    }
}
