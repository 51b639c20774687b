"""The vanishing/exploding-gradient study and its data sets."""
