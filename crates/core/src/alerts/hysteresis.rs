//! The one rule of every threshold alert: raise past `raise_at`, clear only back past `clear_at`.

use super::types::Threshold;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Raised when the value rises to `raise_at` (temperatures, memory use).
    Above,
    /// Raised when the value falls to `raise_at` (free disk space).
    Below,
}

/// Whether the alert is active after seeing `value`.
pub fn next_active(active: bool, value: f64, threshold: &Threshold, direction: Direction) -> bool {
    if !threshold.enabled {
        return false;
    }
    match (direction, active) {
        (Direction::Above, false) => value >= threshold.raise_at,
        (Direction::Above, true) => value > threshold.clear_at,
        (Direction::Below, false) => value <= threshold.raise_at,
        (Direction::Below, true) => value < threshold.clear_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_oscillating_around_the_threshold_raises_once_and_clears_once() {
        let t = Threshold {
            enabled: true,
            raise_at: 85.0,
            clear_at: 80.0,
        };
        let values = [
            70.0, 84.0, 85.5, 84.0, 86.0, 83.0, 85.0, 81.0, 86.0, 79.5, 84.9, 82.0,
        ];
        let mut active = false;
        let (mut raised, mut cleared) = (0, 0);
        for v in values {
            let next = next_active(active, v, &t, Direction::Above);
            raised += (!active && next) as u32;
            cleared += (active && !next) as u32;
            active = next;
        }
        assert_eq!((raised, cleared, active), (1, 1, false));
    }

    #[test]
    fn below_rules_mirror_above_rules_and_disabled_rules_never_fire() {
        let t = Threshold {
            enabled: true,
            raise_at: 10.0,
            clear_at: 12.0,
        };
        assert!(next_active(false, 9.0, &t, Direction::Below));
        assert!(next_active(true, 11.0, &t, Direction::Below));
        assert!(!next_active(true, 12.5, &t, Direction::Below));
        let off = Threshold {
            enabled: false,
            ..t
        };
        assert!(!next_active(true, 0.0, &off, Direction::Below));
    }
}
