# Charts: ranked estimates, per-text scatter, distribution, estimator comparison, export
