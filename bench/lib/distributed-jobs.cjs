// The job the distributed benchmark's executor workers serve (worker-cli --jobs):
// the smallest job, so the figures are the dispatch path's cost.
exports.fast = (_ctx, i) => i;
