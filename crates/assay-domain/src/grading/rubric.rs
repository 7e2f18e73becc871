//! Rubrics (Canvas `Rubric`): criteria, each with ratings, and the assessment of one submission against them.
//! A rubric used for grading gives the submission the sum of the points its criteria were given (criteria marked
//! `ignore_for_scoring` count for feedback only).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// One level of a criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub id: String,
    pub description: String,
    #[serde(default)]
    pub long_description: Option<String>,
    pub points: f64,
}

/// One criterion of a rubric; its ratings run from the most points down.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub description: String,
    #[serde(default)]
    pub long_description: Option<String>,
    pub points: f64,
    #[serde(default)]
    pub criterion_use_range: bool,
    #[serde(default)]
    pub ignore_for_scoring: bool,
    pub ratings: Vec<Rating>,
}

/// A rubric's criteria.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Criteria(pub Vec<Criterion>);

/// A criterion as a request describes it; ids are kept when given (an update), made up otherwise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CriterionInput {
    pub id: Option<String>,
    pub description: Option<String>,
    pub long_description: Option<String>,
    pub points: Option<f64>,
    pub criterion_use_range: bool,
    pub ignore_for_scoring: bool,
    pub ratings: Vec<RatingInput>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RatingInput {
    pub id: Option<String>,
    pub description: Option<String>,
    pub long_description: Option<String>,
    pub points: Option<f64>,
}

/// A problem with a rubric or an assessment: where (a pointer below the parameter it came from) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: String,
    pub message: String,
}

fn problem(at: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem { at: at.into(), message: message.into() }
}

const MAX_TEXT: usize = 4096;

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Criteria {
    /// Builds criteria from a request: descriptions are required, points default to the best rating's (or 0),
    /// a criterion without ratings gets Canvas's "Full Marks"/"No Marks", ratings are ordered by points (most
    /// first). Ids are kept when given and valid, and made up (`_1`, `_2`, …) otherwise.
    pub fn build(inputs: Vec<CriterionInput>) -> Result<Criteria, Vec<Problem>> {
        let mut problems = Vec::new();
        if inputs.is_empty() {
            problems.push(problem("", "a rubric needs at least one criterion"));
        }
        let mut used: BTreeSet<String> = BTreeSet::new();
        for input in &inputs {
            used.extend(input.id.iter().cloned());
            used.extend(input.ratings.iter().filter_map(|r| r.id.clone()));
        }
        let mut next = 0u32;
        let mut fresh = || loop {
            next += 1;
            let id = format!("_{next}");
            if !used.contains(&id) {
                used.insert(id.clone());
                return id;
            }
        };
        let mut seen_criteria = BTreeSet::new();
        let mut criteria = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.into_iter().enumerate() {
            let at = |field: &str| if field.is_empty() { format!("{i}") } else { format!("{i}/{field}") };
            let description = input.description.as_deref().map(str::trim).unwrap_or_default().to_owned();
            if description.is_empty() {
                problems.push(problem(at("description"), "every criterion needs a description"));
            } else if description.chars().count() > MAX_TEXT {
                problems.push(problem(at("description"), format!("must be at most {MAX_TEXT} characters")));
            }
            let id = match input.id {
                Some(id) if valid_id(&id) => id,
                Some(_) => {
                    problems.push(problem(at("id"), "ids are letters, digits, `_` and `-`, at most 64"));
                    String::new()
                }
                None => fresh(),
            };
            if !id.is_empty() && !seen_criteria.insert(id.clone()) {
                problems.push(problem(at("id"), format!("`{id}` names two criteria")));
            }
            let mut ratings = Vec::with_capacity(input.ratings.len());
            let mut seen_ratings = BTreeSet::new();
            for (j, rating) in input.ratings.into_iter().enumerate() {
                let at = |field: &str| format!("{i}/ratings/{j}/{field}");
                let points = rating.points.unwrap_or(0.0);
                if !points.is_finite() || points < 0.0 {
                    problems.push(problem(at("points"), "must be a number, 0 or more"));
                }
                let id = match rating.id {
                    Some(id) if valid_id(&id) => id,
                    Some(_) => {
                        problems.push(problem(at("id"), "ids are letters, digits, `_` and `-`, at most 64"));
                        String::new()
                    }
                    None => fresh(),
                };
                if !id.is_empty() && !seen_ratings.insert(id.clone()) {
                    problems.push(problem(at("id"), format!("`{id}` names two ratings")));
                }
                let description = rating.description.map(|d| d.trim().to_owned()).unwrap_or_default();
                if description.chars().count() > MAX_TEXT {
                    problems.push(problem(at("description"), format!("must be at most {MAX_TEXT} characters")));
                }
                ratings.push(Rating { id, description, long_description: rating.long_description, points });
            }
            let points = input.points.unwrap_or_else(|| ratings.iter().map(|r| r.points).fold(0.0, f64::max));
            if !points.is_finite() || points < 0.0 {
                problems.push(problem(at("points"), "must be a number, 0 or more"));
            }
            if ratings.is_empty() {
                ratings = vec![
                    Rating { id: fresh(), description: "Full Marks".into(), long_description: None, points },
                    Rating { id: fresh(), description: "No Marks".into(), long_description: None, points: 0.0 },
                ];
            }
            ratings.sort_by(|a, b| b.points.total_cmp(&a.points));
            criteria.push(Criterion {
                id,
                description,
                long_description: input.long_description,
                points,
                criterion_use_range: input.criterion_use_range,
                ignore_for_scoring: input.ignore_for_scoring,
                ratings,
            });
        }
        if problems.is_empty() { Ok(Criteria(criteria)) } else { Err(problems) }
    }

    /// The points the rubric is worth (criteria that count).
    pub fn points_possible(&self) -> f64 {
        self.0.iter().filter(|c| !c.ignore_for_scoring).map(|c| c.points).sum()
    }

    pub fn find(&self, id: &str) -> Option<&Criterion> {
        self.0.iter().find(|c| c.id == id)
    }
}

