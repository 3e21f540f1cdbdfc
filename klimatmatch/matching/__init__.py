"""Shortlists: ranking and storing runs, reviews and the review queue, exports, evaluation on
labelled sets."""
