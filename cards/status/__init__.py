"""The status capability's cards (pure: values in, card dict out), one module per card, each with the payload
contracts of its buttons: reports (the status form and history), milestones (list, form, reminder), risks,
decisions, retrospective (and lessons), summary (the status card of one project), portfolio, digest (the weekly
digest and its settings) and board (the board report). common holds what they share."""
