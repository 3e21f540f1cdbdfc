"""Learning from what people do: labels and the re-ranker, and its `train` job."""