impl Criterion {
    /// The rating a number of points falls on: the exact one, or with ranges the highest whose points it
    /// reaches.
    fn rating_for(&self, points: f64) -> Option<&Rating> {
        if let Some(exact) = self.ratings.iter().find(|r| (r.points - points).abs() < 1e-9) {
            return Some(exact);
        }
        if self.criterion_use_range {
            return self.ratings.iter().find(|r| points >= r.points);
        }
        None
    }
}

/// What a grader says about one criterion (`rubric_assessment[criterion_id][points|rating_id|comments]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CriterionAssessmentInput {
    pub points: Option<f64>,
    pub rating_id: Option<String>,
    pub comments: Option<String>,
}

/// One assessed criterion as stored and shown (Canvas's `rubric_assessment` entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriterionAssessment {
    pub points: Option<f64>,
    pub rating_id: Option<String>,
    pub comments: Option<String>,
}

/// An assessment of a submission against a rubric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub criteria: BTreeMap<String, CriterionAssessment>,
    /// The sum of the points of the criteria that count.
    pub score: f64,
}

/// Assesses against `criteria`: every criterion named must exist; a rating id must be one of its criterion's
/// ratings and gives its points when none are sent; points must be finite and not negative (above a criterion's
/// points is extra credit). Problems point at `criterion_id/field`.
pub fn assess(
    criteria: &Criteria,
    inputs: &BTreeMap<String, CriterionAssessmentInput>,
) -> Result<Assessment, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut assessed = BTreeMap::new();
    let mut score = 0.0;
    for (id, input) in inputs {
        let Some(criterion) = criteria.find(id) else {
            problems.push(problem(id.clone(), format!("`{id}` is not a criterion of this assignment's rubric")));
            continue;
        };
        let rating = match &input.rating_id {
            Some(rating_id) => match criterion.ratings.iter().find(|r| &r.id == rating_id) {
                Some(r) => Some(r),
                None => {
                    problems
                        .push(problem(format!("{id}/rating_id"), format!("`{rating_id}` is not a rating of `{id}`")));
                    continue;
                }
            },
            None => None,
        };
        let points = match (input.points, rating) {
            (Some(p), _) if !p.is_finite() || p < 0.0 => {
                problems.push(problem(format!("{id}/points"), "must be a number, 0 or more"));
                continue;
            }
            (Some(p), _) => Some(p),
            (None, Some(r)) => Some(r.points),
            (None, None) => None,
        };
        let rating_id =
            rating.map(|r| r.id.clone()).or_else(|| points.and_then(|p| criterion.rating_for(p)).map(|r| r.id.clone()));
        if let Some(comments) = &input.comments
            && comments.chars().count() > MAX_TEXT
        {
            problems.push(problem(format!("{id}/comments"), format!("must be at most {MAX_TEXT} characters")));
            continue;
        }
        if !criterion.ignore_for_scoring {
            score += points.unwrap_or(0.0);
        }
        assessed.insert(id.clone(), CriterionAssessment { points, rating_id, comments: input.comments.clone() });
    }
    if problems.is_empty() {
        Ok(Assessment { criteria: assessed, score: (score * 1_000_000.0).round() / 1_000_000.0 })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn criterion(description: &str, ratings: &[f64]) -> CriterionInput {
        CriterionInput {
            description: Some(description.into()),
            ratings: ratings
                .iter()
                .map(|p| RatingInput {
                    description: Some(format!("{p} points")),
                    points: Some(*p),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn criteria_get_ids_ordered_ratings_and_default_points() {
        let built = Criteria::build(vec![criterion("Argument", &[0.0, 5.0, 3.0]), criterion("Style", &[])]).unwrap();
        let argument = &built.0[0];
        assert_eq!(argument.points, 5.0);
        assert_eq!(argument.ratings.iter().map(|r| r.points).collect::<Vec<_>>(), vec![5.0, 3.0, 0.0]);
        let style = &built.0[1];
        assert_eq!(
            style.ratings.iter().map(|r| r.description.as_str()).collect::<Vec<_>>(),
            ["Full Marks", "No Marks"]
        );
        let ids: BTreeSet<&str> = built
            .0
            .iter()
            .flat_map(|c| std::iter::once(c.id.as_str()).chain(c.ratings.iter().map(|r| r.id.as_str())))
            .collect();
        assert_eq!(ids.len(), 2 + 3 + 2, "every id is distinct");
        assert_eq!(built.points_possible(), 5.0);
    }

    #[test]
    fn given_ids_are_kept_and_fresh_ones_avoid_them() {
        let mut kept = criterion("Kept", &[2.0]);
        kept.id = Some("_1".into());
        let built = Criteria::build(vec![kept, criterion("New", &[1.0])]).unwrap();
        assert_eq!(built.0[0].id, "_1");
        assert_ne!(built.0[1].id, "_1");
    }

    #[test]
    fn bad_rubrics_name_the_field() {
        let problems = Criteria::build(vec![]).unwrap_err();
        assert_eq!(problems[0].at, "");
        let mut bad = criterion(" ", &[-1.0]);
        bad.id = Some("has space".into());
        let problems = Criteria::build(vec![bad]).unwrap_err();
        let at: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
        assert_eq!(at, ["0/description", "0/id", "0/ratings/0/points"]);
    }

    #[test]
    fn assessments_sum_counting_criteria() {
        let mut feedback = criterion("Neatness", &[2.0, 0.0]);
        feedback.ignore_for_scoring = true;
        let criteria = Criteria::build(vec![criterion("Argument", &[5.0, 3.0, 0.0]), feedback]).unwrap();
        let argument = criteria.0[0].clone();
        let neatness = criteria.0[1].clone();
        let three = argument.ratings.iter().find(|r| r.points == 3.0).unwrap().id.clone();
        let inputs = BTreeMap::from([
            (
                argument.id.clone(),
                CriterionAssessmentInput {
                    rating_id: Some(three.clone()),
                    comments: Some("Good".into()),
                    ..Default::default()
                },
            ),
            (neatness.id.clone(), CriterionAssessmentInput { points: Some(2.0), ..Default::default() }),
        ]);
        let assessment = assess(&criteria, &inputs).unwrap();
        assert_eq!(assessment.score, 3.0);
        assert_eq!(assessment.criteria[&argument.id].points, Some(3.0));
        assert_eq!(assessment.criteria[&argument.id].rating_id.as_deref(), Some(three.as_str()));
        assert_eq!(assessment.criteria[&neatness.id].rating_id, Some(neatness.ratings[0].id.clone()));
    }

    #[test]
    fn bad_assessments_point_at_the_criterion() {
        let criteria = Criteria::build(vec![criterion("Argument", &[5.0, 0.0])]).unwrap();
        let id = criteria.0[0].id.clone();
        let inputs = BTreeMap::from([
            ("nope".to_owned(), CriterionAssessmentInput { points: Some(1.0), ..Default::default() }),
            (id.clone(), CriterionAssessmentInput { rating_id: Some("zzz".into()), ..Default::default() }),
        ]);
        let at: Vec<String> = assess(&criteria, &inputs).unwrap_err().into_iter().map(|p| p.at).collect();
        assert_eq!(at, vec![format!("{id}/rating_id"), "nope".to_owned()]);
        let negative =
            BTreeMap::from([(id.clone(), CriterionAssessmentInput { points: Some(-1.0), ..Default::default() })]);
        assert_eq!(assess(&criteria, &negative).unwrap_err()[0].at, format!("{id}/points"));
    }

    proptest! {
        /// The score is the sum of the points given to the criteria that count.
        #[test]
        fn the_score_is_the_sum(points in proptest::collection::vec(0.0f64..=10.0, 1..6)) {
            let inputs: Vec<CriterionInput> = points.iter().enumerate().map(|(i, _)| criterion(&format!("C{i}"), &[10.0, 0.0])).collect();
            let criteria = Criteria::build(inputs).unwrap();
            let assessment: BTreeMap<String, CriterionAssessmentInput> = criteria.0.iter().zip(&points)
                .map(|(c, p)| (c.id.clone(), CriterionAssessmentInput { points: Some(*p), ..Default::default() }))
                .collect();
            let scored = assess(&criteria, &assessment).unwrap();
            prop_assert!((scored.score - points.iter().sum::<f64>()).abs() < 1e-6);
        }
    }
}
