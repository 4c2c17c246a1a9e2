"""The capacity cards: people x weeks, free people, my week, the over-booking notice (pure functions)."""
