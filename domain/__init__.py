"""Plain frozen values and enums the other packages share: what storage returns, cards render and dialogs pass
between them, so nothing is copied field by field on the way. Standard library only: no I/O, no framework."""
