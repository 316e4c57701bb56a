"""The desk's services, one module per job; ``balcao._desk.Desk`` composes them."""
