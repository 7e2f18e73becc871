//! Numbers as QTI writes them, and recovering the author's numbers from bounds computed in floating point.

/// Formats a number the shortest way that reads back to the same `f64` (`5`, `2.5`, `0.001`).
pub(crate) fn fmt(x: f64) -> String {
    if x == 0.0 {
        // No "-0".
        return "0".into();
    }
    format!("{x}")
}

pub(crate) fn parse(s: &str) -> Option<f64> {
    let s = s.trim();
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// The number with the fewest significant digits within `eps` of `x`: undoes the rounding error of `a ± m` when
/// the author wrote `m` (a margin recovered as `bound - value` is `m` give or take a few units in the last place).
pub(crate) fn snap(x: f64, eps: f64) -> f64 {
    for digits in 1..=17 {
        let candidate: f64 = match format!("{:.*e}", digits - 1, x).parse() {
            Ok(v) => v,
            Err(_) => return x,
        };
        if (candidate - x).abs() <= eps {
            return candidate;
        }
    }
    x
}

/// The rounding slack of arithmetic on numbers of these magnitudes.
pub(crate) fn slack(values: &[f64]) -> f64 {
    let scale = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    scale * 8.0 * f64::EPSILON
}

/// The exponent of `x` in scientific notation (`13.4` → 1, `0.05` → -2; 0 → 0).
pub(crate) fn exponent(x: f64) -> i32 {
    if x == 0.0 {
        return 0;
    }
    // Through the formatter rather than log10, which misplaces exact powers of ten.
    format!("{:e}", x.abs()).split('e').nth(1).and_then(|e| e.parse().ok()).unwrap_or(0)
}

/// Canvas's precision answers are written as `floor < x ≤ ceil`, where the bounds are `value`'s mantissa at
/// `precision` significant digits ± half a unit in the last digit. These are those bounds.
pub(crate) fn precision_bounds(value: f64, precision: u32) -> (f64, f64) {
    let exp = exponent(value);
    let half_unit: f64 = format!("5e{}", exp - precision as i32).parse().unwrap_or(0.0);
    let lo = snap(value - half_unit, slack(&[value, half_unit]));
    let hi = snap(value + half_unit, slack(&[value, half_unit]));
    (lo, hi)
}

/// The precision that [`precision_bounds`] used, recovered from the bounds' width.
pub(crate) fn precision_from_bounds(value: f64, lo: f64, hi: f64) -> Option<u32> {
    let width = hi - lo;
    if width <= 0.0 {
        return None;
    }
    // width = 10^(exp - precision + 1)
    let p = exponent(value) + 1 - width.log10().round() as i32;
    u32::try_from(p).ok().filter(|p| *p >= 1)
}
