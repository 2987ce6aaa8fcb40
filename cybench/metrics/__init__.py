"""Detection metrics: classification, ranking, calibration, operational, paired tests.

Point estimates come from scikit-learn and scipy wherever they provide the
metric. What they lack is written here and tested against a reference:

- count-based formulas for the vectorised bootstrap (`counts`, `bootstrap`);
- ECE (`calibration`);
- detection rate at a fixed false-positive rate (`ranking`);
- alerts per 10,000 benign events and precision at a prevalence (`operational`);
- Holm's correction (`paired`).

Undefined values are NaN inside this package and null in stored artifacts;
every function that can produce one also returns a warning saying why.
"""
