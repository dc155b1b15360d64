"""After-sales: returns and warranty claims, their message threads, SLA timers and refunds."""
