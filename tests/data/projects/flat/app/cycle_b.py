from app.cycle_a import looped
