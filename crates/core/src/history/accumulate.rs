//! Min/avg/max accumulation of samples into buckets.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Acc {
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub count: i64,
}

impl Acc {
    pub fn new(value: f64) -> Self {
        Acc {
            min: value,
            max: value,
            sum: value,
            count: 1,
        }
    }

    pub fn add(&mut self, value: f64) {
        self.merge(Acc::new(value));
    }

    pub fn merge(&mut self, other: Acc) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
        self.count += other.count;
    }

    pub fn avg(&self) -> f64 {
        self.sum / self.count.max(1) as f64
    }
}
